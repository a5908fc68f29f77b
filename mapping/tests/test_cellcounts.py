"""Hotspot counts kept as records are written give exactly what grouping the events gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import h3  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from events.models import Event
from events.services import event_record
from mapping import cellcounts, counting
from mapping.hotspots import cell_of
from mapping.models import CellCount, CellMonthCount, CellPlace, SharedCellCount
from people.models import Person, RecordShare
from people.services import break_glass, person_merge, record_share
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db

LAT, LON = 51.752, -1.258
CELLS = sorted(h3.grid_disk(cell_of(LAT, LON, settings.HOTSPOT_H3_RESOLUTION), 1))
LONDON = ZoneInfo("Europe/London")


def _direct(viewer: User, exact: bool, **filters: Any) -> dict[str, int]:
    """The reference: the viewer's countable events grouped by cell, from the events table."""
    parts = counting.countable_events(viewer, exact)
    return counting.counts_from_events(
        parts, filters.get("harm_type", ""), filters.get("since"), filters.get("until")
    )


def _assert_same_for(viewers: list[User]) -> None:
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    two_before = (last_month - dt.timedelta(days=1)).replace(day=1)
    periods: list[dict[str, Any]] = [
        {},
        {"since": today - dt.timedelta(days=70), "until": today - dt.timedelta(days=20)},
        {"since": two_before, "until": this_month - dt.timedelta(days=1)},
        {"since": two_before + dt.timedelta(days=3), "harm_type": "cse"},
        {"until": last_month - dt.timedelta(days=1)},
        {"since": last_month + dt.timedelta(days=2), "until": last_month + dt.timedelta(days=9)},
        {"harm_type": "cce"},
        {"harm_type": "cse"},
        {"since": today - dt.timedelta(days=5)},
        {"until": today - dt.timedelta(days=5)},
        {"harm_type": "cce", "since": today - dt.timedelta(days=20), "until": today},
    ]
    for viewer in viewers:
        for exact in (True, False):
            for filters in periods:
                kept = counting.cell_totals(viewer, exact=exact, **filters)
                assert kept == _direct(viewer, exact, **filters), (viewer.username, filters)
            # Several periods at once (an emerging map's two): each as if asked alone.
            for harm_type in ("", "cse", "cce"):
                alike = [f for f in periods if f.get("harm_type", "") == harm_type]
                spans = [(f.get("since"), f.get("until")) for f in alike]
                together = counting.cell_totals_by_period(
                    viewer, exact=exact, harm_type=harm_type, periods=spans
                )
                alone = [_direct(viewer, exact, **f) for f in alike]
                assert together == alone, (viewer.username, harm_type)
    _assert_months_add_up()


def _assert_months_add_up() -> None:
    days = set(CellCount.objects.values_list("day", flat=True))
    days |= set(SharedCellCount.objects.values_list("day", flat=True))
    by_month = dict(cellcounts._by_month(*cellcounts._day_rows(sorted(days))))
    kept = {
        tuple(key): n
        for *key, n in CellMonthCount.objects.values_list(
            "series", "owner", "harm_type", "month", "cell", "events"
        )
    }
    assert kept == by_month


def _event(actor: User, cell_index: int, days_ago: int, **fields: Any) -> Event:
    lat, lon = h3.cell_to_latlng(CELLS[cell_index])
    defaults: dict[str, Any] = {
        "kind": "sighting",
        "occurred_at": timezone.now() - dt.timedelta(days=days_ago, minutes=cell_index),
        "narrative": "Seen near the shops.",
        "harm_types": ["cce"],
        "latitude": lat,
        "longitude": lon,
    }
    return event_record(actor=actor, **(defaults | fields))


@pytest.fixture
def case_load(personas: dict[str, User]) -> dict[str, Any]:
    """Events of two agencies: own, restricted, at a place, naming people shared or not."""
    worker, police = personas["practitioner"], personas["police_practitioner"]
    ours = make_person(worker, given_name="Shown")
    hidden = make_person(police, given_name="Hidden")
    also_hidden = make_person(police, given_name="Other")
    place = make_location(police, latitude=LAT, longitude=LON)
    _event(worker, 0, 2, harm_types=["cce", "cse"], place_description="Bus station")
    _event(worker, 1, 9, sensitivity="restricted", place_description="Bus station")
    _event(police, 2, 3, location=place, latitude=None, longitude=None, place_description="Shop")
    _event(police, 3, 4, participants=[(ours, "harmed")], harm_types=["cse"])
    _event(police, 3, 30, participants=[(hidden, "harmed")])
    _event(police, 4, 1, participants=[(hidden, "harmed"), (also_hidden, "witness")])
    _event(police, 5, 6, participants=[(ours, "harmed")], sensitivity="restricted")
    _event(police, 6, 12, participants=[(also_hidden, "harmed")], harm_types=[])
    _event(police, 3, 45, participants=[(ours, "harmed")])
    _event(police, 2, 75, location=place, latitude=None, longitude=None, harm_types=["cse"])
    _event(worker, 1, 50, harm_types=["cse", "cce"])
    _event(police, 4, 62, participants=[(hidden, "harmed"), (ours, "witness")])
    return {"worker": worker, "police": police, "ours": ours, "hidden": hidden, "place": place}


def test_counts_kept_on_write_match_the_events_for_every_rule(personas, case_load) -> None:
    assert CellCount.objects.exists() and SharedCellCount.objects.exists()
    viewers = [personas[r] for r in ("practitioner", "cs_lead", "analyst", "no_role")]
    _assert_same_for([*viewers, case_load["police"]])


def test_a_share_for_good_a_break_glass_and_a_merge_each_change_the_counts_at_once(
    personas, case_load
) -> None:
    worker, police, hidden = case_load["worker"], case_load["police"], case_load["hidden"]
    lead = personas["cs_lead"]
    before = counting.cell_totals(worker, exact=True)

    record_share(actor=police, person=hidden, agency=worker.agency, reason="Strategy meeting")
    after_share = counting.cell_totals(worker, exact=True)
    assert sum(after_share.values()) == sum(before.values()) + 2  # both events naming them
    _assert_same_for([worker, lead])

    other = Person.objects.get(given_name="Other")
    share = break_glass(actor=lead, person=other, reason="Missing tonight, need the history now")
    # Only the CS lead who broke the glass counts those events; the colleague does not.
    assert counting.cell_totals(worker, exact=True) == after_share
    _assert_same_for([worker, lead])

    share.expires_at = timezone.now() - dt.timedelta(minutes=1)
    share.save()
    _assert_same_for([worker, lead])

    RecordShare.objects.filter(person=hidden, agency=worker.agency).delete()
    assert counting.cell_totals(worker, exact=True) == before

    survivor = make_person(worker, given_name="Survivor")
    person_merge(actor=lead, source=hidden, target=survivor, reason="The same young person")
    _assert_same_for([worker, lead, police])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics: PostgreSQL")
def test_a_rebuild_leaves_the_planner_knowing_how_many_rows_there_are(case_load) -> None:
    cellcounts.rebuild()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [CellCount._meta.db_table]
        )
        (estimate,) = cursor.fetchone()
    assert estimate == CellCount.objects.count() > 0


def test_rebuilding_from_scratch_gives_the_same_rows_as_keeping_them(case_load) -> None:
    def rows() -> tuple[set[tuple[Any, ...]], ...]:
        return (
            set(
                CellCount.objects.values_list(
                    "cell", "day", "recording_agency", "scope", "harm_type", "events"
                )
            ),
            set(
                SharedCellCount.objects.values_list("agency", "cell", "day", "harm_type", "events")
            ),
            set(
                CellPlace.objects.values_list(
                    "cell", "recording_agency", "scope", "description", "events"
                )
            ),
        )

    kept = rows()
    for table in (CellCount, SharedCellCount, CellPlace, CellMonthCount):
        table.objects.all().delete()
    assert counting.cell_totals(case_load["worker"], exact=True) == {}
    written = cellcounts.rebuild()
    assert rows() == kept
    assert written["cell counts"] == len(kept[0])


def test_an_event_rolled_back_leaves_no_count_behind(case_load) -> None:
    worker = case_load["worker"]
    before = counting.cell_totals(worker, exact=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        _event(worker, 0, 1)
        assert sum(counting.cell_totals(worker, exact=True).values()) == sum(before.values()) + 1
        raise RuntimeError("the form failed further on")
    assert counting.cell_totals(worker, exact=True) == before


def test_a_day_is_the_local_date_so_an_event_after_midnight_in_summer_counts_that_day(
    personas,
) -> None:
    worker = personas["practitioner"]
    # 00:30 in London on 1 July is 23:30 UTC on 30 June.
    moment = dt.datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)
    _event(worker, 0, 0, occurred_at=moment)
    assert CellCount.objects.filter(harm_type="").get().day == dt.date(2026, 7, 1)
    on_the_day = counting.cell_totals(
        worker, exact=True, since=dt.date(2026, 7, 1), until=dt.date(2026, 7, 1)
    )
    assert on_the_day == {CELLS[0]: 1}
    assert counting.cell_totals(worker, exact=True, until=dt.date(2026, 6, 30)) == {}


def test_moving_an_event_to_another_day_recounts_both_days(personas) -> None:
    worker = personas["practitioner"]
    event = _event(worker, 0, 10)
    first = timezone.localtime(event.occurred_at).date()
    event.occurred_at -= dt.timedelta(days=3)
    event.save()
    assert not CellCount.objects.filter(day=first).exists()
    assert (
        CellCount.objects.filter(day=first - dt.timedelta(days=3), harm_type="").get().events == 1
    )


def test_recording_an_event_counts_its_day_once_with_its_people(
    personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = personas["practitioner"]
    young = make_person(worker, given_name="Counted")
    refreshed: list[list[dt.date]] = []
    real = cellcounts.refresh_days

    def counted(days: Iterable[dt.date]) -> None:
        refreshed.append(list(days))
        real(refreshed[-1])

    monkeypatch.setattr(cellcounts, "refresh_days", counted)
    _event(worker, 0, 5, participants=[(young, "harmed")])
    assert len(refreshed) == 1
    # An event saved without the service is still counted, on its own save.
    lat, lon = h3.cell_to_latlng(CELLS[1])
    Event.objects.create(
        kind="sighting",
        occurred_at=timezone.now() - dt.timedelta(days=2),
        latitude=lat,
        longitude=lon,
        h3_cell=CELLS[1],
        narrative="Saved directly.",
        harm_types=["cce"],
        recording_agency=worker.agency,
        recorded_by=worker,
    )
    assert len(refreshed) == 2
    _assert_same_for([worker, personas["cs_lead"]])


def test_events_placed_by_a_bulk_update_are_recounted_as_at_a_place(personas, case_load) -> None:
    worker, police, place = case_load["worker"], case_load["police"], case_load["place"]
    unplaced = Event.objects.filter(recording_agency=police.agency, location__isnull=True)
    unplaced.update(location=place)
    cellcounts.refresh_for_events(Event.objects.filter(location=place))
    _assert_same_for([worker, personas["cs_lead"]])


def test_cells_are_named_from_the_kept_place_descriptions(case_load) -> None:
    worker, place = case_load["worker"], case_load["place"]
    at_place = Event.objects.filter(location=place).values_list("h3_cell", flat=True)[0]
    names = counting.place_descriptions(worker, [*CELLS, at_place])
    # Own agency's events (restricted included) and police events at a recorded place.
    assert names == {
        CELLS[0]: (1, "Bus station"),
        CELLS[1]: (1, "Bus station"),
        at_place: (1, "Shop"),
    }
    assert counting.place_descriptions(case_load["police"], [CELLS[0]]) == {}


@pytest.mark.parametrize(
    ("since", "until", "months", "edges"),
    [
        (None, None, (None, None), []),
        (
            "2026-01-15",
            "2026-04-10",
            ("2026-02-01", "2026-03-31"),
            [("2026-01-15", "2026-01-31"), ("2026-04-01", "2026-04-10")],
        ),
        ("2026-01-01", "2026-03-31", ("2026-01-01", "2026-03-31"), []),
        ("2026-01-15", "2026-02-10", None, [("2026-01-15", "2026-02-10")]),
        ("2026-02-01", "2026-02-28", ("2026-02-01", "2026-02-28"), []),
        (None, "2026-02-27", (None, "2026-01-31"), [("2026-02-01", "2026-02-27")]),
        ("2025-12-31", None, ("2026-01-01", None), [("2025-12-31", "2025-12-31")]),
    ],
)
def test_a_period_splits_into_whole_months_and_the_days_either_side(
    since: str | None, until: str | None, months: Any, edges: list[tuple[str, str]]
) -> None:
    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    found_months, found_edges = counting._split(day(since), day(until))
    assert found_months == (None if months is None else (day(months[0]), day(months[1])))
    assert found_edges == [(day(a), day(b)) for a, b in edges]


def test_a_cell_is_renamed_as_soon_as_another_description_becomes_commoner(case_load) -> None:
    worker = case_load["worker"]
    assert counting.place_descriptions(worker, [CELLS[0]]) == {CELLS[0]: (1, "Bus station")}
    for _ in range(2):
        _event(worker, 0, 1, place_description="Leisure centre car park")
    assert counting.place_descriptions(worker, [CELLS[0]]) == {
        CELLS[0]: (2, "Leisure centre car park")
    }
