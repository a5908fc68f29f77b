"""The return home interview's 72-hour clock, at its boundaries."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from missing.models import MissingEpisode, ReturnHomeInterview
from missing.timescales import InterviewState, duration_words, interview_timing, short_time

LONDON = zoneinfo.ZoneInfo("Europe/London")
RETURNED = dt.datetime(2026, 11, 24, 14, 0, tzinfo=LONDON)  # a Tuesday
DUE = RETURNED + dt.timedelta(hours=72)


def episode(returned: dt.datetime | None = RETURNED) -> MissingEpisode:
    return MissingEpisode(went_missing_at=RETURNED - dt.timedelta(hours=30), returned_at=returned)


def interview(**fields: object) -> ReturnHomeInterview:
    return ReturnHomeInterview(offered_at=RETURNED + dt.timedelta(hours=2), **fields)


def test_due_72_hours_after_return_in_words() -> None:
    timing = interview_timing(episode(), None, now=RETURNED + dt.timedelta(hours=1))
    assert timing.state == InterviewState.DUE
    assert timing.label == "Interview due by Fri 27 Nov 14:00"
    assert timing.due_at == DUE
    assert timing.is_outstanding


def test_still_due_at_the_last_moment_and_overdue_a_minute_later() -> None:
    assert interview_timing(episode(), None, now=DUE).state == InterviewState.DUE
    late = interview_timing(episode(), interview(), now=DUE + dt.timedelta(minutes=1))
    assert late.state == InterviewState.OVERDUE
    assert late.label.startswith("Overdue")
    assert late.colour == "red"


def test_completed_exactly_at_72_hours_is_on_time_and_a_minute_later_is_late() -> None:
    on_time = interview_timing(episode(), interview(completed_at=DUE, accepted=True))
    assert (on_time.state, on_time.label) == (InterviewState.ON_TIME, "Completed within 72 hours")
    late = interview_timing(
        episode(), interview(completed_at=DUE + dt.timedelta(minutes=1), accepted=True)
    )
    assert (late.state, late.label) == (InterviewState.LATE, "Completed late")
    assert not late.is_outstanding


def test_a_declined_interview_is_no_longer_outstanding() -> None:
    timing = interview_timing(episode(), interview(accepted=False), now=DUE + dt.timedelta(days=3))
    assert timing.state == InterviewState.DECLINED
    assert not timing.is_outstanding


def test_nothing_is_due_before_the_child_returns() -> None:
    timing = interview_timing(episode(returned=None), None)
    assert timing.state == InterviewState.NOT_RETURNED
    assert timing.due_at is None


def test_the_clock_crosses_the_change_from_summer_time_in_real_hours() -> None:
    # 72 real hours after 13:00 BST on Fri 23 Oct 2026 is 12:00 GMT on Mon 26 Oct.
    returned = dt.datetime(2026, 10, 23, 13, 0, tzinfo=LONDON)
    timing = interview_timing(episode(returned), None, now=returned)
    assert timing.label == "Interview due by Mon 26 Oct 12:00"


def test_short_time_and_durations() -> None:
    assert short_time(RETURNED) == "Tue 24 Nov 14:00"
    assert duration_words(dt.timedelta(days=2, hours=3, minutes=5)) == "2 days 3 hours"
    assert duration_words(dt.timedelta(hours=1, minutes=20)) == "1 hour 20 minutes"
    assert duration_words(dt.timedelta(days=1)) == "1 day"
    assert duration_words(dt.timedelta(seconds=30)) == "Under a minute"
    assert duration_words(None) == ""


def test_duration_is_in_real_hours_across_a_change_of_the_clocks() -> None:
    went = dt.datetime(2026, 10, 24, 22, 0, tzinfo=LONDON)  # BST
    back = dt.datetime(2026, 10, 25, 10, 0, tzinfo=LONDON)  # GMT: clocks went back at 02:00
    assert MissingEpisode(went_missing_at=went, returned_at=back).duration == dt.timedelta(hours=13)
