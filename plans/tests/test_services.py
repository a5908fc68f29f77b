"""Plans, goals, actions and reviews through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from contexts.models import Context
from contextsafe.lib.concurrency import EditConflict
from people.models import Person
from plans import services
from plans.models import (
    LAPSE_WARNING_DAYS,
    ActionKind,
    ActionStatus,
    GoalStatus,
    Plan,
    PlanStatus,
    ReviewDecision,
)
from plans.services import add_months
from tests.factories import make_location, make_person

from .conftest import start

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"": exc.value.messages}


def test_add_months_keeps_to_the_end_of_short_months() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2027, 12, 1), 1) == dt.date(2028, 1, 1)


def test_child_protection_plan_first_review_within_three_months(personas, child: Person) -> None:
    started = timezone.localdate() - dt.timedelta(days=10)
    plan = start(
        personas["practitioner"],
        kind="child_protection",
        person=child,
        cp_category="NEG",
        started_on=started,
    )
    assert plan.next_review_due == add_months(started, 3)
    assert plan.review_interval_weeks is None
    with pytest.raises(ValidationError) as exc:
        start(
            personas["practitioner"],
            kind="child_protection",
            person=child,
            cp_category="PHY",
            started_on=started,
            next_review_due=add_months(started, 3) + dt.timedelta(days=1),
        )
    assert "within 3 months" in _errors(exc)["next_review_due"][0]


def test_child_protection_plan_needs_its_category(personas, child: Person) -> None:
    with pytest.raises(ValidationError) as exc:
        start(personas["practitioner"], kind="child_protection", person=child)
    assert "cp_category" in _errors(exc)


def test_cse_plan_records_harm_in_its_own_terms(personas, child: Person) -> None:
    with pytest.raises(ValidationError) as exc:
        start(personas["practitioner"], kind="cse_plan", person=child)
    assert "efh_harm_types" in _errors(exc)
    plan = start(
        personas["practitioner"],
        kind="cse_plan",
        person=child,
        efh_harm_types=["cce", "county_lines"],
        cp_category="NEG",
    )
    assert plan.efh_harm_types == ["cce", "county_lines"]
    assert plan.cp_category == ""  # never forced into a parenting category
    assert plan.review_interval_weeks == 6
    assert plan.next_review_due == plan.started_on + dt.timedelta(weeks=6)


def test_context_plan_subjects(personas, child: Person, place: Context) -> None:
    lead = personas["cs_lead"]
    plan = start(lead, kind="context_safety", context=place)
    assert plan.next_review_due == plan.started_on + dt.timedelta(weeks=6)
    with pytest.raises(ValidationError):
        start(lead, kind="context_safety", person=child)
    with pytest.raises(ValidationError):
        start(lead, kind="cse_plan", context=place, efh_harm_types=["cce"])
    online = make_location(
        lead,
        kind="online_space",
        name="Group chat",
        platform="Snapchat",
        location_type="",
        geometry=None,
    )
    with pytest.raises(ValidationError) as exc:
        start(lead, kind="context_safety", context=online)
    assert "online space" in _errors(exc)[""][0]
    parent = make_person(lead, kind="parent_carer", given_name="Mo")
    with pytest.raises(ValidationError) as exc:
        start(lead, kind="cse_plan", person=parent, efh_harm_types=["cce"])
    assert "young person" in _errors(exc)[""][0]


def test_goals_are_numbered_in_order(personas, context_plan: Plan) -> None:
    lead = personas["cs_lead"]
    first = services.goal_add(
        actor=lead,
        plan=context_plan,
        statement="Young people can wait at the interchange unapproached",
    )
    second = services.goal_add(actor=lead, plan=context_plan, statement="Guardians are present")
    assert (first.position, second.position) == (1, 2)
    with pytest.raises(ValidationError):
        services.goal_add(actor=lead, plan=context_plan, statement="  ")
    services.goal_update(
        actor=lead, goal=first, expected_version=1, statement="Changed", measure="No reports"
    )
    with pytest.raises(EditConflict):
        services.goal_update(
            actor=lead, goal=first, expected_version=1, statement="Stale", measure=""
        )


def test_task_needs_an_owner(personas, context_plan: Plan) -> None:
    lead = personas["cs_lead"]
    with pytest.raises(ValidationError) as exc:
        services.action_create(actor=lead, plan=context_plan, description="Patrols")
    assert "owner_agency" in _errors(exc)
    action = services.action_create(
        actor=lead,
        plan=context_plan,
        description="Review licence",
        owner_partner="Licensing team, Brackenmoor Council",
    )
    assert action.kind == ActionKind.TASK
    assert action.owner_label == "Licensing team, Brackenmoor Council"


def test_disruption_aims_at_an_adult_never_a_child(
    personas, context_plan: Plan, child: Person, adult: Person, officer: User
) -> None:
    lead = personas["cs_lead"]
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            actor=lead,
            plan=context_plan,
            kind="disruption",
            tool="cawn",
            description="CAWN",
            owner_agency=officer.agency,
            target_person=child,
        )
    assert "never at a young person" in _errors(exc)["target_person"][0]
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            actor=lead,
            plan=context_plan,
            kind="disruption",
            description="Something",
            owner_agency=officer.agency,
        )
    assert {"tool", "target_description"} <= set(_errors(exc))
    today = timezone.localdate()
    action = services.action_create(
        actor=lead,
        plan=context_plan,
        kind="disruption",
        tool="cawn",
        description="Serve a CAWN",
        owner_agency=officer.agency,
        target_person=adult,
        legal_basis="Children Act 1989 s49",
        served_on=today,
        expires_on=today + dt.timedelta(days=LAPSE_WARNING_DAYS),
    )
    assert action.lapse_state(today) == "lapsing"
    assert action.lapse_state(today - dt.timedelta(days=1)) == ""
    assert action.lapse_state(today + dt.timedelta(days=LAPSE_WARNING_DAYS + 1)) == "lapsed"


def test_police_cannot_target_someone_whose_record_they_cannot_open(
    personas, context_plan: Plan, adult: Person, officer: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            actor=officer,
            plan=context_plan,
            kind="disruption",
            tool="sro",
            description="Apply for an SRO",
            owner_agency=officer.agency,
            target_person=adult,
        )
    assert "may open" in _errors(exc)["target_person"][0]


def test_intervention_needs_programme_and_provider_and_a_changed_kind_clears_fields(
    personas, context_plan: Plan, child: Person, youth_agency
) -> None:
    lead = personas["cs_lead"]
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            actor=lead,
            plan=context_plan,
            kind="intervention",
            description="Detached work",
            owner_agency=youth_agency,
        )
    assert {"programme", "provider"} <= set(_errors(exc))
    action = services.action_create(
        actor=lead,
        plan=context_plan,
        kind="intervention",
        programme="detached_youth_work",
        provider="Open Doors Youth Trust",
        description="Friday evening detached sessions",
        owner_agency=youth_agency,
        participant_person=child,
    )
    services.session_add(actor=lead, action=action, held_on=timezone.localdate(), attended=True)
    assert action.sessions.count() == 1
    services.action_update(
        actor=lead,
        action=action,
        expected_version=1,
        kind="task",
        description="Now a task",
        owner_agency=youth_agency,
        programme="mentoring",
        provider="X",
        participant_person=child,
    )
    action.refresh_from_db()
    assert (action.programme, action.provider, action.participant_person_id) == ("", "", None)


def test_complete_requires_evidence_and_refuses_a_stale_version(
    personas, context_plan: Plan, officer: User
) -> None:
    lead = personas["cs_lead"]
    action = services.action_create(
        actor=lead, plan=context_plan, description="Patrols", owner_agency=officer.agency
    )
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.action_complete(
            actor=officer, action=action, expected_version=1, completed_on=today, evidence=" "
        )
    assert "evidence" in _errors(exc)
    with pytest.raises(ValidationError):
        services.action_update(
            actor=lead,
            action=action,
            expected_version=1,
            description="Patrols",
            owner_agency=officer.agency,
            status="completed",
        )
    services.action_complete(
        actor=officer,
        action=action,
        expected_version=1,
        completed_on=today,
        evidence="Patrol log 4471",
    )
    action.refresh_from_db()
    assert (action.status, action.evidence) == (ActionStatus.COMPLETED, "Patrol log 4471")
    with pytest.raises(EditConflict):
        services.action_complete(
            actor=lead,
            action=action,
            expected_version=1,
            completed_on=today,
            evidence="again",
        )


def test_review_updates_goals_and_next_review(personas, context_plan: Plan) -> None:
    lead = personas["cs_lead"]
    goal = services.goal_add(actor=lead, plan=context_plan, statement="Safe to wait")
    other = services.goal_add(actor=lead, plan=context_plan, statement="Guardians present")
    held = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.review_add(
            actor=lead,
            plan=context_plan,
            held_on=held,
            reviewed_by="Panel",
            progress="p",
            situation="",
            decision="continue",
            goal_progress={goal.pk: "nonsense"},
        )
    assert {"situation", "goal_progress"} <= set(_errors(exc))
    review = services.review_add(
        actor=lead,
        plan=context_plan,
        held_on=held,
        reviewed_by="Location CS&E review",
        progress="Fewer approaches",
        situation="Quieter after 6pm",
        decision="continue",
        goal_progress={goal.pk: GoalStatus.PARTLY, other.pk: GoalStatus.ACHIEVED},
    )
    goal.refresh_from_db()
    other.refresh_from_db()
    context_plan.refresh_from_db()
    assert (goal.status, other.status) == (GoalStatus.PARTLY, GoalStatus.ACHIEVED)
    assert review.next_review_due == held + dt.timedelta(weeks=6)
    assert context_plan.next_review_due == held + dt.timedelta(weeks=6)


def test_child_protection_reviews_at_most_six_monthly(personas, child: Person) -> None:
    user = personas["practitioner"]
    plan = start(user, kind="child_protection", person=child, cp_category="MUL")
    held = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.review_add(
            actor=user,
            plan=plan,
            held_on=held,
            reviewed_by="RCPC",
            progress="p",
            situation="s",
            decision="continue",
            next_review_due=add_months(held, 6) + dt.timedelta(days=1),
        )
    assert "every 6 months" in _errors(exc)["next_review_due"][0]
    review = services.review_add(
        actor=user,
        plan=plan,
        held_on=held,
        reviewed_by="RCPC",
        progress="p",
        situation="s",
        decision="continue",
    )
    assert review.next_review_due == add_months(held, 6)


def test_review_that_ends_the_plan(personas, context_plan: Plan) -> None:
    lead = personas["cs_lead"]
    held = timezone.localdate()
    services.review_add(
        actor=lead,
        plan=context_plan,
        held_on=held,
        reviewed_by="Panel",
        progress="Goals met",
        situation="Safe",
        decision=ReviewDecision.END,
    )
    context_plan.refresh_from_db()
    assert (context_plan.status, context_plan.ended_on) == (PlanStatus.ENDED, held)
    assert context_plan.next_review_due is None
    with pytest.raises(ValidationError):
        services.goal_add(actor=lead, plan=context_plan, statement="Too late")


def test_plan_update_and_end_are_versioned(personas, context_plan: Plan) -> None:
    lead = personas["cs_lead"]
    services.plan_update(
        actor=lead, plan=context_plan, expected_version=1, agreed_at_description="Conference, 3 Nov"
    )
    stale = Plan.objects.get(pk=context_plan.pk)
    stale.version = 1
    with pytest.raises(EditConflict):
        services.plan_end(
            actor=lead,
            plan=stale,
            expected_version=1,
            ended_on=timezone.localdate(),
            end_reason="Done",
        )
    services.plan_end(
        actor=lead,
        plan=context_plan,
        expected_version=2,
        ended_on=timezone.localdate(),
        end_reason="Done",
    )
    context_plan.refresh_from_db()
    assert context_plan.status == PlanStatus.ENDED
