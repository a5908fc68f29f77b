"""Pages, permissions (role × agency), concurrent edits and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from people.models import Person
from plans import services
from plans.models import Action, ActionStatus, Goal, Plan, PlanKind

from .helpers import date_fields, queries

pytestmark = pytest.mark.django_db


def _police_action_on_child_plan(personas, child_plan: Plan, officer: User) -> Action:
    return services.action_create(
        actor=personas["practitioner"],
        plan=child_plan,
        description="Check the address in Sallowmere Road on the patrol plan",
        owner_agency=officer.agency,
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )


def test_csc_starts_a_context_plan_from_the_context(client_for, personas, place) -> None:
    client = client_for(personas["cs_lead"])
    url = f"/plans/new/?context={place.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Start a context safety plan" in page.content
    data = {"kind": "context_safety", **date_fields("started_on", timezone.localdate())}
    data["agreed_at_description"] = "Location CS&E conference"
    response = client.post(url, data)
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert plan.kind == PlanKind.CONTEXT_SAFETY
    detail = client.get(f"/plans/{plan.pk}/")
    assert b"Tayla Brennan" in detail.content  # the linked child, visible to CSC


def test_child_plan_form_reveals_category_and_validates(client_for, personas, child) -> None:
    client = client_for(personas["practitioner"])
    url = f"/plans/new/?person={child.pk}"
    page = client.get(url).content.decode()
    assert 'data-aria-controls="conditional-kind-child_protection"' in page
    response = client.post(
        url, {"kind": "child_protection", **date_fields("started_on", timezone.localdate())}
    )
    assert response.status_code == 200
    assert "Choose the child protection category" in response.content.decode()
    assert not Plan.objects.exists()


def test_action_form_checks_a_kinds_own_fields_only_for_that_kind(
    client_for, personas, context_plan: Plan
) -> None:
    client = client_for(personas["cs_lead"])
    url = f"/plans/{context_plan.pk}/actions/new/"
    page = client.get(url).content.decode()
    assert "Disruption tool (optional)" not in page and "Disruption tool" in page
    base = {"description": "Patrols", "owner_partner": "Parks team"}
    refused = client.post(url, base | {"kind": "disruption"}).content.decode()
    assert "Choose the disruption tool" in refused
    assert "Enter who provides the programme" not in refused
    assert "Disruption tool (optional)" not in refused
    assert client.post(url, base | {"kind": "task"}).status_code == 302
    intervention = client.post(url, base | {"kind": "intervention"}).content.decode()
    assert (
        "Choose the programme" in intervention and "Choose the disruption tool" not in intervention
    )


def test_police_see_context_plans_but_not_a_child_plan_without_a_share(
    client_for, personas, context_plan: Plan, child_plan: Plan, officer: User
) -> None:
    client = client_for(officer)
    assert client.get(f"/plans/{context_plan.pk}/").status_code == 200
    assert client.get(f"/plans/{child_plan.pk}/").status_code == 404
    assert client.get(f"/plans/{child_plan.pk}/edit/").status_code == 404
    assert client.get(f"/plans/new/?person={child_plan.person_id}").status_code == 404
    context_page = client.get(f"/plans/{context_plan.pk}/").content.decode()
    # The child linked to the place is not named to an agency that cannot open their record.
    assert "Tayla" not in context_page


def test_my_actions_shows_own_action_on_an_unseen_childs_plan_and_nothing_more(
    client_for, personas, child_plan: Plan, officer: User
) -> None:
    action = _police_action_on_child_plan(personas, child_plan, officer)
    client = client_for(officer)
    page = client.get("/plans/my-actions/").content.decode()
    assert "Check the address in Sallowmere Road" in page
    assert "A child&#x27;s plan (held by Test Children&#x27;s Services)" in page
    assert "Tayla" not in page and "Brennan" not in page
    assert f"/plans/{child_plan.pk}/" not in page
    assert "Overdue" in page
    # The owner completes it without seeing the child.
    url = f"/plans/actions/{action.pk}/complete/"
    form = client.get(url).content.decode()
    assert "Tayla" not in form
    missing = client.post(
        url, {"version": "1", **date_fields("completed_on", timezone.localdate())}
    )
    assert "Enter the evidence of completion" in missing.content.decode()
    done = client.post(
        url,
        {
            "version": "1",
            "evidence": "Visited 24 Nov, log 5521",
            **date_fields("completed_on", timezone.localdate()),
        },
    )
    assert done.status_code == 302 and done["Location"] == "/plans/my-actions/"
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED
    # Owning an action is not editing the plan.
    assert client.get(f"/plans/actions/{action.pk}/edit/").status_code == 404


def test_another_agencys_action_is_not_in_my_actions(
    client_for, personas, context_plan: Plan, youth_agency
) -> None:
    services.action_create(
        actor=personas["cs_lead"],
        plan=context_plan,
        description="Detached sessions",
        owner_agency=youth_agency,
    )
    page = client_for(personas["police_practitioner"]).get("/plans/my-actions/")
    assert b"Detached sessions" not in page.content


@pytest.mark.parametrize("role", ["administrator", "auditor", "analyst", "no_role"])
def test_oversight_roles_see_nothing(client_for, personas, context_plan: Plan, role: str) -> None:
    client = client_for(personas[role])
    for url in (
        f"/plans/{context_plan.pk}/",
        "/plans/my-actions/",
        f"/plans/new/?context={context_plan.context_id}",
        f"/plans/{context_plan.pk}/reviews/new/",
    ):
        assert client.get(url).status_code == 403, url


def _action_post(action: Action, description: str, version: int) -> dict[str, str]:
    return {
        "version": str(version),
        "kind": "task",
        "description": description,
        "owner_partner": action.owner_partner,
        "status": "in_progress",
    }


def test_two_people_editing_one_action_never_overwrite_each_other(
    client_for, personas, context_plan: Plan
) -> None:
    action = services.action_create(
        actor=personas["cs_lead"],
        plan=context_plan,
        description="Licence review of the takeaway",
        owner_partner="Licensing team, Brackenmoor Council",
    )
    first, second = client_for(personas["cs_lead"]), client_for(personas["team_manager"])
    url = f"/plans/actions/{action.pk}/edit/"
    assert first.get(url).status_code == second.get(url).status_code == 200
    saved = first.post(url, _action_post(action, "Licence review: hearing on 2 Dec", 1))
    assert saved.status_code == 302
    clash = second.post(url, _action_post(action, "Licence review: papers served", 1))
    text = clash.content.decode()
    assert clash.status_code == 200
    assert "Someone else changed this action" in text
    assert "Licence review: hearing on 2 Dec" in text  # what they saved
    assert "Licence review: papers served" in text  # what I typed, kept
    action.refresh_from_db()
    assert action.description == "Licence review: hearing on 2 Dec"
    # Saving again, now against the latest version, is a deliberate choice and works.
    again = second.post(url, _action_post(action, "Licence review: papers served", 2))
    assert again.status_code == 302
    action.refresh_from_db()
    assert action.description == "Licence review: papers served"


def test_two_people_editing_one_plan_never_overwrite_each_other(
    client_for, personas, context_plan: Plan
) -> None:
    first, second = client_for(personas["cs_lead"]), client_for(personas["team_manager"])
    url = f"/plans/{context_plan.pk}/edit/"
    base = {"version": "1", **date_fields("started_on", context_plan.started_on)}
    assert first.post(url, base | {"agreed_at_description": "Conference A"}).status_code == 302
    clash = second.post(url, base | {"agreed_at_description": "Conference B"})
    text = clash.content.decode()
    assert "Someone else changed this plan" in text and "Conference A" in text
    context_plan.refresh_from_db()
    assert context_plan.agreed_at_description == "Conference A"


def test_two_owners_completing_one_action(client_for, personas, context_plan, officer) -> None:
    action = services.action_create(
        actor=personas["cs_lead"],
        plan=context_plan,
        description="Patrols",
        owner_agency=officer.agency,
    )
    other = User.objects.create(username="second_officer", agency=officer.agency)
    other.role_grants.create(role="practitioner")
    url = f"/plans/actions/{action.pk}/complete/"
    day = date_fields("completed_on", timezone.localdate())
    a, b = client_for(officer), client_for(other)
    assert a.post(url, {"version": "1", "evidence": "Log 1", **day}).status_code == 302
    clash = b.post(url, {"version": "1", "evidence": "Log 2", **day})
    # Already completed by the first: the second is told, and the first's evidence stays.
    assert clash.status_code == 302
    action.refresh_from_db()
    assert action.evidence == "Log 1"


def test_review_through_the_page(client_for, personas, context_plan: Plan) -> None:
    goal = services.goal_add(actor=personas["cs_lead"], plan=context_plan, statement="Safe")
    client = client_for(personas["cs_lead"])
    url = f"/plans/{context_plan.pk}/reviews/new/"
    page = client.get(url).content.decode()
    assert "The place&#x27;s or group&#x27;s situation now" in page
    response = client.post(
        url,
        {
            **date_fields("held_on", timezone.localdate()),
            "reviewed_by": "Location CS&E review conference",
            "progress": "Two of three actions done",
            "situation": "Fewer approaches reported at the interchange",
            f"goal_{goal.pk}": "partly",
            "decision": "continue",
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "partly"
    assert b"Fewer approaches reported" in client.get(f"/plans/{context_plan.pk}/").content


def _fill(plan: Plan, actor: User, agency, goals: int, actions: int, adult: Person) -> None:
    made = [services.goal_add(actor=actor, plan=plan, statement=f"Goal {i}") for i in range(goals)]
    for i in range(actions):
        services.action_create(
            actor=actor,
            plan=plan,
            description=f"Action {i}",
            owner_agency=agency,
            goal=made[i % len(made)] if made else None,
            due_on=timezone.localdate() - dt.timedelta(days=i - 2),
            **({"kind": "disruption", "tool": "cpn", "target_person": adult} if i % 2 else {}),
        )


def test_plan_detail_and_my_actions_cost_the_same_however_full(
    client_for, personas, place, adult, officer
) -> None:
    lead = personas["cs_lead"]
    small = services.plan_create(
        actor=lead, kind="context_safety", context=place, started_on=timezone.localdate()
    )
    big = services.plan_create(
        actor=lead, kind="context_safety", context=place, started_on=timezone.localdate()
    )
    _fill(small, lead, officer.agency, 1, 2, adult)
    client = client_for(lead)
    few = queries(client, f"/plans/{small.pk}/")
    police = client_for(officer)
    mine_few = queries(police, "/plans/my-actions/")
    _fill(big, lead, officer.agency, 4, 9, adult)
    assert queries(client, f"/plans/{big.pk}/") == few
    assert queries(police, "/plans/my-actions/") == mine_few
    assert Goal.objects.filter(plan=big).count() == 4
