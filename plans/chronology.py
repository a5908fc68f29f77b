"""Plans on a person's or a context's chronology: started, reviewed, ended, actions completed.

Registered from ``PlansConfig.ready()``. A plan about a person is shown only to a viewer who may
open that person's record or whose agency recorded the plan. A few queries, at most ``LIMIT``
entries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from access.roles import CASE_WORK_ROLES
from contexts.models import Context
from events.chronology import (
    LIMIT,
    ChronologyEntry,
    ChronologyFilter,
    ChronologySource,
    in_window,
    start_of,
    wants,
)
from people.models import Person
from plans.models import Action, ActionStatus, Plan, Review

PLAN = ("plan", "Plan")
PLAN_REVIEW = ("plan_review", "Plan review")
PLAN_ACTION = ("plan_action", "Plan action completed")


def _visible(viewer: Any, subject: Person | Context) -> Q | None:
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return None
    if isinstance(subject, Context) or viewer.has_perm("people.view_person", subject):
        return Q()
    return Q(recording_agency_id=viewer.agency_id)


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username) if user else ""


def _entries(viewer: Any, subject: Person | Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    visible = _visible(viewer, subject)
    if visible is None:
        return []
    about = Q(person=subject) if isinstance(subject, Person) else Q(context=subject)
    plans = Plan.objects.filter(about, visible)
    if f.agency_id:
        plans = plans.filter(recording_agency_id=f.agency_id)
    entries: list[ChronologyEntry] = []
    if wants(f, PLAN[0]):
        for plan in plans.select_related("recording_agency", "recorded_by")[:LIMIT]:
            link = reverse("plans:plan_detail", args=[plan.pk])
            for day, title, body in (
                (plan.started_on, f"{plan.get_kind_display()} started", plan.agreed_at_description),
                (plan.ended_on, f"{plan.get_kind_display()} ended", plan.end_reason),
            ):
                if day is not None and in_window(start_of(day), f):
                    entries.append(
                        ChronologyEntry(
                            when=start_of(day),
                            date_only=True,
                            entry_type=PLAN[0],
                            type_label=PLAN[1],
                            title=title,
                            body=body,
                            agency=plan.recording_agency.name,
                            byline=_name(plan.recorded_by),
                            link=link,
                        )
                    )
    if wants(f, PLAN_REVIEW[0]):
        reviews = Review.objects.filter(plan__in=plans).select_related(
            "plan", "recording_agency", "recorded_by"
        )
        entries.extend(
            ChronologyEntry(
                when=start_of(review.held_on),
                date_only=True,
                entry_type=PLAN_REVIEW[0],
                type_label=PLAN_REVIEW[1],
                title=f"{review.plan.get_kind_display()} reviewed: "
                f"{review.get_decision_display().lower()}",
                body=review.situation,
                agency=review.recording_agency.name,
                byline=review.reviewed_by,
                link=reverse("plans:plan_detail", args=[review.plan_id]),
            )
            for review in reviews.order_by("-held_on", "-pk")[:LIMIT]
            if in_window(start_of(review.held_on), f)
        )
    if wants(f, PLAN_ACTION[0]):
        done = Action.objects.filter(
            plan__in=plans, status=ActionStatus.COMPLETED, completed_on__isnull=False
        ).select_related("owner_agency", "owner_user")
        entries.extend(
            ChronologyEntry(
                when=start_of(action.completed_on),
                date_only=True,
                entry_type=PLAN_ACTION[0],
                type_label=PLAN_ACTION[1],
                title=f"{action.get_kind_display()} completed: {action.description}",
                body=action.evidence,
                agency=action.owner_label,
                link=reverse("plans:plan_detail", args=[action.plan_id]),
            )
            for action in done.order_by("-completed_on", "-pk")[:LIMIT]
            if action.completed_on is not None and in_window(start_of(action.completed_on), f)
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:LIMIT]


def for_person(viewer: Any, person: Person, f: ChronologyFilter) -> list[ChronologyEntry]:
    return _entries(viewer, person, f)


def for_context(viewer: Any, context: Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    return _entries(viewer, context, f)


SOURCE = ChronologySource(
    name="plans",
    entry_types=(PLAN, PLAN_REVIEW, PLAN_ACTION),
    for_person=for_person,
    for_context=for_context,
)
