"""The return home interview's 72-hour clock, in words a practitioner reads at a glance.

Pure functions of the episode, its interview and "now", so the boundary is easy to test: an
interview completed exactly 72 hours after the child returned is on time; a minute later is late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from missing.models import MissingEpisode, ReturnHomeInterview


class InterviewState:
    NOT_RETURNED = "not_returned"
    DUE = "due"
    OVERDUE = "overdue"
    DECLINED = "declined"
    ON_TIME = "on_time"
    LATE = "late"


@dataclass(frozen=True)
class InterviewTiming:
    state: str
    label: str
    colour: str  # a GOV.UK tag colour
    due_at: dt.datetime | None

    @property
    def is_outstanding(self) -> bool:
        return self.state in {InterviewState.DUE, InterviewState.OVERDUE}


def short_time(when: dt.datetime) -> str:
    """'Thu 27 Nov 14:00' in London time."""
    local = timezone.localtime(when)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def interview_timing(
    episode: MissingEpisode,
    interview: ReturnHomeInterview | None,
    *,
    now: dt.datetime | None = None,
) -> InterviewTiming:
    due = episode.interview_due_at
    if due is None:
        return InterviewTiming(InterviewState.NOT_RETURNED, "Not yet returned", "grey", None)
    if interview is not None and interview.completed_at is not None:
        if interview.completed_at <= due:
            return InterviewTiming(
                InterviewState.ON_TIME, "Completed within 72 hours", "green", due
            )
        return InterviewTiming(InterviewState.LATE, "Completed late", "orange", due)
    if interview is not None and interview.accepted is False:
        return InterviewTiming(InterviewState.DECLINED, "Offered and declined", "grey", due)
    current = now or timezone.now()
    if current <= due:
        return InterviewTiming(
            InterviewState.DUE, f"Interview due by {short_time(due)}", "yellow", due
        )
    return InterviewTiming(
        InterviewState.OVERDUE, f"Overdue: was due by {short_time(due)}", "red", due
    )


def duration_words(delta: dt.timedelta | None) -> str:
    """'2 days 3 hours', '5 hours 20 minutes', 'Under a minute'."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (mins, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "Under a minute"
