"""Multi-agency chronologies for a person or a context, built from every record that has a date.

Events, associations and context links are built in here. Other apps (contacts, assessments,
missing episodes, meetings ...) register a ``ChronologySource`` from their ``AppConfig.ready()``
so that this module never imports them. Each source returns at most ``LIMIT`` entries, newest
first, so a busy hotspot's page costs the same as a quiet one; filtering by date reaches further
back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from contexts.models import Context, ContextLink
from events.models import Event, EventKind, EventParticipant
from events.selectors import visible_events
from people.models import Association, Person
from people.selectors import visible_people

LIMIT = 200
CHRONOLOGY_PAGE = 50
ENTRY_TYPES = [
    *EventKind.choices,
    ("association", "Association recorded"),
    ("context_link", "Link to a context recorded"),
    ("record", "Record opened"),
]


@dataclass(frozen=True)
class ChronologyFilter:
    agency_id: int | None = None
    entry_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class ChronologyEntry:
    when: dt.datetime
    entry_type: str
    type_label: str
    title: str
    body: str = ""
    agency: str = ""
    byline: str = ""
    tags: list[str] = field(default_factory=list)
    people: list[tuple[str, str, str]] = field(default_factory=list)  # (name, role, link)
    restricted: bool = False
    link: str = ""
    date_only: bool = False  # recorded as a date (a decision date, a start date): no time shown


SourceFunction = Callable[[Any, Any, ChronologyFilter], list[ChronologyEntry]]


@dataclass(frozen=True)
class ChronologySource:
    """Entries from another app: ``for_person(viewer, person, filters)`` and/or ``for_context``.

    A source must show only what the viewer may see, honour every field of the filter (use
    ``wants``, ``dated`` and ``in_window``), and return at most ``LIMIT`` entries.
    """

    name: str
    entry_types: tuple[tuple[str, str], ...]
    for_person: SourceFunction | None = None
    for_context: SourceFunction | None = None


_SOURCES: dict[str, ChronologySource] = {}


def register_source(source: ChronologySource) -> None:
    _SOURCES[source.name] = source


def entry_types() -> list[tuple[str, str]]:
    """Every type of entry a chronology can show, for the filter."""
    extra = [t for source in _SOURCES.values() for t in source.entry_types]
    return [*ENTRY_TYPES, *extra]


def _registered(
    viewer: Any, subject: Any, filters: ChronologyFilter, *, person: bool
) -> list[ChronologyEntry]:
    entries: list[ChronologyEntry] = []
    for source in _SOURCES.values():
        if filters.entry_type and filters.entry_type not in dict(source.entry_types):
            continue
        function = source.for_person if person else source.for_context
        if function is not None:
            entries += function(viewer, subject, filters)
    return entries


def dated(qs: QuerySet[Any], column: str, f: ChronologyFilter) -> QuerySet[Any]:
    if f.date_from:
        qs = qs.filter(**{f"{column}__gte": start_of(f.date_from)})
    if f.date_to:
        qs = qs.filter(**{f"{column}__lt": start_of(f.date_to + dt.timedelta(days=1))})
    return qs


def wants(f: ChronologyFilter, entry_type: str) -> bool:
    return not f.entry_type or f.entry_type == entry_type


def _event_entries(
    viewer: Any, events: QuerySet[Event], f: ChronologyFilter
) -> list[ChronologyEntry]:
    if f.entry_type and f.entry_type not in EventKind.values:
        return []
    if f.entry_type:
        events = events.filter(kind=f.entry_type)
    if f.agency_id:
        events = events.filter(recording_agency_id=f.agency_id)
    events = dated(events, "occurred_at", f)
    rows = list(
        events.select_related("location", "recording_agency", "recorded_by")
        .prefetch_related(
            Prefetch("participants", queryset=EventParticipant.objects.select_related("person"))
        )
        .order_by("-occurred_at")[:LIMIT]
    )
    ids = {p.person_id for e in rows for p in e.participants.all()}
    shown = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    entries = []
    for event in rows:
        people = []
        for part in event.participants.all():
            if part.person_id in shown:
                link = reverse("people:profile", args=[part.person_id])
                people.append((part.person.display_name, part.get_role_display(), link))
            else:
                people.append(
                    ("A person whose record your agency cannot open", part.get_role_display(), "")
                )
        place = event.location.name if event.location else event.place_description
        entries.append(
            ChronologyEntry(
                when=event.occurred_at,
                entry_type=event.kind,
                type_label=event.get_kind_display(),
                title=event.get_kind_display() + (f" at {place}" if place else ""),
                body=event.narrative,
                agency=event.recording_agency.name,
                byline=event.recorded_by.get_full_name() if event.recorded_by else "",
                tags=event.harm_labels,
                people=people,
                restricted=event.sensitivity == "restricted",
                link=reverse("contexts:profile", args=[event.location_id])
                if event.location_id
                else "",
            )
        )
    return entries


def person_chronology(
    *, viewer: Any, person: Person, filters: ChronologyFilter
) -> list[ChronologyEntry]:
    events = visible_events(viewer).filter(participants__person=person)
    entries = _event_entries(viewer, events, filters)
    if wants(filters, "association"):
        links = Association.objects.filter(Q(person=person) | Q(other=person))
        if filters.agency_id:
            links = links.filter(recording_agency_id=filters.agency_id)
        links = dated(links, "created_at", filters).select_related(
            "person", "other", "recording_agency", "recorded_by"
        )
        rows = list(links.order_by("-created_at")[:LIMIT])
        others = {a.other_id if a.person_id == person.pk else a.person_id for a in rows}
        shown = set(visible_people(viewer).filter(pk__in=others).values_list("pk", flat=True))
        for a in rows:
            other = a.other if a.person_id == person.pk else a.person
            name = (
                other.display_name
                if other.pk in shown
                else "a person whose record your agency cannot open"
            )
            entries.append(
                ChronologyEntry(
                    when=a.created_at,
                    entry_type="association",
                    type_label="Association recorded",
                    title=f"{a.get_kind_display()}: {name}",
                    body=f"Source: {a.source}. Reliability: {a.get_reliability_display()}.",
                    agency=a.recording_agency.name,
                    byline=a.recorded_by.get_full_name(),
                )
            )
    if wants(filters, "context_link"):
        clinks = ContextLink.objects.filter(person=person)
        if filters.agency_id:
            clinks = clinks.filter(recording_agency_id=filters.agency_id)
        clinks = dated(clinks, "created_at", filters).select_related(
            "context", "recording_agency", "recorded_by"
        )
        entries += [
            _context_link_entry(c, c.context.name) for c in clinks.order_by("-created_at")[:LIMIT]
        ]
    if (
        wants(filters, "record")
        and in_window(person.created_at, filters)
        and (not filters.agency_id or filters.agency_id == person.holding_agency_id)
    ):
        entries.append(
            ChronologyEntry(
                when=person.created_at,
                entry_type="record",
                type_label="Record opened",
                title="Record opened",
                agency=person.holding_agency.name,
            )
        )
    entries += _registered(viewer, person, filters, person=True)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def context_chronology(
    *, viewer: Any, context: Context, filters: ChronologyFilter
) -> list[ChronologyEntry]:
    events = visible_events(viewer).filter(location=context)
    entries = _event_entries(viewer, events, filters)
    if wants(filters, "context_link"):
        clinks = ContextLink.objects.filter(context=context)
        if filters.agency_id:
            clinks = clinks.filter(recording_agency_id=filters.agency_id)
        clinks = dated(clinks, "created_at", filters).select_related(
            "person", "recording_agency", "recorded_by"
        )
        rows = list(clinks.order_by("-created_at")[:LIMIT])
        shown = set(
            visible_people(viewer)
            .filter(pk__in={c.person_id for c in rows if c.person_id})
            .values_list("pk", flat=True)
        )
        for c in rows:
            if c.person_id is None:
                who = f"Initials {c.initials}"
            elif c.person_id in shown:
                who = c.person.display_name  # type: ignore[union-attr]
            else:
                who = "A person whose record your agency cannot open"
            entries.append(_context_link_entry(c, who, from_context=True))
    if (
        wants(filters, "record")
        and in_window(context.created_at, filters)
        and not filters.agency_id
    ):
        entries.append(
            ChronologyEntry(
                when=context.created_at,
                entry_type="record",
                type_label="Record opened",
                title="Context record opened",
            )
        )
    entries += _registered(viewer, context, filters, person=False)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _context_link_entry(
    link: ContextLink, subject: str, *, from_context: bool = False
) -> ChronologyEntry:
    how = link.get_kind_display()
    title = f"{subject} — linked here ({how.lower()})" if from_context else f"{how}: {subject}"
    return ChronologyEntry(
        when=link.created_at,
        entry_type="context_link",
        type_label="Link to a context recorded",
        title=title,
        body=f"Source: {link.source}. Reliability: {link.get_reliability_display()}.",
        agency=link.recording_agency.name,
        byline=link.recorded_by.get_full_name(),
    )


def in_window(when: dt.datetime, f: ChronologyFilter) -> bool:
    if f.date_from and when < start_of(f.date_from):
        return False
    return not (f.date_to and when >= start_of(f.date_to + dt.timedelta(days=1)))
