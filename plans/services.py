"""Plans, goals, actions, intervention sessions and reviews: every write checked and audited.

Edits are optimistic: each carries the version the editor loaded, and a save over someone else's
change raises ``EditConflict`` instead of overwriting it (``contextsafe.lib.concurrency``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from access.roles import CASE_WORK_ROLES
from accounts.models import Agency, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextKind
from contextsafe.lib.concurrency import EditConflict, save_versioned
from events.models import HarmType
from people.codes import PersonKind
from people.models import Person
from plans.models import (
    CHILD_PLAN_KINDS,
    Action,
    ActionKind,
    ActionStatus,
    CpCategory,
    Goal,
    GoalStatus,
    InterventionSession,
    Plan,
    PlanKind,
    PlanStatus,
    Review,
    ReviewDecision,
)

# Working Together: the first child protection review conference within 3 months of the initial
# conference, then at most every 6 months (domain.md §2.2).
CP_FIRST_REVIEW_MONTHS = 3
CP_REVIEW_MONTHS = 6
# Local practice, editable on each plan: how often a plan without a statutory timetable is reviewed.
DEFAULT_INTERVAL_WEEKS: dict[str, int] = {
    PlanKind.CHILD_LOOKED_AFTER: 12,
    PlanKind.CHILD_IN_NEED: 12,
    PlanKind.CSE_PLAN: 6,
    PlanKind.CONTEXT_SAFETY: 6,
}
CONTEXT_PLAN_KINDS = frozenset(
    {ContextKind.LOCATION, ContextKind.PEER_GROUP, ContextKind.EDUCATION_SETTING}
)
ONLINE_REFUSAL = (
    "An online space does not have a context safety plan of its own: the Contextual Safeguarding "
    "planning tools are built for neighbourhoods and places, peer groups and schools, where "
    "guardians, partners and the physical space can change. Plan for the peer group that uses "
    "this space, or add the online safety work to the children's own plans."
)
PARTICIPANT_KINDS = frozenset({PersonKind.YOUNG_PERSON, PersonKind.PARENT_CARER})

PLAN_FIELDS = (
    "cp_category",
    "efh_harm_types",
    "extra_familial_safety",
    "review_interval_weeks",
    "next_review_due",
    "agreed_at_description",
)
DISRUPTION_FIELDS = (
    "tool",
    "legal_basis",
    "target_person",
    "target_context",
    "target_description",
    "served_on",
    "expires_on",
)
INTERVENTION_FIELDS = ("programme", "provider", "participant_person", "participant_description")
ACTION_FIELDS = (
    "kind",
    "goal",
    "description",
    "owner_agency",
    "owner_user",
    "owner_partner",
    "due_on",
    "status",
    "outcome",
    *DISRUPTION_FIELDS,
    *INTERVENTION_FIELDS,
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day (31 Aug + 6 months = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_review_due(kind: str, started_on: dt.date, interval_weeks: int | None) -> dt.date:
    if kind == PlanKind.CHILD_PROTECTION:
        return add_months(started_on, CP_FIRST_REVIEW_MONTHS)
    weeks = interval_weeks or DEFAULT_INTERVAL_WEEKS.get(kind, 6)
    return started_on + dt.timedelta(weeks=weeks)


def review_due_after(plan: Plan, held_on: dt.date) -> dt.date:
    """When the next review falls due after one held on ``held_on``."""
    if plan.kind == PlanKind.CHILD_PROTECTION:
        return add_months(held_on, CP_REVIEW_MONTHS)
    weeks = plan.review_interval_weeks or DEFAULT_INTERVAL_WEEKS.get(plan.kind, 6)
    return held_on + dt.timedelta(weeks=weeks)


def _agency_of(user: User) -> Agency:
    if user.agency is None:
        raise ValidationError("Your account has no agency, so you cannot change case records.")
    return user.agency


def _not_in_future(day: dt.date | None, field: str, what: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _check_active(plan: Plan) -> None:
    if plan.status != PlanStatus.ACTIVE:
        raise ValidationError("This plan has ended. It can no longer be changed.")


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- plans ------------------------------------------------------------------------------------


def _check_subject(kind: str, person: Person | None, context: Context | None) -> None:
    if (person is None) == (context is None):
        raise ValidationError("Choose either a young person or a place, group or school.")
    if person is not None:
        if kind not in CHILD_PLAN_KINDS:
            raise ValidationError({"kind": "Choose a plan for a child"})
        if person.kind != PersonKind.YOUNG_PERSON:
            raise ValidationError(
                "A child's plan is for a young person. "
                f"This record is for: {person.get_kind_display().lower()}."
            )
        if person.merged_into_id is not None:
            raise ValidationError("This record was merged into another. Use the record it joined.")
        return
    if context is None:  # unreachable after the check above; says so to the type checker
        return
    if context.kind == ContextKind.ONLINE_SPACE:
        raise ValidationError(ONLINE_REFUSAL)
    if kind != PlanKind.CONTEXT_SAFETY:
        raise ValidationError({"kind": "A place, group or school has a context safety plan"})


def _check_plan_fields(kind: str, fields: dict[str, Any], started_on: dt.date) -> dict[str, Any]:
    """Tidy and check the fields that depend on the kind of plan."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    if kind == PlanKind.CHILD_PROTECTION:
        if cleaned.get("cp_category") not in CpCategory.values:
            errors["cp_category"] = "Choose the child protection category"
        cleaned["review_interval_weeks"] = None
        latest = add_months(started_on, CP_FIRST_REVIEW_MONTHS)
        due = cleaned.get("next_review_due")
        if due is not None and due > latest:
            errors["next_review_due"] = (
                f"The first review of a child protection plan must be by {_day(latest)}, "
                "within 3 months of the initial conference"
            )
    else:
        cleaned["cp_category"] = ""
    harms = [h for h in cleaned.get("efh_harm_types") or [] if h]
    if any(h not in HarmType.values for h in harms):
        errors["efh_harm_types"] = "Choose harm types from the list"
    if kind == PlanKind.CSE_PLAN and not harms:
        errors["efh_harm_types"] = "Choose the kinds of harm outside the family the plan is about"
    cleaned["efh_harm_types"] = harms if kind != PlanKind.CONTEXT_SAFETY else []
    if kind == PlanKind.CONTEXT_SAFETY:
        cleaned["extra_familial_safety"] = ""
    interval = cleaned.get("review_interval_weeks")
    if interval is not None and not 1 <= interval <= 52:
        errors["review_interval_weeks"] = "Review interval must be between 1 and 52 weeks"
    if kind != PlanKind.CHILD_PROTECTION and interval is None:
        cleaned["review_interval_weeks"] = DEFAULT_INTERVAL_WEEKS.get(kind, 6)
    due = cleaned.get("next_review_due")
    if due is not None and due < started_on:
        errors["next_review_due"] = "The next review must be on or after the plan's start date"
    if errors:
        raise ValidationError(errors)
    if cleaned.get("next_review_due") is None:
        cleaned["next_review_due"] = first_review_due(
            kind, started_on, cleaned["review_interval_weeks"]
        )
    cleaned["agreed_at_description"] = (cleaned.get("agreed_at_description") or "").strip()
    cleaned["extra_familial_safety"] = (cleaned.get("extra_familial_safety") or "").strip()
    return cleaned


@transaction.atomic
def plan_create(
    *,
    actor: User,
    kind: str,
    started_on: dt.date,
    person: Person | None = None,
    context: Context | None = None,
    **fields: Any,
) -> Plan:
    """Start a plan for a young person or a context. ``fields`` are any of ``PLAN_FIELDS``;
    an empty next review date follows the plan's review timetable."""
    agency = _agency_of(actor)
    _check_subject(kind, person, context)
    _not_in_future(started_on, "started_on", "The start date")
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown plan fields: {sorted(unknown)}")
    cleaned = _check_plan_fields(kind, fields, started_on)
    plan = Plan.objects.create(
        kind=kind,
        started_on=started_on,
        person=person,
        context=context,
        recording_agency=agency,
        recorded_by=actor,
        **cleaned,
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=plan,
        changes={"kind": kind, "started_on": started_on, **cleaned},
    )
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: Plan, expected_version: int, **fields: Any) -> Plan:
    _check_active(plan)
    unknown = set(fields) - set(PLAN_FIELDS) - {"started_on"}
    if unknown:
        raise TypeError(f"Unknown plan fields: {sorted(unknown)}")
    started_on = fields.pop("started_on", plan.started_on)
    _not_in_future(started_on, "started_on", "The start date")
    cleaned = _check_plan_fields(plan.kind, fields, started_on)
    before = {name: getattr(plan, name) for name in cleaned}
    plan.started_on = started_on
    for name, value in cleaned.items():
        setattr(plan, name, value)
    plan.updated_at = timezone.now()
    save_versioned(
        plan,
        expected_version=expected_version,
        fields=["started_on", "updated_at", *cleaned],
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=plan,
        changes={k: v for k, v in cleaned.items() if before.get(k) != v},
    )
    return plan


@transaction.atomic
def plan_end(
    *, actor: User, plan: Plan, expected_version: int, ended_on: dt.date, end_reason: str
) -> Plan:
    _check_active(plan)
    _not_in_future(ended_on, "ended_on", "The end date")
    if ended_on < plan.started_on:
        raise ValidationError({"ended_on": "The end date must be on or after the start date"})
    if not end_reason.strip():
        raise ValidationError({"end_reason": "Say why the plan is ending"})
    plan.status, plan.ended_on, plan.end_reason = PlanStatus.ENDED, ended_on, end_reason.strip()
    plan.next_review_due, plan.updated_at = None, timezone.now()
    save_versioned(
        plan,
        expected_version=expected_version,
        fields=["status", "ended_on", "end_reason", "next_review_due", "updated_at"],
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=plan,
        changes={"status": PlanStatus.ENDED, "ended_on": ended_on, "end_reason": plan.end_reason},
    )
    return plan


# --- goals ------------------------------------------------------------------------------------


def _check_goal(statement: str) -> str:
    statement = statement.strip()
    if not statement:
        raise ValidationError({"statement": "Enter the goal"})
    return statement


@transaction.atomic
def goal_add(*, actor: User, plan: Plan, statement: str, measure: str = "") -> Goal:
    _agency_of(actor)
    _check_active(plan)
    position = (plan.goals.aggregate(n=Max("position"))["n"] or 0) + 1
    goal = Goal.objects.create(
        plan=plan, statement=_check_goal(statement), measure=measure.strip(), position=position
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=goal,
        changes={"plan": plan.pk, "statement": goal.statement, "measure": goal.measure},
    )
    return goal


@transaction.atomic
def goal_update(
    *, actor: User, goal: Goal, expected_version: int, statement: str, measure: str
) -> Goal:
    _check_active(goal.plan)
    goal.statement, goal.measure = _check_goal(statement), measure.strip()
    save_versioned(goal, expected_version=expected_version, fields=["statement", "measure"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=goal,
        changes={"statement": goal.statement, "measure": goal.measure},
    )
    return goal


# --- actions ----------------------------------------------------------------------------------


def _blank(name: str) -> Any:
    field: Any = Action._meta.get_field(name)
    return None if field.null else ""


def _check_owner(data: dict[str, Any], errors: dict[str, str]) -> None:
    data["owner_partner"] = (data.get("owner_partner") or "").strip()
    user = data.get("owner_user")
    if not (data.get("owner_agency") or user or data["owner_partner"]):
        errors["owner_agency"] = "Choose the agency that owns the action, or name the partner"
    if user is not None and (
        not user.is_active or not (user.role_set & CASE_WORK_ROLES) or user.agency_id is None
    ):
        errors["owner_user"] = "Choose a person who does case work and whose account is active"


def _check_disruption(actor: User, data: dict[str, Any], errors: dict[str, str]) -> None:
    if not data.get("tool"):
        errors["tool"] = "Choose the disruption tool"
    target = data.get("target_person")
    data["target_description"] = (data.get("target_description") or "").strip()
    if not (target or data.get("target_context") or data["target_description"]):
        errors["target_description"] = (
            "Say who or what the disruption aims at: an adult of concern, a place or a business"
        )
    if target is not None:
        if target.kind != PersonKind.ADULT_OF_CONCERN:
            errors["target_person"] = (
                "A disruption aims at an adult of concern, never at a young person harmed. "
                f"This record is for: {target.get_kind_display().lower()}."
            )
        elif not actor.has_perm("people.view_person", target):
            errors["target_person"] = "Choose a person whose record your agency may open"
    served, expires = data.get("served_on"), data.get("expires_on")
    if served and expires and expires < served:
        errors["expires_on"] = "The expiry date must be on or after the date it was served"
    if served and served > timezone.localdate():
        errors["served_on"] = "The date served must be today or in the past"


def _check_intervention(actor: User, data: dict[str, Any], errors: dict[str, str]) -> None:
    if not data.get("programme"):
        errors["programme"] = "Choose the programme"
    data["provider"] = (data.get("provider") or "").strip()
    if not data["provider"]:
        errors["provider"] = "Enter who provides the programme"
    participant = data.get("participant_person")
    data["participant_description"] = (data.get("participant_description") or "").strip()
    if participant is not None:
        if participant.kind not in PARTICIPANT_KINDS:
            errors["participant_person"] = "Choose a young person or a parent or carer"
        elif not actor.has_perm("people.view_person", participant):
            errors["participant_person"] = "Choose a person whose record your agency may open"


def _clean_action(actor: User, plan: Plan, fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown action fields: {sorted(unknown)}")
    data = {name: fields.get(name, _blank(name)) for name in ACTION_FIELDS}
    data["kind"] = data["kind"] or ActionKind.TASK
    data["status"] = data["status"] or ActionStatus.NOT_STARTED
    data["description"] = (data["description"] or "").strip()
    data["outcome"] = (data["outcome"] or "").strip()
    errors: dict[str, str] = {}
    if data["kind"] not in ActionKind.values:
        errors["kind"] = "Choose the kind of action"
    if not data["description"]:
        errors["description"] = "Describe the action"
    if data["status"] == ActionStatus.COMPLETED:
        errors["status"] = "To complete an action, use ‘Complete’ and give the evidence"
    elif data["status"] not in ActionStatus.values:
        errors["status"] = "Choose the action's status"
    goal = data["goal"]
    if goal is not None and goal.plan_id != plan.pk:
        errors["goal"] = "Choose a goal of this plan"
    _check_owner(data, errors)
    # A change of kind must not leave the other kind's details behind.
    if data["kind"] != ActionKind.DISRUPTION:
        data.update({name: _blank(name) for name in DISRUPTION_FIELDS})
    else:
        _check_disruption(actor, data, errors)
    if data["kind"] != ActionKind.INTERVENTION:
        data.update({name: _blank(name) for name in INTERVENTION_FIELDS})
    else:
        _check_intervention(actor, data, errors)
    if errors:
        raise ValidationError(errors)
    return data


def _described(data: Mapping[str, Any]) -> dict[str, Any]:
    """The audit trail's copy of an action: ids for related records, never a person's name."""
    return {
        k: (v.pk if hasattr(v, "pk") else v)
        for k, v in data.items()
        if v not in (None, "") or k in {"status"}
    }


@transaction.atomic
def action_create(*, actor: User, plan: Plan, **fields: Any) -> Action:
    _agency_of(actor)
    _check_active(plan)
    data = _clean_action(actor, plan, fields)
    action = Action.objects.create(plan=plan, recorded_by=actor, **data)
    audit_record(actor=actor, action=AccessAction.CREATE, obj=action, changes=_described(data))
    return action


@transaction.atomic
def action_update(*, actor: User, action: Action, expected_version: int, **fields: Any) -> Action:
    _check_active(action.plan)
    if action.status == ActionStatus.COMPLETED:
        raise ValidationError("This action has been completed. It can no longer be changed.")
    data = _clean_action(actor, action.plan, fields)
    for name, value in data.items():
        setattr(action, name, value)
    save_versioned(action, expected_version=expected_version, fields=list(data))
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=action, changes=_described(data))
    return action


@transaction.atomic
def action_complete(
    *,
    actor: User,
    action: Action,
    expected_version: int,
    completed_on: dt.date,
    evidence: str,
    outcome: str = "",
) -> Action:
    """Mark an action done. The evidence says how anyone can know it was done."""
    _check_active(action.plan)
    if action.status == ActionStatus.CANCELLED:
        raise ValidationError("This action was cancelled, so it cannot be completed.")
    if action.status == ActionStatus.COMPLETED and action.version == expected_version:
        raise ValidationError("This action has already been completed.")
    errors: dict[str, str] = {}
    if not evidence.strip():
        errors["evidence"] = "Enter the evidence of completion"
    if completed_on > timezone.localdate():
        errors["completed_on"] = "The date completed must be today or in the past"
    if errors:
        raise ValidationError(errors)
    action.status, action.completed_on = ActionStatus.COMPLETED, completed_on
    action.evidence = evidence.strip()
    action.outcome = outcome.strip() or action.outcome
    save_versioned(
        action,
        expected_version=expected_version,
        fields=["status", "completed_on", "evidence", "outcome"],
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=action,
        changes={"status": ActionStatus.COMPLETED, "completed_on": completed_on},
    )
    return action


@transaction.atomic
def session_add(
    *, actor: User, action: Action, held_on: dt.date, attended: bool, notes: str = ""
) -> InterventionSession:
    _agency_of(actor)
    _check_active(action.plan)
    if action.kind != ActionKind.INTERVENTION:
        raise ValidationError("Sessions are recorded for interventions only.")
    _not_in_future(held_on, "held_on", "The session date")
    session = InterventionSession.objects.create(
        action=action, held_on=held_on, attended=attended, notes=notes.strip(), recorded_by=actor
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=session,
        changes={"action": action.pk, "held_on": held_on, "attended": attended},
    )
    return session


# --- reviews ----------------------------------------------------------------------------------


@transaction.atomic
def review_add(
    *,
    actor: User,
    plan: Plan,
    held_on: dt.date,
    reviewed_by: str,
    progress: str,
    situation: str,
    decision: str,
    goal_progress: Mapping[int, str] | None = None,
    next_review_due: dt.date | None = None,
    end_reason: str = "",
) -> Review:
    """Record a review: each goal's progress, the decision and when the next review is due.

    Continuing sets the plan's next review (for child protection, at most 6 months on); stepping
    down or ending ends the plan on the day of the review.
    """
    agency = _agency_of(actor)
    # Locked, so that a review and an edit of the plan cannot interleave.
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _check_active(plan)
    errors: dict[str, str] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = "The review date must be today or in the past"
    elif held_on < plan.started_on:
        errors["held_on"] = "The review date must be on or after the plan's start date"
    for name, value in (("reviewed_by", reviewed_by), ("progress", progress)):
        if not value.strip():
            errors[name] = {
                "reviewed_by": "Say who reviewed the plan",
                "progress": "Describe the progress since the plan started or was last reviewed",
            }[name]
    if not situation.strip():
        errors["situation"] = (
            "Describe the place's or group's situation now"
            if plan.kind == PlanKind.CONTEXT_SAFETY
            else "Describe the child's situation now"
        )
    if decision not in ReviewDecision.values:
        errors["decision"] = "Choose the review's decision"
    goals = {g.pk: g for g in plan.goals.all()}
    statuses = {int(k): v for k, v in (goal_progress or {}).items()}
    if set(statuses) - set(goals) or any(v not in GoalStatus.values for v in statuses.values()):
        errors["goal_progress"] = "Say how far each of this plan's goals has been met"
    if decision == ReviewDecision.CONTINUE and "held_on" not in errors:
        if next_review_due is None:
            next_review_due = review_due_after(plan, held_on)
        latest = add_months(held_on, CP_REVIEW_MONTHS)
        if next_review_due <= held_on:
            errors["next_review_due"] = "The next review must be after this one"
        elif plan.kind == PlanKind.CHILD_PROTECTION and next_review_due > latest:
            errors["next_review_due"] = (
                f"A child protection plan is reviewed at least every 6 months: "
                f"the next review must be by {_day(latest)}"
            )
    elif decision != ReviewDecision.CONTINUE:
        next_review_due = None
    if errors:
        raise ValidationError(errors)
    review = Review.objects.create(
        plan=plan,
        held_on=held_on,
        reviewed_by=reviewed_by.strip(),
        progress=progress.strip(),
        situation=situation.strip(),
        goal_progress={str(k): v for k, v in statuses.items()},
        decision=decision,
        next_review_due=next_review_due,
        recorded_by=actor,
        recording_agency=agency,
    )
    for goal_id, status in statuses.items():
        if goals[goal_id].status != status:
            Goal.objects.filter(pk=goal_id).update(status=status, version=F("version") + 1)
    changes: dict[str, Any] = {"updated_at": timezone.now(), "version": F("version") + 1}
    if decision == ReviewDecision.CONTINUE:
        changes["next_review_due"] = next_review_due
    else:
        label = ReviewDecision(decision).label.lower()
        changes |= {
            "status": PlanStatus.ENDED,
            "ended_on": held_on,
            "next_review_due": None,
            "end_reason": end_reason.strip() or f"Review on {_day(held_on)} decided to {label}.",
        }
    Plan.objects.filter(pk=plan.pk).update(**changes)
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=review,
        changes={
            "plan": plan.pk,
            "held_on": held_on,
            "decision": decision,
            "next_review_due": next_review_due,
            "goal_progress": review.goal_progress,
        },
    )
    return review


__all__ = [
    "EditConflict",
    "action_complete",
    "action_create",
    "action_update",
    "goal_add",
    "goal_update",
    "plan_create",
    "plan_end",
    "plan_update",
    "review_add",
    "session_add",
]
