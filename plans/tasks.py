"""The daily reminder to owners of overdue actions and of notices about to lapse.

An email leaves the secure service, so it never names a child (nor a place or group, whose name
can point to children): it says what kind of action is due on what kind of plan, and links to
"My actions", where the owner sees what their permissions allow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from access.roles import CASE_WORK_ROLES
from accounts.models import User
from accounts.tasks import send_email_task
from plans.models import (
    LAPSE_WARNING_DAYS,
    OPEN_ACTION_STATUSES,
    Action,
    ActionKind,
    PlanStatus,
)

SUBJECT = "ContextSafe: plan actions that need your attention"


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


def reminder_body(lines: list[tuple[bool, str]]) -> str:
    overdue = [text for late, text in lines if late]
    lapsing = [text for late, text in lines if not late]
    parts = ["Some actions you or your agency own on safeguarding plans need attention.", ""]
    if overdue:
        parts += [f"Overdue ({len(overdue)}):", *overdue, ""]
    if lapsing:
        parts += [f"Notices or orders about to lapse ({len(lapsing)}):", *lapsing, ""]
    parts += [
        "See them in My actions: " + settings.BASE_URL + reverse("plans:my_actions"),
        "",
        "This email names no one. Sign in to see the details you may see.",
    ]
    return "\n".join(parts)


def _recipients(actions: list[Action]) -> dict[int, list[Action]]:
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
    to: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        if action.owner_user_id:
            to[action.owner_user_id].append(action)
        elif action.owner_agency_id:
            for user_id in staff[action.owner_agency_id]:
                to[user_id].append(action)
    return to


@task()
def send_action_reminders() -> int:
    """One email per person with overdue actions or notices lapsing within 14 days."""
    today = timezone.localdate()
    soon = today + dt.timedelta(days=LAPSE_WARNING_DAYS)
    actions = list(
        Action.objects.filter(status__in=OPEN_ACTION_STATUSES, plan__status=PlanStatus.ACTIVE)
        .filter(
            Q(due_on__lt=today)
            | Q(kind=ActionKind.DISRUPTION, expires_on__gte=today, expires_on__lte=soon)
        )
        .select_related("plan")
        .order_by("due_on", "pk")
    )
    to = _recipients(actions)
    users = User.objects.filter(pk__in=list(to), is_active=True).exclude(email="")
    sent = 0
    for user in users:
        body = reminder_body([_line(a, today) for a in to[user.pk]])
        send_email_task.enqueue(SUBJECT, body, [user.email])
        sent += 1
    return sent


def enqueue_reminders() -> None:
    """The scheduler's starter (``contextsafe.schedule``)."""
    send_action_reminders.enqueue()
