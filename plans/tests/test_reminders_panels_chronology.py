"""The daily reminder, the Casework cards and the chronology."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from contexts.models import Context
from events.chronology import ChronologyFilter
from people.models import Person
from plans import chronology, selectors, services, tasks
from plans.models import Plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_reminders_go_to_owners_and_never_name_a_child(
    personas, child_plan: Plan, context_plan: Plan, officer: User, adult: Person
) -> None:
    today = timezone.localdate()
    colleague = UserFactory.create(
        username="second_officer", agency=officer.agency, roles=["practitioner"]
    )
    named = personas["team_manager"]
    services.action_create(
        actor=personas["practitioner"],
        plan=child_plan,
        description="Tayla Brennan: visit with the school",
        owner_agency=officer.agency,
        due_on=today - dt.timedelta(days=3),
    )
    services.action_create(
        actor=personas["cs_lead"],
        plan=context_plan,
        kind="disruption",
        tool="cpn",
        description="Community Protection Notice on the takeaway",
        owner_user=named,
        target_person=adult,
        served_on=today - dt.timedelta(days=20),
        expires_on=today + dt.timedelta(days=5),
    )
    services.action_create(  # due later, and a notice far from lapsing: no reminder
        actor=personas["cs_lead"],
        plan=context_plan,
        description="Not yet due",
        owner_partner="Licensing team",
        due_on=today + dt.timedelta(days=3),
    )
    mail.outbox.clear()
    sent = tasks.send_action_reminders.call()
    assert sent == 3
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert set(by_address) == {officer.email, colleague.email, named.email}
    police_body = by_address[officer.email]
    assert "Overdue (1)" in police_body and "Task on a CS&E plan, due" in police_body
    assert "/plans/my-actions/" in police_body
    assert (
        "Community Protection Notice on a context safety plan, expires" in by_address[named.email]
    )
    for body in by_address.values():
        assert "Tayla" not in body and "Brennan" not in body
        assert "Brackenmoor bus interchange" not in body  # nor the place


def test_enqueue_reminders_runs_the_task(personas, context_plan: Plan) -> None:
    mail.outbox.clear()
    tasks.enqueue_reminders()  # the immediate backend in tests
    assert mail.outbox == []  # nothing due


def test_childs_casework_card_lists_plans_for_the_places_they_are_linked_to(
    personas, child: Person, context_plan: Plan, child_plan: Plan, officer: User
) -> None:
    panel = selectors.person_panel(viewer=personas["practitioner"], person=child)
    assert [r.plan for r in panel.plans] == [child_plan]
    assert [r.plan for r in panel.context_plans] == [context_plan]
    assert panel.context_plans[0].via == "Brackenmoor bus interchange"
    assert panel.can_add


def test_person_page_shows_the_plans_card(client_for, personas, child, context_plan) -> None:
    from casework import panels

    if not any(s.app == "plans" for s in panels._sources()):
        pytest.skip("the lead registers the plans card in casework/panels.py")
    page = client_for(personas["practitioner"]).get(f"/people/{child.pk}/casework/")
    assert b"Plans for places and groups this child is linked to" in page.content


def test_context_panel(personas, place: Context, context_plan: Plan, officer: User) -> None:
    panel = selectors.context_panel(viewer=officer, context=place)
    assert [r.plan for r in panel.plans] == [context_plan]
    assert panel.can_add  # a partnership record: any case worker may start one


def test_chronology_shows_plans_to_those_who_may_see_them(
    personas, child: Person, child_plan: Plan, officer: User
) -> None:
    services.review_add(
        actor=personas["practitioner"],
        plan=child_plan,
        held_on=timezone.localdate(),
        reviewed_by="CS&E review conference",
        progress="Engaging with mentor",
        situation="Not missing this month",
        decision="continue",
    )
    entries = chronology.for_person(personas["practitioner"], child, ChronologyFilter())
    titles = [e.title for e in entries]
    assert "CS&E plan started" in titles
    assert "CS&E plan reviewed: continue the plan" in titles
    assert chronology.for_person(officer, child, ChronologyFilter()) == []
    only = ChronologyFilter(entry_type="plan_review")
    assert [e.entry_type for e in chronology.for_person(personas["practitioner"], child, only)] == [
        "plan_review"
    ]


def test_meeting_actions_join_the_plan_actions_email(
    personas, child_plan: Plan, officer: User
) -> None:
    from panels import services as panels

    chair = personas["panel_chair"]
    panel = panels.panel_create(
        actor=chair, name="Brackenmoor MARVE panel", kind="marve", frequency="monthly", chair=chair
    )
    meeting = panels.meeting_schedule(
        actor=chair, panel=panel, scheduled_for=timezone.now() - dt.timedelta(days=9)
    )
    today = timezone.localdate()
    panels.panel_action_add(
        actor=chair,
        meeting=meeting,
        description="Patrols at the interchange after school",
        owner_agency=officer.agency,
        due_on=today - dt.timedelta(days=1),
    )
    services.action_create(
        actor=personas["practitioner"],
        plan=child_plan,
        description="Visit with the school",
        owner_agency=officer.agency,
        due_on=today - dt.timedelta(days=2),
    )
    mail.outbox.clear()
    tasks.send_action_reminders.call()
    to_officer = [m.body for m in mail.outbox if m.to == [officer.email]]
    assert len(to_officer) == 1
    body = to_officer[0]
    assert "Task on a CS&E plan, due" in body
    assert "An action agreed at Brackenmoor MARVE panel on" in body
    assert "Patrols" not in body and "Tayla" not in body
    to_chair = [m.body for m in mail.outbox if m.to == [chair.email]]
    assert len(to_chair) == 1 and "Overdue actions from meetings you chair (1):" in to_chair[0]
