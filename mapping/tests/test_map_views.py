"""The map pages and the JSON behind them, per role: who sees what, and what never leaves."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import h3  # type: ignore[import-untyped]
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from contexts.models import Context
from events.models import Event
from mapping import counting, selectors
from mapping.tests.test_map_selectors import (
    CENTRE,
    FAR,
    LAT,
    LON,
    PLACE,
    RING,
    plant_cluster,
    record,
    wards_file,
)
from mapping.views import hotspot_map
from tests.factories import AgencyFactory, UserFactory, make_location

pytestmark = pytest.mark.django_db

MAP = "/mapping/map/"
DATA = "/mapping/map/data/"
EMERGING = "/mapping/map/emerging/"
EMERGING_DATA = "/mapping/map/emerging/data/"


def cell_url(cell: str) -> str:
    return f"/mapping/map/cells/{cell}/"


def dates(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


@pytest.fixture
def planted(personas, settings, tmp_path) -> dict[str, Any]:
    settings.WARD_BOUNDARIES_FILE = wards_file(tmp_path)
    worker = personas["practitioner"]
    plant_cluster(worker)
    place = make_location(
        worker,
        name="Sallowmere Parade takeaways",
        geometry=json.dumps({"type": "Point", "coordinates": [LON + 0.0005, LAT]}),
    )
    return {"worker": worker, "place": place}


# --- who may open the pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("practitioner", 200),
        ("cs_lead", 200),
        ("team_manager", 200),
        ("analyst", 200),
        ("administrator", 403),
        ("auditor", 403),
        ("no_role", 403),
    ],
)
@pytest.mark.parametrize("url", [MAP, DATA, EMERGING, EMERGING_DATA, cell_url(CENTRE)])
def test_who_may_open_the_map_pages(client_for, personas, role, status, url) -> None:
    assert client_for(personas[role]).get(url).status_code == status


def test_only_a_cs_lead_may_open_a_context_from_a_cell(client_for, personas) -> None:
    url = f"{cell_url(CENTRE)}new-context/"
    assert client_for(personas["cs_lead"]).get(url).status_code == 200
    for role in ("practitioner", "analyst", "administrator", "auditor"):
        assert client_for(personas[role]).get(url).status_code == 403, role


# --- the page and its table alternative ----------------------------------------------------------


def test_the_page_lists_hot_spots_in_a_table_that_needs_no_javascript(client_for, planted) -> None:
    response = client_for(planted["worker"]).get(MAP)
    page = response.content.decode()
    assert 'data-testid="cells-table"' in page
    assert f'href="{cell_url(CENTRE)}?' in page
    assert f"{PLACE}, Brackenmoor Central ward" in page
    assert "Hot spot (99% confidence)" in page or "Hot spot (95% confidence)" in page
    assert "12 events here" in page  # the explanation, in words
    assert 'data-testid="contexts-table"' in page and "Sallowmere Parade takeaways" in page
    assert 'data-url="/mapping/map/data/?' in page  # the map draws from the JSON
    assert 'src="/static/js/hotspot-map.mjs"' in page
    assert "Compare recent with earlier" in page
    rows = response.context["rows"]
    assert rows[0]["cell"].cell == CENTRE and rows[0]["count"] == "12"


def test_a_long_list_of_places_shows_those_at_hot_spots_first_and_links_to_all(
    client_for, planted, monkeypatch
) -> None:
    from mapping.views import hotspot_map

    worker = planted["worker"]
    for name, lon in [("Aardvark Lane garages", LON + 0.3), ("Abbey meadow", LON - 0.3)]:
        make_location(
            worker, name=name, geometry=json.dumps({"type": "Point", "coordinates": [lon, LAT]})
        )
    monkeypatch.setattr(hotspot_map, "PLACES_LISTED", 1)
    response = client_for(worker).get(MAP)
    page = response.content.decode()
    # Far from the hot spot and first by name, yet the place beside it is the one listed.
    assert [r["context"].name for r in response.context["context_rows"]] == [
        "Sallowmere Parade takeaways"
    ]
    assert "Showing 1 of 3 places" in page
    assert 'href="/contexts/?kind=location"' in page


def test_every_cell_can_be_listed(client_for, planted) -> None:
    page = client_for(planted["worker"]).get(MAP, {"all": "1"})
    cells = {row["cell"].cell for row in page.context["rows"]}
    assert {CENTRE, *RING, *FAR} <= cells


def test_an_analyst_sees_suppressed_counts_and_no_places_or_events(client_for, planted, personas):
    page = client_for(personas["analyst"]).get(MAP, {"all": "1"})
    html = page.content.decode()
    assert 'data-testid="suppression-notice"' in html
    assert 'data-testid="contexts-table"' not in html
    assert PLACE not in html and "Sallowmere Parade takeaways" not in html
    counts = {row["cell"].cell: row["count"] for row in page.context["rows"]}
    assert counts[CENTRE] == "10"  # 12, rounded to the nearest 5
    assert counts[RING[0]] == "fewer than 5, or withheld to protect a small number"


# --- filters -------------------------------------------------------------------------------------


def test_filters_narrow_the_analysis(client_for, planted) -> None:
    worker = planted["worker"]
    record(worker, FAR[0], 3, harm="cse", days_ago=10)
    page = client_for(worker).get(MAP, {"harm_type": "cse", "all": "1"})
    counts = {row["cell"].cell: row["count"] for row in page.context["rows"]}
    assert counts[FAR[0]] == "3" and counts.get(CENTRE, "0") == "0"
    assert "child sexual exploitation only" in page.content.decode()


def test_the_default_period_is_the_last_12_months(client_for, planted) -> None:
    worker = planted["worker"]
    record(worker, FAR[1], 7, days_ago=400)
    page = client_for(worker).get(MAP, {"all": "1"})
    assert page.context["filters"]["until"] == timezone.localdate()
    assert page.context["filters"]["since"] == timezone.localdate() - dt.timedelta(days=365)
    counts = {row["cell"].cell: row["count"] for row in page.context["rows"]}
    assert counts[FAR[1]] == "1"  # the 7 older events are outside the period


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {**dates("since", dt.date(2025, 5, 1)), **dates("until", dt.date(2025, 4, 1))},
            "The &#x27;to&#x27; date must be the same as or after the &#x27;from&#x27; date",
        ),
        ({"since_day": "31", "since_month": "2", "since_year": "2025"}, "From must be a real date"),
        ({"since_day": "1", "since_year": "2025"}, "From must include a month"),
        ({"harm_type": "nonsense"}, "Choose a harm type from the list"),
        (
            dates("until", timezone.localdate() + dt.timedelta(days=3)),
            "must be today or in the past",
        ),
    ],
)
def test_invalid_filters_get_clear_govuk_errors(client_for, personas, params, message) -> None:
    response = client_for(personas["practitioner"]).get(MAP, params)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and message in page
    assert "<title>Error: Hotspot map" in page
    assert 'data-testid="cells-table"' not in page
    assert client_for(personas["practitioner"]).get(DATA, params).status_code == 400


def test_invalid_emerging_periods_get_clear_errors(client_for, personas) -> None:
    today = timezone.localdate()
    params = {
        **dates("recent_since", today - dt.timedelta(days=30)),
        **dates("recent_until", today),
        **dates("earlier_since", today - dt.timedelta(days=100)),
        **dates("earlier_until", today - dt.timedelta(days=10)),
    }
    page = client_for(personas["practitioner"]).get(EMERGING, params).content.decode()
    assert "The earlier period must end before the recent period starts" in page


# --- the JSON behind the map ---------------------------------------------------------------------


def test_a_case_worker_gets_cells_events_and_contexts_as_geojson(client_for, planted) -> None:
    client = client_for(planted["worker"])
    data = client.get(DATA).json()
    assert data["cells"]["type"] == "FeatureCollection"
    centre = next(f for f in data["cells"]["features"] if f["id"] == CENTRE)
    assert centre["geometry"]["type"] == "Polygon"
    assert centre["properties"]["count"] == 12
    assert centre["properties"]["band"] in ("hot-99", "hot-95")
    # One cell URL for all, with the filters, for the map to fill in (not one per cell).
    assert data["cell_url"].replace("{cell}", CENTRE).startswith(cell_url(CENTRE) + "?")
    # The events and the recorded places come from requests of their own.
    events = client.get(data["events_url"]).json()
    assert len(events["events"]["features"]) == 12 + 2 * len(RING) + len(FAR)
    assert events["events_capped"] is False
    assert "Jayden" not in json.dumps(events)
    places = client.get(data["contexts_url"]).json()
    assert places["type"] == "FeatureCollection"
    assert places["features"][0]["properties"]["name"] == "Sallowmere Parade takeaways"
    assert places["features"][0]["properties"]["url"] == f"/contexts/{planted['place'].pk}/"
    assert data["wards"]["type"] == "FeatureCollection"
    raw = json.dumps(data)
    assert "Jayden" not in raw and "older young people" not in raw  # never a narrative


def test_the_analyst_json_holds_no_event_no_context_and_no_small_count(
    client_for, planted, personas
) -> None:
    client = client_for(personas["analyst"])
    response = client.get(DATA)
    data = response.json()
    assert data["events_url"] is None and data["contexts_url"] is None and data["suppressed"]
    assert client.get(reverse("mapping:map-places")).status_code == 403
    assert client.get(reverse("mapping:map-events")).status_code == 403
    raw = response.content.decode()
    assert PLACE not in raw and "Sallowmere Parade takeaways" not in raw and "event-" not in raw
    for feature in data["cells"]["features"]:
        count = feature["properties"]["count"]
        # Zeros disclose nobody and are published; anything from 1 to 4 is withheld.
        assert count is None or count == 0 or count >= 5
        assert "Events here: 2." not in feature["properties"]["explanation"]
        assert "Events here: 1." not in feature["properties"]["explanation"]


def test_the_map_data_is_audited_like_the_page(client_for, planted) -> None:
    worker = planted["worker"]
    before = AccessEvent.objects.count()
    client = client_for(worker)
    data = client.get(DATA).json()
    client.get(data["contexts_url"])
    client.get(data["events_url"])
    trail = AccessEvent.objects.filter(actor=worker).order_by("-sequence")[
        : AccessEvent.objects.count() - before
    ]
    kinds = {(e.object_type, e.action) for e in trail}
    assert ("mapping.hotspots", "search") in kinds
    assert ("events.event", "search") in kinds
    assert ("contexts.context", "search") in kinds


def test_the_map_data_costs_the_same_queries_however_much_data(
    client_for, planted, django_assert_max_num_queries
) -> None:
    worker = planted["worker"]
    client = client_for(worker)
    client.get(DATA)  # warm caches (roles, session)
    counting._names.clear()  # names held per process: both requests read them afresh
    selectors._analyses.clear()  # and analyses and layers: both requests compute theirs
    selectors._names.clear()
    hotspot_map._cell_layers.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(DATA)
    plant_cluster(worker)
    for cell in FAR:
        record(worker, cell, 6, place="By the shops")
    make_location(
        worker,
        name="Another place",
        geometry=json.dumps({"type": "Point", "coordinates": [LON, LAT + 0.01]}),
    )
    counting._names.clear()
    selectors._analyses.clear()
    selectors._names.clear()
    hotspot_map._cell_layers.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get(DATA).json()
    assert len(data["cells"]["features"]) > len(FAR) + 7


def test_the_kept_hot_spots_table_is_escaped_and_renewed_when_an_event_is_recorded(
    client_for, planted
) -> None:
    worker = planted["worker"]
    client = client_for(worker)
    assert "Outside <b>the</b> launderette" not in client.get(MAP).content.decode()
    record(worker, CENTRE, 20, place="Outside <b>the</b> launderette")
    page = client.get(MAP).content.decode()
    assert "Outside &lt;b&gt;the&lt;/b&gt; launderette" in page
    assert "<b>the</b>" not in page
    assert client.get(MAP).content.decode().count("32 events here") == 1


def test_the_cell_layer_is_kept_until_the_counts_change(client_for, planted) -> None:
    client = client_for(planted["worker"])
    first = client.get(DATA).content
    assert client.get(DATA).content == first  # kept: the same text
    record(planted["worker"], CENTRE, 2, place="Outside the launderette")
    data = client.get(DATA).json()
    centre = next(f for f in data["cells"]["features"] if f["id"] == CENTRE)
    assert centre["properties"]["count"] == 14


def _place_names(client: Any) -> list[str]:
    layer = client.get(reverse("mapping:map-places")).json()
    return [f["properties"]["name"] for f in layer["features"]]


def test_the_places_layer_is_kept_until_a_place_changes(
    client_for, planted, django_assert_max_num_queries
) -> None:
    from contexts.services import context_update

    worker = planted["worker"]
    client = client_for(worker)
    url = reverse("mapping:map-places")
    first = client.get(url).content
    with django_assert_max_num_queries(12):  # kept: the version and the audit, no places
        assert client.get(url).content == first
    place = Context.objects.get(pk=planted["place"].pk)
    context_update(actor=worker, context=place, expected_version=place.version, name="Renamed")
    assert _place_names(client) == ["Renamed"]
    place.refresh_from_db()
    context_update(
        actor=worker, context=place, expected_version=place.version, status="under_assessment"
    )
    feature = client.get(url).json()["features"][0]
    assert feature["properties"]["status_code"] == "under_assessment"
    make_location(
        worker,
        name="A new place",
        geometry=json.dumps({"type": "Point", "coordinates": [LON, LAT + 0.01]}),
    )
    assert sorted(_place_names(client)) == ["A new place", "Renamed"]
    place.refresh_from_db()
    context_update(actor=worker, context=place, expected_version=place.version, geometry="")
    assert _place_names(client) == ["A new place"], "a place with no position leaves the map"


def test_every_read_of_the_kept_places_layer_is_audited(client_for, planted) -> None:
    worker = planted["worker"]
    client = client_for(worker)
    url = reverse("mapping:map-places")
    for _ in range(3):
        client.get(url)
    reads = AccessEvent.objects.filter(
        actor=worker, object_type="contexts.context", action="search"
    )
    assert [r.reason for r in reads] == ["Location contexts on the hotspot map (1)"] * 3


def _cell_places(client: Any) -> list[str]:
    return [f["properties"]["place"] for f in client.get(DATA).json()["cells"]["features"]]


def test_a_new_ward_file_renames_the_kept_map_at_once(client_for, planted, settings) -> None:
    client = client_for(planted["worker"])
    client.get(MAP)
    before = _cell_places(client)
    assert before and not any("Renamed" in place for place in before)
    path = Path(settings.WARD_BOUNDARIES_FILE)
    wards = json.loads(path.read_text())
    for feature in wards["features"]:
        feature["properties"]["name"] = "Renamed " + feature["properties"]["name"]
    path.write_text(json.dumps(wards))
    later = path.stat().st_mtime + 5  # a file replaced within the same clock tick
    os.utime(path, (later, later))
    after = _cell_places(client)
    assert all("Renamed" in place for place in after if "ward" in place)
    assert sum("Renamed" in place for place in after) == sum("ward" in place for place in before)


def test_the_events_layer_follows_the_filters_and_refuses_bad_ones(client_for, planted) -> None:
    worker = planted["worker"]
    record(worker, FAR[0], 2, harm="cse")
    client = client_for(worker)
    events_url = reverse("mapping:map-events")
    cse = client.get(events_url, {"harm_type": "cse"}).json()
    assert len(cse["events"]["features"]) == 2
    assert {f["properties"]["harm_types"][0] for f in cse["events"]["features"]} == {
        "Child sexual exploitation"
    }
    bad = client.get(events_url, {"harm_type": "not-a-harm"})
    assert bad.status_code == 400 and "harm_type" in bad.json()["errors"]
    filtered = client.get(DATA, {"harm_type": "cse"}).json()
    assert "harm_type=cse" in filtered["events_url"]


def test_the_emerging_json_explains_each_cell(client_for, planted) -> None:
    data = client_for(planted["worker"]).get(EMERGING_DATA).json()
    centre = next(f for f in data["cells"]["features"] if f["id"] == CENTRE)
    assert centre["properties"]["trend"] == "new hot spot"
    assert centre["properties"]["band"] == "new"
    assert "A new hot spot" in data["meanings"][centre["properties"]["trend"]]
    assert data["events"] is None and data["contexts"] is None


def test_the_emerging_page_tables_each_classification_in_words(client_for, planted, personas):
    page = client_for(planted["worker"]).get(EMERGING).content.decode()
    assert 'data-testid="trend-meanings"' in page and "Getting worse" in page
    assert "New hot spot" in page and f'href="{cell_url(CENTRE)}?' in page
    analyst_page = client_for(personas["analyst"]).get(EMERGING).content.decode()
    assert 'data-testid="suppression-notice"' in analyst_page


# --- a cell's page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["zz", "8928308280fffff0", h3.cell_to_parent(CENTRE, 7), h3.cell_to_children(CENTRE)[0]],
)
def test_a_cell_id_must_be_a_cell_at_the_map_resolution(client_for, personas, cell) -> None:
    assert client_for(personas["practitioner"]).get(cell_url(cell)).status_code == 404
    assert client_for(personas["cs_lead"]).get(f"{cell_url(cell)}new-context/").status_code == 404


def test_a_cell_page_lists_events_without_narratives_and_audits_the_read(
    client_for, planted
) -> None:
    worker = planted["worker"]
    response = client_for(worker).get(cell_url(CENTRE))
    page = response.content.decode()
    assert len(response.context["events"]) == 12
    assert PLACE in page and "Sighting" in page and "Child criminal exploitation" in page
    assert "Jayden" not in page and "older young people" not in page
    assert "12 events here" in page
    assert "Sallowmere Parade takeaways" in page  # the location context next to it
    assert "Open a location context here" not in page  # a practitioner may not
    assert AccessEvent.objects.filter(
        actor=worker, object_type="events.event", reason__contains=CENTRE
    ).exists()


def test_an_analyst_sees_a_cell_count_only(client_for, planted, personas) -> None:
    page = client_for(personas["analyst"]).get(cell_url(RING[0])).content.decode()
    assert 'data-testid="analyst-notice"' in page
    assert "fewer than 5, or withheld to protect a small number" in page.lower()
    assert 'data-testid="cell-events"' not in page and "Sighting" not in page
    assert "Sallowmere Parade takeaways" not in page


def test_a_cs_lead_is_offered_to_open_a_context(client_for, planted, personas) -> None:
    page = client_for(personas["cs_lead"]).get(cell_url(CENTRE)).content.decode()
    assert f'href="{cell_url(CENTRE)}new-context/"' in page


# --- opening a location context from a cell -----------------------------------------------------


def test_the_form_is_prefilled_from_the_events_in_the_cell(client_for, planted, personas) -> None:
    response = client_for(personas["cs_lead"]).get(f"{cell_url(CENTRE)}new-context/")
    form = response.context["form"]
    assert form.initial["name"] == f"{PLACE}, Brackenmoor Central"
    assert form.initial["location_type"] == "shop_takeaway"
    assert form.initial["owning_team"] is not None
    assert len(form.initial["events"]) == 12
    assert "12 events recorded here" in form.initial["description"]
    assert "Jayden" not in form.initial["description"]


def test_opening_a_context_covers_the_cell_and_places_only_visible_unlocated_events(
    client_for, planted, personas
) -> None:
    lead = personas["cs_lead"]
    police = UserFactory.create(
        agency=AgencyFactory.create(name="Vale Police", kind="police"), roles=["practitioner"]
    )
    (hidden,) = record(police, CENTRE, sensitivity="restricted")
    elsewhere = planted["place"]
    (placed_already,) = record(planted["worker"], CENTRE)
    Event.objects.filter(pk=placed_already.pk).update(location=elsewhere)
    client = client_for(lead)
    form = client.get(f"{cell_url(CENTRE)}new-context/").context["form"]
    offered = {int(value) for value, _ in form.fields["events"].choices}
    assert hidden.pk not in offered and placed_already.pk not in offered
    chosen = sorted(offered)[:10]
    fields = {
        "name": "Back of Sallowmere Parade",
        "location_type": "shop_takeaway",
        "owning_team": str(form.initial["owning_team"].pk),
        "description": "Opened from the map.",
    }
    url = f"{cell_url(CENTRE)}new-context/"
    # An event that was not offered cannot be smuggled in.
    tampered = client.post(url, {**fields, "events": [*map(str, chosen), str(hidden.pk)]})
    assert tampered.status_code == 200 and not Context.objects.filter(name=fields["name"]).exists()
    response = client.post(url, {**fields, "events": [str(pk) for pk in chosen]})
    context = Context.objects.get(name="Back of Sallowmere Parade")
    assert response.status_code == 302 and response["Location"] == f"/contexts/{context.pk}/"
    geometry: dict[str, Any] = context.geometry or {}
    assert context.kind == "location" and geometry["type"] == "Polygon"
    ring = geometry["coordinates"][0]
    expected = {(round(lon, 6), round(lat, 6)) for lat, lon in h3.cell_to_boundary(CENTRE)}
    assert {tuple(p) for p in ring} == expected
    assert set(context.events.values_list("pk", flat=True)) == set(chosen)
    assert Event.objects.get(pk=hidden.pk).location is None
    assert Event.objects.get(pk=placed_already.pk).location == elsewhere


def test_a_neighbouring_hot_cell_can_be_included(client_for, personas, settings, tmp_path):
    settings.WARD_BOUNDARIES_FILE = wards_file(tmp_path)
    worker = personas["practitioner"]
    plant_cluster(worker)
    for cell in RING[:2]:
        record(worker, cell, 9)
    client = client_for(personas["cs_lead"])
    url = f"{cell_url(CENTRE)}new-context/"
    form = client.get(url).context["form"]
    neighbours = [value for value, _ in form.fields["neighbours"].choices]
    assert RING[0] in neighbours
    neighbour_event = next(
        int(v)
        for v, _ in form.fields["events"].choices
        if Event.objects.get(pk=int(v)).h3_cell == RING[0]
    )
    base = {
        "name": "Parade and car park",
        "location_type": "other",
        "owning_team": str(form.initial["owning_team"].pk),
        "events": [str(neighbour_event)],
    }
    refused = client.post(url, base)
    assert refused.status_code == 200
    assert "include the cell or untick the events" in refused.content.decode()
    client.post(url, {**base, "neighbours": [RING[0]]})
    context = Context.objects.get(name="Parade and car park")
    assert (context.geometry or {})["type"] == "MultiPolygon"
    assert list(context.events.values_list("pk", flat=True)) == [neighbour_event]


def test_the_form_explains_what_is_missing(client_for, planted, personas) -> None:
    response = client_for(personas["cs_lead"]).post(
        f"{cell_url(CENTRE)}new-context/", {"name": "", "location_type": ""}
    )
    page = response.content.decode()
    assert "Enter a name for the place" in page and "Choose the type of location" in page
    assert not Context.objects.filter(name="").exists()
