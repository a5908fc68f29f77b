"""Reads of plans, actions and reviews, scoped to the viewer.

Single records go through ``access.guard.authorize`` (audited, 404 when refused). Pages cost a fixed
number of queries however many goals, actions and reviews a plan holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from access.guard import authorize
from access.roles import CASE_WORK_ROLES
from casework.models import KeyLeadAllocation
from casework.selectors import Subject, subject_query
from contexts.models import Context, ContextLink
from people.codes import PersonKind
from people.models import Person
from people.selectors import visible_people
from plans.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionKind,
    Goal,
    GoalStatus,
    InterventionSession,
    Plan,
    PlanKind,
    PlanStatus,
    Review,
)
from plans.services import CONTEXT_PLAN_KINDS

UNSEEN_PERSON = "A person whose record your agency cannot open"
PANEL_ROWS = 5


def _plans() -> QuerySet[Plan]:
    return Plan.objects.select_related(
        "person__holding_agency", "context", "recording_agency", "recorded_by"
    )


def get_plan_for_viewer(*, viewer: Any, pk: int, permission: str = "plans.view_plan") -> Plan:
    plan = _plans().filter(pk=pk).first()
    if plan is None:
        raise Http404
    return authorize(viewer, permission, plan)


def _actions() -> QuerySet[Action]:
    return Action.objects.select_related(
        "plan__person__holding_agency",
        "plan__context",
        "plan__recording_agency",
        "goal",
        "owner_user",
        "owner_agency",
        "target_person",
        "target_context",
        "participant_person",
    )


def get_action_for_viewer(*, viewer: Any, pk: int, permission: str) -> Action:
    action = _actions().filter(pk=pk).first()
    if action is None:
        raise Http404
    return authorize(viewer, permission, action)


def get_goal(plan: Plan, pk: int) -> Goal:
    """A goal of an already authorised plan."""
    goal = Goal.objects.filter(plan=plan, pk=pk).first()
    if goal is None:
        raise Http404
    goal.plan = plan
    return goal


def subject_name(plan: Plan) -> str:
    return plan.person.display_name if plan.person else str(plan.context)


def subject_url(plan: Plan) -> str:
    if plan.person_id:
        return reverse("people:profile", args=[plan.person_id])
    return reverse("contexts:profile", args=[plan.context_id])


# --- one plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    action: Action
    overdue: bool
    lapse: str  # "lapsed", "lapsing" or ""
    target: str = ""
    participant: str = ""
    sessions: list[InterventionSession] = field(default_factory=list)
    attended: int = 0


@dataclass(frozen=True)
class GoalBlock:
    goal: Goal
    actions: list[ActionRow]


@dataclass(frozen=True)
class LinkedChild:
    person: Person
    link_kind: str


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    goals: list[tuple[int, str]]  # (goal position, status label) as the review found them


@dataclass(frozen=True)
class PlanDetail:
    plan: Plan
    goals: list[GoalBlock]
    other_actions: list[ActionRow]
    actions: list[ActionRow]
    reviews: list[ReviewRow]
    children: list[LinkedChild]
    key_lead: KeyLeadAllocation | None
    review_overdue: bool
    overdue_count: int
    lapse_count: int
    # The conference that agreed the plan, if one did, and a link where the viewer may open it.
    agreed_at_conference: bool = False
    conference_url: str = ""


def _person_label(person: Person | None, shown: set[int]) -> str:
    if person is None:
        return ""
    return person.display_name if person.pk in shown else UNSEEN_PERSON


def action_rows(viewer: Any, actions: list[Action], today: dt.date) -> list[ActionRow]:
    """Rows with flags; people an action names are named only where the viewer may open them."""
    ids = {a.target_person_id for a in actions if a.target_person_id}
    ids |= {a.participant_person_id for a in actions if a.participant_person_id}
    shown = (
        set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
        if ids
        else set()
    )
    rows = []
    for a in actions:
        target = _person_label(a.target_person, shown) if a.target_person_id else ""
        if a.target_context_id:
            target = ", ".join(t for t in (target, str(a.target_context)) if t)
        if a.target_description:
            target = ", ".join(t for t in (target, a.target_description) if t)
        participant = _person_label(a.participant_person, shown) or a.participant_description
        sessions = list(a.sessions.all()) if a.kind == ActionKind.INTERVENTION else []
        rows.append(
            ActionRow(
                a,
                a.is_overdue(today),
                a.lapse_state(today),
                target,
                participant,
                sessions,
                sum(1 for s in sessions if s.attended),
            )
        )
    return rows


def linked_children(*, viewer: Any, context: Context) -> list[LinkedChild]:
    """The young people currently linked to a context whose records the viewer may open."""
    links = (
        ContextLink.objects.filter(
            context=context,
            ended_on__isnull=True,
            person__kind=PersonKind.YOUNG_PERSON,
            person__in=visible_people(viewer),
        )
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    seen: dict[int, LinkedChild] = {}
    for link in links:
        if link.person is not None and link.person.pk not in seen:
            seen[link.person.pk] = LinkedChild(link.person, link.get_kind_display())
    return list(seen.values())


def plan_detail(*, viewer: Any, plan: Plan) -> PlanDetail:
    today = timezone.localdate()
    goals = list(plan.goals.all())
    actions = list(
        _actions()
        .filter(plan=plan)
        .prefetch_related(
            Prefetch("sessions", queryset=InterventionSession.objects.order_by("-held_on", "-pk"))
        )
        .order_by("due_on", "pk")
    )
    for a in actions:
        a.plan = plan
    rows = action_rows(viewer, actions, today)
    rows.sort(key=lambda r: (not r.overdue, r.lapse != "lapsed", r.lapse != "lapsing"))
    by_goal: dict[int | None, list[ActionRow]] = {}
    for row in rows:
        by_goal.setdefault(row.action.goal_id, []).append(row)
    positions = {str(g.pk): g.position for g in goals}
    reviews = [
        ReviewRow(
            r,
            sorted(
                (positions[k], GoalStatus(v).label)
                for k, v in r.goal_progress.items()
                if k in positions and v in GoalStatus.values
            ),
        )
        for r in plan.reviews.select_related("recorded_by", "recording_agency")
    ]
    subject: Subject = plan.person or plan.context  # type: ignore[assignment]
    key_lead = (
        KeyLeadAllocation.objects.filter(
            Q(person=subject) if plan.person_id else Q(context=subject), ended_on__isnull=True
        )
        .select_related("lead", "lead_agency")
        .first()
    )
    children = (
        linked_children(viewer=viewer, context=plan.context) if plan.context is not None else []
    )
    agreed_at = (
        plan.agreed_at.filter(meeting__kind="conference")
        .select_related("meeting__panel", "person", "context")
        .order_by("pk")
        .first()
    )
    conference_url = (
        reverse("panels:item_detail", args=[agreed_at.pk])
        if agreed_at is not None and viewer.has_perm("panels.view_item", agreed_at)
        else ""
    )
    return PlanDetail(
        agreed_at_conference=agreed_at is not None,
        conference_url=conference_url,
        plan=plan,
        goals=[GoalBlock(g, by_goal.get(g.pk, [])) for g in goals],
        other_actions=by_goal.get(None, []),
        actions=rows,
        reviews=reviews,
        children=children,
        key_lead=key_lead,
        review_overdue=plan.review_overdue(today),
        overdue_count=sum(1 for r in rows if r.overdue),
        lapse_count=sum(1 for r in rows if r.lapse),
    )


# --- my actions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyActionRow:
    action: Action
    subject: str
    link: str  # the plan, where the viewer may open it; empty otherwise
    overdue: bool
    lapse: str
    mine: bool  # owned by the viewer or their agency (not only seen as key lead)


def _plans_shown(viewer: Any, actions: list[Action]) -> set[int]:
    """The plans among these actions' that the viewer may open (as ``plans.view_plan``)."""
    people = {a.plan.person_id for a in actions if a.plan.person_id}
    shown_people = (
        set(visible_people(viewer).filter(pk__in=people).values_list("pk", flat=True))
        if people
        else set()
    )
    return {
        a.plan_id
        for a in actions
        if a.plan.context_id
        or a.plan.recording_agency_id == viewer.agency_id
        or a.plan.person_id in shown_people
    }


def _subject_label(plan: Plan, shown: bool) -> str:
    if plan.context_id:
        return f"{plan.get_kind_display()}: {plan.context}"
    if shown and plan.person is not None:
        return f"{plan.get_kind_display()}: {plan.person.display_name}"
    holder = plan.person.holding_agency if plan.person else "another agency"
    return f"A child's plan (held by {holder})"


def _my_rows(viewer: Any, actions: list[Action], *, mine: bool) -> list[MyActionRow]:
    today = timezone.localdate()
    shown = _plans_shown(viewer, actions)
    rows = [
        MyActionRow(
            a,
            _subject_label(a.plan, a.plan_id in shown),
            reverse("plans:plan_detail", args=[a.plan_id]) if a.plan_id in shown else "",
            a.is_overdue(today),
            a.lapse_state(today),
            mine,
        )
        for a in actions
    ]
    far = dt.date.max
    rows.sort(
        key=lambda r: (
            not r.overdue,
            not r.lapse,
            r.action.due_on or far,
            r.action.pk,
        )
    )
    return rows


def _open_plan_actions() -> QuerySet[Action]:
    return _actions().filter(status__in=OPEN_ACTION_STATUSES, plan__status=PlanStatus.ACTIVE)


def my_actions(*, viewer: Any) -> list[MyActionRow]:
    """Open actions owned by the viewer or their agency: overdue first, then lapsing notices,
    then by due date. Two queries."""
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return []
    owned = Q(owner_user=viewer) | Q(owner_agency_id=viewer.agency_id)
    return _my_rows(viewer, list(_open_plan_actions().filter(owned)), mine=True)


def led_overdue_actions(*, viewer: Any) -> list[MyActionRow]:
    """Overdue actions, owned by anyone, on plans for the children and contexts the viewer is
    key lead for. Three queries."""
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return []
    leads = list(
        KeyLeadAllocation.objects.filter(lead=viewer, ended_on__isnull=True).values_list(
            "person_id", "context_id"
        )
    )
    people = [p for p, _ in leads if p]
    contexts = [c for _, c in leads if c]
    if not leads:
        return []
    actions = list(
        _open_plan_actions()
        .filter(Q(plan__person_id__in=people) | Q(plan__context_id__in=contexts))
        .filter(due_on__lt=timezone.localdate())
        .exclude(Q(owner_user=viewer) | Q(owner_agency_id=viewer.agency_id))
    )
    return _my_rows(viewer, actions, mine=False)


def chaired_overdue_actions(*, viewer: Any) -> list[MyActionRow]:
    """Overdue actions, owned by others, on plans agreed or reviewed at conferences the viewer
    chairs: the chair follows up what the conference agreed. Two queries."""
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return []
    actions = list(
        _open_plan_actions()
        .filter(plan__agreed_at__meeting__chair=viewer)
        .filter(due_on__lt=timezone.localdate())
        .exclude(Q(owner_user=viewer) | Q(owner_agency_id=viewer.agency_id))
        .distinct()
    )
    return _my_rows(viewer, actions, mine=False)


def action_subject_label(viewer: Any, action: Action) -> tuple[str, str]:
    """(label, link) for one action's plan, as "My actions" shows it."""
    row = _my_rows(viewer, [action], mine=True)[0]
    return row.subject, row.link


# --- panels for the person and context pages --------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    plan: Plan
    review_overdue: bool
    via: str = ""  # for a child: the context through which a context plan applies


@dataclass(frozen=True)
class PlansPanel:
    plans: list[PlanRow]
    context_plans: list[PlanRow]
    can_add: bool
    query: str
    ended_count: int = 0


def _visible_about(viewer: Any, subject: Subject) -> Q | None:
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return None
    if isinstance(subject, Context) or viewer.has_perm("people.view_person", subject):
        return Q()
    return Q(recording_agency_id=viewer.agency_id)


def _subject_plans(viewer: Any, subject: Subject) -> tuple[list[PlanRow], int]:
    visible = _visible_about(viewer, subject)
    if visible is None:
        return [], 0
    about = Q(person=subject) if isinstance(subject, Person) else Q(context=subject)
    today = timezone.localdate()
    plans = list(Plan.objects.filter(about, visible).order_by("status", "-started_on", "-pk"))
    active = [PlanRow(p, p.review_overdue(today)) for p in plans if p.is_active]
    return active + [PlanRow(p, False) for p in plans if not p.is_active][:PANEL_ROWS], len(
        [p for p in plans if not p.is_active]
    )


def person_panel(*, viewer: Any, person: Person) -> PlansPanel:
    """For ``plans/partials/_person_panel.html``: the child's plans, and the active context
    plans for the places and groups the child is currently linked to, so that a change in the
    context shows on the child's record."""
    rows, ended = _subject_plans(viewer, person)
    context_rows: list[PlanRow] = []
    if rows is not None and (viewer.role_set & CASE_WORK_ROLES) and viewer.agency_id:
        links = ContextLink.objects.filter(person=person, ended_on__isnull=True)
        today = timezone.localdate()
        via: dict[int, str] = {}
        plans = Plan.objects.filter(
            kind=PlanKind.CONTEXT_SAFETY,
            status=PlanStatus.ACTIVE,
            context_id__in=links.values("context_id"),
        ).select_related("context")
        for p in plans.order_by("-started_on", "-pk"):
            if p.pk not in via:
                via[p.pk] = str(p.context)
                context_rows.append(PlanRow(p, p.review_overdue(today), str(p.context)))
    return PlansPanel(
        plans=rows,
        context_plans=context_rows,
        can_add=person.kind == PersonKind.YOUNG_PERSON
        and viewer.has_perm("plans.add_plan", person),
        query=subject_query(person),
        ended_count=ended,
    )


def context_panel(*, viewer: Any, context: Context) -> PlansPanel:
    rows, ended = _subject_plans(viewer, context)
    return PlansPanel(
        plans=rows,
        context_plans=[],
        can_add=context.kind in CONTEXT_PLAN_KINDS and viewer.has_perm("plans.add_plan", context),
        query=subject_query(context),
        ended_count=ended,
    )
