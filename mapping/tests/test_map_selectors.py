"""Reads behind the map pages: place names, the emerging comparison, the layers and a cell."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import h3  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from audit.models import AccessEvent
from demo.borough.geography import ward_boundaries
from events.models import Event
from events.services import event_record
from mapping import selectors
from mapping.hotspots import Trend, cell_of
from tests.factories import AgencyFactory, UserFactory, make_location

pytestmark = pytest.mark.django_db

# Brackenmoor, the demo's fictional borough, so the wards of demo.borough.geography apply.
LAT, LON = 52.2, -0.9
RES = settings.HOTSPOT_H3_RESOLUTION
CENTRE = cell_of(LAT, LON, RES)
RING = sorted(c for c in h3.grid_disk(CENTRE, 1) if c != CENTRE)
FAR = [
    cell_of(LAT + dy, LON + dx, RES)
    for dy, dx in [(0.02, 0.0), (-0.02, 0.0), (0.0, 0.03), (0.0, -0.03)]
]
PLACE = "Behind the takeaways on Sallowmere Parade"


def record(
    actor: User,
    cell: str,
    n: int = 1,
    *,
    days_ago: int = 3,
    harm: str = "cce",
    sensitivity: str = "standard",
    place: str = PLACE,
) -> list[Event]:
    lat, lon = h3.cell_to_latlng(cell)
    return [
        event_record(
            actor=actor,
            kind="sighting",
            occurred_at=timezone.now() - dt.timedelta(days=days_ago, minutes=i),
            narrative="Seen with Jayden Kowalski and older young people.",
            harm_types=[harm],
            latitude=lat,
            longitude=lon,
            place_description=place,
            sensitivity=sensitivity,
        )
        for i in range(n)
    ]


def plant_cluster(actor: User, *, days_ago: int = 3) -> None:
    record(actor, CENTRE, 12, days_ago=days_ago)
    for cell in RING:
        record(actor, cell, 2, days_ago=days_ago, place="")
    for cell in FAR:
        record(actor, cell, 1, days_ago=days_ago, place="")


def wards_file(tmp_path: Path) -> str:
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(ward_boundaries()))
    return str(path)


# --- place names ---------------------------------------------------------------------------------


def test_a_cell_is_named_by_its_ward_and_commonest_place_description(
    personas, settings, tmp_path
) -> None:
    settings.WARD_BOUNDARIES_FILE = wards_file(tmp_path)
    worker = personas["practitioner"]
    plant_cluster(worker)
    analysis = selectors.hotspot_analysis(viewer=worker)
    names = selectors.place_names(worker, analysis.cells)
    assert names[CENTRE] == f"{PLACE}, Brackenmoor Central ward"
    # A quiet neighbour is named from the busy place next to it, with the direction.
    way = selectors.direction(CENTRE, RING[0])
    assert names[RING[0]] == f"{way.capitalize()} of {PLACE}, Brackenmoor Central ward"
    assert {selectors.direction(CENTRE, c) for c in RING} <= set(selectors.COMPASS)
    assert len({names[c] for c in RING}) == len(RING)  # six neighbours, six names


def test_compass_directions_between_cells() -> None:
    north = cell_of(LAT + 0.01, LON, RES)
    east = cell_of(LAT, LON + 0.015, RES)
    assert selectors.direction(CENTRE, north) == "north"
    assert selectors.direction(CENTRE, east) == "east"
    assert selectors.direction(east, CENTRE) == "west"


def test_an_analyst_sees_ward_names_only_never_a_place_description(
    personas, settings, tmp_path
) -> None:
    settings.WARD_BOUNDARIES_FILE = wards_file(tmp_path)
    plant_cluster(personas["practitioner"])
    analyst = personas["analyst"]
    analysis = selectors.hotspot_analysis(viewer=analyst)
    names = selectors.place_names(analyst, analysis.cells)
    assert names[CENTRE] == "Brackenmoor Central ward"
    assert all(PLACE not in name for name in names.values())


def test_outside_every_ward_a_cell_is_near_the_closest(settings, tmp_path) -> None:
    settings.WARD_BOUNDARIES_FILE = wards_file(tmp_path)
    assert selectors.ward_name(LAT, LON) == "Brackenmoor Central"
    assert selectors.ward_name(52.4, -0.9).startswith("near ")


def test_without_ward_boundaries_the_cell_id_names_it(personas, settings) -> None:
    settings.WARD_BOUNDARIES_FILE = ""
    worker = personas["practitioner"]
    record(worker, CENTRE, 1, place="")
    analysis = selectors.hotspot_analysis(viewer=worker)
    assert selectors.place_names(worker, analysis.cells)[CENTRE] == f"Map cell {CENTRE}"


# --- emerging ------------------------------------------------------------------------------------


def _periods() -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "recent": (today - dt.timedelta(days=90), today),
        "earlier": (today - dt.timedelta(days=455), today - dt.timedelta(days=91)),
    }


def test_a_cluster_only_in_the_recent_period_is_a_new_hot_spot(personas) -> None:
    worker = personas["practitioner"]
    plant_cluster(worker, days_ago=5)
    for cell in FAR:  # the earlier period has events, but no cluster
        record(worker, cell, 3, days_ago=200, place="")
    analysis = selectors.emerging_analysis(viewer=worker, **_periods())
    by_cell = {c.cell: c for c in analysis.cells}
    assert by_cell[CENTRE].trend == Trend.NEW
    assert by_cell[CENTRE].recent_count == 12 and by_cell[CENTRE].earlier_count == 0
    assert "A new hot spot" in by_cell[CENTRE].meaning
    assert analysis.cells[0].trend == Trend.NEW  # new ones first


def test_an_emerging_cell_says_how_many_events_were_in_it_and_around_it(personas) -> None:
    worker = personas["practitioner"]
    plant_cluster(worker, days_ago=5)
    analysis = selectors.emerging_analysis(viewer=worker, **_periods())
    by_cell = {c.cell: c for c in analysis.cells}
    centre = by_cell[CENTRE].explanation
    assert centre.startswith("A hot spot now that was not one before (z went from")
    # Twelve here; two in each of the six ring cells around it.
    assert centre.endswith(
        "Events here: 0 before, 12 now; in the 6 cells around it: 0 before, 12 now."
    )
    quiet = next(c for c in analysis.cells if c.trend == Trend.NO_PATTERN)
    assert "Events here" not in quiet.explanation
    analyst = selectors.emerging_analysis(viewer=personas["analyst"], **_periods())
    assert not any("Events here" in c.explanation for c in analyst.cells), "no stand-in counts"


def test_a_cluster_in_both_periods_persists_or_intensifies(personas) -> None:
    worker = personas["practitioner"]
    plant_cluster(worker, days_ago=5)
    plant_cluster(worker, days_ago=200)
    analysis = selectors.emerging_analysis(viewer=worker, **_periods())
    trend = {c.cell: c.trend for c in analysis.cells}[CENTRE]
    assert trend in (Trend.PERSISTENT, Trend.INTENSIFYING)


def test_the_emerging_view_suppresses_small_counts_for_analysts(personas) -> None:
    plant_cluster(personas["practitioner"], days_ago=5)
    analysis = selectors.emerging_analysis(viewer=personas["analyst"], **_periods())
    assert analysis.suppressed
    for c in analysis.cells:
        for count in (c.recent_count, c.earlier_count):
            assert count is None or count == 0 or count >= 5
    assert {c.cell: c.recent_count for c in analysis.cells}[RING[0]] is None
    trail = AccessEvent.objects.filter(object_label__startswith="Emerging hotspots")
    assert trail.filter(actor=personas["analyst"]).exists()


def test_the_emerging_view_refuses_those_without_the_permission(personas) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        selectors.emerging_analysis(viewer=personas["administrator"], **_periods())


# --- layers --------------------------------------------------------------------------------------


def test_the_events_layer_is_capped_and_says_so(personas) -> None:
    worker = personas["practitioner"]
    record(worker, CENTRE, 4)
    events, capped = selectors.map_events(viewer=worker, limit=3)
    assert len(events) == 3 and capped
    events, capped = selectors.map_events(viewer=worker, limit=4)
    assert len(events) == 4 and not capped
    assert AccessEvent.objects.filter(
        actor=worker, object_type="events.event", reason__contains="hotspot map"
    ).exists()


def test_the_events_layer_holds_only_events_the_viewer_may_open(personas) -> None:
    worker = personas["practitioner"]
    police = UserFactory.create(
        agency=AgencyFactory.create(name="Vale Police", kind="police"), roles=["practitioner"]
    )
    (restricted,) = record(police, CENTRE, sensitivity="restricted")
    (mine,) = record(worker, CENTRE)
    events, _ = selectors.map_events(viewer=worker)
    assert [e.pk for e in events] == [mine.pk]
    assert restricted.pk not in [e.pk for e in selectors.cell_events(viewer=worker, cells=[CENTRE])]


def test_analysts_get_no_events_and_no_contexts(personas) -> None:
    worker = personas["practitioner"]
    record(worker, CENTRE, 6)
    make_location(worker, geometry=json.dumps({"type": "Point", "coordinates": [LON, LAT]}))
    analyst = personas["analyst"]
    assert selectors.map_events(viewer=analyst) == ([], False)
    assert selectors.map_contexts(viewer=analyst) == []
    assert selectors.cell_events(viewer=analyst, cells=[CENTRE]) == []
    assert selectors.contexts_near(viewer=analyst, cell=CENTRE) == []


def test_contexts_near_a_cell_are_those_centred_in_it_or_a_neighbour(personas) -> None:
    worker = personas["practitioner"]
    lat, lon = h3.cell_to_latlng(RING[0])
    near = make_location(
        worker, name="Next door", geometry=json.dumps({"type": "Point", "coordinates": [lon, lat]})
    )
    far_lat, far_lon = h3.cell_to_latlng(FAR[0])
    make_location(
        worker,
        name="Far away",
        geometry=json.dumps({"type": "Point", "coordinates": [far_lon, far_lat]}),
    )
    assert [c.pk for c in selectors.contexts_near(viewer=worker, cell=CENTRE)] == [near.pk]


def test_places_listed_with_the_map_put_those_at_hot_spots_first_then_open_work(
    personas,
) -> None:
    from contexts.models import Context, ContextStatus

    worker = personas["practitioner"]

    def place(name: str, cell: str) -> Any:
        lat, lon = h3.cell_to_latlng(cell)
        point = json.dumps({"type": "Point", "coordinates": [lon, lat]})
        return make_location(worker, name=name, geometry=point)

    beside = place("Zephyr Court stairwell", RING[1])
    on_plan = place("Yew Park", FAR[0])
    place("Aardvark garages", FAR[1])  # first by name, but neither near nor on a plan
    Context.objects.filter(pk=on_plan.pk).update(status=ContextStatus.ON_PLAN)

    listed, total = selectors.places_to_list(viewer=worker, hot_cells=[CENTRE], limit=2)
    assert [p.pk for p in listed] == [beside.pk, on_plan.pk]
    assert total == 3
    assert AccessEvent.objects.filter(
        actor=worker, object_type="contexts.context", reason__contains="2 of 3"
    ).exists()
    assert selectors.places_to_list(viewer=personas["analyst"], hot_cells=[CENTRE], limit=2) == (
        [],
        0,
    )
