"""A practitioner opens a young person's Network tab: peers and places drawn, depth, the table."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from contexts.services import context_link_create
from events.services import event_record
from mapping.graph import HUB_CAP
from people.models import Person
from people.services import association_create
from tests.browser import axe_violations, screenshot
from tests.e2e.test_case_journey import sign_in
from tests.factories import make_location, make_person

YOUNG = ("Amir", "Bea", "Cole", "Dani", "Eli", "Fern", "Gus", "Hana", "Isla", "Jon")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _link(actor: User, a: Person, b: Person, kind: str, source: str, reliability: str) -> None:
    association_create(
        actor=actor, person=a, other=b, kind=kind, source=source, reliability=reliability
    )


def plant(personas: dict[str, User]) -> dict[str, Any]:
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    tyler = make_person(worker, given_name="Tyler", family_name="Brook", known_as="Ty")
    peers = [
        make_person(worker, given_name=g, family_name=f)
        for g, f in (("Kai", "Osei"), ("Mason", "Pryce"), ("Leah", "Darby"))
    ]
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean", family_name="Walsh")
    hidden = make_person(officer, kind="adult_of_concern", given_name="Secret", family_name="Adult")
    takeaway = make_location(worker, name="Sallowmere Parade takeaway")
    underpass = make_location(worker, name="Underpass, Brackenmoor Common", location_type="other")
    _link(worker, tyler, peers[0], "peer", "school DSL", "confirmed")
    _link(worker, tyler, peers[1], "peer", "youth worker", "reported")
    _link(worker, peers[1], peers[2], "peer", "school DSL", "reported")
    _link(worker, peers[0], adult, "adult_of_concern", "police report", "intelligence")
    _link(officer, tyler, hidden, "adult_of_concern", "police intelligence", "intelligence")
    for person, place in ((tyler, takeaway), (peers[0], takeaway), (peers[1], underpass)):
        context_link_create(
            actor=worker,
            context=place,
            person=person,
            kind="frequents",
            source="detached youth work",
            reliability="reported",
        )
    event_record(
        actor=worker,
        kind="sighting",
        occurred_at=timezone.now() - dt.timedelta(days=4),
        narrative="Seen together at the takeaway late at night.",
        participants=[(tyler, "subject_of_concern"), (peers[2], "subject_of_concern")],
        location=takeaway,
    )
    for i in range(HUB_CAP + 6):
        young = make_person(worker, given_name=YOUNG[i % len(YOUNG)], family_name=f"Hale {i + 1}")
        _link(worker, adult, young, "adult_of_concern", "police report", "reported")
    return {"tyler": tyler, "adult": adult}


def test_the_network_tab_draws_peers_and_places(
    page: Page, browser: Browser, live_server: Any, personas: dict[str, User]
) -> None:
    planted = plant(personas)
    base = live_server.url
    sign_in(page, base, personas["practitioner"])
    page.goto(f"{base}/people/{planted['tyler'].pk}/")
    page.get_by_role("link", name="Network", exact=True).click()
    expect(page.get_by_text("Links are observations with a source, not facts")).to_be_visible()
    expect(page.get_by_text("Only records you may see are shown.")).to_be_visible()
    canvas = page.locator("[data-network-canvas] canvas").first
    expect(canvas).to_be_visible()
    expect(page.locator(".cs-network--ready")).to_have_count(1)
    expect(page.get_by_test_id("network-summary")).to_contain_text("4 people and 1 place or group")
    # The centre is selected on load: its details are shown beside the diagram.
    expect(page.locator("[data-network-detail]")).to_contain_text("Tyler Brook (Ty)")
    screenshot(page, "network-10-depth-1")

    # Selecting a line loads what was recorded about it (both ends checked on the server).
    # After scrolling, wait two frames: the diagram learns where its canvas now is from the
    # scroll event, as it would long before a person's click.
    point = page.evaluate(
        """async () => {
          const root = document.querySelector('[data-network]')
          const cy = root.networkDiagram
          const ends = (e) => [e.source(), e.target()].map((n) => n.data('label')).sort()
          const line = cy.edges().filter((e) => ends(e)[0].startsWith('Kai Osei') &&
            ends(e)[1].startsWith('Tyler Brook'))[0]
          const canvas = root.querySelector('[data-network-canvas]')
          const mid = line.renderedMidpoint()
          const top = canvas.getBoundingClientRect().top + window.scrollY + mid.y - 300
          window.scrollTo({ top, behavior: 'instant' })
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
          const box = canvas.getBoundingClientRect()
          return { x: box.left + mid.x, y: box.top + mid.y }
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    detail = page.locator("[data-network-detail]")
    expect(detail).to_contain_text("Kai Osei")
    expect(detail).to_contain_text("1 recorded observation")
    expect(detail).to_contain_text("Recorded observations (not facts):")
    expect(detail).to_contain_text("school DSL")
    expect(detail).not_to_contain_text("Loading what was recorded")
    screenshot(page, "network-15-line-selected")

    page.get_by_label("Up to 2 steps away").check()
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Up to 2 steps away")).to_be_checked()
    expect(page.get_by_test_id("network-summary")).to_contain_text(
        "5 people and 2 places or groups"
    )
    expect(page.locator(".cs-network--ready")).to_have_count(1)
    screenshot(page, "network-20-depth-2")

    page.get_by_role("tab", name="Table").click()
    nodes = page.get_by_test_id("network-nodes")
    expect(nodes).to_be_visible()
    expect(nodes).to_contain_text("Dean Walsh")
    expect(nodes).to_contain_text("Underpass, Brackenmoor Common")
    links = page.get_by_test_id("network-links")
    expect(links).to_contain_text("school DSL")
    expect(links).to_contain_text("both recorded in the same sighting")
    assert "Secret Adult" not in page.content()
    assert "police intelligence" not in page.content()
    screenshot(page, "network-30-table")

    state = dict(page.context.storage_state())
    assert axe_violations(browser, page.url, state) == []


def test_a_hub_shows_its_strongest_ties_and_more_on_request(
    page: Page, live_server: Any, personas: dict[str, User]
) -> None:
    planted = plant(personas)
    sign_in(page, live_server.url, personas["practitioner"])
    page.goto(f"{live_server.url}/mapping/network/person/{planted['adult'].pk}/")
    expect(page.locator(".cs-network--ready")).to_have_count(1)
    detail = page.locator("[data-network-detail]")
    expect(detail).to_contain_text("Dean Walsh")
    expect(detail).to_contain_text(f"{HUB_CAP} links drawn")
    screenshot(page, "network-40-hub")
    detail.get_by_role("button", name="Show 7 more of 7 linked").click()
    expect(detail).to_contain_text(f"{HUB_CAP + 7} links drawn")
    expect(detail.get_by_role("button")).to_have_count(0)
    screenshot(page, "network-50-hub-expanded")
