from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from audit.models import AccessEvent
from contexts.geo import parse_geometry
from contexts.models import Context, ContextKind, ContextLink
from demo.borough import geography
from demo.borough.event_plan import event_chunk
from demo.borough.generator import generate
from demo.borough.link_plan import association_chunks, context_link_chunks
from demo.borough.people_plan import PEOPLE_CHUNK, chunk_count, people_chunk
from demo.borough.planted import planted
from demo.borough.progress import Progress
from demo.borough.rows import EventRow, PersonRow
from demo.borough.scales import SCALES
from demo.borough.timeline import WINDOW_END, WINDOW_START, is_school_day
from demo.borough.unrecorded_plan import all_event_chunks
from demo.borough.world import World, plan_world
from demo.services import demo_partnership_load
from events.models import Event, EventKind, EventParticipant, HarmType, ParticipantRole
from people.codes import IdentifierScheme, PersonKind
from people.models import Association, Person, PersonName, RecordShare
from people.names import name_keys
from people.services import _valid_nhs_number

pytestmark = pytest.mark.django_db

TINY = SCALES["tiny"]


def _people(world: World) -> list[PersonRow]:
    chunks = chunk_count(world.scale.people, PEOPLE_CHUNK)
    return [r for c in range(chunks) for r in people_chunk(world.cast, world.seed, c)]


def _events(world: World) -> list[EventRow]:
    """Every event: the background, then those at the unrecorded hotspots."""
    return [r for chunk in all_event_chunks(world) for r in chunk]


@pytest.fixture(scope="module")
def demo_world() -> World:
    return plan_world("demo", 2026)


@pytest.fixture(scope="module")
def demo_events(demo_world: World) -> list[EventRow]:
    return _events(demo_world)


# --- The plan is a pure function of the seed --------------------------------------------------


def test_same_seed_same_borough() -> None:
    first, second = plan_world("tiny", 2026), plan_world("tiny", 2026)
    assert _people(first) == _people(second)
    assert event_chunk(first, 0) == event_chunk(second, 0)
    assert list(association_chunks(first)) == list(association_chunks(second))
    assert list(context_link_chunks(first)) == list(context_link_chunks(second))
    assert first.places.contexts == second.places.contexts


def test_another_seed_another_borough() -> None:
    first, second = plan_world("tiny", 2026), plan_world("tiny", 7)
    snapshot = [(p.given_name, p.family_name, p.date_of_birth) for p in _people(first)]
    other = [(p.given_name, p.family_name, p.date_of_birth) for p in _people(second)]
    assert snapshot != other
    # The map does not depend on the seed.
    assert first.places.contexts[0].name == second.places.contexts[0].name


def test_a_chunk_can_be_rebuilt_alone(demo_world: World, demo_events: list[EventRow]) -> None:
    assert event_chunk(demo_world, 0) == demo_events[: len(event_chunk(demo_world, 0))]


def test_counts_follow_the_scale(demo_world: World, demo_events: list[EventRow]) -> None:
    scale = demo_world.scale
    kinds = Counter(r.kind for r in _people(demo_world))
    assert kinds == {
        PersonKind.YOUNG_PERSON: scale.young_people,
        PersonKind.ADULT_OF_CONCERN: scale.adults_of_concern,
        PersonKind.PARENT_CARER: scale.parents_carers,
        PersonKind.OTHER: scale.others,
    }
    contexts = Counter(c.kind for c in demo_world.places.contexts)
    assert contexts == {
        ContextKind.LOCATION: scale.locations,
        ContextKind.PEER_GROUP: scale.peer_groups,
        ContextKind.EDUCATION_SETTING: scale.education_settings,
        ContextKind.ONLINE_SPACE: scale.online_spaces,
    }
    assert len(demo_events) == scale.events
    assert sum(map(len, association_chunks(demo_world))) == scale.associations
    assert sum(map(len, context_link_chunks(demo_world))) == scale.context_links


# --- Geography --------------------------------------------------------------------------------


def _area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


Point = list[float]


def _segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    def turn(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return turn(a, b, c) * turn(a, b, d) < 0 and turn(c, d, a) * turn(c, d, b) < 0


def test_ward_boundaries_are_valid_geojson_that_tiles_the_borough() -> None:
    wards = geography.ward_boundaries()
    assert wards == geography.ward_boundaries()
    assert json.loads(json.dumps(wards)) == wards
    assert wards["type"] == "FeatureCollection"
    assert len(wards["features"]) == 12
    assert len({f["properties"]["name"] for f in wards["features"]}) == 12
    bounds = geography.BOROUGH
    total = 0.0
    for feature in wards["features"]:
        assert feature["type"] == "Feature"
        parse_geometry(feature["geometry"])  # the app's own validation accepts it
        (ring,) = feature["geometry"]["coordinates"]
        assert len(ring) >= 4 and ring[0] == ring[-1]
        assert all(bounds.contains(lat, lon) for lon, lat in ring)
        assert _area(ring) > 0  # anticlockwise, as RFC 7946 asks
        edges = list(itertools.pairwise(ring))
        for (i, e), (j, f) in itertools.combinations(enumerate(edges), 2):
            if j - i > 1 and not (i == 0 and j == len(edges) - 1):
                assert not _segments_cross(*e, *f), feature["properties"]["name"]
        total += _area(ring)
    rectangle = (bounds.north - bounds.south) * (bounds.east - bounds.west)
    assert total == pytest.approx(rectangle, rel=1e-4)


def test_streets_and_hotspots_lie_in_their_wards() -> None:
    for street in geography.streets():
        assert geography.ward_at(street.latitude, street.longitude) == street.ward
    assert len({s.name for s in geography.streets()}) == len(geography.streets())
    for spot in geography.HOTSPOTS:
        assert geography.BOROUGH.contains(spot.latitude, spot.longitude)


def test_every_position_is_inside_the_borough(
    demo_world: World, demo_events: list[EventRow]
) -> None:
    inside = geography.BOROUGH.contains
    for context in demo_world.places.contexts:
        if context.latitude is not None:
            assert context.longitude is not None
            assert inside(context.latitude, context.longitude), context.name
            geometry = parse_geometry(context.geometry or {})
            if geometry["type"] == "Point":
                assert geometry["coordinates"] == [context.longitude, context.latitude]
    located = [e for e in demo_events if e.latitude is not None]
    assert len(located) > 0.8 * len(demo_events)
    for event in located:
        assert event.latitude is not None and event.longitude is not None
        assert inside(event.latitude, event.longitude)


# --- People -----------------------------------------------------------------------------------


def test_people_are_plausible(demo_world: World) -> None:
    people = _people(demo_world)
    young = [p for p in people if p.kind == PersonKind.YOUNG_PERSON]
    ages = [demo_world.cast.sketches[p.index].age for p in young]
    assert min(ages) >= 10 and max(ages) <= 25
    assert sum(13 <= a <= 17 for a in ages) > 0.6 * len(ages)
    assert 0.5 < sum(p.sex == "male" for p in young) / len(young) < 0.7
    assert len({p.ethnicity for p in people}) >= 15
    unknown = [p for p in people if p.date_of_birth is None]
    assert unknown and all(p.age_band for p in unknown)
    assert any(p.flags for p in young)
    kinds = Counter(n.kind for p in people for n in p.names)
    assert kinds[PersonName.Kind.ALIAS] > 0 and kinds[PersonName.Kind.KNOWN_AS] > 0
    for person in people:
        assert [s.route for s in person.shares].count(RecordShare.Route.HOLDER) == 1
        assert person.shares[0].agency == person.holding_agency
        assert all(a.line_1 and a.postcode.startswith("BK") for a in person.addresses)


def test_identifiers_are_unique_and_nhs_numbers_valid(demo_world: World) -> None:
    identifiers = [i for p in _people(demo_world) for i in p.identifiers]
    pairs = [(i.scheme, i.value) for i in identifiers]
    assert len(pairs) == len(set(pairs))
    nhs = [i.value for i in identifiers if i.scheme == IdentifierScheme.NHS_NUMBER]
    assert nhs and all(_valid_nhs_number(v) and v.startswith("999") for v in nhs)
    assert {i.scheme for i in identifiers} == set(IdentifierScheme.values)


# --- Events and links ------------------------------------------------------------------------


def test_roles_are_consistent(demo_world: World, demo_events: list[EventRow]) -> None:
    kinds = {i: s.kind for i, s in enumerate(demo_world.cast.sketches)}
    for event in demo_events:
        roles = {person: role for person, role in event.participants}
        assert len(roles) == len(event.participants)  # one role per person
        with_adult = any(kinds[p] == PersonKind.ADULT_OF_CONCERN for p in roles)
        for person, role in roles.items():
            if kinds[person] == PersonKind.ADULT_OF_CONCERN:
                assert role in (ParticipantRole.HARMING, ParticipantRole.SUBJECT_OF_CONCERN)
            if kinds[person] == PersonKind.YOUNG_PERSON and with_adult:
                assert role != ParticipantRole.HARMING
        assert any(kinds[p] == PersonKind.YOUNG_PERSON for p in roles)


def test_events_follow_their_kind(demo_events: list[EventRow]) -> None:
    for event in demo_events:
        assert WINDOW_START <= event.occurred_at < WINDOW_END
        assert event.occurred_at.tzinfo is not None
        assert event.narrative and event.harm_types == sorted(set(event.harm_types))
        if event.kind == EventKind.MISSING_FOUND:
            assert HarmType.MISSING in event.harm_types
            assert event.ended_at is not None and event.ended_at > event.occurred_at
        else:
            assert event.ended_at is None
        if event.kind == EventKind.EXCLUSION:
            assert is_school_day(event.occurred_at.date())
    intelligence = [e for e in demo_events if e.kind == EventKind.INTELLIGENCE]
    restricted = sum(e.sensitivity == "restricted" for e in intelligence) / len(intelligence)
    assert 0.05 < restricted < 0.15
    assert all(e.sensitivity == "standard" for e in demo_events if e.kind != "intelligence")
    # About 65% of the background is at a location context; none of the events at the
    # unrecorded hotspots (the last ones) is, which is the point of them.
    background = demo_events[: SCALES["demo"].background_events]
    located = sum(e.location is not None for e in background) / len(background)
    assert 0.6 <= located <= 0.7
    assert all(e.location is None for e in demo_events[len(background) :])


def test_events_have_rhythm(demo_events: list[EventRow]) -> None:
    by_month = Counter(e.occurred_at.month for e in demo_events)
    assert by_month[8] > by_month[1] * 1.3
    weekday = Counter(e.occurred_at.weekday() for e in demo_events)
    assert weekday[5] > weekday[1] * 1.2


def test_links_are_recorded_plausibly(demo_world: World) -> None:
    associations = [r for c in association_chunks(demo_world) for r in c]
    assert Counter(a.kind for a in associations).most_common(1)[0][0] == "peer"
    assert len({a.kind for a in associations}) == 5
    assert all(a.person != a.other and a.recorded_by and a.source for a in associations)
    links = [r for c in context_link_chunks(demo_world) for r in c]
    initials_only = [link for link in links if link.person is None]
    assert initials_only and all(len(link.initials) == 4 for link in initials_only)
    assert {"member_of", "attends", "frequents", "exploited_at"} <= {link.kind for link in links}


def test_text_uses_non_blaming_language(demo_world: World, demo_events: list[EventRow]) -> None:
    texts = [e.narrative for e in demo_events]
    texts += [c.name + " " + c.description for c in demo_world.places.contexts]
    texts += [a.notes for c in association_chunks(demo_world) for a in c]
    for text in texts:
        lowered = text.lower()
        assert "involved in" not in lowered and "gang" not in lowered, text


def test_planted_groups_overlap_and_meet_at_their_base(
    demo_world: World, demo_events: list[EventRow]
) -> None:
    groups = [g for g in demo_world.places.groups if g.planted]
    membership = Counter(m for g in groups for m in g.members)
    assert max(membership.values()) == 2  # some young people are in two groups, none in three
    for group in groups:
        together = [
            e
            for e in demo_events
            if e.location == group.base
            and sum(p in group.members for p, _role in e.participants) >= 2
        ]
        assert len(together) >= 5


def test_planted_describes_the_plan() -> None:
    result = planted(2026, "tiny")
    assert [h.name for h in result.hotspots] == [h.name for h in geography.HOTSPOTS]
    for hotspot in result.hotspots:
        assert hotspot.approx_events > 3 * hotspot.average_location_events
    assert len(result.peer_groups) == TINY.peer_groups
    assert all(g.members and len(g.members) == len(g.member_indexes) for g in result.peer_groups)
    assert result == planted(2026, "tiny")


def test_progress_bar_text() -> None:
    out = StringIO()
    ticks = iter(range(100))
    bar = Progress(out, "events", 1_000_000, clock=lambda: float(next(ticks)))
    bar.advance(500_000)
    assert out.getvalue() == "events        [#####.....] 500,000/1,000,000  1s\n"


# --- Writing it to the database -------------------------------------------------------------


@pytest.fixture
def partnership() -> None:
    demo_partnership_load(password="demo-password-for-tests")


def test_generate_borough_needs_the_partnership() -> None:
    with pytest.raises(CommandError, match="Run demo_setup first"):
        call_command("generate_borough", "--scale", "tiny", stdout=StringIO())


def test_generate_borough_writes_the_tiny_borough(partnership: None) -> None:
    out = StringIO()
    call_command("generate_borough", "--scale", "tiny", stdout=out)
    printed = out.getvalue()
    assert "events        [##########] 300/300" in printed
    summary = json.loads(printed[printed.index("{") : printed.rindex("}") + 1])

    assert Person.objects.count() == TINY.people == summary["counts"]["people"]
    assert Context.objects.count() == TINY.contexts
    assert Event.objects.count() == TINY.events
    # The unrecorded groups' associations come on top of the scale's links.
    extra = summary["counts"]["unrecorded_associations"]
    assert extra > 0
    assert Association.objects.count() + ContextLink.objects.count() == TINY.links + extra
    assert EventParticipant.objects.count() == summary["counts"]["participants"]

    # The database holds exactly what the pure plan says, so determinism carries over.
    world = plan_world("tiny", 2026)
    planned = [(p.given_name, p.family_name, p.date_of_birth) for p in _people(world)]
    stored = list(
        Person.objects.order_by("pk").values_list("given_name", "family_name", "date_of_birth")
    )
    assert stored == planned
    planned_events = sorted((e.occurred_at, e.kind) for e in _events(world))
    assert sorted(Event.objects.values_list("occurred_at", "kind")) == planned_events

    # Nobody is invisible: everyone has exactly one holder share, with their holding agency.
    holders = RecordShare.objects.filter(route=RecordShare.Route.HOLDER)
    assert holders.count() == TINY.people
    assert not holders.exclude(agency_id=F("person__holding_agency_id")).exists()

    # Search keys were set even though bulk_create skips save().
    for name in PersonName.objects.all():
        assert (name.normalised, name.phonetic) == name_keys(name.name)

    # Hotspots stand out from ordinary locations.
    hotspot_names = {h.name for h in geography.HOTSPOTS}
    per_location = Counter(
        Event.objects.filter(location__isnull=False).values_list("location__name", flat=True)
    )
    ordinary = [
        per_location.get(c.name, 0)
        for c in Context.objects.filter(kind=ContextKind.LOCATION).exclude(name__in=hotspot_names)
    ]
    average = sum(ordinary) / len(ordinary)
    for hotspot in summary["planted"]["hotspots"]:
        assert per_location[hotspot["name"]] == hotspot["events"] > 3 * average

    # Planted peer groups point at real records.
    for group in summary["planted"]["peer_groups"]:
        people = Person.objects.in_bulk(group["member_pks"])
        names = [f"{people[pk].given_name} {people[pk].family_name}" for pk in group["member_pks"]]
        assert names == group["members"]

    audit = AccessEvent.objects.get(object_type="demo.borough")
    assert audit.object_label == "Generated fictional borough (tiny, seed 2026)"
    assert audit.changes["counts"]["events"] == TINY.events


def test_generate_borough_runs_once(partnership: None) -> None:
    call_command("generate_borough", "--scale", "tiny", stdout=StringIO())
    again = StringIO()
    call_command("generate_borough", "--scale", "tiny", stdout=again)
    assert "The borough is already generated" in again.getvalue()
    assert Person.objects.count() == TINY.people


def test_generate_returns_a_summary(partnership: None) -> None:
    summary = generate("tiny", seed=11)
    assert summary.counts["events"] == TINY.events
    assert summary.planted.hotspots[0].context_pk is not None
    assert dt.timedelta(0) <= dt.timedelta(seconds=summary.seconds)
