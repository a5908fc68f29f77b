"""The hotspot map in Chromium: a CS lead finds a hot spot nobody has recorded and opens a
location context from it, on events laid out like the demo borough's."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from contexts.models import Context
from demo.borough.geography import (
    HOTSPOTS,
    UNRECORDED_HOTSPOTS,
    point_near,
    random_point,
    ward_boundaries,
)
from events.services import event_record
from tests.browser import axe_violations, screenshot
from tests.e2e.test_case_journey import sign_in
from tests.factories import make_location

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UNDERPASS = UNRECORDED_HOTSPOTS[0]
INTERCHANGE = HOTSPOTS[0]
KINDS = ["sighting", "police_incident", "missing_found", "concern"]
HARMS = [["cce"], ["cce", "county_lines"], ["serious_youth_violence"], ["cse"], ["missing"]]


def _events(
    actor: User, rng: random.Random, lat: float, lon: float, radius: int, n: int, place: str
):
    now = timezone.now()
    for i in range(n):
        y, x = point_near(rng, lat, lon, radius)
        event_record(
            actor=actor,
            kind=rng.choice(KINDS),
            occurred_at=now - dt.timedelta(days=rng.randint(1, 300), minutes=i),
            narrative="Seen late in the evening with older young people.",
            harm_types=rng.choice(HARMS),
            latitude=y,
            longitude=x,
            place_description=place,
        )


@pytest.fixture
def borough(personas, settings, tmp_path: Path) -> dict[str, Any]:
    wards = tmp_path / "wards.geojson"
    wards.write_text(json.dumps(ward_boundaries()))
    settings.WARD_BOUNDARIES_FILE = str(wards)
    worker = personas["practitioner"]
    rng = random.Random("map-browser")  # noqa: S311
    make_location(
        worker,
        name=INTERCHANGE.name,
        location_type=INTERCHANGE.location_type,
        address=INTERCHANGE.address,
        geometry=json.dumps(INTERCHANGE.geometry()),
    )
    _events(worker, rng, INTERCHANGE.latitude, INTERCHANGE.longitude, 120, 18, "Bus station")
    _events(worker, rng, UNDERPASS.latitude, UNDERPASS.longitude, 60, 22, "Ring road underpass")
    for _ in range(70):  # the background: a few events scattered over the borough
        y, x = random_point(rng)
        _events(worker, rng, y, x, 1, 1, "")
    return {"worker": worker}


def _axe(browser: Browser, page: Page) -> None:
    state = dict(page.context.storage_state())
    assert axe_violations(browser, page.url, state) == [], page.url


def test_a_cs_lead_opens_a_location_context_from_a_hot_spot(
    page: Page, browser: Browser, live_server: Any, personas: dict[str, User], borough: Any
) -> None:
    base = live_server.url
    sign_in(page, base, personas["cs_lead"])
    page.goto(base + "/mapping/map/")
    expect(page.get_by_role("heading", name="Hotspot map", level=1)).to_be_visible()
    canvas = page.locator("[data-hotspot-map]")
    expect(canvas).to_have_attribute("data-map-ready", "true")
    expect(page.get_by_test_id("map-status")).to_contain_text("hot spots")
    # The events layer comes in its own request and is drawn and counted with the rest.
    expect(page.get_by_test_id("map-status")).to_contain_text("events you may open are shown")
    assert page.locator("#hotspot-map path.leaflet-interactive").count() > 100
    # Hot cells are drawn, in the 99% band's colour, and the wards are labelled.
    hot = page.locator('#hotspot-map path[fill="#d4351c"]')
    assert hot.count() >= 2
    expect(page.locator(".cs-ward-label").first).to_be_visible()
    expect(page.get_by_test_id("map-legend")).to_contain_text("Hot spot, 99% confidence")
    screenshot(page, "map-10-hotspot-map")
    _axe(browser, page)

    # Selecting a cell shows its figures and explanation.
    canvas.scroll_into_view_if_needed()
    hot.first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Hot spot (99% confidence)")
    expect(popup).to_contain_text("neighbouring cells")
    expect(popup.get_by_role("link", name="See this cell")).to_be_visible()
    cell_link = re.compile(r"^/mapping/map/cells/[0-9a-f]{15}/\?since_day=")
    expect(popup.get_by_role("link", name="See this cell")).to_have_attribute("href", cell_link)
    screenshot(page, "map-11-cell-popup")

    # The table alternative says the same without the map.
    table = page.get_by_test_id("cells-table")
    expect(table).to_contain_text("Ring road underpass")
    expect(page.get_by_test_id("contexts-table")).to_contain_text(INTERCHANGE.name)
    table.get_by_role("link", name="Ring road underpass, Greyfallow ward", exact=True).click()
    expect(page.get_by_text("Map cell", exact=True)).to_be_visible()
    expect(page.get_by_test_id("cell-explanation")).to_contain_text("events here")
    expect(page.get_by_test_id("cell-events")).to_contain_text("Ring road underpass")
    expect(page.get_by_test_id("no-contexts")).to_be_visible()
    screenshot(page, "map-20-cell-page")
    _axe(browser, page)

    page.get_by_role("link", name="Open a location context here").click()
    expect(page.get_by_role("heading", name="Open a location context here")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Ring road underpass, Greyfallow")
    expect(page.get_by_label("Type of location")).to_have_value("transport_hub")
    ticked = page.locator('input[name="events"]:checked').count()
    assert ticked > 0
    screenshot(page, "map-30-open-context-form")
    _axe(browser, page)
    page.get_by_label("Name", exact=True).fill("Underpass beneath the Greyfallow ring road")
    page.get_by_role("button", name="Open location context").click()
    expect(page.locator(".moj-identity-bar__title")).to_have_text(
        "Underpass beneath the Greyfallow ring road"
    )
    expect(page.get_by_text(f"with {ticked} events placed there")).to_be_visible()
    screenshot(page, "map-40-context-opened")
    context = Context.objects.get(name="Underpass beneath the Greyfallow ring road")
    assert context.events.count() == ticked
    assert context.geometry and context.geometry["type"] == "Polygon"

    # The emerging view compares the last 3 months with the 12 before.
    page.goto(base + "/mapping/map/emerging/")
    expect(page.locator("[data-hotspot-map]")).to_have_attribute("data-map-ready", "true")
    expect(page.get_by_test_id("trend-meanings")).to_contain_text("A new hot spot")
    # A cell's popup says what its trend means, from the words sent once for every cell.
    page.locator("#hotspot-map").scroll_into_view_if_needed()
    page.locator('#hotspot-map path[fill="#f47738"]').first.click(force=True)
    emerging_popup = page.locator(".leaflet-popup-content")
    expect(emerging_popup).to_contain_text("Getting worse: a hot spot in both periods")
    expect(emerging_popup.get_by_role("link", name="See this cell")).to_have_attribute(
        "href", re.compile(r"^/mapping/map/cells/[0-9a-f]{15}/\?since_day=")
    )
    screenshot(page, "map-50-emerging")
    _axe(browser, page)
