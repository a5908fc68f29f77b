"""The permitted set each process holds per viewer: access that ends ends on the map at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Agency, User
from mapping import graph
from mapping.graph import neighbourhood_for_viewer
from mapping.network import person_node
from people.models import Person, RecordShare
from people.services import association_create, break_glass, record_share
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_held_sets() -> Any:
    graph.forget_viewer_masks()
    yield
    graph.forget_viewer_masks()


@pytest.fixture
def pair(personas: dict[str, User]) -> dict[str, Any]:
    """Jay, held by the practitioner's agency, linked to Vic, held by the police only."""
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    jay = make_person(worker, given_name="Jay", family_name="Reed")
    vic = make_person(officer, given_name="Vic", family_name="Policeheld")
    association_create(
        actor=officer,
        person=jay,
        other=vic,
        kind="peer",
        source="police intelligence",
        reliability="reported",
    )
    return {"worker": worker, "jay": jay, "vic": vic}


def agency_of(user: User) -> Agency:
    assert user.agency is not None
    return user.agency


def shown(viewer: User, person: Person) -> set[str]:
    found = neighbourhood_for_viewer(viewer, person_node(person.pk), 2)
    ids = {n.id for n in found.nodes}
    drawn = {n for e in found.edges for n in (e.source, e.target)}
    assert drawn <= ids
    return ids


def test_a_share_shows_the_person_and_its_deletion_hides_them_at_once(
    pair: dict[str, Any],
) -> None:
    worker, jay, vic = pair["worker"], pair["jay"], pair["vic"]
    assert person_node(vic.pk) not in shown(worker, jay)  # the set is now held
    share = record_share(actor=None, person=vic, agency=agency_of(worker), reason="Joint work")
    assert person_node(vic.pk) in shown(worker, jay)
    share.delete()
    assert person_node(vic.pk) not in shown(worker, jay)


def test_a_break_glass_share_ends_on_the_map_the_moment_it_expires(
    pair: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, jay, vic = pair["worker"], pair["jay"], pair["vic"]
    share = break_glass(actor=worker, person=vic, reason="Missing tonight, police hold the record")
    assert share.expires_at is not None
    assert person_node(vic.pk) in shown(worker, jay)
    mask = graph._viewer_mask(worker, graph.partnership_graph(), graph._versions()[1])
    vertex = graph.partnership_graph().index.position[person_node(vic.pk)]
    assert mask[vertex]

    later = share.expires_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    # The held set itself knows when the share it relies on expires: no write, no signal.
    held = graph._viewer_mask(worker, graph.partnership_graph(), graph._versions()[1])
    assert not held[vertex]
    assert person_node(vic.pk) not in shown(worker, jay)


def test_access_cut_short_by_another_process_ends_within_the_age_limit(
    pair: dict[str, Any], settings: Any
) -> None:
    """A write this process's signals never see (another worker, a raw update) is bounded by
    NETWORK_VISIBILITY_MAX_AGE."""
    worker, jay, vic = pair["worker"], pair["jay"], pair["vic"]
    record_share(actor=None, person=vic, agency=agency_of(worker), reason="Joint work")
    assert person_node(vic.pk) in shown(worker, jay)
    generation = graph._share_generation
    RecordShare.objects.filter(person=vic, agency=worker.agency).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert graph._share_generation == generation  # no signal: the held set is out of date
    assert person_node(vic.pk) in shown(worker, jay)  # for at most the age limit
    settings.NETWORK_VISIBILITY_MAX_AGE = 0
    graph.forget_viewer_masks()  # as when the held set's age limit passes
    assert person_node(vic.pk) not in shown(worker, jay)


def test_a_merged_person_disappears_at_once(pair: dict[str, Any]) -> None:
    worker, jay, vic = pair["worker"], pair["jay"], pair["vic"]
    record_share(actor=None, person=vic, agency=agency_of(worker), reason="Joint work")
    assert person_node(vic.pk) in shown(worker, jay)
    vic.merged_into = make_person(worker, given_name="Victor")
    vic.save(update_fields=["merged_into"])
    assert person_node(vic.pk) not in shown(worker, jay)


def test_a_rename_shows_at_once(pair: dict[str, Any]) -> None:
    worker, jay = pair["worker"], pair["jay"]
    shown(worker, jay)
    jay.given_name = "Jayden"
    jay.save(update_fields=["given_name"])
    found = neighbourhood_for_viewer(worker, person_node(jay.pk), 1)
    assert found.nodes[0].label == "Jayden Reed"


def test_a_share_added_by_another_process_is_seen_at_once(pair: dict[str, Any]) -> None:
    worker, jay, vic = pair["worker"], pair["jay"], pair["vic"]
    assert person_node(vic.pk) not in shown(worker, jay)
    # bulk_create sends no post_save: the largest share id read with the graph version does.
    RecordShare.objects.bulk_create(
        [RecordShare(person=vic, agency=agency_of(worker), route=RecordShare.Route.SHARED)]
    )
    assert person_node(vic.pk) in shown(worker, jay)


def test_the_held_set_is_per_viewer_and_per_role(
    pair: dict[str, Any], personas: dict[str, User]
) -> None:
    worker, jay, vic = pair["worker"], pair["jay"], pair["vic"]
    officer = personas["police_practitioner"]
    assert officer.agency is not None
    record_share(actor=None, person=jay, agency=officer.agency, reason="Joint work")
    assert person_node(vic.pk) in shown(officer, jay)
    assert person_node(vic.pk) not in shown(worker, jay)  # not the officer's set
    officer.role_grants.all().delete()
    officer.forget_roles()
    with pytest.raises(LookupError):  # no case-work role left: nobody is visible
        shown(officer, jay)


def test_a_held_set_is_reused_and_reloaded_after_its_age_limit(
    pair: dict[str, Any], settings: Any
) -> None:
    worker, jay = pair["worker"], pair["jay"]
    shown(worker, jay)
    with CaptureQueriesContext(connection) as warm:
        shown(worker, jay)
    graph.forget_viewer_masks()
    settings.NETWORK_VISIBILITY_MAX_AGE = 0
    shown(worker, jay)
    with CaptureQueriesContext(connection) as aged:
        shown(worker, jay)
    assert len(aged) == len(warm) + 2  # the first expiry and the permitted people, again
