"""In Chromium: a third missing episode, recorded with the child's return, found at a place with
open concerns, prompts a decision; the practitioner reads why and records what was decided."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from missing.models import PromptStatus, ThresholdPrompt
from missing.tests.conftest import ago, record_episode
from people.services import association_create
from tests.browser import axe_violations, screenshot
from tests.e2e.test_case_journey import sign_in
from tests.factories import make_location, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_moment(page: Page, legend: str, time_label: str, when: dt.datetime) -> None:
    local = timezone.localtime(when)
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(local.day))
    group.get_by_label("Month").fill(str(local.month))
    group.get_by_label("Year").fill(str(local.year))
    page.get_by_label(time_label).fill(f"{local:%H:%M}")


def test_a_third_episode_prompts_a_decision(
    page: Page, browser: Browser, live_server, personas
) -> None:
    worker = personas["practitioner"]
    child = make_person(worker, given_name="Jayden", family_name="Kowalski", known_as="Jay")
    friend = make_person(worker, given_name="Kai", family_name="Reed")
    association_create(
        actor=worker, person=child, other=friend, kind="peer", source="school",
        reliability="reported",
    )  # fmt: skip
    make_location(worker, name="Cobbett Street Takeaway", status="under_assessment")
    record_episode(worker, child, went_missing_at=ago(days=60))
    record_episode(worker, child, went_missing_at=ago(days=20))
    base = live_server.url
    sign_in(page, base, worker)

    page.goto(f"{base}/missing/episodes/new/?person={child.pk}")
    page.get_by_label("Missing", exact=True).check()
    fill_moment(page, "Date they went missing", "Time they went missing", ago(hours=30))
    page.get_by_label("Who reported them missing").fill("Oakwood children's home")
    page.get_by_label("High").check()
    fill_moment(page, "Date they returned or were found", "Time they returned", ago(hours=40))
    page.get_by_role("button", name="Record missing episode").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date they were reported missing")
    expect(summary).to_contain_text("must be after the time they went missing")
    expect(page.get_by_label("Who reported them missing")).to_have_value("Oakwood children's home")
    screenshot(page, "missing-10-episode-errors")

    fill_moment(page, "Date they were reported missing", "Time they were reported", ago(hours=29))
    fill_moment(page, "Date they returned or were found", "Time they returned", ago(hours=4))
    page.get_by_label("Find a recorded location").fill("Cobbett")
    page.get_by_role("button", name="Find location").click()
    page.get_by_role("button", name="Choose Cobbett Street Takeaway").click()
    expect(page.get_by_test_id("chosen-location")).to_contain_text("Cobbett Street Takeaway")
    expect(page.get_by_label("Who reported them missing")).to_have_value("Oakwood children's home")
    page.get_by_label("Kai Reed (young person)").check()
    page.get_by_label("Anyone else they were with").fill("Two older boys in a silver car")
    screenshot(page, "missing-20-episode-form")
    page.get_by_role("button", name="Record missing episode").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Returned")
    expect(page.get_by_text("This is Jay's 3rd missing episode in 90 days")).to_be_visible()
    expect(page.get_by_test_id("interview-timing")).to_contain_text("Interview due by")
    screenshot(page, "missing-30-episode-detail")
    episode_url = page.url

    page.goto(f"{base}/missing/prompts/")
    screenshot(page, "missing-40-prompts")
    page.get_by_role("link", name="Decide").first.click()
    expect(page.get_by_test_id("explanation")).to_be_visible()
    page.get_by_label("Neither is needed").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Explain why")
    page.get_by_label("A strategy meeting has been arranged").check()
    page.get_by_label("Reason or note").fill("Strategy meeting on Thursday at 10:00")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    screenshot(page, "missing-50-prompt-decided")
    assert ThresholdPrompt.objects.filter(status=PromptStatus.STRATEGY_ARRANGED).exists()

    page.goto(f"{base}/people/{child.pk}/chronology/")
    decided = page.get_by_text("Threshold prompt decided: Strategy meeting arranged")
    expect(decided).to_be_visible()
    screenshot(page, "missing-60-chronology")

    state = page.context.storage_state()
    prompt = ThresholdPrompt.objects.first()
    assert prompt is not None
    for url in (
        f"{base}/missing/episodes/new/?person={child.pk}",
        episode_url,
        f"{base}/missing/prompts/{prompt.pk}/",
        f"{base}/missing/interviews/",
        f"{base}/missing/rules/",
    ):
        assert axe_violations(browser, url, state) == [], url  # type: ignore[arg-type]
