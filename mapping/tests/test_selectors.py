"""Hotspot maps from the database: the stored cell, one GROUP BY, scope and suppression."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace
from typing import Any

import h3  # type: ignore[import-untyped]
import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from audit.models import AccessEvent
from events.models import Event
from events.selectors import visible_events
from events.services import event_record
from mapping import counting, selectors
from mapping.hotspots import cell_of
from mapping.selectors import hotspot_analysis
from tests.factories import UserFactory, make_location, make_person

pytestmark = pytest.mark.django_db

LAT, LON = 51.752, -1.258  # a town centre, far from any H3 pentagon
RES = settings.HOTSPOT_H3_RESOLUTION
CENTRE = cell_of(LAT, LON, RES)
RING = sorted(c for c in h3.grid_disk(CENTRE, 1) if c != CENTRE)
# Isolated cells about 5 km out, so the area has quiet cells to compare the cluster with.
FAR = [
    cell_of(LAT + dy, LON + dx, RES) for dy, dx in [(0.05, 0), (-0.05, 0), (0, 0.08), (0, -0.08)]
]
migration = importlib.import_module("events.migrations.0003_event_h3_cell")


def record(
    actor: User,
    cell: str,
    n: int = 1,
    *,
    days_ago: int = 3,
    harm: str = "cce",
    sensitivity: str = "standard",
) -> list[Event]:
    lat, lon = h3.cell_to_latlng(cell)
    return [
        event_record(
            actor=actor,
            kind="sighting",
            occurred_at=timezone.now() - dt.timedelta(days=days_ago, minutes=i),
            narrative="Seen with older young people.",
            harm_types=[harm],
            latitude=lat,
            longitude=lon,
            sensitivity=sensitivity,
        )
        for i in range(n)
    ]


def plant_cluster(actor: User) -> None:
    record(actor, CENTRE, 12)
    for cell in RING:
        record(actor, cell, 2)
    for cell in FAR:
        record(actor, cell, 1)


def counts_of(analysis: selectors.HotspotAnalysis) -> dict[str, int | None]:
    return {c.cell: c.count for c in analysis.cells}


# --- the stored cell ---------------------------------------------------------------------------


def test_the_cell_is_stored_when_an_event_is_recorded(personas) -> None:
    worker = personas["practitioner"]
    (event,) = record(worker, CENTRE)
    event.refresh_from_db()
    assert event.h3_cell == CENTRE == h3.latlng_to_cell(event.latitude, event.longitude, RES)


def test_an_event_at_a_location_takes_the_location_cell_and_one_without_a_place_none(
    personas,
) -> None:
    worker = personas["practitioner"]
    place = make_location(worker)
    at_place = event_record(
        actor=worker,
        kind="sighting",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        narrative="Seen at the takeaway.",
        location=place,
    )
    nowhere = event_record(
        actor=worker,
        kind="concern",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        narrative="Concern raised by school.",
    )
    assert place.latitude is not None and place.longitude is not None
    assert at_place.h3_cell == cell_of(place.latitude, place.longitude, RES)
    assert nowhere.h3_cell == ""


def test_the_backfill_fills_missing_cells_page_by_page(personas, monkeypatch) -> None:
    worker = personas["practitioner"]
    events = record(worker, CENTRE, 3) + record(worker, RING[0], 2)
    nowhere = event_record(
        actor=worker,
        kind="concern",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        narrative="No place known.",
    )
    Event.objects.update(h3_cell="")
    Event.objects.filter(pk=events[0].pk).update(h3_cell="kept")  # already filled: untouched
    monkeypatch.setattr(migration, "BATCH", 2)  # three pages, the last one short
    migration.backfill_h3_cells(apps, SimpleNamespace(connection=connection))
    cells = dict(Event.objects.values_list("pk", "h3_cell"))
    assert [cells[e.pk] for e in events] == ["kept"] + [CENTRE] * 2 + [RING[0]] * 2
    assert cells[nowhere.pk] == ""


# --- aggregation ---------------------------------------------------------------------------------


def test_aggregation_is_one_group_by_query(personas, django_assert_num_queries) -> None:
    worker = personas["practitioner"]
    plant_cluster(worker)
    events = visible_events(worker)
    with django_assert_num_queries(1) as captured:
        counts = counting._cell_counts(events)
    assert "GROUP BY" in captured.captured_queries[0]["sql"].upper()
    assert counts[CENTRE] == 12
    assert sum(counts.values()) == 12 + 2 * len(RING) + len(FAR)


def test_the_analysis_costs_the_same_queries_however_many_events(personas) -> None:
    worker = personas["practitioner"]
    record(worker, CENTRE, 2)
    hotspot_analysis(viewer=worker)  # warm the per-user role cache
    selectors._analyses.clear()  # both computed, not kept
    with CaptureQueriesContext(connection) as few:
        hotspot_analysis(viewer=worker)
    plant_cluster(worker)
    selectors._analyses.clear()
    with CaptureQueriesContext(connection) as many:
        hotspot_analysis(viewer=worker)
    assert len(many) == len(few)


def test_a_planted_cluster_becomes_a_hot_spot(personas) -> None:
    worker = personas["cs_lead"]
    plant_cluster(worker)
    analysis = hotspot_analysis(viewer=worker)
    top = analysis.cells[0]
    assert top.cell == CENTRE
    assert top.significance.is_hot
    assert top.count == 12
    assert "12 events here" in top.explanation
    assert (top.latitude, top.longitude) == pytest.approx(h3.cell_to_latlng(CENTRE))
    assert len(top.boundary) == 6
    assert not any(c.significance.is_hot for c in analysis.cells if c.cell in FAR)
    assert analysis.total == 12 + 2 * len(RING) + len(FAR)
    assert not analysis.suppressed


def test_the_read_is_audited_with_its_filters(personas) -> None:
    worker = personas["practitioner"]
    record(worker, CENTRE, 2)
    since = timezone.localdate() - dt.timedelta(days=30)
    hotspot_analysis(viewer=worker, harm_type="cse", since=since)
    entry = AccessEvent.objects.filter(object_type="mapping.hotspots").get()
    assert entry.actor == worker
    assert entry.action == "search"
    assert entry.changes["harm_type"] == "cse"
    assert entry.changes["since"] == since.isoformat()


# --- scope ---------------------------------------------------------------------------------------


def test_restricted_events_of_another_agency_are_not_counted(personas) -> None:
    worker, officer, analyst = (
        personas["practitioner"],
        personas["police_practitioner"],
        personas["analyst"],
    )
    plant_cluster(worker)
    record(officer, CENTRE, 7, sensitivity="restricted")
    assert counts_of(hotspot_analysis(viewer=worker))[CENTRE] == 12
    assert counts_of(hotspot_analysis(viewer=analyst))[CENTRE] == 10  # 12, rounded to 5
    assert counts_of(hotspot_analysis(viewer=officer))[CENTRE] == 7


def test_a_case_worker_counts_only_events_they_may_open(personas) -> None:
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    record(officer, CENTRE, 6)  # standard, but about no place or person CSC may see
    assert hotspot_analysis(viewer=worker).cells == []
    assert counts_of(hotspot_analysis(viewer=officer))[CENTRE] == 6


@pytest.mark.parametrize(
    ("role", "allowed", "exact"),
    [
        ("practitioner", True, True),
        ("team_manager", True, True),
        ("cs_lead", True, True),
        ("panel_chair", True, True),
        ("analyst", True, False),
        ("administrator", False, False),
        ("auditor", False, False),
    ],
)
def test_who_may_see_hotspots(role: str, allowed: bool, exact: bool) -> None:
    user = UserFactory.create(roles=[role])
    assert user.has_perm("mapping.view_hotspots") is allowed
    assert user.has_perm("mapping.view_exact_counts") is exact
    if not allowed:
        with pytest.raises(PermissionDenied):
            hotspot_analysis(viewer=user)


# --- suppression for analysts --------------------------------------------------------------------


def test_analysts_get_suppressed_counts(personas) -> None:
    worker, analyst = personas["practitioner"], personas["analyst"]
    plant_cluster(worker)
    analysis = hotspot_analysis(viewer=analyst)
    counts = counts_of(analysis)
    assert analysis.suppressed
    assert counts[CENTRE] == 10  # 12, rounded to the nearest 5
    assert all(counts[c] is None for c in RING + FAR)  # 2s and 1s are small numbers
    assert analysis.total == 30  # 12 + 2 × 6 + 4 = 28, rounded to the nearest 5
    assert analysis.cells[0].cell == CENTRE
    assert analysis.cells[0].significance.is_hot
    for cell in analysis.cells:
        if cell.count is None:
            assert cell.explanation.startswith("Events here: fewer than 5, or withheld")
    assert not any("Events here: 2." in c.explanation for c in analysis.cells)
    assert not any("Events here: 1." in c.explanation for c in analysis.cells)


def _analyst_view(personas, small: dict[str, int]) -> tuple[list[Any], list[Any]]:
    worker, analyst = personas["practitioner"], personas["analyst"]
    record(worker, CENTRE, 12)
    for cell, n in small.items():
        record(worker, cell, n)
    analysis = hotspot_analysis(viewer=analyst)
    exact = hotspot_analysis(viewer=worker)
    Event.objects.all().delete()
    return (
        [(c.cell, c.count, c.z, c.p, c.significance, c.explanation) for c in analysis.cells],
        [(c.cell, c.z) for c in exact.cells],
    )


def test_nothing_an_analyst_sees_depends_on_a_withheld_count(personas) -> None:
    # Two boroughs that differ only inside withheld counts (same cells, same total): an analyst
    # must see exactly the same map, z-scores and explanations, though the exact maps differ.
    a, b = RING[0], RING[1]
    first, first_exact = _analyst_view(personas, {a: 1, b: 3})
    second, second_exact = _analyst_view(personas, {a: 3, b: 1})
    assert first_exact != second_exact
    assert first == second


def test_filters_by_harm_type_and_dates(personas) -> None:
    worker = personas["practitioner"]
    record(worker, CENTRE, 3, harm="cce", days_ago=5)
    record(worker, CENTRE, 2, harm="cse", days_ago=5)
    record(worker, CENTRE, 4, harm="cce", days_ago=60)
    today = timezone.localdate()

    def centre(**filters: Any) -> int | None:
        return counts_of(hotspot_analysis(viewer=worker, **filters)).get(CENTRE)

    assert centre() == 9
    assert centre(harm_type="cce") == 7
    assert centre(harm_type="cse") == 2
    assert centre(harm_type="county_lines") is None
    assert centre(since=today - dt.timedelta(days=10)) == 5
    assert centre(until=today - dt.timedelta(days=10)) == 4
    assert centre(harm_type="cce", since=today - dt.timedelta(days=10), until=today) == 3
    with pytest.raises(ValueError, match="Not a harm type"):
        hotspot_analysis(viewer=worker, harm_type="nonsense")


def test_exact_counts_in_parts_add_up_to_exactly_the_events_the_viewer_may_open(
    personas: dict[str, User],
) -> None:
    worker, police = personas["practitioner"], personas["police_practitioner"]
    ours = make_person(worker, given_name="Shown")
    theirs = make_person(police, given_name="Hidden")  # held by the police only
    place = make_location(police, latitude=LAT, longitude=LON)
    lat, lon = h3.cell_to_latlng(RING[0])
    now = timezone.now() - dt.timedelta(days=2)

    def police_event(**fields: Any) -> None:
        defaults: dict[str, Any] = {"latitude": lat, "longitude": lon}
        event_record(
            actor=police, kind="sighting", occurred_at=now, narrative="Seen.", **defaults | fields
        )

    record(worker, CENTRE, 2, sensitivity="restricted")  # own agency, restricted: counted
    police_event(location=place, latitude=None, longitude=None)  # at a place: counted
    police_event(participants=[(ours, "harmed")])  # names a child the viewer may open: counted
    police_event(participants=[(theirs, "harmed")])  # names only a hidden child: not counted
    police_event(participants=[(ours, "harmed")], sensitivity="restricted")  # not counted

    parts = counting.countable_events(worker, exact=True)
    in_parts = counting.counts_from_events(parts, "", None, None)
    assert in_parts == counting._cell_counts(visible_events(worker))
    assert sum(in_parts.values()) == 4


def test_analysts_cannot_subtract_two_overlapping_periods_to_find_one_day(personas) -> None:
    worker, analyst = personas["practitioner"], personas["analyst"]
    record(worker, CENTRE, 6, days_ago=40)
    record(worker, CENTRE, 1, days_ago=3)
    today = timezone.localdate()
    to_day_before = hotspot_analysis(viewer=analyst, until=today - dt.timedelta(days=3))
    to_today = hotspot_analysis(viewer=analyst, until=today)
    # Days become whole months, and counts are rounded to 5: a single event cannot show.
    if (today - dt.timedelta(days=3)).month == today.month:
        assert counts_of(to_day_before) == counts_of(to_today)
    assert all(c is None or c % 5 == 0 for c in counts_of(to_today).values())


def test_rounding_keeps_withheld_counts_withheld_and_rounds_the_rest() -> None:
    from mapping.suppression import rounded, suppress

    published = rounded(suppress({"a": 12, "b": 2, "c": 7, "d": 0, "e": 13}))
    assert published.values["b"] is None
    assert published.values["d"] == 0
    assert published.values["a"] == 10 and published.values["e"] == 15
    assert published.total is None or published.total % 5 == 0
