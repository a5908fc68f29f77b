"""The CS lead works through the suggested-contexts queue in Chromium: opens a possible hotspot,
reads its evidence, accepts it (a location context is opened with the events placed there), and
dismisses another with a reason."""

from __future__ import annotations

import h3  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from contexts.models import Context, ContextKind
from mapping.hotspots import cell_of
from mapping.models import SuggestedContext, SuggestionStatus
from mapping.suggestions import refresh_suggestions
from mapping.tests.test_suggestions_engine import CENTRE, FAR, RING, record
from tests.browser import axe_violations, screenshot
from tests.e2e.test_case_journey import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A second busy place, about 3 km from the first.
CAR_PARK = cell_of(52.2 + 0.027, -0.9 + 0.02, settings.HOTSPOT_H3_RESOLUTION)


def plant(lead: User) -> None:
    record(lead, CENTRE, 16)
    record(lead, CAR_PARK, 12, place="Car park behind the retail park")
    for cell in [*RING, *FAR, *[c for c in h3.grid_disk(CAR_PARK, 1) if c != CAR_PARK]]:
        record(lead, cell, 1, place="")


def axe(browser: Browser, page: Page) -> None:
    state = dict(page.context.storage_state())
    assert axe_violations(browser, page.url, state) == [], page.url


def test_the_lead_accepts_one_suggestion_and_dismisses_another(
    page: Page, browser: Browser, live_server, personas
) -> None:
    lead = personas["cs_lead"]
    plant(lead)
    refresh_suggestions()
    assert SuggestedContext.objects.count() == 2
    base = live_server.url
    sign_in(page, base, lead)

    page.goto(base + "/mapping/suggestions/")
    expect(page.get_by_role("heading", name="Suggested contexts", level=1)).to_be_visible()
    expect(page.get_by_test_id("last-run")).to_contain_text("Last computed at")
    cards = page.get_by_test_id("suggestion-card")
    expect(cards).to_have_count(2)
    expect(
        page.get_by_text("Suggestions built mostly from records you cannot open")
    ).to_be_visible()
    screenshot(page, "suggestions-01-queue")
    axe(browser, page)

    page.get_by_role("link", name="Possible hotspot: Underpass by the canal").first.click()
    expect(
        page.get_by_role("heading", name="Possible hotspot: Underpass by the canal")
    ).to_be_visible()
    expect(page.get_by_test_id("explanation")).to_contain_text(
        "16 events you may open in 1 map cell"
    )
    expect(page.get_by_test_id("evidence-events")).to_contain_text("Events you may open (16")
    screenshot(page, "suggestions-02-hotspot-evidence")
    axe(browser, page)

    page.get_by_role("link", name="Accept and open a location context").click()
    expect(page.get_by_label("Name of the place")).to_have_value("Underpass by the canal")
    expect(page.get_by_label("Type of location")).to_have_value("transport_hub")
    page.get_by_label("Name of the place").fill("Canal underpass")
    screenshot(page, "suggestions-03-accept-form")
    page.get_by_role("button", name="Open the context").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Canal underpass recorded as a location, with 16 events placed there"
    )
    screenshot(page, "suggestions-04-location-opened")
    place = Context.objects.get(name="Canal underpass")
    assert place.kind == ContextKind.LOCATION and place.events.count() == 16

    page.goto(base + "/mapping/suggestions/")
    expect(cards).to_have_count(1)
    page.get_by_role("link", name="Possible hotspot: Car park behind the retail park").first.click()
    page.get_by_role("link", name="Dismiss").click()
    page.get_by_role("button", name="Dismiss suggestion").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why this suggestion is dismissed"
    )
    page.get_by_label("Why is this suggestion dismissed?").fill(
        "Shoppers' car park: the events are daytime thefts from cars, not harm to children."
    )
    page.get_by_role("button", name="Dismiss suggestion").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Dismissed")
    expect(page.get_by_text("To review: 0 suggestions")).to_be_visible()

    page.get_by_role("link", name="Dismissed").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("daytime thefts from cars")
    screenshot(page, "suggestions-05-dismissed")
    page.get_by_role("link", name="Accepted").click()
    expect(cards.first).to_contain_text("Canal underpass")
    screenshot(page, "suggestions-06-accepted")

    # Stored titles quote no record (each lead's page names the place from what they may open).
    rows = list(SuggestedContext.objects.values_list("created_context", "status"))
    assert sorted(status for _, status in rows) == [
        SuggestionStatus.ACCEPTED,
        SuggestionStatus.DISMISSED,
    ]
    assert [status for context, status in rows if context is None] == [SuggestionStatus.DISMISSED]


def test_the_demo_leads_queue_shows_the_planted_group(
    page: Page, browser: Browser, live_server
) -> None:
    from access.roles import Role
    from demo.borough.generator import generate
    from demo.partnership import DEMO_USERS
    from demo.services import demo_partnership_load
    from tests.factories import TEST_PASSWORD

    demo_partnership_load(password=TEST_PASSWORD)
    planted = generate("demo").planted
    refresh_suggestions()
    [username] = [u.username for u in DEMO_USERS if Role.CS_LEAD in u.roles]
    lead = User.objects.get(username=username)
    base = live_server.url
    sign_in(page, base, lead)
    page.goto(base + "/mapping/suggestions/")
    screenshot(page, "suggestions-10-demo-queue")
    group = planted.unrecorded_groups[0]
    page.get_by_role("link", name=f"Possible peer group seen at {group.hotspot}").first.click()
    # Only the members whose records the lead's agency may open are named (here, not all).
    names = page.get_by_test_id("evidence-people").get_by_role("link").all_inner_texts()
    assert 3 <= len(names) <= len(group.members)
    assert set(names) <= set(group.members)
    expect(page.get_by_test_id("explanation")).to_contain_text("not a finding about any child")
    screenshot(page, "suggestions-11-demo-group-evidence")
    axe(browser, page)
    page.get_by_role("link", name="Accept and open a peer-group context").click()
    expect(page.get_by_label("Name of the peer group")).to_have_value(
        f"Peer group seen at {group.hotspot}"
    )
    screenshot(page, "suggestions-12-demo-group-accept")
