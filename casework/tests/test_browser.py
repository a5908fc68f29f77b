"""Key lead, consultation and NRM pages in Chromium: the journeys, screenshots and axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from casework.models import Consultation, NrmReferral
from tests.browser import axe_violations, screenshot
from tests.e2e.test_case_journey import fill_date, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_axe_violations(browser: Browser, page: Page) -> None:
    state = page.context.storage_state()
    assert axe_violations(browser, page.url, state) == [], page.url  # type: ignore[arg-type]


def test_key_lead_consultation_and_nrm_in_the_browser(
    browser: Browser,
    page: Page,
    live_server,
    personas,
    child,
    youth_worker,
) -> None:
    base = live_server.url
    sign_in(page, base, personas["team_manager"])
    page.goto(f"{base}/casework/key-lead/allocate/?person={child.pk}")
    page.get_by_label("Find the key lead").fill("youth")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("lead-results")).to_contain_text("Riverside Youth Service")
    screenshot(page, "casework-10-key-lead-search")
    page.get_by_role("link", name="Choose Priya Shah").click()
    page.get_by_label("Why this person is the key lead").fill("He trusts the detached worker.")
    page.get_by_role("button", name="Allocate key lead").click()
    expect(page.get_by_test_id("key-lead-history")).to_contain_text("Priya Shah")
    screenshot(page, "casework-11-key-lead-history")
    _no_axe_violations(browser, page)

    page.context.clear_cookies()
    sign_in(page, base, personas["practitioner"])
    page.goto(f"{base}/casework/consultations/new/?person={child.pk}")
    page.get_by_role("button", name="Send question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your question")
    page.get_by_label("Your question").fill("Should the chicken shop go to the MARVE panel?")
    page.get_by_role("button", name="Send question").click()
    expect(page.get_by_test_id("question")).to_contain_text("chicken shop")

    page.goto(f"{base}/casework/nrm/new/?person={child.pk}")
    fill_date(page, "Date of referral", timezone.localdate() - dt.timedelta(days=12))
    page.get_by_label("Home Office Single Competent Authority").check()
    page.get_by_label("County lines").check()
    page.get_by_label("Summary").fill("Found 60 miles from home with a phone and cash.")
    page.get_by_role("button", name="Record referral").click()
    expect(page.locator("[data-overdue]")).to_have_text("Overdue")
    expect(page.get_by_test_id("nrm-status")).to_contain_text("Reasonable grounds overdue by")
    screenshot(page, "casework-20-nrm-detail")
    _no_axe_violations(browser, page)
    page.goto(f"{base}/casework/nrm/")
    expect(page.get_by_test_id("nrm-list")).to_contain_text("Jayden Kowalski")
    screenshot(page, "casework-21-nrm-list")
    _no_axe_violations(browser, page)

    page.context.clear_cookies()
    sign_in(page, base, personas["cs_lead"])
    page.goto(f"{base}/casework/consultations/")
    screenshot(page, "casework-30-consultation-queue")
    _no_axe_violations(browser, page)
    page.get_by_role("link", name="Should the chicken shop").click()
    page.get_by_label("Your answer").fill("Yes. Ask licensing and the police to attend.")
    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_test_id("answer")).to_contain_text("licensing")
    screenshot(page, "casework-31-consultation-answered")
    _no_axe_violations(browser, page)
    assert Consultation.objects.get().status == "answered"
    assert NrmReferral.objects.count() == 1

    page.context.clear_cookies()
    sign_in(page, base, youth_worker)
    page.goto(f"{base}/casework/mine/")
    expect(page.get_by_test_id("my-children")).to_contain_text("Jayden Kowalski")
    expect(page.get_by_test_id("my-children")).to_contain_text("overdue")
    screenshot(page, "casework-40-my-caseload")
    _no_axe_violations(browser, page)
