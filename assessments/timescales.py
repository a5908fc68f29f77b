"""Assessment timescales in working days, in the words shown on every page.

A single assessment must be completed within 45 working days of the start (Working Together 2023).
The count excludes weekends and England's bank holidays (``contextsafe.lib.working_days``).
Context assessments have no statutory timescale; they "mirror the child and family assessment
process" (domain.md §1.3), so this service gives them the same 45 working days as a local default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from assessments.models import SINGLE_ASSESSMENT_WORKING_DAYS, Assessment, AssessmentStatus
from contextsafe.lib.working_days import add_working_days, working_days_between

CONTEXT_ASSESSMENT_WORKING_DAYS = SINGLE_ASSESSMENT_WORKING_DAYS


def due_date(started_on: dt.date, working_days: int) -> dt.date:
    return add_working_days(started_on, working_days)


@dataclass(frozen=True)
class Timescale:
    started_on: dt.date
    due_on: dt.date
    total: int
    today: dt.date
    completed_on: dt.date | None = None

    @property
    def day(self) -> int:
        """Working days since the start, up to today (or the day it was completed)."""
        end = self.completed_on or self.today
        return max(0, working_days_between(self.started_on, end))

    @property
    def overdue_by(self) -> int:
        """Working days past the due date; 0 when not overdue."""
        end = self.completed_on or self.today
        return max(0, working_days_between(self.due_on, end))

    @property
    def is_overdue(self) -> bool:
        return self.completed_on is None and self.overdue_by > 0

    @property
    def due_text(self) -> str:
        return f"{self.due_on.day} {self.due_on:%B %Y}"

    @property
    def label(self) -> str:
        """'Working day 12 of 45 — due 3 February 2027', 'Overdue by 4 working days', or how
        long a completed assessment took."""
        if self.completed_on is not None:
            late = f", {_days(self.overdue_by)} late" if self.overdue_by else ""
            return f"Completed on working day {self.day} of {self.total}{late}"
        if self.overdue_by:
            return f"Overdue by {_days(self.overdue_by)} — was due {self.due_text}"
        return f"Working day {self.day} of {self.total} — due {self.due_text}"


def _days(count: int) -> str:
    return f"{count} working day{'s' if count != 1 else ''}"


def timescale_of(assessment: Assessment, today: dt.date | None = None) -> Timescale:
    completed = None
    if assessment.status == AssessmentStatus.COMPLETED and assessment.signed_off_at:
        completed = timezone.localdate(assessment.signed_off_at)
    return Timescale(
        started_on=assessment.started_on,
        due_on=assessment.due_on,
        total=working_days_between(assessment.started_on, assessment.due_on),
        today=today or timezone.localdate(),
        completed_on=completed,
    )
