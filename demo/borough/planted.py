"""What was planted in the borough, so tests can check that mapping and network analysis find it.

``planted()`` answers from the plan alone (no database): the hotspots with the number of events
each should get on average, and the planted peer groups with their members' names and plan
indexes. The generator returns the same structure with the real counts and database ids filled
in.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo.borough import geography
from demo.borough.event_plan import expected_location_events
from demo.borough.people_plan import PEOPLE_CHUNK, people_chunk
from demo.borough.scales import DEFAULT_SEED
from demo.borough.world import World, plan_world


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
class Planted:
    hotspots: tuple[PlantedHotspot, ...]
    peer_groups: tuple[PlantedPeerGroup, ...]


def planted_in(world: World, full_names: dict[int, str] | None = None) -> Planted:
    """The planted hotspots and peer groups of a planned world.

    ``full_names`` maps person indexes to names when the caller already has them; anyone
    missing is named by rebuilding their chunk of people from its stream.
    """
    names = dict(full_names or {})
    places = world.places
    planted_groups = [g for g in places.groups if g.planted]
    wanted = {i for g in planted_groups for i in (*g.members, *g.adults)} - names.keys()
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
    return Planted(hotspots, groups)


def planted(seed: int = DEFAULT_SEED, scale: str = "demo") -> Planted:
    """What ``generate(scale, seed)`` plants, worked out without the database."""
    return planted_in(plan_world(scale, seed))
