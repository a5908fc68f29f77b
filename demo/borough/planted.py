"""What was planted in the borough, so tests can check that mapping and network analysis find it.

``planted()`` answers from the plan alone (no database): the hotspots with the number of events
each should get on average, and the planted peer groups with their members' names and plan
indexes. The generator returns the same structure with the real counts and database ids filled
in.

Two kinds of thing are planted:

- **Recorded** (``hotspots``, ``peer_groups``): busy places and close groups that the partnership
  already has a context for (location contexts under assessment or on a plan, peer-group
  contexts on a plan with ``member_of`` links). Mapping and network analysis must find them,
  and a queue of *suggested* contexts must leave them out: they are covered.
- **Unrecorded** (``unrecorded_hotspots``, ``unrecorded_groups``, from ``unrecorded_plan``): busy
  places with no location context (events there have a position and a place description but
  no location) and groups of young people in no peer-group context, tied by peer associations,
  seen together and around one adult of concern. The suggested-contexts queue must find these.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo.borough import geography
from demo.borough.event_plan import expected_location_events
from demo.borough.people_plan import PEOPLE_CHUNK, people_chunk
from demo.borough.scales import DEFAULT_SEED
from demo.borough.unrecorded_plan import Unrecorded, plan_unrecorded
from demo.borough.world import World, plan_world
from events.cells import event_cell


@dataclass(frozen=True)
class PlantedHotspot:
    name: str
    location_type: str
    latitude: float
    longitude: float
    radius_m: int
    approx_events: int  # expected at this location from the weights
    average_location_events: int  # expected at an ordinary (not planted) location
    events: int | None = None  # how many the generator actually recorded here
    context_pk: int | None = None


@dataclass(frozen=True)
class PlantedPeerGroup:
    name: str
    harm: str
    base_location: str
    members: tuple[str, ...]  # full names, in plan order
    member_indexes: tuple[int, ...]
    adults: tuple[str, ...]  # adults of concern around the group
    adult_indexes: tuple[int, ...]
    context_pk: int | None = None
    member_pks: tuple[int, ...] = ()
    adult_pks: tuple[int, ...] = ()


@dataclass(frozen=True)
class UnrecordedHotspot:
    """A busy place with no location context: what the suggestions queue should propose."""

    name: str  # also every event's place_description there
    location_type: str  # what a location context for it would be (a LocationType value)
    latitude: float  # the centre; events are spread over radius_m around it
    longitude: float
    radius_m: int
    approx_events: int  # planned at this place (the generator writes exactly this many)
    cell: str  # H3 cell of the centre, at settings.HOTSPOT_H3_RESOLUTION (as Event.h3_cell)
    events: int | None = None  # how many the generator actually recorded here


@dataclass(frozen=True)
class UnrecordedGroup:
    """Young people seen together, in no peer-group context: a peer group nobody has recorded."""

    name: str  # "Unrecorded group A": for tests and docs only, stored nowhere
    harm: str  # the HarmType the group's events are about
    hotspot: str  # the unrecorded hotspot where they are mostly seen together
    members: tuple[str, ...]  # full names, in plan order
    member_indexes: tuple[int, ...]
    adults: tuple[str, ...]  # the adult of concern associated with most of them
    adult_indexes: tuple[int, ...]
    member_pks: tuple[int, ...] = ()
    adult_pks: tuple[int, ...] = ()


@dataclass(frozen=True)
class Planted:
    hotspots: tuple[PlantedHotspot, ...]
    peer_groups: tuple[PlantedPeerGroup, ...]
    unrecorded_hotspots: tuple[UnrecordedHotspot, ...] = ()
    unrecorded_groups: tuple[UnrecordedGroup, ...] = ()


def planted_people(world: World, unrecorded: Unrecorded) -> set[int]:
    """Indexes of everyone named in ``Planted``: recorded and unrecorded groups and their adults."""
    recorded = [(*g.members, *g.adults) for g in world.places.groups if g.planted]
    others = [(*g.members, *g.adults) for g in unrecorded.groups]
    return {i for people in (*recorded, *others) for i in people}


def planted_in(
    world: World,
    full_names: dict[int, str] | None = None,
    unrecorded: Unrecorded | None = None,
) -> Planted:
    """The planted hotspots and peer groups of a planned world, recorded and unrecorded.

    ``full_names`` maps person indexes to names when the caller already has them; anyone
    missing is named by rebuilding their chunk of people from its stream.
    """
    names = dict(full_names or {})
    places = world.places
    unrecorded = unrecorded or plan_unrecorded(world)
    planted_groups = [g for g in places.groups if g.planted]
    wanted = planted_people(world, unrecorded) - names.keys()
    for chunk in sorted({i // PEOPLE_CHUNK for i in wanted}):
        for row in people_chunk(world.cast, world.seed, chunk):
            if row.index in wanted:
                names[row.index] = row.full_name
    expected = expected_location_events(world)
    ordinary = [v for k, v in expected.items() if k not in places.hotspots]
    average = round(sum(ordinary) / len(ordinary)) if ordinary else 0
    hotspots = tuple(
        PlantedHotspot(
            name=spot.name,
            location_type=spot.location_type,
            latitude=spot.latitude,
            longitude=spot.longitude,
            radius_m=spot.radius_m,
            approx_events=round(expected[index]),
            average_location_events=average,
        )
        for spot, index in zip(geography.HOTSPOTS, places.hotspots, strict=False)
    )
    groups = tuple(
        PlantedPeerGroup(
            name=places.contexts[g.context].name,
            harm=g.harm,
            base_location=places.contexts[g.base].name,
            members=tuple(names[i] for i in g.members),
            member_indexes=tuple(g.members),
            adults=tuple(names[i] for i in g.adults),
            adult_indexes=tuple(g.adults),
        )
        for g in planted_groups
    )
    spots = tuple(
        UnrecordedHotspot(
            name=spot.name,
            location_type=spot.location_type,
            latitude=spot.latitude,
            longitude=spot.longitude,
            radius_m=spot.radius_m,
            approx_events=count,
            cell=event_cell(spot.latitude, spot.longitude),
        )
        for spot, count in zip(geography.UNRECORDED_HOTSPOTS, unrecorded.spot_events, strict=True)
    )
    unrecorded_groups = tuple(
        UnrecordedGroup(
            name=g.label,
            harm=g.harm,
            hotspot=geography.UNRECORDED_HOTSPOTS[g.spot].name,
            members=tuple(names[i] for i in g.members),
            member_indexes=g.members,
            adults=tuple(names[i] for i in g.adults),
            adult_indexes=g.adults,
        )
        for g in unrecorded.groups
    )
    return Planted(hotspots, groups, spots, unrecorded_groups)


def planted(seed: int = DEFAULT_SEED, scale: str = "demo") -> Planted:
    """What ``generate(scale, seed)`` plants, worked out without the database."""
    return planted_in(plan_world(scale, seed))
