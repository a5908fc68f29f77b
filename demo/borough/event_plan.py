"""Two years of events: what happened, when, where, to whom, and who recorded it.

Events are built in chunks, each from its own random stream, so any chunk can be rebuilt alone
and the county scale streams a million events without holding them. These are the background
events: the scale's total less the events at the unrecorded hotspots, which ``unrecorded_plan``
draws from streams of its own (so the background is the same whatever happens there, only
shorter by those events). Roles follow practice: a
young person is harmed or the subject of concern; an adult of concern is the one causing harm.
A young person is only ever recorded as causing harm in peer-on-peer or youth violence events
with no adult of concern present.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from demo.borough import geography, narratives, staff
from demo.borough.context_plan import PeerGroup
from demo.borough.people_plan import chunk_count
from demo.borough.rows import EventRow
from demo.borough.scales import stream
from demo.borough.timeline import event_time, school_time
from demo.borough.world import Pool, World
from events.models import EventKind, HarmType, ParticipantRole, Sensitivity

EVENT_CHUNK = 5_000

Mix = tuple[tuple[str, float], ...]

KIND_MIX: Mix = (
    (EventKind.POLICE_INCIDENT, 0.20),
    (EventKind.SIGHTING, 0.22),
    (EventKind.MISSING_FOUND, 0.15),
    (EventKind.EXCLUSION, 0.07),
    (EventKind.AE_ATTENDANCE, 0.06),
    (EventKind.ARREST, 0.06),
    (EventKind.INTELLIGENCE, 0.14),
    (EventKind.CONCERN, 0.10),
)
# Chance an event is recorded at a location context (the rest are at a street, a school, the
# hospital, online or out of the area). With group events, always at a location, about 65%
# of all events are at or near a location context.
AT_LOCATION: dict[str, float] = {
    EventKind.POLICE_INCIDENT: 0.7,
    EventKind.SIGHTING: 0.8,
    EventKind.MISSING_FOUND: 0.45,
    EventKind.EXCLUSION: 0.0,
    EventKind.AE_ATTENDANCE: 0.0,
    EventKind.ARREST: 0.55,
    EventKind.INTELLIGENCE: 0.7,
    EventKind.CONCERN: 0.5,
}
# Share of events where members of one peer group are seen together, mostly where they meet.
GROUP_SHARE = 0.22
GROUP_AT_BASE = 0.8
GROUP_KIND_MIX: Mix = (
    (EventKind.SIGHTING, 0.45),
    (EventKind.POLICE_INCIDENT, 0.2),
    (EventKind.INTELLIGENCE, 0.2),
    (EventKind.ARREST, 0.1),
    (EventKind.CONCERN, 0.05),
)
NONE = ""  # no harm type beyond the kind itself
HARM_MIX: dict[str, Mix] = {
    EventKind.POLICE_INCIDENT: (
        (HarmType.SERIOUS_YOUTH_VIOLENCE, 0.35),
        (HarmType.PEER_ON_PEER, 0.15),
        (HarmType.CCE, 0.25),
        (HarmType.CSE, 0.15),
        (HarmType.OTHER, 0.10),
    ),
    EventKind.SIGHTING: (
        (HarmType.CCE, 0.4),
        (HarmType.CSE, 0.3),
        (HarmType.COUNTY_LINES, 0.2),
        (HarmType.OTHER, 0.1),
    ),
    EventKind.MISSING_FOUND: (
        (NONE, 0.55),
        (HarmType.CCE, 0.15),
        (HarmType.CSE, 0.15),
        (HarmType.COUNTY_LINES, 0.15),
    ),
    EventKind.EXCLUSION: (
        (NONE, 0.4),
        (HarmType.SERIOUS_YOUTH_VIOLENCE, 0.25),
        (HarmType.CCE, 0.2),
        (HarmType.PEER_ON_PEER, 0.15),
    ),
    EventKind.AE_ATTENDANCE: (
        (HarmType.SERIOUS_YOUTH_VIOLENCE, 0.6),
        (HarmType.CSE, 0.15),
        (HarmType.CCE, 0.15),
        (HarmType.OTHER, 0.1),
    ),
    EventKind.ARREST: (
        (HarmType.CCE, 0.4),
        (HarmType.COUNTY_LINES, 0.35),
        (HarmType.SERIOUS_YOUTH_VIOLENCE, 0.25),
    ),
    EventKind.INTELLIGENCE: (
        (HarmType.CCE, 0.35),
        (HarmType.COUNTY_LINES, 0.25),
        (HarmType.CSE, 0.25),
        (HarmType.TRAFFICKING, 0.1),
        (HarmType.RADICALISATION, 0.05),
    ),
    EventKind.CONCERN: (
        (HarmType.CCE, 0.25),
        (HarmType.CSE, 0.25),
        (HarmType.ONLINE, 0.25),
        (HarmType.COUNTY_LINES, 0.1),
        (HarmType.PEER_ON_PEER, 0.1),
        (HarmType.RADICALISATION, 0.05),
    ),
}
# Who is harmed differs by harm: more girls in sexual exploitation, more boys in criminal
# exploitation and youth violence.
GIRLS_SHARE: dict[str, float] = {
    HarmType.CSE: 0.8,
    HarmType.ONLINE: 0.6,
    HarmType.PEER_ON_PEER: 0.5,
    NONE: 0.45,
    HarmType.OTHER: 0.4,
}
BOYS_DEFAULT_GIRLS_SHARE = 0.15
YOUNG_PEOPLE_RANGE: dict[str, tuple[int, int]] = {
    EventKind.SIGHTING: (1, 3),
    EventKind.POLICE_INCIDENT: (1, 3),
    EventKind.INTELLIGENCE: (1, 2),
    EventKind.ARREST: (1, 2),
}
ADULT_CHANCE: dict[str, float] = {
    EventKind.INTELLIGENCE: 0.6,
    EventKind.SIGHTING: 0.35,
    EventKind.ARREST: 0.35,
    EventKind.POLICE_INCIDENT: 0.25,
    EventKind.MISSING_FOUND: 0.15,
    EventKind.CONCERN: 0.15,
    EventKind.AE_ATTENDANCE: 0.08,
    EventKind.EXCLUSION: 0.0,
}
EXPLOITATION = frozenset({HarmType.CCE, HarmType.CSE, HarmType.COUNTY_LINES, HarmType.TRAFFICKING})
RECORDING: dict[str, Mix] = {
    EventKind.POLICE_INCIDENT: ((staff.POLICE, 1.0),),
    EventKind.ARREST: ((staff.POLICE, 1.0),),
    EventKind.INTELLIGENCE: ((staff.POLICE, 1.0),),
    EventKind.EXCLUSION: ((staff.EDUCATION, 1.0),),
    EventKind.AE_ATTENDANCE: ((staff.HEALTH, 1.0),),
    EventKind.MISSING_FOUND: ((staff.POLICE, 0.6), (staff.CSC, 0.4)),
    EventKind.SIGHTING: ((staff.YOUTH_WORK, 0.4), (staff.POLICE, 0.4), (staff.CSC, 0.2)),
    EventKind.CONCERN: (
        (staff.CSC, 0.4),
        (staff.EDUCATION, 0.35),
        (staff.HEALTH, 0.1),
        (staff.YOUTH_WORK, 0.15),
    ),
}
RESTRICTED_INTELLIGENCE = 0.1
OUT_OF_AREA = 0.25  # of missing episodes: found in another force area, so no map position
NEAR_HOTSPOT = 0.15  # of events at a street: close to a hotspot without being linked to it


def _mix(rng: random.Random, mix: Mix) -> str:
    roll, running = rng.random(), 0.0
    for value, share in mix:
        running += share
        if roll < running:
            return value
    return mix[-1][0]


@dataclass(slots=True)
class _Place:
    location: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    description: str = ""
    where: str = ""  # how the narrative names the place
    days_missing: int = 0


def _young_pool(world: World, harms: list[str], rng: random.Random) -> Pool:
    girls = GIRLS_SHARE.get(harms[0] if harms else NONE, BOYS_DEFAULT_GIRLS_SHARE)
    wanted = world.girls if rng.random() < girls else world.boys
    return wanted or world.young


def _roles(
    rng: random.Random, kind: str, harms: list[str], young: list[int], adult: int | None
) -> list[tuple[int, str]]:
    roles: list[tuple[int, str]] = []
    for n, person in enumerate(young):
        if kind in (EventKind.MISSING_FOUND, EventKind.AE_ATTENDANCE):
            role = ParticipantRole.HARMED
        elif kind in (EventKind.EXCLUSION, EventKind.ARREST) and n == 0:
            role = ParticipantRole.SUBJECT_OF_CONCERN
        else:
            roll = rng.random()
            role = (
                ParticipantRole.HARMED
                if roll < 0.6
                else ParticipantRole.SUBJECT_OF_CONCERN
                if roll < 0.9 or n == 0
                else ParticipantRole.WITNESS
            )
        roles.append((person, role))
    violence = {HarmType.SERIOUS_YOUTH_VIOLENCE, HarmType.PEER_ON_PEER}.intersection(harms)
    if adult is None and violence and len(young) > 1 and rng.random() < 0.4:
        # Harm between young people, with no adult present: one is recorded as causing it.
        roles[-1] = (roles[-1][0], ParticipantRole.HARMING)
    if adult is not None:
        adult_role = (
            ParticipantRole.HARMING if rng.random() < 0.85 else ParticipantRole.SUBJECT_OF_CONCERN
        )
        roles.append((adult, adult_role))
    return roles


def _at_location(rng: random.Random, world: World, location: int) -> _Place:
    row = world.places.contexts[location]
    radius = 100 if row.geometry and row.geometry["type"] == "Polygon" else 40
    lat, lon = geography.point_near(rng, row.latitude or 0.0, row.longitude or 0.0, radius)
    return _Place(location, lat, lon, row.name, narratives.in_sentence(row.name))


def _elsewhere(
    rng: random.Random, world: World, kind: str, harms: list[str], young: list[int]
) -> _Place:
    places = world.places
    if kind == EventKind.AE_ATTENDANCE:
        lat, lon = geography.HOSPITAL
        street = rng.choice(geography.streets())
        return _Place(None, lat, lon, geography.HOSPITAL_NAME, street.name)
    if kind == EventKind.EXCLUSION and places.settings:
        setting = places.school_of[young[0]] if young else -1
        row = places.contexts[setting if setting >= 0 else rng.choice(places.settings)]
        return _Place(None, row.latitude, row.longitude, row.name, narratives.in_sentence(row.name))
    if kind == EventKind.MISSING_FOUND and rng.random() < OUT_OF_AREA:
        return _Place(
            description="Found outside the borough, in another police force area",
            days_missing=rng.randint(2, 6),
        )
    if HarmType.ONLINE in harms and places.online:
        row = places.contexts[rng.choice(places.online)]
        return _Place(None, None, None, row.name, narratives.in_sentence(row.name))
    if rng.random() < NEAR_HOTSPOT:
        spot = rng.choice(geography.HOTSPOTS)
        lat, lon = geography.point_near(rng, spot.latitude, spot.longitude, 2 * spot.radius_m)
        return _Place(None, lat, lon, f"Near {spot.name}", spot.name)
    street = rng.choice(geography.streets())
    lat, lon = geography.point_near(rng, street.latitude, street.longitude, 150)
    return _Place(None, lat, lon, f"Near {street.name}", street.name)


def _draw_young(rng: random.Random, pool: Pool, wanted: int) -> list[int]:
    chosen: list[int] = []
    for _ in range(wanted * 3):
        person = pool.draw(rng)
        if person not in chosen:
            chosen.append(person)
        if len(chosen) == wanted:
            break
    return chosen


def _group(world: World, rng: random.Random) -> PeerGroup:
    places = world.places
    pick = bisect_right(places.group_cumulative, rng.random() * places.group_cumulative[-1])
    return places.groups[min(pick, len(places.groups) - 1)]


def event_row(rng: random.Random, world: World) -> EventRow:
    places = world.places
    adult: int | None = None
    if places.groups and places.group_cumulative[-1] > 0 and rng.random() < GROUP_SHARE:
        group = _group(world, rng)
        kind = _mix(rng, GROUP_KIND_MIX)
        harms = [group.harm]
        young = rng.sample(group.members, min(len(group.members), rng.randint(2, 4)))
        if group.adults and rng.random() < 0.45:
            adult = rng.choice(group.adults)
        at_base = rng.random() < GROUP_AT_BASE
        place = _at_location(rng, world, group.base if at_base else places.draw_location(rng))
    else:
        kind = _mix(rng, KIND_MIX)
        harm = _mix(rng, HARM_MIX[kind])
        harms = [h for h in (harm,) if h]
        if kind == EventKind.MISSING_FOUND:
            harms = sorted({HarmType.MISSING, *harms})
        low, high = YOUNG_PEOPLE_RANGE.get(kind, (1, 1))
        young = _draw_young(rng, _young_pool(world, harms, rng), rng.randint(low, high))
        chance = ADULT_CHANCE[kind] + (0.15 if EXPLOITATION.intersection(harms) else 0.0)
        if world.adults and rng.random() < chance:
            adult = world.adults.draw(rng)
        online = HarmType.ONLINE in harms and places.online
        if not online and places.locations and rng.random() < AT_LOCATION[kind]:
            place = _at_location(rng, world, places.draw_location(rng))
        else:
            place = _elsewhere(rng, world, kind, harms, young)
    occurred = school_time(rng) if kind == EventKind.EXCLUSION else event_time(rng)
    ended = None
    if kind == EventKind.MISSING_FOUND:
        # Overnight or into the next day; days when found outside the borough.
        hours = (
            place.days_missing * 24 + rng.randint(-6, 6)
            if place.days_missing
            else rng.randint(6, 30)
        )
        ended = occurred + dt.timedelta(hours=hours, minutes=rng.randrange(0, 60, 5))
    participants = _roles(rng, kind, harms, young, adult)
    if kind == EventKind.CONCERN and rng.random() < 0.15:
        parents = world.cast.parents_of.get(young[0], ()) if young else ()
        if parents:
            participants.append((rng.choice(parents), ParticipantRole.WITNESS))
    agency = _mix(rng, RECORDING[kind])
    restricted = kind == EventKind.INTELLIGENCE and rng.random() < RESTRICTED_INTELLIGENCE
    return EventRow(
        kind=kind,
        occurred_at=occurred,
        ended_at=ended,
        location=place.location,
        latitude=place.latitude,
        longitude=place.longitude,
        place_description=place.description,
        narrative=narratives.event_narrative(
            rng, kind, harms, place.where, occurred, place.days_missing
        ),
        harm_types=sorted(harms),
        sensitivity=Sensitivity.RESTRICTED if restricted else Sensitivity.STANDARD,
        agency=agency,
        recorded_by=staff.recorder(rng, agency),
        created_at=(ended or occurred) + dt.timedelta(minutes=rng.randint(30, 72 * 60)),
        participants=participants,
    )


def event_chunk(world: World, chunk: int) -> list[EventRow]:
    """Events chunk*EVENT_CHUNK onwards, from that chunk's own random stream."""
    rng = stream(world.seed, "events", chunk)
    size = min(EVENT_CHUNK, world.scale.background_events - chunk * EVENT_CHUNK)
    return [event_row(rng, world) for _ in range(size)]


def event_chunks(world: World) -> Iterator[list[EventRow]]:
    """The background events: all but those at the unrecorded hotspots (``unrecorded_plan``)."""
    for chunk in range(chunk_count(world.scale.background_events, EVENT_CHUNK)):
        yield event_chunk(world, chunk)


def expected_location_events(world: World) -> dict[int, float]:
    """How many events each location context should get on average, from the weights alone."""
    places = world.places
    if not places.locations:
        return {}
    group_share = GROUP_SHARE if places.groups and places.group_cumulative[-1] > 0 else 0.0
    located = sum(share * AT_LOCATION[kind] for kind, share in KIND_MIX)
    # Online concerns are never at a location.
    online = dict(HARM_MIX[EventKind.CONCERN]).get(HarmType.ONLINE, 0.0) if places.online else 0
    located -= dict(KIND_MIX)[EventKind.CONCERN] * AT_LOCATION[EventKind.CONCERN] * online
    total_weight = places.location_cumulative[-1]
    previous = 0.0
    expected: dict[int, float] = {}
    for location, cumulative in zip(places.locations, places.location_cumulative, strict=True):
        share = (cumulative - previous) / total_weight
        previous = cumulative
        expected[location] = world.scale.background_events * (
            (1 - group_share) * located * share + group_share * (1 - GROUP_AT_BASE) * share
        )
    if group_share:
        group_total = places.group_cumulative[-1]
        previous = 0.0
        for group, cumulative in zip(places.groups, places.group_cumulative, strict=True):
            weight = (cumulative - previous) / group_total
            previous = cumulative
            expected[group.base] += (
                world.scale.background_events * group_share * GROUP_AT_BASE * weight
            )
    return expected
