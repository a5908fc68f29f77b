"""A practitioner records a young person, a place and a peer group, links them, records an event
at the place, and sees it on both chronologies — in Chromium, as they would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.browser import screenshot
from tests.factories import TEST_PASSWORD, current_code, totp_device_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, user: User) -> None:
    device = totp_device_for(user)
    page.goto(base + "/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-user")).to_be_visible()


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_person_place_group_links_and_an_event_on_both_chronologies(
    page: Page, live_server, personas
) -> None:
    base = live_server.url
    sign_in(page, base, personas["practitioner"])

    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_label("Name").fill("Tyler Brook")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("0 results")).to_be_visible()
    screenshot(page, "10-search-no-results")
    page.get_by_role("link", name="Create a new record").click()

    page.get_by_label("Young person").check()
    expect(page.get_by_label("First name")).to_have_value("Tyler Brook")
    page.get_by_label("First name").fill("Tyler")
    page.get_by_label("Last name").fill("Brook")
    page.get_by_label("Known as").fill("Ty")
    fill_date(page, "Date of birth", timezone.localdate() + dt.timedelta(days=10))
    page.get_by_role("button", name="Create record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date of birth must be today or in the past"
    )
    expect(page.get_by_label("Known as")).to_have_value("Ty")
    screenshot(page, "11-person-error")
    fill_date(page, "Date of birth", dt.date(2011, 6, 2))
    page.get_by_label("Male", exact=True).check()
    page.get_by_role("button", name="Create record").click()
    expect(page.locator(".moj-identity-bar__title")).to_have_text("Tyler Brook (Ty)")
    screenshot(page, "12-person-profile")
    person_url = page.url

    page.get_by_role("link", name="Places and groups", exact=True).first.click()
    page.get_by_role("link", name="Record a place or group").click()
    page.get_by_label("Location").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name").fill("Chicken shop, Larkspur Parade")
    page.get_by_label("Type of location").select_option("shop_takeaway")
    page.get_by_label("Map position or area (GeoJSON)").fill(
        '{"type": "Point", "coordinates": [-0.91, 52.2]}'
    )
    page.get_by_role("button", name="Save record").click()
    expect(page.locator(".moj-identity-bar__title")).to_have_text("Chicken shop, Larkspur Parade")
    shop_url = page.url
    page.get_by_role("link", name="Link a person").click()
    page.get_by_label("Find the person").fill("Tyler")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Tyler Brook (Ty)").click()
    page.get_by_label("Spends time at").check()
    page.get_by_label("Where does this come from?").fill("School DSL contact")
    page.get_by_label("Reported").check()
    page.get_by_role("button", name="Record link").click()
    expect(page.get_by_role("link", name="Tyler Brook (Ty)")).to_be_visible()

    page.goto(base + "/contexts/new/?kind=peer_group")
    page.get_by_label("Name").fill("Older boys at the parade")
    page.get_by_role("button", name="Save record").click()
    page.get_by_role("link", name="Link a person").click()
    page.get_by_label("Find the person").fill("Ty")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Tyler Brook (Ty)").click()
    page.get_by_label("Member of").check()
    page.get_by_label("Where does this come from?").fill("Peer map with Tyler")
    page.get_by_label("Reported").check()
    page.get_by_role("button", name="Record link").click()
    screenshot(page, "13-peer-group-people")

    page.goto(person_url)
    page.get_by_role("link", name="Record an event").click()
    page.get_by_label("Find a recorded location (optional)").fill("larkspur")
    page.get_by_role("button", name="Find location").click()
    page.get_by_test_id("location-results").get_by_role(
        "link", name="Chicken shop, Larkspur Parade"
    ).click()
    expect(page.get_by_test_id("chosen-location")).to_contain_text("Chicken shop, Larkspur Parade")
    page.get_by_label("What happened?").select_option("sighting")
    fill_date(page, "Date", timezone.localdate() - dt.timedelta(days=1))
    page.get_by_label("Time").fill("22:15")
    page.get_by_label("Harmed or at risk").check()
    page.get_by_label("What happened", exact=True).fill(
        "Seen with two older males after 10pm; appeared anxious."
    )
    page.get_by_label("Child criminal exploitation").check()
    page.get_by_role("button", name="Record event").click()
    timeline = page.locator(".moj-timeline")
    expect(timeline).to_contain_text("Seen with two older males after 10pm; appeared anxious.")
    expect(timeline).to_contain_text("Member of: Older boys at the parade")
    screenshot(page, "14-person-chronology")

    page.goto(shop_url)
    page.get_by_role("link", name="Chronology").click()
    expect(page.locator(".moj-timeline")).to_contain_text(
        "Seen with two older males after 10pm; appeared anxious."
    )
    expect(page.locator(".moj-timeline")).to_contain_text("Tyler Brook (Ty)")
    screenshot(page, "15-place-chronology")


def test_another_agency_sees_only_that_a_record_exists(page: Page, live_server, personas) -> None:
    from tests.factories import make_person

    make_person(personas["practitioner"], given_name="Mia", family_name="Stone")
    sign_in(page, live_server.url, personas["police_practitioner"])
    page.goto(live_server.url + "/people/?name=Mia+Stone")
    expect(page.get_by_text("A record exists, held by Test Children's Services.")).to_be_visible()
    expect(page.get_by_role("link", name="Mia Stone")).to_have_count(0)
    screenshot(page, "16-search-held-elsewhere")
