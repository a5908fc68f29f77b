"""The partnership graph loaded from the database, its cache, and each viewer's window onto it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from contexts.models import Context
from contexts.services import context_link_create
from events.services import event_record
from mapping import graph
from mapping.graph import (
    build_partnership_index,
    hub_neighbours,
    neighbourhood_for_viewer,
    partnership_index,
)
from mapping.network import CO_OCCURRENCE, context_node, person_node
from people.models import Association, Person
from people.services import association_create, record_share
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db


def associate(actor: User, a: Person, b: Person, **fields: Any) -> Association:
    values = {"kind": "peer", "source": "school DSL", "reliability": "reported"} | fields
    return association_create(actor=actor, person=a, other=b, **values)


def frequents(actor: User, person: Person, place: Context) -> None:
    context_link_create(
        actor=actor,
        context=place,
        person=person,
        kind="frequents",
        source="youth worker",
        reliability="confirmed",
    )


def together(actor: User, *people: Person, sensitivity: str = "standard") -> Any:
    return event_record(
        actor=actor,
        kind="sighting",
        occurred_at=timezone.now() - dt.timedelta(days=2),
        narrative="Seen together near the parade.",
        participants=[(p, "subject_of_concern") for p in people],
        sensitivity=sensitivity,
    )


def observed(index: Any, a: str, b: str) -> list[Any]:
    eid = index.graph.get_eid(index.position[a], index.position[b], error=False)
    return [] if eid < 0 else index.observed(eid)


# --- loading -----------------------------------------------------------------------------------


def test_the_loader_builds_an_edge_per_observation_from_every_kind_of_record(
    personas: dict[str, User],
) -> None:
    worker = personas["practitioner"]
    jay, kai, mo = (make_person(worker, given_name=n) for n in ("Jay", "Kai", "Mo"))
    place = make_location(worker)
    link = associate(worker, jay, kai, reliability="confirmed")
    frequents(worker, jay, place)
    event = together(worker, jay, kai, mo)
    context_link_create(
        actor=worker,
        context=place,
        initials="AB",
        kind="frequents",
        source="x",
        reliability="reported",
    )

    index, restricted = build_partnership_index()

    jk = observed(index, person_node(jay.pk), person_node(kai.pk))
    assert sorted(e.kind for e in jk) == [CO_OCCURRENCE, "peer"]
    peer = next(e for e in jk if e.kind == "peer")
    assert peer.evidence.record == f"association:{link.pk}"
    assert peer.evidence.reliability == "confirmed"
    assert peer.evidence.source == "school DSL"
    assert worker.agency is not None
    assert peer.evidence.recording_agency == worker.agency.name
    assert peer.evidence.recorded_on == timezone.localdate()
    [visit] = observed(index, person_node(jay.pk), context_node(place.pk))
    assert (visit.kind, visit.evidence.source) == ("frequents", "youth worker")
    [co] = observed(index, person_node(kai.pk), person_node(mo.pk))
    assert co.evidence.record == f"event:{event.pk}"
    assert co.evidence.source == "both recorded in the same sighting"
    assert index.kind(person_node(jay.pk)) == "young_person"
    assert index.kind(context_node(place.pk)) == "context"
    # Initials-only links stay on the file; standard events are not restricted.
    assert index.graph.ecount() == 4
    assert restricted == {}


def test_an_event_naming_more_than_twelve_people_gives_no_co_occurrence(
    personas: dict[str, User],
) -> None:
    worker = personas["practitioner"]
    crowd = [make_person(worker, given_name=f"P{i}") for i in range(13)]
    together(worker, *crowd)
    index, _ = build_partnership_index()
    assert index.graph.ecount() == 0


def test_restricted_events_are_remembered_with_their_agency(personas: dict[str, User]) -> None:
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    jay, kai = make_person(worker, given_name="Jay"), make_person(worker, given_name="Kai")
    event = together(officer, jay, kai, sensitivity="restricted")
    _, restricted = build_partnership_index()
    assert restricted == {event.pk: officer.agency_id}


def test_the_cached_graph_is_rebuilt_when_a_link_is_added(personas: dict[str, User]) -> None:
    worker = personas["practitioner"]
    jay, kai, mo = (make_person(worker, given_name=n) for n in ("Jay", "Kai", "Mo"))
    associate(worker, jay, kai)
    first = partnership_index()
    assert partnership_index() is first  # unchanged data: the same object, not rebuilt

    associate(worker, kai, mo)
    second = partnership_index()
    assert second is not first
    assert observed(second, person_node(kai.pk), person_node(mo.pk))


def test_the_cached_graph_is_rebuilt_when_a_link_is_deleted(personas: dict[str, User]) -> None:
    worker = personas["practitioner"]
    jay, kai = make_person(worker, given_name="Jay"), make_person(worker, given_name="Kai")
    link = associate(worker, jay, kai)
    assert observed(partnership_index(), person_node(jay.pk), person_node(kai.pk))
    link.delete()  # no new id: the signal must invalidate the cache
    index = partnership_index()
    assert person_node(jay.pk) not in index.position


def test_participants_added_without_signals_still_invalidate(personas: dict[str, User]) -> None:
    """event_record adds participants with bulk_create (no post_save): the max id catches it."""
    worker = personas["practitioner"]
    jay, kai = make_person(worker, given_name="Jay"), make_person(worker, given_name="Kai")
    first = partnership_index()
    generation = graph._generation
    together(worker, jay, kai)
    graph._generation = generation  # as if the event were saved by another process
    assert observed(partnership_index(), person_node(jay.pk), person_node(kai.pk))
    assert partnership_index() is not first


# --- the viewer's neighbourhood ----------------------------------------------------------------


@pytest.fixture
def web(personas: dict[str, User]) -> dict[str, Any]:
    """Jay (held by CSC) with a peer, a place, an adult police hold alone, someone reachable only
    through that adult, and a peer linked only by a restricted police event."""
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    jay = make_person(worker, given_name="Jay", family_name="Reed")
    kai = make_person(worker, given_name="Kai", family_name="Osei")
    through = make_person(worker, given_name="Dara", family_name="Throughhidden")
    restricted_peer = make_person(worker, given_name="Remy", family_name="Restrictedpeer")
    adult = make_person(
        officer, kind="adult_of_concern", given_name="Vic", family_name="Hiddenadult"
    )
    place = make_location(worker, name="Sallowmere Parade takeaway")
    associate(worker, jay, kai)
    frequents(worker, jay, place)
    associate(officer, jay, adult, kind="adult_of_concern", source="police intelligence")
    associate(officer, adult, through, kind="adult_of_concern", source="police intelligence")
    together(officer, jay, restricted_peer, sensitivity="restricted")
    return {
        "jay": jay,
        "kai": kai,
        "through": through,
        "restricted_peer": restricted_peer,
        "adult": adult,
        "place": place,
    }


def ids(found: Any) -> set[str]:
    return {n.id for n in found.nodes}


def test_a_viewer_sees_only_what_they_may(personas: dict[str, User], web: dict[str, Any]) -> None:
    worker = personas["practitioner"]
    jay = person_node(web["jay"].pk)
    for depth in (1, 2, 3):
        found = neighbourhood_for_viewer(worker, jay, depth)
        assert ids(found) == {jay, person_node(web["kai"].pk), context_node(web["place"].pk)}
        drawn = {n for e in found.edges for n in (e.source, e.target)}
        assert drawn <= ids(found)
    labels = {n.id: n.label for n in found.nodes}
    assert labels[jay] == "Jay Reed"
    assert labels[context_node(web["place"].pk)] == "Sallowmere Parade takeaway"


def test_the_police_see_their_own_records_and_restricted_events(
    personas: dict[str, User], web: dict[str, Any]
) -> None:
    officer = personas["police_practitioner"]
    assert officer.agency is not None
    for key in ("jay", "through", "restricted_peer"):
        record_share(actor=None, person=web[key], agency=officer.agency, reason="Joint work")
    found = neighbourhood_for_viewer(officer, person_node(web["jay"].pk), 2)
    assert person_node(web["adult"].pk) in ids(found)
    assert person_node(web["through"].pk) in ids(found)  # the path is visible to them
    assert person_node(web["restricted_peer"].pk) in ids(found)  # their own restricted event
    assert person_node(web["kai"].pk) not in ids(found)  # Kai's record is not shared


def test_a_record_the_viewer_may_not_open_is_not_a_centre(
    personas: dict[str, User], web: dict[str, Any]
) -> None:
    with pytest.raises(LookupError):
        neighbourhood_for_viewer(personas["practitioner"], person_node(web["adult"].pk), 1)


def test_a_record_with_no_links_is_its_own_neighbourhood(personas: dict[str, User]) -> None:
    worker = personas["practitioner"]
    alone = make_person(worker, given_name="Alone")
    found = neighbourhood_for_viewer(worker, person_node(alone.pk), 2)
    assert ids(found) == {person_node(alone.pk)}
    assert found.edges == []


def test_evidence_from_a_restricted_event_is_dropped_but_other_evidence_stays(
    personas: dict[str, User], web: dict[str, Any]
) -> None:
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    together(officer, web["jay"], web["kai"], sensitivity="restricted")
    kai = person_node(web["kai"].pk)
    for observations in (False, True):
        found = neighbourhood_for_viewer(
            worker, person_node(web["jay"].pk), 1, observations=observations
        )
        [edge] = [e for e in found.edges if kai in (e.source, e.target)]
        assert (edge.kinds, edge.count, edge.reliability) == (("Peer or friend",), 1, "Reported")
        if observations:
            assert [o.kind for o in edge.observations] == ["Peer or friend"]
    # The police, who recorded the restricted event, see it as evidence: two observations.
    assert officer.agency is not None
    for key in ("jay", "kai"):
        record_share(actor=None, person=web[key], agency=officer.agency, reason="Joint work")
    found = neighbourhood_for_viewer(officer, person_node(web["jay"].pk), 1)
    [edge] = [e for e in found.edges if kai in (e.source, e.target)]
    assert edge.count == 2
    assert edge.kinds == ("Peer or friend", "Recorded in the same event")


def test_a_hub_shows_its_strongest_ties_and_how_many_more(personas: dict[str, User]) -> None:
    worker = personas["practitioner"]
    adult = make_person(worker, kind="adult_of_concern", given_name="Hub")
    young = [make_person(worker, given_name=f"Young{i:02d}") for i in range(30)]
    for person in young:
        associate(worker, adult, person, kind="adult_of_concern")
    associate(worker, adult, young[29], source="police")  # the strongest tie
    found = neighbourhood_for_viewer(worker, person_node(adult.pk), 1, cap=10)
    [hub] = [n for n in found.nodes if n.depth == 0]
    assert hub.more == 20
    assert len(found.nodes) == 11
    assert person_node(young[29].pk) in ids(found)

    page = hub_neighbours(worker, person_node(adult.pk), skip=ids(found), limit=15)
    assert len(page.nodes) == 15 and page.remaining == 5
    assert not ids(found) & {n.id for n in page.nodes}
    assert all(e.source == person_node(adult.pk) for e in page.edges)


def test_show_more_never_counts_or_returns_hidden_people(personas: dict[str, User]) -> None:
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    adult = make_person(worker, kind="adult_of_concern", given_name="Hub")
    for i in range(5):
        associate(worker, adult, make_person(worker, given_name=f"Seen{i}", family_name=""))
    for i in range(7):
        associate(worker, adult, make_person(officer, given_name=f"Unseen{i}", family_name=""))
    found = neighbourhood_for_viewer(worker, person_node(adult.pk), 1, cap=2)
    assert found.nodes[0].more == 3
    page = hub_neighbours(worker, person_node(adult.pk), skip=ids(found), limit=10)
    assert {n.label for n in page.nodes} == {f"Seen{i}" for i in range(5)} - {
        n.label for n in found.nodes
    }
    assert page.remaining == 0


def test_neighbourhood_query_count_does_not_grow_with_its_size(
    personas: dict[str, User],
) -> None:
    worker = personas["practitioner"]
    small, large = make_person(worker, given_name="Small"), make_person(worker, given_name="Large")
    friend = make_person(worker, given_name="Friend")
    associate(worker, small, friend)
    frequents(worker, friend, make_location(worker, name="Park"))
    for i in range(40):
        friend = make_person(worker, given_name=f"F{i}")
        associate(worker, large, friend)
        frequents(worker, friend, make_location(worker, name=f"Place {i}"))
    neighbourhood_for_viewer(worker, person_node(small.pk), 1)  # warm the graph and the roles
    counts = []
    for centre in (small, large):
        with CaptureQueriesContext(connection) as captured:
            found = neighbourhood_for_viewer(worker, person_node(centre.pk), 2, cap=50)
        counts.append(len(captured))
    assert len(found.nodes) == 81
    # One query, whatever the size: the graph version (with the largest share id). Who may be
    # seen is the permitted set held for the viewer; names come with the graph.
    assert counts[0] == counts[1] == 1


@pytest.mark.django_db
def test_in_production_a_worker_answers_from_its_graph_while_one_thread_rebuilds(
    personas: dict[str, User], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    worker = personas["practitioner"]
    jay, kai, mo = (make_person(worker, given_name=n) for n in ("Jay", "Kai", "Mo"))
    associate(worker, jay, kai)
    first = partnership_index()
    settings.NETWORK_GRAPH_BACKGROUND = True
    settings.NETWORK_GRAPH_MIN_INTERVAL = 0
    started, release, built = threading.Event(), threading.Event(), []
    real_build = graph.build_partnership_index
    fresh = real_build()  # built here: the thread's own connection cannot see this test's rows
    labels = graph.load_labels()
    monkeypatch.setattr(graph, "load_labels", lambda: labels)

    def slow_build() -> Any:
        started.set()
        release.wait(5)
        built.append(True)
        return fresh

    monkeypatch.setattr(graph, "build_partnership_index", slow_build)
    associate(worker, kai, mo)

    assert partnership_index() is first  # answered at once from the graph it holds
    assert started.wait(5)
    assert partnership_index() is first  # a second request starts no second rebuild
    release.set()
    for _ in range(100):
        if partnership_index() is fresh[0]:
            break
        threading.Event().wait(0.05)
    assert partnership_index() is fresh[0]
    assert built == [True]
