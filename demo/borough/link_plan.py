"""Links between people (associations) and between people and contexts (context links).

The structure that matters comes first: peer groups, the adults around them, families, who
attends which setting. Background links then fill each total exactly. Both are built from one
stream each and handed over in chunks, so the county scale never holds them all at once.
The associations of the unrecorded peer groups come from ``unrecorded_plan``, on top of these.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from contexts.models import ContextLinkKind
from demo.borough import names, narratives, staff
from demo.borough.rows import AssociationRow, ContextLinkRow
from demo.borough.scales import stream
from demo.borough.timeline import day_in_window, noon
from demo.borough.world import World
from people.codes import AssociationKind

LINK_CHUNK = 5_000
# At most this share of each total comes from structure; the rest is background.
STRUCTURAL_SHARE = {"associations": 0.75, "context_links": 0.8}

ASSOCIATION_MIX = (
    (AssociationKind.PEER, 0.45),
    (AssociationKind.ADULT_OF_CONCERN, 0.25),
    (AssociationKind.ROMANTIC, 0.13),
    (AssociationKind.FAMILY, 0.10),
    (AssociationKind.PROFESSIONAL, 0.07),
)
# Who tends to record each kind of association.
ASSOCIATION_AGENCIES: dict[str, tuple[str, ...]] = {
    AssociationKind.PEER: (staff.CSC, staff.POLICE, staff.EDUCATION, staff.YOUTH_WORK),
    AssociationKind.ADULT_OF_CONCERN: (staff.POLICE, staff.POLICE, staff.CSC),
    AssociationKind.ROMANTIC: (staff.CSC, staff.EDUCATION, staff.POLICE),
    AssociationKind.FAMILY: (staff.CSC,),
    AssociationKind.PROFESSIONAL: (staff.CSC, staff.YOUTH_WORK),
}


@dataclass(slots=True)
class _Recorded:
    """Who recorded a link, where they heard of it, and when."""

    agency: str
    recorded_by: str
    source: str
    reliability: str
    started_on: dt.date | None
    ended_on: dt.date | None
    created_at: dt.datetime


def _recorded(rng: random.Random, agencies: tuple[str, ...]) -> _Recorded:
    agency = rng.choice([a for a in agencies if a in staff.LINK_RECORDERS] or staff.LINK_RECORDERS)
    source, reliability = rng.choice(narratives.LINK_SOURCES[staff.kind_of(agency)])
    noted = day_in_window(rng)
    started = None if rng.random() < 0.05 else noted - dt.timedelta(days=rng.randint(0, 200))
    ended = (
        started + dt.timedelta(days=rng.randint(30, 400))
        if started and rng.random() < 0.12
        else None
    )
    return _Recorded(
        agency,
        staff.recorder(rng, agency) or "",
        source,
        reliability,
        started,
        ended,
        noon(noted) + dt.timedelta(hours=rng.randint(-3, 5)),
    )


def association_chunks(world: World) -> Iterator[list[AssociationRow]]:
    rng = stream(world.seed, "associations")
    cast, places = world.cast, world.places
    total = world.scale.associations
    structural_cap = int(total * STRUCTURAL_SHARE["associations"])
    seen: set[tuple[int, int]] = set()
    batch: list[AssociationRow] = []
    count = 0

    def add(person: int, other: int, kind: str, notes_key: str = "") -> bool:
        nonlocal count
        pair = (min(person, other), max(person, other))
        if person == other or pair in seen:
            return False
        seen.add(pair)
        who = _recorded(rng, ASSOCIATION_AGENCIES[kind])
        batch.append(
            AssociationRow(
                person=person,
                other=other,
                kind=kind,
                started_on=who.started_on,
                ended_on=who.ended_on,
                source=who.source,
                reliability=who.reliability,
                notes=rng.choice(narratives.ASSOCIATION_NOTES[notes_key or kind]),
                recorded_by=who.recorded_by,
                agency=who.agency,
                created_at=who.created_at,
            )
        )
        count += 1
        return True

    def structure() -> Iterator[tuple[int, int, str]]:
        for group in places.groups:
            members = group.members
            for n, member in enumerate(members):
                # A ring plus one chord each: connected, but not everyone linked to everyone.
                yield member, members[(n + 1) % len(members)], AssociationKind.PEER
                yield member, rng.choice(members), AssociationKind.PEER
            for adult in group.adults:
                for member in members:
                    if rng.random() < 0.7:
                        yield adult, member, AssociationKind.ADULT_OF_CONCERN
        for parent, children in cast.children_of.items():
            for child in children:
                yield parent, child, AssociationKind.FAMILY
            if len(children) > 1:
                yield children[0], children[1], AssociationKind.FAMILY

    for person, other, kind in structure():
        if count >= structural_cap:
            break
        add(person, other, kind)
        if len(batch) >= LINK_CHUNK:
            yield batch
            batch = []

    others = list(cast.others)
    failures = 0
    while count < total:
        kind = _mix(rng, ASSOCIATION_MIX)
        added = False
        if kind == AssociationKind.PEER:
            added = add(world.young.draw(rng), world.young.draw(rng), kind)
        elif kind == AssociationKind.ADULT_OF_CONCERN and world.adults:
            added = add(world.adults.draw(rng), world.young.draw(rng), kind)
        elif kind == AssociationKind.ROMANTIC:
            if world.adults and world.girls and rng.random() < 0.2:
                added = add(world.adults.draw(rng), world.girls.draw(rng), kind, "romantic_adult")
            elif world.boys and world.girls:
                added = add(world.boys.draw(rng), world.girls.draw(rng), kind)
        elif kind == AssociationKind.FAMILY:
            # Cousins and siblings recorded between two young people.
            added = add(world.young.draw(rng), world.young.draw(rng), kind, "peer")
        elif kind == AssociationKind.PROFESSIONAL and others:
            added = add(rng.choice(others), world.young.draw(rng), kind)
        failures = 0 if added else failures + 1
        if failures > 10_000:
            raise ValueError("Too few people for this many associations")
        if len(batch) >= LINK_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _mix(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    roll, running = rng.random() * sum(share for _, share in mix), 0.0
    for value, share in mix:
        running += share
        if roll < running:
            return value
    return mix[-1][0]


CONTEXT_LINK_MIX = (
    (ContextLinkKind.FREQUENTS, 0.5),
    (ContextLinkKind.EXPLOITED_AT, 0.2),
    (ContextLinkKind.LIVES_NEAR, 0.1),
    (ContextLinkKind.MEMBER_OF, 0.2),  # of an online space
)


def context_link_chunks(world: World) -> Iterator[list[ContextLinkRow]]:
    rng = stream(world.seed, "context-links")
    places = world.places
    total = world.scale.context_links
    structural_cap = int(total * STRUCTURAL_SHARE["context_links"])
    seen: set[tuple[int, int, str]] = set()
    batch: list[ContextLinkRow] = []
    count = 0

    def add(
        context: int,
        person: int | None,
        kind: str,
        *,
        initials: str = "",
        source: str = "",
        agencies: tuple[str, ...] = staff.LINK_RECORDERS,
    ) -> bool:
        nonlocal count
        if person is not None:
            key = (context, person, kind)
            if key in seen:
                return False
            seen.add(key)
        who = _recorded(rng, agencies)
        batch.append(
            ContextLinkRow(
                context=context,
                person=person,
                initials=initials,
                kind=kind,
                started_on=who.started_on,
                ended_on=who.ended_on,
                source=source or who.source,
                reliability=who.reliability if person is not None else "reported",
                notes=rng.choice(narratives.CONTEXT_LINK_NOTES[kind]),
                recorded_by=who.recorded_by,
                agency=who.agency,
                created_at=who.created_at,
            )
        )
        count += 1
        return True

    # (context, person, kind, initials, source, recording agencies)
    Spec = tuple[int, int | None, str, str, str, tuple[str, ...]]

    def structure() -> Iterator[Spec]:
        anyone = staff.LINK_RECORDERS
        for group in places.groups:
            for member in group.members:
                yield group.context, member, ContextLinkKind.MEMBER_OF, "", "", anyone
            if rng.random() < 0.35:
                # A peer map made with a young person names some friends by initials only.
                for _ in range(rng.randint(1, 2)):
                    yield (
                        group.context,
                        None,
                        ContextLinkKind.MEMBER_OF,
                        names.initials(rng),
                        "Peer mapping with a young person",
                        (staff.CSC, staff.YOUTH_WORK),
                    )
            if group.planted:
                for member in group.members:
                    yield group.base, member, ContextLinkKind.FREQUENTS, "", "", anyone
        for young, setting in zip(world.cast.young_people, places.school_of, strict=True):
            if setting >= 0:
                yield setting, young, ContextLinkKind.ATTENDS, "", "", (staff.EDUCATION,)

    for context, person, kind, initials, source, agencies in structure():
        if count >= structural_cap:
            break
        add(context, person, kind, initials=initials, source=source, agencies=agencies)
        if len(batch) >= LINK_CHUNK:
            yield batch
            batch = []

    failures = 0
    while count < total:
        kind = _mix(rng, CONTEXT_LINK_MIX)
        person = (
            world.adults.draw(rng)
            if kind == ContextLinkKind.FREQUENTS and world.adults and rng.random() < 0.2
            else world.young.draw(rng)
        )
        if kind == ContextLinkKind.MEMBER_OF or (
            kind == ContextLinkKind.EXPLOITED_AT and places.online and rng.random() < 0.3
        ):
            if not places.online:
                kind, context = ContextLinkKind.FREQUENTS, places.draw_location(rng)
            else:
                context = rng.choice(places.online)
        else:
            context = places.draw_location(rng)
        added = add(context, person, kind)
        failures = 0 if added else failures + 1
        if failures > 10_000:
            raise ValueError("Too few people and places for this many context links")
        if len(batch) >= LINK_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch
