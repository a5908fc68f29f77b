"""The Casework cards render on their own, and a person merge moves plans and actions."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.models import User
from contexts.models import Context
from people import services as people_services
from people.models import Person
from plans import selectors, services
from plans.models import Action, Plan
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_person_card_lists_the_childs_plans_and_the_places_plans(
    personas, child: Person, child_plan: Plan, context_plan: Plan
) -> None:
    viewer = personas["practitioner"]
    panel = selectors.person_panel(viewer=viewer, person=child)
    request = RequestFactory().get("/")
    request.user = viewer
    html = render_to_string(
        "plans/partials/_person_panel.html", {"panel": panel, "person": child}, request=request
    )
    assert f"/plans/{child_plan.pk}/" in html and "CS&amp;E plan" in html
    assert "Plans for places and groups this child is linked to" in html
    assert "Context safety plan: Brackenmoor bus interchange" in html
    assert f"/plans/new/?person={child.pk}" in html


def test_context_card(personas, place: Context, context_plan: Plan, officer: User) -> None:
    panel = selectors.context_panel(viewer=officer, context=place)
    html = render_to_string("plans/partials/_context_panel.html", {"panel": panel})
    assert f"/plans/{context_plan.pk}/" in html
    assert f"/plans/new/?context={place.pk}" in html


def test_merge_moves_plans_and_the_people_actions_name(
    personas, child: Person, child_plan: Plan, context_plan: Plan, adult: Person
) -> None:
    if "plans" not in people_services._PERSON_RECORD_APPS:
        pytest.skip("the lead adds 'plans' to people.services._PERSON_RECORD_APPS")
    manager = personas["team_manager"]
    duplicate_adult = make_person(manager, kind="adult_of_concern", given_name="D", family_name="V")
    action = services.action_create(
        actor=manager,
        plan=context_plan,
        kind="disruption",
        tool="cawn",
        description="CAWN",
        owner_partner="Vale Police",
        target_person=duplicate_adult,
    )
    duplicate_child = make_person(manager, given_name="Tayla", family_name="B")
    moved_plan = services.plan_create(
        actor=manager,
        kind="child_in_need",
        person=duplicate_child,
        started_on=child_plan.started_on,
    )
    people_services.person_merge(
        actor=manager, source=duplicate_child, target=child, reason="Same child, two records"
    )
    people_services.person_merge(
        actor=manager, source=duplicate_adult, target=adult, reason="Same adult, two records"
    )
    assert Plan.objects.get(pk=moved_plan.pk).person_id == child.pk
    assert Action.objects.get(pk=action.pk).target_person_id == adult.pk
