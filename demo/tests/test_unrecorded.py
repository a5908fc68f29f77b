"""What nobody has recorded yet: busy places and groups the suggested-contexts queue must find.

The borough's recorded hotspots and peer groups all have an open context, so a queue of
suggestions should leave them out. These tests check that the generator also plants places and
groups with no context at all, where the plan says, with what the plan says, and that Getis-Ord
Gi* (as the hotspot map runs it) calls each unrecorded place a hot spot at 99%.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable

import h3  # type: ignore[import-untyped]  # h3 4.x ships no py.typed marker
import pytest

from contexts.models import Context, ContextKind, ContextLink
from demo.borough import geography
from demo.borough.event_plan import event_chunk
from demo.borough.generator import BoroughSummary, generate
from demo.borough.planted import Planted, planted
from demo.borough.rows import EventRow
from demo.borough.scales import SCALES
from demo.borough.unrecorded_plan import (
    GROUP_EVENTS,
    all_event_chunks,
    plan_unrecorded,
    unrecorded_associations,
)
from demo.borough.world import World, plan_world
from demo.services import demo_partnership_load
from events.cells import event_cell
from events.models import Event, EventParticipant, ParticipantRole
from mapping.counting import _cell_counts
from mapping.hotspots import Significance, gi_star, study_area
from people.codes import AssociationKind, PersonKind, Reliability
from people.models import Association, Person

DEMO = SCALES["demo"]


def _metres(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    north = (lat1 - lat0) * geography.METRES_PER_DEGREE_LAT
    east = (lon1 - lon0) * geography.METRES_PER_DEGREE_LON
    return math.hypot(north, east)


@pytest.fixture(scope="module")
def demo_world() -> World:
    return plan_world("demo", 2026)


@pytest.fixture(scope="module")
def demo_events(demo_world: World) -> list[EventRow]:
    return [r for chunk in all_event_chunks(demo_world) for r in chunk]


# --- From the plan alone -------------------------------------------------------------------------


def test_unrecorded_hotspots_are_away_from_every_location_on_record(demo_world: World) -> None:
    assert len(geography.UNRECORDED_HOTSPOTS) == 2
    names = {c.name for c in demo_world.places.contexts}
    for spot in geography.UNRECORDED_HOTSPOTS:
        assert spot.name not in names
        assert geography.ward_at(spot.latitude, spot.longitude) is not None
        assert 60 <= spot.radius_m <= 120
        for recorded in geography.HOTSPOTS:
            distance = _metres(spot.latitude, spot.longitude, recorded.latitude, recorded.longitude)
            assert distance > 600, (spot.name, recorded.name)
        # With the default seed no location context of any kind is near, so nothing on record
        # covers the cell or its neighbours.
        for context in demo_world.places.contexts:
            if context.kind == ContextKind.LOCATION and context.latitude is not None:
                assert context.longitude is not None
                distance = _metres(
                    spot.latitude, spot.longitude, context.latitude, context.longitude
                )
                assert distance > 400, (spot.name, context.name)


def test_planted_lists_what_nobody_has_recorded(demo_world: World) -> None:
    result = planted(2026, "demo")
    assert result == planted(2026, "demo")
    assert [h.name for h in result.unrecorded_hotspots] == [
        s.name for s in geography.UNRECORDED_HOTSPOTS
    ]
    for hotspot, spot in zip(
        result.unrecorded_hotspots, geography.UNRECORDED_HOTSPOTS, strict=True
    ):
        assert (hotspot.latitude, hotspot.longitude, hotspot.radius_m) == (
            spot.latitude,
            spot.longitude,
            spot.radius_m,
        )
        assert hotspot.approx_events == DEMO.unrecorded_spot_events
        # As busy as the recorded hotspots, not a trickle.
        assert hotspot.approx_events > min(h.approx_events for h in result.hotspots)
        assert hotspot.cell == event_cell(spot.latitude, spot.longitude)
        assert hotspot.events is None  # filled in by the generator

    groups = result.unrecorded_groups
    assert [g.name for g in groups] == ["Unrecorded group A", "Unrecorded group B"]
    sketches = demo_world.cast.sketches
    recorded_adults = {a for g in demo_world.places.groups for a in g.adults}
    everyone: list[int] = []
    for group in groups:
        assert 5 <= len(group.member_indexes) <= 7
        assert len(group.members) == len(group.member_indexes)
        assert group.hotspot in {s.name for s in geography.UNRECORDED_HOTSPOTS}
        for member in group.member_indexes:
            assert sketches[member].kind == PersonKind.YOUNG_PERSON
            assert 13 <= sketches[member].age <= 17
            assert member not in demo_world.groups_of  # in no peer group, recorded or not
        (adult,) = group.adult_indexes
        assert sketches[adult].kind == PersonKind.ADULT_OF_CONCERN
        assert adult not in recorded_adults
        assert len(group.adults) == 1
        everyone += [*group.member_indexes, *group.adult_indexes]
    assert len(everyone) == len(set(everyone))  # no one in two unrecorded groups


def test_every_scale_plants_unrecorded_groups() -> None:
    assert len(planted(2026, "tiny").unrecorded_groups) == 1
    county = plan_unrecorded(plan_world("county", 2026))
    assert len(county.groups) == 6


def test_the_background_only_gets_shorter(demo_world: World) -> None:
    # The unrecorded events come out of the total from streams of their own: the background is
    # what it would be without them, only shorter.
    without = plan_world(dataclasses.replace(DEMO, unrecorded_spot_events=0), 2026)
    background = event_chunk(demo_world, 0)
    assert len(background) == DEMO.events - 2 * DEMO.unrecorded_spot_events
    assert event_chunk(without, 0)[: len(background)] == background
    assert without.places.contexts == demo_world.places.contexts


def test_unrecorded_hotspot_events_are_where_the_plan_says(
    demo_world: World, demo_events: list[EventRow]
) -> None:
    assert len(demo_events) == DEMO.events
    result = planted(2026, "demo")
    by_place = Counter(e.place_description for e in demo_events)
    for hotspot in result.unrecorded_hotspots:
        at = [e for e in demo_events if e.place_description == hotspot.name]
        assert len(at) == by_place[hotspot.name] == hotspot.approx_events
        neighbourhood = set(h3.grid_disk(hotspot.cell, 1))
        cells = Counter(event_cell(e.latitude, e.longitude) for e in at)
        assert set(cells) <= neighbourhood
        assert cells[hotspot.cell] > 0.6 * len(at)  # mostly in the centre's cell
        for event in at:
            assert event.location is None
            assert event.latitude is not None and event.longitude is not None
            distance = _metres(hotspot.latitude, hotspot.longitude, event.latitude, event.longitude)
            assert distance <= hotspot.radius_m + 1
            assert event.narrative and event.harm_types
        # No background event is recorded at a context near it either.
        near = [
            e
            for e in demo_events
            if e.location is not None
            and e.latitude is not None
            and event_cell(e.latitude, e.longitude) in neighbourhood
        ]
        assert near == []


def test_unrecorded_groups_are_seen_together_and_linked(
    demo_world: World, demo_events: list[EventRow]
) -> None:
    result = planted(2026, "demo")
    associations = unrecorded_associations(demo_world, plan_unrecorded(demo_world))
    for group in result.unrecorded_groups:
        members = set(group.member_indexes)
        together = [e for e in demo_events if len(members & {p for p, _ in e.participants}) >= 3]
        assert len(together) >= GROUP_EVENTS
        at_home = [e for e in together if e.place_description == group.hotspot]
        assert len(at_home) > len(together) / 2
        for event in together:
            for person, role in event.participants:
                if person in members:
                    assert role in (ParticipantRole.HARMED, ParticipantRole.SUBJECT_OF_CONCERN)

        peers = [
            a
            for a in associations
            if a.kind == AssociationKind.PEER and {a.person, a.other} <= members
        ]
        assert _connected(members, ((a.person, a.other) for a in peers))
        assert all(a.reliability in (Reliability.REPORTED, Reliability.CONFIRMED) for a in peers)
        assert all(a.source and a.recorded_by and a.ended_on is None for a in peers)
        (adult,) = group.adult_indexes
        linked = {
            a.other
            for a in associations
            if a.kind == AssociationKind.ADULT_OF_CONCERN and a.person == adult
        }
        assert linked <= members and len(linked) > len(members) / 2


def _connected(nodes: set[int], edges: Iterable[tuple[int, int]]) -> bool:
    neighbours: dict[int, set[int]] = {n: set() for n in nodes}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    start = next(iter(nodes))
    seen, todo = {start}, [start]
    while todo:
        for other in neighbours[todo.pop()] - seen:
            seen.add(other)
            todo.append(other)
    return seen == nodes


# --- In the database -----------------------------------------------------------------------------


@pytest.fixture
def partnership(db: None) -> None:
    demo_partnership_load(password="demo-password-for-tests")


def _check_stored(summary: BoroughSummary) -> Planted:
    """What the generator says it planted is in the database, with nothing on record for it."""
    result = summary.planted
    assert Event.objects.count() == SCALES[summary.scale].events
    for hotspot in result.unrecorded_hotspots:
        events = Event.objects.filter(place_description=hotspot.name)
        assert hotspot.events == events.count() == hotspot.approx_events
        assert not events.filter(location__isnull=False).exists()
        assert not events.filter(h3_cell="").exists()
        assert events.filter(h3_cell=hotspot.cell).count() > 0.6 * hotspot.events
        assert not Context.objects.filter(name=hotspot.name).exists()
    assert result.unrecorded_groups
    for group in result.unrecorded_groups:
        people = Person.objects.in_bulk([*group.member_pks, *group.adult_pks])
        names = [f"{people[pk].given_name} {people[pk].family_name}" for pk in group.member_pks]
        assert names == list(group.members)
        assert all(people[pk].kind == PersonKind.ADULT_OF_CONCERN for pk in group.adult_pks)
        members = set(group.member_pks)
        # In no peer-group context: no member_of link to one, whoever recorded it.
        assert not ContextLink.objects.filter(
            person_id__in=members, context__kind=ContextKind.PEER_GROUP
        ).exists()
        peers = Association.objects.filter(
            kind=AssociationKind.PEER, person_id__in=members, other_id__in=members
        )
        assert _connected(members, peers.values_list("person_id", "other_id"))
        (adult,) = group.adult_pks
        linked = set(
            Association.objects.filter(
                kind=AssociationKind.ADULT_OF_CONCERN, person_id=adult, other_id__in=members
            ).values_list("other_id", flat=True)
        )
        assert len(linked) > len(members) / 2
        seen = Counter(
            EventParticipant.objects.filter(person_id__in=members).values_list(
                "event_id", flat=True
            )
        )
        together = [event for event, count in seen.items() if count >= 3]
        assert len(together) >= GROUP_EVENTS
        assert not EventParticipant.objects.filter(
            event_id__in=together, person_id__in=members, role=ParticipantRole.HARMING
        ).exists()
    return result


def _hot_99_near(results: dict[str, Significance], cell: str) -> bool:
    return any(results.get(c) == Significance.HOT_99 for c in h3.grid_disk(cell, 1))


def test_the_tiny_borough_stores_what_nobody_has_recorded(partnership: None) -> None:
    summary = generate("tiny")
    result = _check_stored(summary)
    assert summary.counts["unrecorded_events"] == sum(
        h.approx_events for h in result.unrecorded_hotspots
    )
    assert summary.as_dict()["planted"]["unrecorded_groups"][0]["member_pks"]
    # The summary matches what planted() works out without the database.
    plan = planted(2026, "tiny")
    assert [dataclasses.replace(h, events=None) for h in result.unrecorded_hotspots] == list(
        plan.unrecorded_hotspots
    )
    assert [
        dataclasses.replace(g, member_pks=(), adult_pks=()) for g in result.unrecorded_groups
    ] == list(plan.unrecorded_groups)


def test_gi_star_finds_each_unrecorded_hotspot_in_the_demo_borough(partnership: None) -> None:
    summary = generate("demo")
    result = _check_stored(summary)
    # As the hotspot map counts and calls it: one count per stored cell, the empty ring around.
    counts = _cell_counts(Event.objects.all())
    significance = {r.cell: r.significance for r in gi_star(study_area(counts, k=1), k=1)}
    for hotspot in result.unrecorded_hotspots:
        assert _hot_99_near(significance, hotspot.cell), hotspot.name
    # And a cell far from every hotspot, recorded or not, is not.
    quiet = event_cell(geography.BOROUGH.north - 0.001, geography.BOROUGH.west + 0.001)
    assert significance.get(quiet, Significance.NOT_SIGNIFICANT) != Significance.HOT_99
