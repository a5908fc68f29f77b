"""Reads for the home page: notifications, and "My work" — what a case worker must do next.

"My work" gathers, from the plans and panels apps' own viewer-scoped selectors, the meetings to
prepare for, the summaries a chair still has to send, the actions due, the overdue actions on
plans the viewer leads or meetings they chair, and the plans they lead with their reviews. It
costs a fixed number of queries however many rows it holds. A child is named only where the
viewer may open the child's record (plans) or the meeting names children to them (panels).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from access.roles import CASE_WORK_ROLES
from accounts.models import User
from casework.models import KeyLeadAllocation
from core.models import Notification
from panels.models import AgendaItem, Contribution, Meeting, MeetingStatus, PanelAction
from panels.selectors import (
    chair_deadlines,
    item_label,
    my_panel_actions,
    overdue_actions_for_chair,
    upcoming_meetings,
)
from people.selectors import visible_people
from plans.models import Plan, PlanStatus
from plans.selectors import (
    MyActionRow,
    chaired_overdue_actions,
    led_overdue_actions,
    my_actions,
)

ACTIONS_DUE_DAYS = 14
REVIEWS_DUE_DAYS = 28
ACTIONS_SHOWN = 10


def unread_notifications(*, user: User, limit: int = 20) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by(
        "-created_at"
    )[:limit]


# --- my work ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemToPrepare:
    label: str
    contributed: bool  # the viewer's agency has added its information


@dataclass(frozen=True)
class MeetingToPrepare:
    meeting: Meeting
    link: str
    chairing: bool
    date_passed: bool  # still "scheduled" after the day: the chair has not marked it held
    items: list[ItemToPrepare]

    @property
    def missing(self) -> int:
        return sum(1 for i in self.items if not i.contributed)


@dataclass(frozen=True)
class SummaryToSend:
    meeting: Meeting
    link: str
    due_on: dt.date | None
    late: bool


@dataclass(frozen=True)
class WorkAction:
    """A plan action or a meeting action, in one shape so that both sort and show together."""

    where: str  # the plan or the meeting — naming a child only where the viewer may
    description: str
    link: str
    owner: str
    due_on: dt.date | None
    overdue: bool
    days_overdue: int
    lapse: str = ""  # a disruption's notice: "lapsed", "lapsing" or ""
    from_meeting: bool = False


@dataclass(frozen=True)
class LedPlan:
    plan: Plan
    label: str
    link: str
    review_overdue: bool
    review_soon: bool


@dataclass(frozen=True)
class MyWork:
    meetings: list[MeetingToPrepare] = field(default_factory=list)
    summaries: list[SummaryToSend] = field(default_factory=list)
    actions_due: list[WorkAction] = field(default_factory=list)
    actions_due_total: int = 0  # overdue or due soon, before the list was cut short
    actions_open: int = 0  # every open action the viewer or their agency owns
    overdue_led: list[WorkAction] = field(default_factory=list)
    overdue_chaired: list[WorkAction] = field(default_factory=list)
    plans: list[LedPlan] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.meetings
            or self.summaries
            or self.actions_open
            or self.overdue_led
            or self.overdue_chaired
            or self.plans
        )

    @property
    def actions_rest(self) -> int:
        return self.actions_open - len(self.actions_due)

    @property
    def actions_overdue(self) -> int:
        return sum(1 for a in self.actions_due if a.overdue)

    @property
    def reviews_overdue(self) -> int:
        return sum(1 for p in self.plans if p.review_overdue)

    @property
    def reviews_soon(self) -> int:
        return sum(1 for p in self.plans if p.review_soon)


def _days_late(due_on: dt.date | None, today: dt.date) -> int:
    return (today - due_on).days if due_on is not None and due_on < today else 0


def _meeting_where(meeting: Meeting) -> str:
    day = timezone.localdate(meeting.scheduled_for)
    return f"{meeting.title}, {day.day} {day:%b %Y}"


def _panel_owner(action: PanelAction) -> str:
    names = []
    if action.owner_user is not None:
        names.append(action.owner_user.get_full_name() or action.owner_user.username)
    names.append(str(action.owner_agency))
    return ", ".join(names)


def _from_plan(row: MyActionRow, today: dt.date, fallback: str) -> WorkAction:
    action = row.action
    return WorkAction(
        where=row.subject,
        description=action.description,
        link=row.link or fallback,
        owner=action.owner_label,
        due_on=action.due_on,
        overdue=row.overdue,
        days_overdue=_days_late(action.due_on, today) if row.overdue else 0,
        lapse=row.lapse,
    )


def _from_meeting(viewer: Any, action: PanelAction, today: dt.date, *, chair: bool) -> WorkAction:
    """The owner sees the meeting and the action, never the item: after the meeting closes they
    may not see the child. The chair may, so the chair's row names the item as the meeting's
    pages do."""
    where = _meeting_where(action.meeting)
    if chair and action.item is not None:
        action.item.meeting = action.meeting
        where = f"{where}: {item_label(viewer, action.item)}"
    overdue = action.is_overdue(today)
    return WorkAction(
        where=where,
        description=action.description,
        link=reverse("panels:action_detail", args=[action.pk]),
        owner=_panel_owner(action),
        due_on=action.due_on,
        overdue=overdue,
        days_overdue=_days_late(action.due_on, today) if overdue else 0,
        from_meeting=True,
    )


def _sort_actions(rows: list[WorkAction]) -> list[WorkAction]:
    far = dt.date.max
    return sorted(rows, key=lambda r: (not r.overdue, not r.lapse, r.due_on or far))


def _meetings_to_prepare(viewer: Any, today: dt.date) -> list[MeetingToPrepare]:
    """Scheduled meetings the viewer chairs or is invited to, each item flagged with whether the
    viewer's agency has added its information yet. Three queries."""
    meetings = [m for m in upcoming_meetings(viewer, today) if m.status == MeetingStatus.SCHEDULED]
    if not meetings:
        return []
    by_id = {m.pk: m for m in meetings}
    items = list(
        AgendaItem.objects.filter(meeting_id__in=by_id)
        .select_related("person", "context")
        .order_by("position", "pk")
    )
    added = set(
        Contribution.objects.filter(
            item_id__in=[i.pk for i in items], agency_id=viewer.agency_id
        ).values_list("item_id", flat=True)
    )
    per_meeting: dict[int, list[ItemToPrepare]] = {}
    for item in items:
        item.meeting = by_id[item.meeting_id]
        per_meeting.setdefault(item.meeting_id, []).append(
            ItemToPrepare(item_label(viewer, item), item.pk in added)
        )
    return [
        MeetingToPrepare(
            meeting=m,
            link=reverse("panels:meeting_detail", args=[m.pk]),
            chairing=viewer.pk in (m.chair_id, m.panel.chair_id if m.panel else None),
            date_passed=timezone.localdate(m.scheduled_for) < today,
            items=per_meeting.get(m.pk, []),
        )
        for m in meetings
    ]


def _summaries_to_send(viewer: Any, today: dt.date) -> list[SummaryToSend]:
    return [
        SummaryToSend(
            meeting=d.meeting,
            link=reverse("panels:meeting_detail", args=[d.meeting.pk]),
            due_on=d.due_on,
            late=d.overdue,
        )
        for d in chair_deadlines(viewer, today)
    ]


def _actions_due(viewer: Any, today: dt.date) -> tuple[list[WorkAction], int, int]:
    """(shown, due, open): the viewer's and their agency's open actions, plan and meeting,
    that are overdue, lapsing or due within ``ACTIONS_DUE_DAYS``; how many those are; and how
    many open actions they own in all."""
    fallback = reverse("plans:my_actions")
    soon = today + dt.timedelta(days=ACTIONS_DUE_DAYS)
    plan_rows = my_actions(viewer=viewer)
    panel_rows = list(my_panel_actions(viewer))
    every = [_from_plan(r, today, fallback) for r in plan_rows] + [
        _from_meeting(viewer, a, today, chair=False) for a in panel_rows
    ]
    due = _sort_actions(
        [a for a in every if a.overdue or a.lapse or (a.due_on is not None and a.due_on <= soon)]
    )
    return due[:ACTIONS_SHOWN], len(due), len(every)


def _owns(viewer: Any, action: PanelAction) -> bool:
    if action.owner_user_id is not None:
        return bool(action.owner_user_id == viewer.pk)
    return bool(action.owner_agency_id == viewer.agency_id)


def _overdue_chaired(viewer: Any, today: dt.date, led: set[int]) -> list[WorkAction]:
    """Other agencies' overdue actions from meetings the viewer chairs: the viewer's own are
    already under "Actions due"."""
    actions = overdue_actions_for_chair(viewer, today).select_related(
        "item__person", "item__context"
    )
    rows = [_from_meeting(viewer, a, today, chair=True) for a in actions if not _owns(viewer, a)]
    # And the actions on plans that conferences the viewer chaired agreed, unless the viewer
    # already sees them as the plan's key lead.
    rows += [
        _from_plan(row, today, "")
        for row in chaired_overdue_actions(viewer=viewer)
        if row.action.pk not in led
    ]
    return _sort_actions(rows)


def _plan_label(plan: Plan, shown: bool) -> str:
    if plan.context is not None:
        return f"{plan.get_kind_display()}: {plan.context}"
    if shown and plan.person is not None:
        return f"{plan.get_kind_display()}: {plan.person.display_name}"
    holder = plan.person.holding_agency if plan.person else "another agency"
    return f"A child's plan (held by {holder})"


def _plans_led(viewer: Any, today: dt.date) -> list[LedPlan]:
    """Active plans for the children and contexts the viewer is key lead for: overdue reviews
    first, then the soonest review. Three queries."""
    leads = list(
        KeyLeadAllocation.objects.filter(lead=viewer, ended_on__isnull=True).values_list(
            "person_id", "context_id"
        )
    )
    if not leads:
        return []
    people = [p for p, _ in leads if p]
    contexts = [c for _, c in leads if c]
    plans = list(
        Plan.objects.filter(status=PlanStatus.ACTIVE)
        .filter(Q(person_id__in=people) | Q(context_id__in=contexts))
        .select_related("person__holding_agency", "context")
    )
    child_ids = {p.person_id for p in plans if p.person_id}
    seen = (
        set(visible_people(viewer).filter(pk__in=child_ids).values_list("pk", flat=True))
        if child_ids
        else set()
    )
    soon = today + dt.timedelta(days=REVIEWS_DUE_DAYS)
    rows = []
    for plan in plans:
        # As plans.view_plan decides: a context's plan is the partnership's; a child's plan
        # opens to whoever may open the child, and always to the agency that recorded it.
        shown = bool(
            plan.context_id
            or plan.recording_agency_id == viewer.agency_id
            or plan.person_id in seen
        )
        due = plan.next_review_due
        overdue = plan.review_overdue(today)
        rows.append(
            LedPlan(
                plan=plan,
                label=_plan_label(plan, shown),
                link=reverse("plans:plan_detail", args=[plan.pk]) if shown else "",
                review_overdue=overdue,
                review_soon=not overdue and due is not None and due <= soon,
            )
        )
    far = dt.date.max
    rows.sort(
        key=lambda r: (not r.review_overdue, not r.review_soon, r.plan.next_review_due or far)
    )
    return rows


def my_work(*, viewer: Any, today: dt.date) -> MyWork:
    """What ``core/partials/_my_work.html`` shows; empty for anyone who does no case work."""
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return MyWork()
    shown, due, total = _actions_due(viewer, today)
    led_rows = led_overdue_actions(viewer=viewer)
    led = [_from_plan(r, today, "") for r in led_rows]
    return MyWork(
        meetings=_meetings_to_prepare(viewer, today),
        summaries=_summaries_to_send(viewer, today),
        actions_due=shown,
        actions_due_total=due,
        actions_open=total,
        overdue_led=_sort_actions(led),
        overdue_chaired=_overdue_chaired(viewer, today, {r.action.pk for r in led_rows}),
        plans=_plans_led(viewer, today),
    )
