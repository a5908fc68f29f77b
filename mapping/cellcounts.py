"""Hotspot counts kept as events are written: per cell and day, so a map sums, never scans.

A hotspot map for the whole partnership used to group a million events on every page load
(0.8 s for a case worker at county scale, 1.5 s for the map page). The three tables in
``mapping.models`` hold the same counts already grouped:

- ``CellCount``: events per cell, day, recording agency, rule (``CellScope``) and harm type;
- ``SharedCellCount``: per agency, other agencies' standard events with no recorded place that
  it may count through a person shared with it for good;
- ``CellPlace``: place descriptions per cell, agency and rule, to name the cells.

They are refreshed, never incremented: a write recomputes the days (and cells) it touches from
the events, in one query per table, inside the writer's transaction. Recomputing is idempotent
and exact whatever else happened in between, so two writers cannot leave a wrong count between
them; a lock serialises refreshes on PostgreSQL. Bulk paths that skip signals (the
borough generator, ``QuerySet.update``) call ``refresh_days``/``refresh_for_events`` or
``rebuild`` themselves; a nightly job rebuilds everything as a safety net.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from events.models import Event, EventParticipant, Sensitivity
from events.signals import PEOPLE_FOLLOW, event_recorded
from mapping.models import (
    CellCount,
    CellCountsVersion,
    CellMonthCount,
    CellPlace,
    CellScope,
    SharedCellCount,
)
from people.models import Person, RecordShare

BATCH = 5000
# A refresh over more days than this reads every event once instead of day by day.
WHOLE_TABLE_DAYS = 120
SHARED = "shared"  # CellMonthCount.series of SharedCellCount's sums
ANY_UNPLACED = "unplaced*"  # CellMonthCount.series: standard unplaced events of every agency
_LOCK_KEY = 0x43656C6C  # PostgreSQL advisory lock for refreshes ("Cell")


# --- what a refresh computes -------------------------------------------------------------------


def local_day(moment: dt.datetime) -> dt.date:
    """The Europe/London date of a moment, as the map's period filters count days."""
    return timezone.localtime(moment).date()


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days (first, last)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _on_days(days: list[dt.date] | None, field: str = "occurred_at") -> Q:
    """Events that happened on these local days (all events when ``days`` is None)."""
    if days is None:
        return Q()
    when = Q(pk__in=[])
    for first, last in _runs(days):
        when |= Q(
            **{
                f"{field}__gte": _start_of(first),
                f"{field}__lt": _start_of(last + dt.timedelta(days=1)),
            }
        )
    return when


_SCOPE = Case(
    When(~Q(sensitivity=Sensitivity.STANDARD), then=Value(CellScope.RESTRICTED.value)),
    When(location__isnull=False, then=Value(CellScope.PLACED.value)),
    default=Value(CellScope.UNPLACED.value),
    output_field=CharField(),
)


def _with_harm_rows(
    rows: Iterable[tuple[Any, ...]],
) -> Iterator[tuple[tuple[Any, ...], int]]:
    """Each grouped row ``(*key, harm_types, n)`` as one row for every event ("" harm type)
    and one per harm type it carries."""
    for *key, harms, n in rows:
        yield (*key, ""), n
        for harm in set(harms or ()):
            yield (*key, harm), n


def _read(rows: QuerySet[Any], *, whole: bool) -> Iterable[Any]:
    # A whole-table read streams in chunks; a few days' rows come in one fetch, without the
    # cost of a server-side cursor.
    return rows.iterator(chunk_size=BATCH) if whole else rows


def _cell_counts(days: list[dt.date] | None) -> Counter[tuple[Any, ...]]:
    rows = (
        Event.objects.filter(_on_days(days))
        .exclude(h3_cell="")
        .order_by()
        .annotate(day=TruncDate("occurred_at"), scope=_SCOPE)
        .values("h3_cell", "day", "recording_agency_id", "scope", "harm_types")
        .annotate(n=Count("id"))
        .values_list("h3_cell", "day", "recording_agency_id", "scope", "harm_types", "n")
    )
    totals: Counter[tuple[Any, ...]] = Counter()
    for key, n in _with_harm_rows(_read(rows, whole=days is None)):
        totals[key] += n
    return totals


def _shared_counts(days: list[dt.date] | None) -> Counter[tuple[Any, ...]]:
    """Per agency: other agencies' standard unplaced events with a person involved whom the
    agency may open through a share with no user and no expiry (a record not merged away)."""
    rows = (
        EventParticipant.objects.filter(
            _on_days(days, "event__occurred_at"),
            event__sensitivity=Sensitivity.STANDARD,
            event__location__isnull=True,
            person__merged_into__isnull=True,
            person__shares__user__isnull=True,
            person__shares__expires_at__isnull=True,
        )
        .exclude(event__h3_cell="")
        .order_by()
        .annotate(agency=F("person__shares__agency_id"))
        .exclude(agency=F("event__recording_agency_id"))
        .annotate(day=TruncDate("event__occurred_at"))
        .values("agency", "event__h3_cell", "day", "event__harm_types")
        .annotate(n=Count("event_id", distinct=True))
        .values_list("agency", "event__h3_cell", "day", "event__harm_types", "n")
    )
    totals: Counter[tuple[Any, ...]] = Counter()
    for key, n in _with_harm_rows(_read(rows, whole=days is None)):
        totals[key] += n
    return totals


def _place_counts(cells: list[str] | None) -> Counter[tuple[Any, ...]]:
    events = Event.objects.exclude(h3_cell="").exclude(place_description="")
    if cells is not None:
        events = events.filter(h3_cell__in=cells)
    rows = (
        events.order_by()
        .annotate(scope=_SCOPE)
        .values("h3_cell", "recording_agency_id", "scope", "place_description")
        .annotate(n=Count("id"))
        .values_list("h3_cell", "recording_agency_id", "scope", "place_description", "n")
    )
    return Counter({tuple(key): n for *key, n in _read(rows, whole=cells is None)})


# --- refreshing --------------------------------------------------------------------------------


def _serialised() -> None:
    """Take the refresh lock, and give the counts a new version (both end with the writer's
    transaction): whatever a refresh changes, maps kept under the old version are not used."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    token = uuid.uuid4().hex
    if not CellCountsVersion.objects.filter(pk=1).update(token=token):
        CellCountsVersion.objects.create(pk=1, token=token)


def version() -> str | None:
    """The counts' current version; None where there is none yet (nothing may be kept)."""
    return CellCountsVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def refresh_days(days: Iterable[dt.date]) -> None:
    """Recompute the day-keyed counts for these local days from the events, and move the
    month sums by the difference."""
    wanted = sorted(set(days))
    if not wanted:
        return
    chosen = None if len(wanted) > WHOLE_TABLE_DAYS else wanted
    with transaction.atomic():
        _serialised()
        counts = _cell_counts(chosen)
        shared = _shared_counts(chosen)
        if chosen is None:
            keep = set(wanted)
            counts = Counter({k: n for k, n in counts.items() if k[1] in keep})
            shared = Counter({k: n for k, n in shared.items() if k[2] in keep})
        old_counts, old_shared = _day_rows(wanted)
        # Only the rows whose count changed are replaced: an event recorded moves a handful.
        _forget(CellCount, DAY_KEY, old_counts, counts)
        _forget(SharedCellCount, SHARED_KEY, old_shared, shared)
        _write_day_counts(_changed(old_counts, counts), _changed(old_shared, shared))
        change = _by_month(counts, shared)
        change.subtract(_by_month(old_counts, old_shared))
        _move_months(change)


DAY_KEY = ("cell", "day", "recording_agency_id", "scope", "harm_type")
SHARED_KEY = ("agency_id", "cell", "day", "harm_type")


def _changed(
    old: Counter[tuple[Any, ...]], new: Counter[tuple[Any, ...]]
) -> Counter[tuple[Any, ...]]:
    return Counter({key: n for key, n in new.items() if old.get(key) != n})


def _forget(
    model: type[CellCount] | type[SharedCellCount],
    fields: tuple[str, ...],
    old: Counter[tuple[Any, ...]],
    new: Counter[tuple[Any, ...]],
) -> None:
    """Delete the rows of ``old`` that ``new`` drops or counts differently."""
    stale = [key for key, n in old.items() if new.get(key) != n]
    for start in range(0, len(stale), 500):
        which = Q(pk__in=[])
        for key in stale[start : start + 500]:
            which |= Q(**dict(zip(fields, key, strict=True)))
        model.objects.filter(which).delete()


def _day_rows(days: list[dt.date]) -> tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]:
    counts = Counter(
        {
            tuple(key): n
            for *key, n in CellCount.objects.filter(day__in=days).values_list(
                "cell", "day", "recording_agency_id", "scope", "harm_type", "events"
            )
        }
    )
    shared = Counter(
        {
            tuple(key): n
            for *key, n in SharedCellCount.objects.filter(day__in=days).values_list(
                "agency_id", "cell", "day", "harm_type", "events"
            )
        }
    )
    return counts, shared


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _by_month(
    counts: Counter[tuple[Any, ...]], shared: Counter[tuple[Any, ...]]
) -> Counter[tuple[Any, ...]]:
    """Day counts as ``CellMonthCount`` keys (series, owner, harm, month, cell): events at a
    recorded place under owner 0, whoever recorded them."""
    months: Counter[tuple[Any, ...]] = Counter()
    for (cell, day, agency, scope, harm), n in counts.items():
        owner = 0 if scope == CellScope.PLACED else agency
        months[(scope, owner, harm, _month(day), cell)] += n
        if scope == CellScope.UNPLACED:  # analysts count every agency's: summed once here
            months[(ANY_UNPLACED, 0, harm, _month(day), cell)] += n
    for (agency, cell, day, harm), n in shared.items():
        months[(SHARED, agency, harm, _month(day), cell)] += n
    return months


def _move_months(change: Counter[tuple[Any, ...]]) -> None:
    """Add ``change`` (negative values included) to the month sums it names."""
    change = Counter({key: n for key, n in change.items() if n})
    if not change:
        return
    months = {key[3] for key in change}
    cells = {key[4] for key in change}
    around = CellMonthCount.objects.filter(month__in=months, cell__in=cells)
    totals: Counter[tuple[Any, ...]] = Counter(
        {
            tuple(key): n
            for *key, n in around.values_list(
                "series", "owner", "harm_type", "month", "cell", "events"
            )
        }
    )
    totals.update(change)
    around.delete()
    _write_months(totals)


def _write_months(totals: Counter[tuple[Any, ...]]) -> None:
    CellMonthCount.objects.bulk_create(
        (
            CellMonthCount(
                series=series, owner=owner, harm_type=harm, month=month, cell=cell, events=n
            )
            for (series, owner, harm, month, cell), n in sorted(totals.items())
            if n
        ),
        batch_size=BATCH,
    )


# Moved by every refresh of the place descriptions in this process, so that names held by
# ``mapping.counting`` are dropped at once here (other processes compare the table's version).
places_generation = 0


def _places_changed() -> None:
    global places_generation
    places_generation += 1


def refresh_cells(cells: Iterable[str]) -> None:
    """Recompute the place descriptions of these cells."""
    wanted = sorted({c for c in cells if c})
    if not wanted:
        return
    _places_changed()
    with transaction.atomic():
        _serialised()
        places = _place_counts(wanted)
        CellPlace.objects.filter(cell__in=wanted).delete()
        _write_places(places)


def rebuild() -> dict[str, int]:
    """Recompute every count from every event (after a bulk load; nightly as a safety net).

    One transaction: readers see the old counts until the new ones are complete."""
    _places_changed()
    with transaction.atomic():
        _serialised()
        counts, shared, places = _cell_counts(None), _shared_counts(None), _place_counts(None)
        CellCount.objects.all().delete()
        SharedCellCount.objects.all().delete()
        CellPlace.objects.all().delete()
        CellMonthCount.objects.all().delete()
        _write_day_counts(counts, shared)
        months = _by_month(counts, shared)
        _write_months(months)
        _write_places(places)
    _refresh_statistics()
    return {
        "cell counts": len(counts),
        "shared cell counts": len(shared),
        "month counts": len(months),
        "places": len(places),
    }


def _refresh_statistics() -> None:
    """Every row was replaced: without fresh statistics PostgreSQL plans a year's map as a
    sort of a few rows (it is tens of thousands) until autovacuum gets round to it."""
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (CellCount, SharedCellCount, CellMonthCount, CellPlace)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


# Rows written in the order of their unique index, so that a map's range of rows sits on few
# pages (the nightly rebuild puts back the order that later writes disturb).


def _day_order(item: tuple[tuple[Any, ...], int]) -> tuple[Any, ...]:
    cell, day, agency, scope, harm = item[0]
    return harm, day, cell, agency, scope


def _shared_order(item: tuple[tuple[Any, ...], int]) -> tuple[Any, ...]:
    agency, cell, day, harm = item[0]
    return agency, harm, day, cell


def _write_day_counts(counts: Counter[tuple[Any, ...]], shared: Counter[tuple[Any, ...]]) -> None:
    CellCount.objects.bulk_create(
        (
            CellCount(
                cell=cell,
                day=day,
                recording_agency_id=agency,
                scope=scope,
                harm_type=harm,
                events=n,
            )
            for (cell, day, agency, scope, harm), n in sorted(counts.items(), key=_day_order)
        ),
        batch_size=BATCH,
    )
    SharedCellCount.objects.bulk_create(
        (
            SharedCellCount(agency_id=agency, cell=cell, day=day, harm_type=harm, events=n)
            for (agency, cell, day, harm), n in sorted(shared.items(), key=_shared_order)
        ),
        batch_size=BATCH,
    )


def _write_places(places: Counter[tuple[Any, ...]]) -> None:
    CellPlace.objects.bulk_create(
        (
            CellPlace(
                cell=cell, recording_agency_id=agency, scope=scope, description=text, events=n
            )
            for (cell, agency, scope, text), n in places.items()
        ),
        batch_size=BATCH,
    )


def refresh_for_events(events: QuerySet[Event]) -> None:
    """Refresh the days and cells of these events (after a ``QuerySet.update`` on them)."""
    days: set[dt.date] = set()
    cells: set[str] = set()
    for moment, cell in events.order_by().values_list("occurred_at", "h3_cell"):
        days.add(local_day(moment))
        cells.add(cell)
    refresh_days(days)
    refresh_cells(cells)


def refresh_for_people(person_ids: Iterable[int]) -> None:
    """Refresh the days of every event these people took part in (their shares changed)."""
    refresh_days(
        local_day(moment)
        for moment in Event.objects.filter(participants__person_id__in=list(person_ids))
        .order_by()
        .values_list("occurred_at", flat=True)
        .distinct()
    )


# --- keeping the counts as records are written ------------------------------------------------
# Refreshed at once, inside the writer's transaction: the counts commit (or roll back) with the
# records they count, and a test's transaction sees them.


def refresh_event(occurred_at: dt.datetime, cell: str) -> None:
    refresh_days([local_day(occurred_at)])
    refresh_cells([cell])


def _event_before(instance: Event, raw: bool = False, **_: Any) -> None:
    if raw or instance.pk is None:
        return
    instance._cells_before = (  # type: ignore[attr-defined]
        Event.objects.filter(pk=instance.pk).values_list("occurred_at", "h3_cell").first()
    )


def _event_written(instance: Event, raw: bool = False, created: bool = False, **_: Any) -> None:
    if raw or (created and getattr(instance, PEOPLE_FOLLOW, False)):
        return  # counted once, on event_recorded, with its people
    before = getattr(instance, "_cells_before", None)
    days, cells = {local_day(instance.occurred_at)}, {instance.h3_cell}
    if before is not None:
        days.add(local_day(before[0]))
        cells.add(before[1])
    refresh_days(days)
    refresh_cells(cells)


def _event_recorded(event: Event, **_: Any) -> None:
    # Sent once its people are added (with bulk_create, which sends no signal of its own).
    refresh_event(event.occurred_at, event.h3_cell)


def _participant_written(instance: EventParticipant, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    found = Event.objects.filter(pk=instance.event_id).values_list("occurred_at", "h3_cell")
    event = found.first()
    if event is not None:  # else the event is being deleted, and its own signal refreshes
        refresh_event(*event)


def _share_written(instance: RecordShare, raw: bool = False, **_: Any) -> None:
    if not raw:
        refresh_for_people([instance.person_id])


def _person_saved(instance: Person, raw: bool = False, **_: Any) -> None:
    # A merge moves the events' people with QuerySet.update, then saves merged_into last.
    if not raw and instance.merged_into_id is not None:
        refresh_for_people([instance.merged_into_id, instance.pk])


pre_save.connect(_event_before, sender=Event, dispatch_uid="mapping.cellcounts.event.before")
post_save.connect(_event_written, sender=Event, dispatch_uid="mapping.cellcounts.event.save")
post_delete.connect(_event_written, sender=Event, dispatch_uid="mapping.cellcounts.event.delete")
event_recorded.connect(_event_recorded, dispatch_uid="mapping.cellcounts.event.recorded")
for _signal in (post_save, post_delete):
    _signal.connect(
        _participant_written,
        sender=EventParticipant,
        dispatch_uid=f"mapping.cellcounts.participant.{id(_signal)}",
    )
    _signal.connect(
        _share_written, sender=RecordShare, dispatch_uid=f"mapping.cellcounts.share.{id(_signal)}"
    )
post_save.connect(_person_saved, sender=Person, dispatch_uid="mapping.cellcounts.person.save")
