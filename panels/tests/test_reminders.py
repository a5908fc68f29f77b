"""The daily reminder for actions agreed at meetings: owners hear of actions due within a week
or overdue, chairs of overdue ones — one email a person, naming no child."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from panels import services
from panels.models import Meeting, Panel, PanelAction
from people.models import Person
from plans import tasks
from plans.services import action_create, plan_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def past_meeting(marve: Panel, chair: User, child: Person) -> Meeting:
    meeting = services.meeting_schedule(
        actor=chair,
        panel=marve,
        scheduled_for=timezone.now() - dt.timedelta(days=10),
        venue="Civic Centre, room 2",
    )
    services.item_add(actor=chair, meeting=meeting, person=child, reason="MARVE referral")
    return meeting


def add_action(
    meeting: Meeting, chair: User, days: int, *, agency_of: User, owner: User | None = None
) -> PanelAction:
    return services.panel_action_add(
        actor=chair,
        meeting=meeting,
        item=meeting.items.first(),
        description="Tayla Brennan: share the CCTV review",  # a chair who forgot the guidance
        owner_agency=agency_of.agency,
        owner_user=owner,
        due_on=TODAY + dt.timedelta(days=days),
    )


def bodies() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in mail.outbox:
        for address in message.to:
            found.setdefault(address, []).append(str(message.body))
    return found


def test_owners_and_chairs_are_reminded_without_the_child(
    personas, past_meeting: Meeting, chair: User, officer: User, youth_worker: User
) -> None:
    add_action(past_meeting, chair, -3, agency_of=officer)  # the police's, overdue
    add_action(past_meeting, chair, 4, agency_of=youth_worker, owner=youth_worker)  # due soon
    add_action(past_meeting, chair, 20, agency_of=officer)  # not yet: no reminder
    done = add_action(past_meeting, chair, -5, agency_of=youth_worker, owner=youth_worker)
    services.panel_action_complete(
        actor=youth_worker,
        action=done,
        expected_version=done.version,
        completed_on=TODAY,
        evidence="Shared at the follow-up",
    )
    mail.outbox.clear()

    sent = tasks.send_action_reminders.call()

    by_address = bodies()
    assert sent == 3
    assert set(by_address) == {officer.email, youth_worker.email, chair.email}
    assert all(len(b) == 1 for b in by_address.values())
    held_on = timezone.localdate(past_meeting.scheduled_for)
    police = by_address[officer.email][0]
    assert "Overdue (1):" in police
    assert f"agreed at Brackenmoor MARVE panel on {held_on.day} {held_on:%B %Y}" in police
    youth = by_address[youth_worker.email][0]
    assert "Due in the next 7 days (1):" in youth and "Overdue" not in youth
    chair_body = by_address[chair.email][0]
    assert "Overdue actions from meetings you chair (1):" in chair_body
    assert "owned by Test Police" in chair_body and "(3 days overdue)" in chair_body
    for body in (police, youth, chair_body):
        assert "Tayla" not in body and "Brennan" not in body and "CCTV" not in body
        assert "My work" in body


def test_one_email_a_person_for_plan_and_meeting_actions_alike(
    personas, past_meeting: Meeting, chair: User, officer: User, child: Person
) -> None:
    add_action(past_meeting, chair, -1, agency_of=chair, owner=chair)  # the chair's own
    add_action(past_meeting, chair, -2, agency_of=officer)
    plan = plan_create(
        actor=personas["practitioner"],
        kind="cse_plan",
        person=child,
        started_on=TODAY - dt.timedelta(days=30),
        efh_harm_types=["cce"],
    )
    action_create(
        actor=personas["practitioner"],
        plan=plan,
        description="Visit with the school",
        owner_user=chair,
        due_on=TODAY - dt.timedelta(days=6),
    )
    mail.outbox.clear()

    tasks.send_action_reminders.call()

    mine = bodies()[chair.email]
    assert len(mine) == 1
    body = mine[0]
    assert "On safeguarding plans" in body and "Task on a CS&E plan" in body
    assert "From panel meetings and conferences" in body
    assert body.count("agreed at Brackenmoor MARVE panel") == 2  # owned once, chaired once
    assert "Overdue actions from meetings you chair (1):" in body
    assert "/plans/my-actions/" in body


def test_nothing_due_sends_nothing(past_meeting: Meeting, chair: User, officer: User) -> None:
    add_action(past_meeting, chair, 30, agency_of=officer)
    mail.outbox.clear()
    assert tasks.send_action_reminders.call() == 0
    assert mail.outbox == []
