"""What happens in the borough that nobody has recorded as a context yet.

Every planted hotspot and peer group in ``context_plan`` is already a context on record (a
location under assessment or on a plan, a peer group on a plan), so a queue of *suggested*
contexts should rightly leave them out. This module plants what that queue must find instead:

- **Unrecorded hotspots** (``geography.UNRECORDED_HOTSPOTS``): busy places with many events,
  each event with a position (so an H3 cell) and a place description but no location context.
  Each gets ``Scale.unrecorded_spot_events`` events spread over about 100 m, enough for
  Getis-Ord Gi* at H3 resolution 9 (k = 1) to call its cell a hot spot at 99% at every scale.
- **Unrecorded peer groups**: a few young people aged 13 to 17 who are in no peer-group context,
  linked to each other by peer associations, seen together in several events (mostly at one of
  the unrecorded hotspots), with one adult of concern associated with most of them. There is no
  peer-group context and no ``member_of`` link for them.

Everything here is drawn from streams of its own ("unrecorded-groups", "unrecorded-events",
"unrecorded-associations"), so it shifts nothing drawn elsewhere: people, contexts, links and
background events are exactly as before. The people are existing members of the cast, never new
records. The events come out of the scale's total (the background is that much shorter, so the
county scale still has exactly a million); the few dozen associations come on top of it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from demo.borough import geography, narratives, staff
from demo.borough.event_plan import (
    ADULT_CHANCE,
    EVENT_CHUNK,
    EXPLOITATION,
    GROUP_KIND_MIX,
    RECORDING,
    RESTRICTED_INTELLIGENCE,
    Mix,
    _draw_young,
    _mix,
    _roles,
    _young_pool,
    event_chunks,
)
from demo.borough.people_plan import chunk_count
from demo.borough.rows import AssociationRow, EventRow
from demo.borough.scales import stream
from demo.borough.timeline import day_in_window, event_time, noon
from demo.borough.world import World
from events.models import EventKind, HarmType, ParticipantRole, Sensitivity
from people.codes import AssociationKind, Reliability, Sex

# Unrecorded peer groups per scale: as many as there are young people free to form them.
GROUPS: dict[str, int] = {"tiny": 1, "demo": 2, "county": 6}
GROUP_SIZE = (5, 7)
GROUP_AGES = (13, 17)
# Each group is seen together this many times: all but two at its own hotspot, those two at the
# other one (so every event of the plan is at an unrecorded hotspot).
GROUP_EVENTS = 8
GROUP_AWAY = 2
GROUP_SEEN_TOGETHER = (3, 5)
GROUP_ADULT_CHANCE = 0.5
GROUP_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# What goes on at each unrecorded hotspot, in geography.UNRECORDED_HOTSPOTS order: the kinds of
# event recorded there and the harms they are about. The first harm is the one the peer group
# that meets there is exposed to.
SPOT_KIND_MIX: Mix = (
    (EventKind.SIGHTING, 0.35),
    (EventKind.POLICE_INCIDENT, 0.2),
    (EventKind.INTELLIGENCE, 0.2),
    (EventKind.MISSING_FOUND, 0.1),
    (EventKind.CONCERN, 0.1),
    (EventKind.ARREST, 0.05),
)
SPOT_HARMS: tuple[Mix, ...] = (
    (
        (HarmType.CCE, 0.45),
        (HarmType.COUNTY_LINES, 0.3),
        (HarmType.SERIOUS_YOUTH_VIOLENCE, 0.25),
    ),
    (
        (HarmType.CSE, 0.55),
        (HarmType.CCE, 0.3),
        (HarmType.TRAFFICKING, 0.15),
    ),
)
# Share of girls among a group's members, by the harm it is exposed to.
GIRLS_SHARE: dict[str, float] = {HarmType.CSE: 0.75}
GIRLS_DEFAULT = 0.15

# Where the groups' associations come from: sources that see young people together, graded
# reported or confirmed (never unverified intelligence), by agencies with demo users to sign them.
PEER_SOURCES: tuple[tuple[str, str, str], ...] = (
    (staff.YOUTH_WORK, "Youth worker's observation", Reliability.CONFIRMED),
    (staff.YOUTH_WORK, "Detached youth work session", Reliability.REPORTED),
    (staff.POLICE, "Stop and search record", Reliability.CONFIRMED),
    (staff.POLICE, "Neighbourhood officer's observation", Reliability.REPORTED),
    (staff.EDUCATION, "School DSL", Reliability.REPORTED),
    (staff.CSC, "Return home interview", Reliability.REPORTED),
)
ADULT_SOURCES: tuple[tuple[str, str, str], ...] = (
    (staff.POLICE, "Stop and search record", Reliability.CONFIRMED),
    (staff.POLICE, "Neighbourhood officer's observation", Reliability.REPORTED),
    (staff.CSC, "Return home interview", Reliability.REPORTED),
    (staff.YOUTH_WORK, "Youth worker's observation", Reliability.CONFIRMED),
)


@dataclass(frozen=True)
class UnrecordedGroup:
    label: str  # "Unrecorded group A": for tests and docs only, never stored
    members: tuple[int, ...]  # young people's indexes, in plan order
    adults: tuple[int, ...]  # the adult of concern around them
    spot: int  # index into geography.UNRECORDED_HOTSPOTS where they are mostly seen
    harm: str


@dataclass(frozen=True)
class Unrecorded:
    groups: tuple[UnrecordedGroup, ...]
    spot_events: tuple[int, ...]  # events at each unrecorded hotspot, group events included

    @property
    def events(self) -> int:
        """All the events of this plan: every one is at an unrecorded hotspot."""
        return sum(self.spot_events)


def plan_unrecorded(world: World) -> Unrecorded:
    """Who forms the unrecorded groups and how many events each hotspot gets.

    Members are young people aged 13 to 17 in no peer group (recorded or background), drawn
    without repeats; the adult is an adult of concern around no recorded group. A scale with too
    few free young people plants fewer groups rather than smaller ones.
    """
    rng = stream(world.seed, "unrecorded-groups")
    cast = world.cast
    low, high = GROUP_AGES
    free: dict[bool, list[int]] = {True: [], False: []}  # by "is a girl"
    for i in cast.young_people:
        sketch = cast.sketches[i]
        if i not in world.groups_of and low <= sketch.age <= high:
            free[sketch.sex == Sex.FEMALE].append(i)
    for pool in free.values():
        rng.shuffle(pool)
    taken = {a for g in world.places.groups for a in g.adults}
    adults = [a for a in cast.adults if a not in taken]
    rng.shuffle(adults)
    spots = len(geography.UNRECORDED_HOTSPOTS)
    groups: list[UnrecordedGroup] = []
    for n in range(GROUPS.get(world.scale.name, 2)):
        spot = n % spots
        harm = SPOT_HARMS[spot][0][0]
        size = rng.randint(*GROUP_SIZE)
        if len(free[True]) + len(free[False]) < size or not adults:
            break
        girls = GIRLS_SHARE.get(harm, GIRLS_DEFAULT)
        members: list[int] = []
        for _ in range(size):
            pool = free[rng.random() < girls] or free[True] or free[False]
            members.append(pool.pop())
        label = f"Unrecorded group {GROUP_LABELS[n % len(GROUP_LABELS)]}"
        groups.append(UnrecordedGroup(label, tuple(members), (adults.pop(),), spot, harm))
    per_spot = world.scale.unrecorded_spot_events
    return Unrecorded(tuple(groups), tuple(per_spot for _ in range(spots)))


# --- Events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    spot: int  # at this unrecorded hotspot
    group: int | None  # seen together: this unrecorded group, or None: anyone


def _slots(plan: Unrecorded) -> list[_Slot]:
    """Every event of the plan in a fixed order, so each chunk can be rebuilt on its own.

    Group events come first, then each hotspot is filled up to its total with anyone's.
    """
    slots: list[_Slot] = []
    spots = len(plan.spot_events)
    together = [0] * spots
    for number, group in enumerate(plan.groups):
        away = (group.spot + 1) % spots
        together[group.spot] += GROUP_EVENTS - GROUP_AWAY
        together[away] += GROUP_AWAY
        slots += [_Slot(group.spot, number)] * (GROUP_EVENTS - GROUP_AWAY)
        slots += [_Slot(away, number)] * GROUP_AWAY
    for spot, total in enumerate(plan.spot_events):
        slots += [_Slot(spot, None)] * max(0, total - together[spot])
    return slots[: plan.events]


def _group_roles(rng: random.Random, young: list[int], adult: int | None) -> list[tuple[int, str]]:
    # Children exploited are harmed or a concern, never recorded as the ones causing harm.
    roles: list[tuple[int, str]] = [
        (
            person,
            ParticipantRole.HARMED if rng.random() < 0.6 else ParticipantRole.SUBJECT_OF_CONCERN,
        )
        for person in young
    ]
    if adult is not None:
        roles.append((adult, ParticipantRole.HARMING))
    return roles


def _event(rng: random.Random, world: World, plan: Unrecorded, slot: _Slot) -> EventRow:
    adult: int | None = None
    if slot.group is not None:
        group = plan.groups[slot.group]
        kind = _mix(rng, GROUP_KIND_MIX)
        harms = [group.harm]
        low, high = GROUP_SEEN_TOGETHER
        young = rng.sample(group.members, min(len(group.members), rng.randint(low, high)))
        if rng.random() < GROUP_ADULT_CHANCE:
            adult = group.adults[0]
        participants = _group_roles(rng, young, adult)
    else:
        kind = _mix(rng, SPOT_KIND_MIX)
        harms = [_mix(rng, SPOT_HARMS[slot.spot])]
        if kind == EventKind.MISSING_FOUND:
            harms = sorted({HarmType.MISSING, *harms})
        young = _draw_young(rng, _young_pool(world, harms, rng), rng.randint(1, 2))
        chance = ADULT_CHANCE[kind] + (0.15 if EXPLOITATION.intersection(harms) else 0.0)
        if world.adults and rng.random() < chance:
            adult = world.adults.draw(rng)
        participants = _roles(rng, kind, harms, young, adult)
    spot = geography.UNRECORDED_HOTSPOTS[slot.spot]
    lat, lon = geography.point_near(rng, spot.latitude, spot.longitude, spot.radius_m)
    occurred = event_time(rng)
    ended = None
    if kind == EventKind.MISSING_FOUND:
        ended = occurred + dt.timedelta(hours=rng.randint(6, 30), minutes=rng.randrange(0, 60, 5))
    agency = _mix(rng, RECORDING[kind])
    restricted = kind == EventKind.INTELLIGENCE and rng.random() < RESTRICTED_INTELLIGENCE
    return EventRow(
        kind=kind,
        occurred_at=occurred,
        ended_at=ended,
        location=None,  # the point of it: no context covers this place
        latitude=lat,
        longitude=lon,
        place_description=spot.name,
        narrative=narratives.event_narrative(
            rng, kind, harms, narratives.in_sentence(spot.name), occurred
        ),
        harm_types=sorted(harms),
        sensitivity=Sensitivity.RESTRICTED if restricted else Sensitivity.STANDARD,
        agency=agency,
        recorded_by=staff.recorder(rng, agency),
        created_at=(ended or occurred) + dt.timedelta(minutes=rng.randint(30, 72 * 60)),
        participants=participants,
    )


def unrecorded_event_chunk(world: World, plan: Unrecorded, chunk: int) -> list[EventRow]:
    """The plan's events chunk*EVENT_CHUNK onwards, from that chunk's own random stream."""
    rng = stream(world.seed, "unrecorded-events", chunk)
    slots = _slots(plan)[chunk * EVENT_CHUNK : (chunk + 1) * EVENT_CHUNK]
    return [_event(rng, world, plan, slot) for slot in slots]


def unrecorded_event_chunks(world: World, plan: Unrecorded) -> Iterator[list[EventRow]]:
    for chunk in range(chunk_count(plan.events, EVENT_CHUNK)):
        yield unrecorded_event_chunk(world, plan, chunk)


def all_event_chunks(world: World, plan: Unrecorded | None = None) -> Iterator[list[EventRow]]:
    """Every event of the borough, background first: ``Scale.events`` of them in all."""
    yield from event_chunks(world)
    yield from unrecorded_event_chunks(world, plan or plan_unrecorded(world))


# --- Associations -------------------------------------------------------------------------------


def _association(
    rng: random.Random,
    person: int,
    other: int,
    kind: str,
    sources: tuple[tuple[str, str, str], ...],
) -> AssociationRow:
    agency, source, reliability = rng.choice(
        [s for s in sources if s[0] in staff.LINK_RECORDERS] or sources
    )
    noted = day_in_window(rng)
    return AssociationRow(
        person=person,
        other=other,
        kind=kind,
        started_on=noted - dt.timedelta(days=rng.randint(0, 200)),
        ended_on=None,  # still in touch: that is why the queue should suggest them
        source=source,
        reliability=reliability,
        notes=rng.choice([n for n in narratives.ASSOCIATION_NOTES[kind] if n]),
        recorded_by=staff.recorder(rng, agency) or "",
        agency=agency,
        created_at=noon(noted) + dt.timedelta(hours=rng.randint(-3, 5)),
    )


def unrecorded_associations(world: World, plan: Unrecorded) -> list[AssociationRow]:
    """Peer links within each unrecorded group and the adult's links to most of its members.

    A ring plus one chord per member (connected, not everyone linked to everyone), as for the
    recorded groups; the adult is linked to every member but one. A few dozen rows per group,
    so they are built in one go even at the county scale.
    """
    rng = stream(world.seed, "unrecorded-associations")
    rows: list[AssociationRow] = []
    for group in plan.groups:
        members = group.members
        seen: set[tuple[int, int]] = set()
        for n, member in enumerate(members):
            for other in (members[(n + 1) % len(members)], rng.choice(members)):
                pair = (min(member, other), max(member, other))
                if member != other and pair not in seen:
                    seen.add(pair)
                    rows.append(
                        _association(rng, member, other, AssociationKind.PEER, PEER_SOURCES)
                    )
        missed = rng.randrange(len(members))
        for adult in group.adults:
            for n, member in enumerate(members):
                if n != missed:
                    rows.append(
                        _association(
                            rng, adult, member, AssociationKind.ADULT_OF_CONCERN, ADULT_SOURCES
                        )
                    )
    return rows
