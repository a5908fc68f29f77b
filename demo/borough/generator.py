"""Writing the planned borough to the database, fast enough for a county-sized load test.

A deliberate exception to the project's rule that every change goes through a service and is
audited record by record: this is synthetic data, written with ``bulk_create`` straight to the
models (a million events one by one through ``event_record`` would take hours and flood the audit
trail). The run writes one audit record for the whole borough instead. Because ``bulk_create``
skips ``save()``, the search keys of each PersonName are set here with ``name_keys``.

Each chunk is written in its own transaction: a county run never holds a million events in memory
or in one transaction.

Besides the background, the run writes what ``unrecorded_plan`` plants for the suggested-contexts
queue to find: events at two busy places no location context covers (streamed in the same
chunks, within the scale's total of events) and the peer and adult-of-concern associations of a
few groups of young people in no peer-group context (on top of the scale's associations). The
summary's ``planted`` says what was planted, recorded and unrecorded, with database ids.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models, transaction

from accounts.models import Agency, Team, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextLink
from demo.borough import geography
from demo.borough.link_plan import association_chunks, context_link_chunks
from demo.borough.people_plan import PEOPLE_CHUNK, chunk_count, people_chunk
from demo.borough.planted import Planted, planted_in, planted_people
from demo.borough.progress import Progress, Writer
from demo.borough.rows import PersonRow, TeamName
from demo.borough.scales import DEFAULT_SEED, SCALES
from demo.borough.unrecorded_plan import (
    all_event_chunks,
    plan_unrecorded,
    unrecorded_associations,
)
from demo.borough.world import World, plan_world
from demo.partnership import AGENCIES, DEMO_USERS
from events.cells import event_cell
from events.models import Event, EventParticipant
from mapping import cellcounts
from people.models import (
    Address,
    Association,
    Person,
    PersonIdentifier,
    PersonName,
    RecordShare,
)
from people.names import name_keys

BATCH_SIZE = 5_000

M = TypeVar("M", bound=models.Model)


class PartnershipMissingError(RuntimeError):
    """The demo agencies, teams or users the borough is recorded by do not exist yet."""


class AlreadyGeneratedError(RuntimeError):
    """People already exist: the borough is generated into an empty case load only."""


@dataclass(frozen=True)
class BoroughSummary:
    scale: str
    seed: int
    counts: dict[str, int]
    planted: Planted
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class _Partnership:
    """Database ids of the demo partnership, by the names the plan uses."""

    agencies: dict[str, int]
    teams: dict[TeamName, int]
    users: dict[str, int]

    def team(self, name: TeamName | None) -> int | None:
        return self.teams[name] if name else None

    def user(self, username: str | None) -> int | None:
        return self.users[username] if username else None


def _partnership() -> _Partnership:
    agencies = dict(Agency.objects.filter(name__in=AGENCIES).values_list("name", "pk"))
    teams = {
        (agency, name): pk
        for agency, name, pk in Team.objects.filter(agency__name__in=AGENCIES).values_list(
            "agency__name", "name", "pk"
        )
    }
    usernames = [u.username for u in DEMO_USERS]
    users = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    wanted_teams = {(a, t) for a, (_kind, names) in AGENCIES.items() for t in names}
    if len(agencies) < len(AGENCIES) or wanted_teams - teams.keys() or len(users) < len(usernames):
        raise PartnershipMissingError("The demo partnership is not loaded: run demo_setup first.")
    return _Partnership(agencies, teams, users)


def _create(model: type[M], objects: Sequence[M]) -> list[M]:
    return model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)


def _person(row: PersonRow, ids: _Partnership) -> Person:
    return Person(
        kind=row.kind,
        given_name=row.given_name,
        family_name=row.family_name,
        known_as=row.known_as,
        date_of_birth=row.date_of_birth,
        age_band=row.age_band,
        sex=row.sex,
        ethnicity=row.ethnicity,
        first_language=row.first_language,
        flags=row.flags,
        holding_agency_id=ids.agencies[row.holding_agency],
        owning_team_id=ids.team(row.owning_team),
        created_by_id=ids.user(row.created_by),
        created_at=row.created_at,
        updated_at=row.created_at,
    )


def _evidence(row: Any, ids: _Partnership) -> dict[str, Any]:
    """The fields every ObservedLink carries: dates, source, reliability, who recorded it."""
    return {
        "started_on": row.started_on,
        "ended_on": row.ended_on,
        "source": row.source,
        "reliability": row.reliability,
        "notes": row.notes,
        "recorded_by_id": ids.users[row.recorded_by],
        "recording_agency_id": ids.agencies[row.agency],
        "created_at": row.created_at,
    }


class _Writer:
    def __init__(self, world: World, ids: _Partnership, out: Writer | None) -> None:
        self.world = world
        self.ids = ids
        self.out = out
        self.counts: Counter[str] = Counter()
        self.context_pks: list[int] = []
        self.person_pks: list[int] = []
        self.location_events: Counter[int] = Counter()
        self.unrecorded = plan_unrecorded(world)
        self.unrecorded_names = {s.name for s in geography.UNRECORDED_HOTSPOTS}
        self.unrecorded_events: Counter[str] = Counter()  # by place description
        self.planted_people = planted_people(world, self.unrecorded)
        self.planted_names: dict[int, str] = {}

    def _progress(self, label: str, total: int) -> Progress:
        return Progress(self.out, label, total)

    def contexts(self) -> None:
        rows = self.world.places.contexts
        bar = self._progress("contexts", len(rows))
        objects = [
            Context(
                kind=r.kind,
                name=r.name,
                description=r.description,
                status=r.status,
                owning_team_id=self.ids.teams[r.owning_team],
                location_type=r.location_type,
                geometry=r.geometry,
                latitude=r.latitude,
                longitude=r.longitude,
                address=r.address,
                setting_type=r.setting_type,
                urn=r.urn,
                platform=r.platform,
                space=r.space,
                created_by_id=self.ids.user(r.created_by),
                created_at=r.created_at,
                updated_at=r.created_at,
            )
            for r in rows
        ]
        with transaction.atomic():
            self.context_pks = [c.pk for c in _create(Context, objects)]
        self.counts["contexts"] = len(objects)
        self.counts.update(f"contexts_{r.kind}" for r in rows)
        bar.advance(len(objects))
        bar.finish()

    def people(self) -> None:
        total = self.world.scale.people
        bar = self._progress("people", total)
        for chunk in range(chunk_count(total, PEOPLE_CHUNK)):
            rows = people_chunk(self.world.cast, self.world.seed, chunk)
            with transaction.atomic():
                self._people(rows)
            bar.advance(len(rows))
        bar.finish()

    def _people(self, rows: list[PersonRow]) -> None:
        ids = self.ids
        people = _create(Person, [_person(r, ids) for r in rows])
        self.person_pks.extend(p.pk for p in people)
        names: list[PersonName] = []
        identifiers: list[PersonIdentifier] = []
        addresses: list[Address] = []
        shares: list[RecordShare] = []
        for row, person in zip(rows, people, strict=True):
            if row.index in self.planted_people:
                self.planted_names[row.index] = row.full_name
            for n in row.names:
                normalised, phonetic = name_keys(n.name)
                names.append(
                    PersonName(
                        person_id=person.pk,
                        kind=n.kind,
                        name=n.name,
                        normalised=normalised,
                        phonetic=phonetic,
                    )
                )
            identifiers.extend(
                PersonIdentifier(
                    person_id=person.pk,
                    scheme=i.scheme,
                    value=i.value,
                    recorded_by_agency_id=ids.agencies[i.agency],
                    created_at=row.created_at,
                )
                for i in row.identifiers
            )
            addresses.extend(
                Address(
                    person_id=person.pk,
                    line_1=a.line_1,
                    town=a.town,
                    postcode=a.postcode,
                    moved_in=a.moved_in,
                    moved_out=a.moved_out,
                    recorded_by_agency_id=ids.agencies[a.agency],
                )
                for a in row.addresses
            )
            shares.extend(
                RecordShare(
                    person_id=person.pk,
                    agency_id=ids.agencies[s.agency],
                    route=s.route,
                    reason=s.reason,
                    granted_by_id=ids.user(s.granted_by),
                    granted_at=s.granted_at,
                )
                for s in row.shares
            )
        _create(PersonName, names)
        _create(PersonIdentifier, identifiers)
        _create(Address, addresses)
        _create(RecordShare, shares)
        self.counts.update(f"people_{r.kind}" for r in rows)
        self.counts.update(
            people=len(rows),
            person_names=len(names),
            identifiers=len(identifiers),
            addresses=len(addresses),
            record_shares=len(shares),
        )

    def _chunked(self, label: str, total: int, chunks: Iterable[list[Any]]) -> Iterator[list[Any]]:
        bar = self._progress(label, total)
        for rows in chunks:
            yield rows
            bar.advance(len(rows))
        bar.finish()

    def associations(self) -> None:
        pks, ids = self.person_pks, self.ids
        extra = unrecorded_associations(self.world, self.unrecorded)
        total = self.world.scale.associations + len(extra)
        chunks = itertools.chain(association_chunks(self.world), [extra] if extra else [])
        for rows in self._chunked("associations", total, chunks):
            with transaction.atomic():
                _create(
                    Association,
                    [
                        Association(
                            person_id=pks[r.person],
                            other_id=pks[r.other],
                            kind=r.kind,
                            **_evidence(r, ids),
                        )
                        for r in rows
                    ],
                )
            self.counts["associations"] += len(rows)
        self.counts["unrecorded_associations"] = len(extra)

    def context_links(self) -> None:
        pks, contexts, ids = self.person_pks, self.context_pks, self.ids
        total = self.world.scale.context_links
        for rows in self._chunked("context links", total, context_link_chunks(self.world)):
            with transaction.atomic():
                _create(
                    ContextLink,
                    [
                        ContextLink(
                            context_id=contexts[r.context],
                            person_id=pks[r.person] if r.person is not None else None,
                            initials=r.initials,
                            kind=r.kind,
                            **_evidence(r, ids),
                        )
                        for r in rows
                    ],
                )
            self.counts["context_links"] += len(rows)

    def events(self) -> None:
        pks, contexts, ids = self.person_pks, self.context_pks, self.ids
        total = self.world.scale.events
        chunks = all_event_chunks(self.world, self.unrecorded)
        for rows in self._chunked("events", total, chunks):
            objects = [
                Event(
                    kind=r.kind,
                    occurred_at=r.occurred_at,
                    ended_at=r.ended_at,
                    location_id=contexts[r.location] if r.location is not None else None,
                    latitude=r.latitude,
                    longitude=r.longitude,
                    h3_cell=event_cell(r.latitude, r.longitude),
                    place_description=r.place_description,
                    narrative=r.narrative,
                    harm_types=r.harm_types,
                    sensitivity=r.sensitivity,
                    recording_agency_id=ids.agencies[r.agency],
                    recorded_by_id=ids.user(r.recorded_by),
                    created_at=r.created_at,
                )
                for r in rows
            ]
            with transaction.atomic():
                events = _create(Event, objects)
                participants = [
                    EventParticipant(event_id=event.pk, person_id=pks[person], role=role)
                    for row, event in zip(rows, events, strict=True)
                    for person, role in row.participants
                ]
                _create(EventParticipant, participants)
            self.location_events.update(r.location for r in rows if r.location is not None)
            self.unrecorded_events.update(
                r.place_description
                for r in rows
                if r.location is None and r.place_description in self.unrecorded_names
            )
            self.counts["events"] += len(rows)
            self.counts["participants"] += len(participants)
        self.counts["unrecorded_events"] = sum(self.unrecorded_events.values())

    def planted(self) -> Planted:
        places = self.world.places
        plan = planted_in(self.world, self.planted_names, self.unrecorded)
        hotspots = tuple(
            dataclasses.replace(
                spot,
                events=self.location_events[index],
                context_pk=self.context_pks[index],
            )
            for spot, index in zip(plan.hotspots, places.hotspots, strict=True)
        )
        planted_groups = [g for g in places.groups if g.planted]
        groups = tuple(
            dataclasses.replace(
                summary,
                context_pk=self.context_pks[group.context],
                member_pks=tuple(self.person_pks[i] for i in group.members),
                adult_pks=tuple(self.person_pks[i] for i in group.adults),
            )
            for summary, group in zip(plan.peer_groups, planted_groups, strict=True)
        )
        unrecorded_hotspots = tuple(
            dataclasses.replace(spot, events=self.unrecorded_events[spot.name])
            for spot in plan.unrecorded_hotspots
        )
        unrecorded_groups = tuple(
            dataclasses.replace(
                group,
                member_pks=tuple(self.person_pks[i] for i in group.member_indexes),
                adult_pks=tuple(self.person_pks[i] for i in group.adult_indexes),
            )
            for group in plan.unrecorded_groups
        )
        return Planted(hotspots, groups, unrecorded_hotspots, unrecorded_groups)


def _refresh_planner_statistics() -> None:
    """After a bulk load PostgreSQL has no statistics until autovacuum gets round to it, and plans
    a two-row lookup as a scan of thousands; analyse now, as any bulk import should."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate(scale: str, seed: int = DEFAULT_SEED, stdout: Writer | None = None) -> BoroughSummary:
    """Generate the fictional borough at this scale from this seed, into an empty case load."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}: choose from {', '.join(SCALES)}")
    started = time.monotonic()
    ids = _partnership()
    if Person.objects.exists():
        raise AlreadyGeneratedError("The borough is already generated")
    world = plan_world(scale, seed)
    writer = _Writer(world, ids, stdout)
    writer.contexts()
    writer.people()
    writer.associations()
    writer.context_links()
    writer.events()
    _refresh_planner_statistics()
    # bulk_create sends no signals: count the borough's events for the maps in one pass.
    cellcounts.rebuild()
    counts = dict(sorted(writer.counts.items()))
    audit_record(
        actor=None,
        action=AccessAction.CREATE,
        object_type="demo.borough",
        object_label=f"Generated fictional borough ({scale}, seed {seed})",
        changes={"scale": scale, "seed": seed, "counts": counts},
    )
    return BoroughSummary(
        scale=scale,
        seed=seed,
        counts=counts,
        planted=writer.planted(),
        seconds=round(time.monotonic() - started, 1),
    )
