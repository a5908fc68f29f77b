"""Events per H3 cell that a viewer may count, summed from the counts kept on write.

The same answer as grouping ``countable_events`` by cell (tests compare the
two on every rule), read from ``mapping.cellcounts``' tables:

1. ``CellCount``: the viewer's agency's own events, and every standard event at a recorded
   place (case workers); or every standard event (analysts, whose counts are suppressed);
2. ``SharedCellCount``: other agencies' standard events with no place, through a person
   shared with the agency for good (case workers);
3. per request, the same kind of events through a share only this viewer has, or one that
   expires (break-glass, time-limited): few people, so a small query, and never counted twice
   with 2 (an event with a person shared for good is left to 2).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import threading
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from access.roles import CASE_WORK_ROLES
from events.models import Event, EventParticipant, HarmType, Sensitivity
from mapping import cellcounts
from mapping.cellcounts import ANY_UNPLACED, SHARED
from mapping.models import CellCount, CellMonthCount, CellPlace, CellScope, SharedCellCount
from people.models import RecordShare
from people.selectors import visible_people


class CountingRule(NamedTuple):
    """Everything about a viewer that decides which events they count: two viewers with the
    same rule see the same counts (so a map computed for one may be shown to the other)."""

    agency: int  # -1: no agency, so no agency's own events
    exact: bool
    shared: bool  # counts other agencies' events through people shared with the agency
    own_people: tuple[int, ...]  # people shared with this viewer alone, or for a time


def counting_rule(viewer: Any, *, exact: bool) -> CountingRule:
    shared = exact and _opens_records(viewer)
    own = _own_share_people(viewer) if shared else ()
    return CountingRule(viewer.agency_id or -1, exact, shared, own)


def cell_totals(
    viewer: Any,
    *,
    exact: bool,
    harm_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    rule: CountingRule | None = None,
) -> dict[str, int]:
    """Events per cell the viewer may count, in the period (local days, both ends included).

    ``rule``: the viewer's ``counting_rule``, where the caller has it already."""
    periods: list[Period] = [(since, until)]
    return cell_totals_by_period(
        viewer, exact=exact, harm_type=harm_type, periods=periods, rule=rule
    )[0]


def cell_totals_by_period(
    viewer: Any,
    *,
    exact: bool,
    periods: Sequence[Period],
    harm_type: str = "",
    rule: CountingRule | None = None,
) -> list[dict[str, int]]:
    """``cell_totals`` for each of several periods, in one query per table whatever their
    number (an emerging map compares two)."""
    if harm_type and harm_type not in HarmType.values:
        raise ValueError(f"Not a harm type: {harm_type!r}")
    rule = rule or counting_rule(viewer, exact=exact)
    agency, exact, shared = rule.agency, rule.exact, rule.shared
    splits = [_split(since, until) for since, until in periods]
    # Whole months: per series, whose owner is the recording agency, or 0 for placed events.
    series = [
        Q(series=CellScope.PLACED, owner=0),
        Q(owner=agency, series=CellScope.RESTRICTED),
        Q(owner=agency, series=CellScope.UNPLACED) if exact else Q(series=ANY_UNPLACED, owner=0),
    ]
    if shared:
        series.append(Q(owner=agency, series=SHARED))
    totals: list[dict[str, int]] = [{} for _ in periods]
    months = [[] if whole is None else [whole] for whole, _ in splits]
    rows = CellMonthCount.objects.filter(harm_type=harm_type)
    _add_each(totals, _summed_each(rows, months, "month", each_of=series))
    # The days before the first whole month and after the last, from the day counts.
    edges = [list(edge_days) for _, edge_days in splits]
    own = Q(recording_agency_id=agency)
    counted = own | Q(scope=CellScope.PLACED)
    if not exact:
        counted |= Q(scope=CellScope.UNPLACED)
    days = CellCount.objects.filter(counted, harm_type=harm_type)
    _add_each(totals, _summed_each(days, edges, "day"))
    if shared:
        theirs = SharedCellCount.objects.filter(agency_id=agency, harm_type=harm_type)
        _add_each(totals, _summed_each(theirs, edges, "day"))
    if rule.own_people:
        for found, (since, until) in zip(totals, periods, strict=True):
            _add(found, _through_own_shares(viewer, rule.own_people, harm_type, since, until))
    return totals


Period = tuple[dt.date | None, dt.date | None]  # first and last, both included; None: open


def _split(since: dt.date | None, until: dt.date | None) -> tuple[Period | None, list[Period]]:
    """The whole calendar months in a period, and the days either side of them."""
    start = since if since is None or since.day == 1 else _next_month(since)
    end: dt.date | None = None  # the first day after the whole months
    if until is not None:
        last_of_month = _next_month(until) - dt.timedelta(days=1) == until
        end = _next_month(until) if last_of_month else until.replace(day=1)
    if start is not None and end is not None and start >= end:
        return None, [(since, until)]  # no whole month: a few weeks of days at most
    months: Period = (start, None if end is None else end - dt.timedelta(days=1))
    edges: list[Period] = []
    if since is not None and start is not None and since < start:
        edges.append((since, start - dt.timedelta(days=1)))
    if until is not None and end is not None and end <= until:
        edges.append((end, until))
    return months, edges


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _add(totals: dict[str, int], more: dict[str, int]) -> None:
    for cell, n in more.items():
        totals[cell] = totals.get(cell, 0) + n


def _opens_records(viewer: Any) -> bool:
    # As people.selectors.visible_people: case-work roles in an agency, or no one's records.
    return bool(viewer.role_set & CASE_WORK_ROLES) and viewer.agency_id is not None


def _add_each(totals: list[dict[str, int]], more: list[dict[str, int]]) -> None:
    for found, extra in zip(totals, more, strict=True):
        _add(found, extra)


def _within(period: Period, field: str) -> Q | None:
    """The rows whose ``field`` falls in the period; None where the period is open both ways."""
    since, until = period
    bounds = {}
    if since:
        bounds[f"{field}__gte"] = since
    if until:
        bounds[f"{field}__lte"] = until
    return Q(**bounds) if bounds else None


def _summed_each(
    rows: QuerySet[Any], ranges: list[list[Period]], field: str, each_of: list[Q] | None = None
) -> list[dict[str, int]]:
    """For each entry of ``ranges``, the events per cell in any of its periods, in one query
    (``SUM(...) FILTER (WHERE ...)`` per entry), of the rows matching any of ``each_of``.

    ``each_of`` is combined with each period rather than the two ORs being ANDed, so that the
    index (series, owner, harm, month, ...) bounds every scan by month too."""
    alternatives = each_of or [Q()]
    sums: dict[str, Any] = {}
    wanted: list[Q] = []
    everything = False
    for i, periods in enumerate(ranges):
        if not periods:
            continue
        conditions = [_within(period, field) for period in periods]
        if any(c is None for c in conditions):
            sums[f"p{i}"] = Sum("events")
            everything = True
            continue
        either = functools.reduce(operator.or_, cast(list[Q], conditions))
        sums[f"p{i}"] = Sum("events", filter=either)
        wanted.append(either)
    found: list[dict[str, int]] = [{} for _ in ranges]
    if not sums:
        return found
    if everything:
        wanted = [Q()]
    # Q() & c is c: with no alternatives or an open period, the plain conditions.
    rows = rows.filter(
        functools.reduce(operator.or_, [a & c for a in alternatives for c in wanted])
    )
    names = list(sums)
    grouped = rows.order_by().values("cell").annotate(**sums).values_list("cell", *names)
    for cell, *counts in grouped:
        for name, n in zip(names, counts, strict=True):
            if n:
                found[int(name[1:])][cell] = int(n)
    return found


def _own_share_people(viewer: Any) -> tuple[int, ...]:
    """The people shared with this user alone, or with the agency for a time (part 3)."""
    now = timezone.now()
    live = RecordShare.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        Q(user__isnull=True) | Q(user=viewer),
        agency_id=viewer.agency_id,
        person__merged_into__isnull=True,
    )
    people = (
        live.filter(Q(user=viewer) | Q(expires_at__isnull=False))
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    return tuple(people)


def _through_own_shares(
    viewer: Any,
    people: tuple[int, ...],
    harm_type: str,
    since: dt.date | None,
    until: dt.date | None,
) -> dict[str, int]:
    """Part 3: events counted through shares held by this user alone or for a time."""
    for_good = RecordShare.objects.filter(
        agency_id=viewer.agency_id,
        user__isnull=True,
        expires_at__isnull=True,
        person__merged_into__isnull=True,
        person__event_roles__event=OuterRef("pk"),
    )
    events = (
        Event.objects.filter(
            sensitivity=Sensitivity.STANDARD,
            location__isnull=True,
            pk__in=EventParticipant.objects.filter(person_id__in=people).values("event_id"),
        )
        .exclude(recording_agency_id=viewer.agency_id)
        .exclude(h3_cell="")
        .exclude(Exists(for_good))
    )
    return _cell_counts(_filtered(events, harm_type, since, until))


def _filtered(
    events: QuerySet[Event], harm_type: str, since: dt.date | None, until: dt.date | None
) -> QuerySet[Event]:
    if harm_type:
        if harm_type not in HarmType.values:
            raise ValueError(f"Not a harm type: {harm_type!r}")
        events = _with_harm(events, harm_type)
    if since:
        events = events.filter(occurred_at__gte=_start_of(since))
    if until:
        events = events.filter(occurred_at__lt=_start_of(until + dt.timedelta(days=1)))
    return events


def _with_harm(events: QuerySet[Event], harm_type: str) -> QuerySet[Event]:
    if connection.features.supports_json_field_contains:
        return events.filter(harm_types__contains=[harm_type])
    # SQLite has no JSON containment: match the quoted value in the stored JSON text. Harm
    # types are validated slugs, so '"cce"' cannot match inside another value.
    return events.alias(harm_text=Cast("harm_types", TextField())).filter(
        harm_text__contains=f'"{harm_type}"'
    )


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight in Europe/London (the service's time zone), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _cell_counts(events: QuerySet[Event]) -> dict[str, int]:
    rows = (
        events.exclude(h3_cell="")
        .order_by()
        .values("h3_cell")
        .annotate(events=Count("id"))
        .values_list("h3_cell", "events")
    )
    return dict(rows)


# Each agency's best description per cell, held per process and keyed by the table's version:
# rows are only ever deleted and inserted (never updated), so any change moves the largest id or
# the count.
_names: dict[tuple[int, int, int, int], dict[str, tuple[int, str]]] = {}
_names_lock = threading.Lock()


def place_descriptions(viewer: Any, cells: list[str]) -> dict[str, tuple[int, str]]:
    """The commonest place description per cell among the viewer's agency's own events and
    standard events at a recorded place: every event in them the viewer may open."""
    if not cells:
        return {}
    version = CellPlace.objects.aggregate(last=Max("id"), rows=Count("id"))
    key = (
        viewer.agency_id or 0,
        cellcounts.places_generation,
        version["last"] or 0,
        version["rows"],
    )
    with _names_lock:
        best = _names.get(key)
    if best is None:
        best = _best_descriptions(viewer.agency_id)
        with _names_lock:
            for stale in [k for k in _names if k[0] == key[0]]:
                del _names[stale]
            _names[key] = best
    return {cell: best[cell] for cell in cells if cell in best}


def _best_descriptions(agency: int | None) -> dict[str, tuple[int, str]]:
    own = Q(recording_agency_id=agency) if agency else Q(pk__in=[])
    rows = (
        CellPlace.objects.filter(own | Q(scope=CellScope.PLACED))
        .order_by()
        .values("cell", "description")
        .annotate(n=Sum("events"))
        .values_list("cell", "description", "n")
    )
    best: dict[str, tuple[int, str]] = {}
    for cell, description, n in rows.iterator(chunk_size=5000):
        current = best.get(cell)
        if current is None or (int(n), description) > current:
            best[cell] = (int(n), description)
    return best


# --- the reference -------------------------------------------------------------------------------
# What a viewer may count, defined from the events themselves: too slow for a page at county scale,
# kept as the definition that tests compare the kept counts with, rule by rule.


def countable_events(viewer: Any, exact: bool) -> list[QuerySet[Event]]:
    """The events to count, as disjoint parts whose counts add up.

    Exact: ``visible_events`` split in two. As one query, PostgreSQL checks "is a person
    involved whom the viewer may open?" once per event as a correlated subplan, over a million
    events; split, only other agencies' standard events with no place (a third) need that
    check, as a semi-join, and the rest is one scan.
    """
    if not exact:
        own = Q(recording_agency_id=viewer.agency_id) if viewer.agency_id else Q(pk__in=[])
        return [Event.objects.filter(own | Q(sensitivity=Sensitivity.STANDARD))]
    standard = Q(sensitivity=Sensitivity.STANDARD)
    placed = standard & Q(location__isnull=False)
    others = Event.objects.filter(standard, location__isnull=True)
    if viewer.agency_id:
        # The agency's own events and every standard event at a place: one scan, no join.
        own = Q(recording_agency_id=viewer.agency_id)
        first = Event.objects.filter(own | placed)
        others = others.exclude(own)
    else:
        first = Event.objects.filter(placed)
    involved = EventParticipant.objects.filter(
        event=OuterRef("pk"), person__in=visible_people(viewer)
    )
    return [first, others.filter(Exists(involved))]


def counts_from_events(
    parts: list[QuerySet[Event]], harm_type: str, since: dt.date | None, until: dt.date | None
) -> dict[str, int]:
    """``countable_events`` grouped by cell: the slow way, and the reference for the fast one."""
    total: dict[str, int] = {}
    for part in parts:
        for cell, count in _cell_counts(_filtered(part, harm_type, since, until)).items():
            total[cell] = total.get(cell, 0) + count
    return total
