"""What must be true before a strategy meeting can be concluded, and what the chair is warned of.

Pure functions over what the meeting page already read, so the page can show the same list the
service enforces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from accounts.models import AgencyKind
from contextsafe.lib.working_days import add_working_days
from meetings.checklist import checklist_for, unanswered

MIN_AGENCIES = 2
SUMMARY_WORKING_DAYS = 2


def summary_due(meeting: Any) -> dt.date:
    """The chair sends the summary and plan within 2 working days (Kingston & Richmond), counted
    from the meeting's date in London."""
    return add_working_days(timezone.localdate(meeting.held_at), SUMMARY_WORKING_DAYS)


def attending_agencies(attendees: Iterable[Any]) -> dict[int, Any]:
    """Agencies with at least one person present (apologies do not count)."""
    return {a.agency_id: a.agency for a in attendees if a.attended}


def conclusion_problems(
    *, meeting: Any, attendees: Iterable[Any], decisions: Iterable[Any], now: Any
) -> list[str]:
    problems = []
    if meeting.held_at > now:
        problems.append(
            "The meeting is dated in the future. Change the date and time to when it was held, "
            "then conclude it."
        )
    agencies = attending_agencies(attendees)
    if len(agencies) < MIN_AGENCIES:
        problems.append(
            f"Record at least {MIN_AGENCIES} agencies that attended: a strategy meeting is "
            f"multi-agency. {len(agencies)} "
            f"agenc{'y has' if len(agencies) == 1 else 'ies have'} attended so far."
        )
    items = checklist_for(about_context=meeting.is_about_context)
    missing = unanswered(items, meeting.threshold_checklist or {})
    if missing:
        names = ", ".join(i.title for i in missing)
        problems.append(
            f"Answer every question in the threshold checklist: {len(missing)} of {len(items)} "
            f"not answered yet ({names})."
        )
    if not any(d.reasons.strip() for d in decisions):
        problems.append("Record at least one decision, with the reasons for it.")
    return problems


def attendance_warnings(attendees: Iterable[Any]) -> list[str]:
    """Statutory strategy discussions include the police and children's social care."""
    kinds = {agency.kind for agency in attending_agencies(attendees).values()}
    warnings = []
    if AgencyKind.POLICE not in kinds:
        warnings.append(
            "The police have not attended. A statutory strategy discussion includes the police: "
            "say in the summary why they were not present and how they will be told."
        )
    if AgencyKind.CHILDRENS_SOCIAL_CARE not in kinds:
        warnings.append(
            "Children's social care has not attended. A statutory strategy discussion includes "
            "children's social care: say in the summary why they were not present."
        )
    return warnings
