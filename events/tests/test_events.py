"""Events: each person's role recorded per event; restricted events stay with their agency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.selectors import visible_events
from events.services import event_record
from people.models import RecordShare
from people.services import association_create
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(personas: dict[str, User]):
    worker = personas["practitioner"]
    child = make_person(worker)
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean", family_name="Marsh")
    place = make_location(worker)
    return worker, child, adult, place


def test_a_child_harmed_is_never_shown_as_causing_harm(scene) -> None:
    worker, child, adult, place = scene
    event = event_record(
        actor=worker,
        kind="sighting",
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        narrative="Seen at the takeaway with an older man.",
        participants=[(child, "harmed"), (adult, "harming")],
        harm_types=["cce"],
        location=place,
    )
    roles = {p.person_id: p.role for p in event.participants.all()}
    assert roles == {child.pk: "harmed", adult.pk: "harming"}
    assert (event.latitude, event.longitude) == (place.latitude, place.longitude)


def test_restricted_events_stay_with_the_recording_agency(scene, personas) -> None:
    worker, child, _adult, _place = scene
    officer = personas["police_practitioner"]
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    restricted = event_record(
        actor=officer,
        kind="intelligence",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        narrative="Intelligence: unverified report of running for a line.",
        participants=[(child, "subject_of_concern")],
        sensitivity="restricted",
    )
    standard = event_record(
        actor=officer,
        kind="police_incident",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        narrative="Stopped and searched; nothing found.",
        participants=[(child, "subject_of_concern")],
    )
    assert set(visible_events(officer)) >= {restricted, standard}
    assert standard in visible_events(worker)
    assert restricted not in visible_events(worker)
    assert not worker.has_perm("events.view_event", restricted)
    assert worker.has_perm("events.view_event", standard)


def test_an_event_about_people_nobody_shared_is_hidden(scene, personas) -> None:
    worker, child, _adult, _place = scene
    event = event_record(
        actor=worker,
        kind="concern",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        narrative="School raised a concern.",
        participants=[(child, "harmed")],
    )
    assert event not in visible_events(personas["police_practitioner"])
    for role in ("administrator", "auditor", "analyst"):
        assert not personas[role].has_perm("events.view_event", event)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"occurred_at": timezone.now() + dt.timedelta(days=2)}, "must not be in the future"),
        ({"ended_at": timezone.now() - dt.timedelta(days=30)}, "end must be after the start"),
        ({"harm_types": ["made_up"]}, "Choose harm types"),
    ],
)
def test_bad_events_are_refused(scene, change, message: str) -> None:
    worker, child, _adult, _place = scene
    fields: dict[str, Any] = {
        "kind": "sighting",
        "occurred_at": timezone.now() - dt.timedelta(days=1),
        "narrative": "x",
        "participants": [(child, "harmed")],
    }
    fields.update(change)
    with pytest.raises(ValidationError, match=message):
        event_record(actor=worker, **fields)
    assert not Event.objects.exists()


def test_a_person_cannot_be_associated_with_themself(scene) -> None:
    worker, child, _adult, _place = scene
    with pytest.raises(ValidationError, match="cannot be associated with themself"):
        association_create(
            actor=worker,
            person=child,
            other=child,
            kind="peer",
            source="school",
            reliability="reported",
        )
