"""The daily reminder to owners of overdue actions and of notices about to lapse, and to chairs
of overdue actions from their meetings.

An email leaves the secure service, so it never names a child (nor a place or group, whose name
can point to children), nor quotes an action's words: it says what kind of action is due on what
kind of plan, or which meeting agreed it, and links to "My actions" or the home page's "My work",
where the reader sees what their permissions allow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from access.roles import CASE_WORK_ROLES
from accounts.models import User
from accounts.tasks import send_email_task
from panels.models import Meeting, PanelAction, PanelActionStatus
from plans.models import (
    LAPSE_WARNING_DAYS,
    OPEN_ACTION_STATUSES,
    Action,
    ActionKind,
    PlanStatus,
)

SUBJECT = "ContextSafe: actions that need your attention"
# Meeting actions have no lapse date, so their owners hear a week ahead as well as when late.
MEETING_DUE_SOON_DAYS = 7


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _line(action: Action, today: dt.date) -> tuple[bool, str]:
    """(overdue, line): what the action is, on what kind of plan — never whose."""
    label = str(action.plan.get_kind_display())
    # "context safety plan", but "CS&E plan": lower only a word that is not an abbreviation.
    plan = label[0].lower() + label[1:] if label[1:2].islower() else label
    what = action.get_tool_display() if action.tool else action.get_kind_display()
    if action.due_on is not None and action.due_on < today:
        return True, f"- {what} on a {plan}, due {_day(action.due_on)}"
    expires = f", expires {_day(action.expires_on)}" if action.expires_on else ""
    return False, f"- {what} on a {plan}{expires}"


def _meeting_day(meeting: Meeting) -> str:
    return f"{meeting.title} on {_day(timezone.localdate(meeting.scheduled_for))}"


def _owned_meeting_line(action: PanelAction, today: dt.date) -> tuple[bool, str]:
    """(overdue, line): which meeting agreed the action and when it is due — never the item,
    which may name a child the owner does not know."""
    return action.due_on < today, (
        f"- An action agreed at {_meeting_day(action.meeting)}, due {_day(action.due_on)}"
    )


def _chaired_meeting_line(action: PanelAction, today: dt.date) -> str:
    late = (today - action.due_on).days
    return (
        f"- An action owned by {action.owner_agency}, agreed at {_meeting_day(action.meeting)},"
        f" due {_day(action.due_on)} ({late} day{'s' if late != 1 else ''} overdue)"
    )


def reminder_body(
    lines: list[tuple[bool, str]],
    meeting_lines: Sequence[tuple[bool, str]] = (),
    chaired_lines: Sequence[str] = (),
) -> str:
    """One email's text: plan actions (``lines``), then actions agreed at meetings that the
    reader or their agency own, then overdue actions from the meetings the reader chairs."""
    overdue = [text for late, text in lines if late]
    lapsing = [text for late, text in lines if not late]
    parts = ["Some actions need your attention.", ""]
    if lines:
        parts += ["On safeguarding plans, actions you or your agency own:", ""]
        if overdue:
            parts += [f"Overdue ({len(overdue)}):", *overdue, ""]
        if lapsing:
            parts += [f"Notices or orders about to lapse ({len(lapsing)}):", *lapsing, ""]
        parts += ["See them in My actions: " + settings.BASE_URL + reverse("plans:my_actions"), ""]
    meeting_overdue = [text for late, text in meeting_lines if late]
    meeting_soon = [text for late, text in meeting_lines if not late]
    if meeting_lines:
        parts += ["From panel meetings and conferences, actions you or your agency own:", ""]
        if meeting_overdue:
            parts += [f"Overdue ({len(meeting_overdue)}):", *meeting_overdue, ""]
        if meeting_soon:
            parts += [
                f"Due in the next {MEETING_DUE_SOON_DAYS} days ({len(meeting_soon)}):",
                *meeting_soon,
                "",
            ]
    if chaired_lines:
        parts += [
            f"Overdue actions from meetings you chair ({len(chaired_lines)}):",
            *chaired_lines,
            "",
        ]
    if meeting_lines or chaired_lines:
        parts += [
            "See them under My work on your home page: " + settings.BASE_URL + reverse("core:home"),
            "",
        ]
    parts.append("This email names no one. Sign in to see the details you may see.")
    return "\n".join(parts)


Owned = TypeVar("Owned", Action, PanelAction)


def _recipients(actions: list[Owned]) -> dict[int, list[Owned]]:
    """Each action goes to its named owner; an agency's action goes to the agency's case
    workers."""
    agency_ids = {a.owner_agency_id for a in actions if a.owner_agency_id and not a.owner_user_id}
    staff: dict[int, list[int]] = defaultdict(list)
    for user_id, agency_id in (
        User.objects.filter(
            agency_id__in=agency_ids, is_active=True, role_grants__role__in=CASE_WORK_ROLES
        )
        .distinct()
        .values_list("pk", "agency_id")
    ):
        staff[agency_id].append(user_id)
    to: dict[int, list[Owned]] = defaultdict(list)
    for action in actions:
        if action.owner_user_id:
            to[action.owner_user_id].append(action)
        elif action.owner_agency_id:
            for user_id in staff[action.owner_agency_id]:
                to[user_id].append(action)
    return to


def _plan_actions(today: dt.date) -> list[Action]:
    soon = today + dt.timedelta(days=LAPSE_WARNING_DAYS)
    return list(
        Action.objects.filter(status__in=OPEN_ACTION_STATUSES, plan__status=PlanStatus.ACTIVE)
        .filter(
            Q(due_on__lt=today)
            | Q(kind=ActionKind.DISRUPTION, expires_on__gte=today, expires_on__lte=soon)
        )
        .select_related("plan")
        .order_by("due_on", "pk")
    )


def _meeting_actions(today: dt.date) -> list[PanelAction]:
    """Open meeting actions that are overdue or due within ``MEETING_DUE_SOON_DAYS``."""
    soon = today + dt.timedelta(days=MEETING_DUE_SOON_DAYS)
    return list(
        PanelAction.objects.filter(status=PanelActionStatus.OPEN, due_on__lte=soon)
        .select_related("meeting__panel", "owner_agency")
        .order_by("due_on", "pk")
    )


@task()
def send_action_reminders() -> int:
    """One email per person, naming no child: plan actions overdue and notices lapsing within
    14 days that they or their agency own; meeting actions they or their agency own that are
    overdue or due within a week; and overdue actions from the meetings they chair."""
    today = timezone.localdate()
    plan_to = _recipients(_plan_actions(today))
    meeting_actions = _meeting_actions(today)
    meeting_to = _recipients(meeting_actions)
    chair_to: dict[int, list[PanelAction]] = defaultdict(list)
    for action in meeting_actions:
        chair = action.meeting.chair_id
        # A chair who owns the action already hears of it as its owner.
        if action.due_on < today and action not in meeting_to.get(chair, []):
            chair_to[chair].append(action)
    everyone = set(plan_to) | set(meeting_to) | set(chair_to)
    users = User.objects.filter(pk__in=everyone, is_active=True).exclude(email="")
    sent = 0
    for user in users:
        body = reminder_body(
            [_line(a, today) for a in plan_to.get(user.pk, [])],
            [_owned_meeting_line(a, today) for a in meeting_to.get(user.pk, [])],
            [_chaired_meeting_line(a, today) for a in chair_to.get(user.pk, [])],
        )
        send_email_task.enqueue(SUBJECT, body, [user.email])
        sent += 1
    return sent


def enqueue_reminders() -> None:
    """The scheduler's starter (``contextsafe.schedule``)."""
    send_action_reminders.enqueue()
