"""A context safety plan in Chromium: a CS lead plans for a location with partners' actions, a
police officer completes theirs with evidence, and a review records the location's progress.

(The conference that agrees the plan comes with the panels and conferences work; here the plan
records where it was agreed in words.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import AgencyKind, User
from contexts.services import context_link_create
from plans.models import Action, ActionStatus, Goal, Plan
from tests.browser import axe_violations, screenshot
from tests.e2e.test_case_journey import fill_date, sign_in
from tests.factories import AgencyFactory, TeamFactory, UserFactory, make_location, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

INTERCHANGE = "Brackenmoor bus interchange"


def _member(agency_name: str, kind: str, username: str, name: str, role: str) -> User:
    agency = AgencyFactory.create(name=agency_name, kind=kind)
    first, last = name.split(" ", 1)
    user = UserFactory.create(
        username=username, first_name=first, last_name=last, agency=agency, roles=[role]
    )
    user.teams.add(TeamFactory.create(agency=agency, name=f"{agency_name} team"))
    return user


@pytest.fixture
def desks(browser: Browser) -> Iterator[list[BrowserContext]]:
    contexts: list[BrowserContext] = []
    yield contexts
    for context in contexts:
        context.close()


def _desk(browser: Browser, desks: list[BrowserContext], base: str, user: User) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    desks.append(context)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, base, user)
    return page


def test_context_safety_plan_with_partners_actions_completion_and_review(
    browser: Browser, live_server, desks: list[BrowserContext]
) -> None:
    base = live_server.url
    cs_lead = _member(
        "Brackenmoor Children's Services",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        "dana.whitlock",
        "Dana Whitlock",
        "cs_lead",
    )
    officer = _member(
        "Vale Police", AgencyKind.POLICE, "nina.kowalski", "Nina Kowalski", "practitioner"
    )
    AgencyFactory.create(name="Open Doors Youth Trust", kind=AgencyKind.VOLUNTARY_SECTOR)
    place = make_location(cs_lead, name=INTERCHANGE, location_type="transport_hub")
    child = make_person(cs_lead, given_name="Tayla", family_name="Brennan")
    context_link_create(
        actor=cs_lead,
        context=place,
        kind="frequents",
        source="school DSL",
        reliability="reported",
        person=child,
    )
    today = timezone.localdate()

    # The CS lead starts the plan for the location.
    lead = _desk(browser, desks, base, cs_lead)
    lead.goto(f"{base}/plans/new/?context={place.pk}")
    expect(lead.get_by_role("heading", name="Start a context safety plan")).to_be_visible()
    lead.get_by_label("Where the plan was agreed").fill("Location CS&E conference, 3 Nov 2026")
    lead.get_by_role("button", name="Start the plan").click()
    expect(lead.get_by_text("The plan is saved")).to_be_visible()
    plan = Plan.objects.get()
    expect(lead.get_by_test_id("linked-children")).to_contain_text("Tayla Brennan")

    # A goal for the context, worded as a positive, with how we will know.
    lead.get_by_role("link", name="Add a goal").click()
    lead.get_by_label("Goal", exact=True).fill(
        "Young people can wait at the interchange without being approached"
    )
    lead.get_by_label("How we will know").fill("No reports of approaches for 8 weeks")
    lead.get_by_role("button", name="Add the goal").click()
    expect(lead.get_by_test_id("goal")).to_contain_text("wait at the interchange")

    def add_action(kind: str, description: str, due: dt.date) -> None:
        lead.get_by_role("link", name="Add an action for goal 1").click()
        lead.get_by_label(kind, exact=True).check()
        lead.get_by_label("What will be done").fill(description)
        fill_date(lead, "Due date (optional)", due)

    # 1. Police: targeted patrols (a disruption), revealed only when "Disruption" is chosen.
    add_action("Disruption", "Targeted patrols at the interchange, 3pm to 7pm", today)
    expect(lead.get_by_label("Disruption tool")).to_be_visible()
    lead.get_by_label("Disruption tool").select_option(label="Targeted patrols")
    lead.get_by_label("Business or place, in words").fill("Bus interchange stands C and D")
    lead.get_by_label("Owning agency").select_option(label="Vale Police")
    screenshot(lead, "plans-01-disruption-action")
    lead.get_by_role("button", name="Add the action").click()
    expect(lead.get_by_text("The action is added")).to_be_visible()

    # 2. The council's licensing team: a partner outside the partnership's agencies.
    add_action("Task", "Review the late-night licence of the takeaway by the stands", today)
    expect(lead.get_by_label("Disruption tool")).to_be_hidden()
    lead.get_by_label("Or a partner outside the partnership's agencies").fill(
        "Licensing team, Brackenmoor Council"
    )
    lead.get_by_role("button", name="Add the action").click()

    # 3. Detached youth work: an intervention with its provider.
    add_action("Intervention", "Detached youth work on Friday evenings", today)
    lead.get_by_label("Programme").select_option(label="Detached youth work")
    lead.get_by_label("Provider").fill("Open Doors Youth Trust")
    lead.get_by_label("Or describe who takes part").fill("Young people at the interchange")
    lead.get_by_label("Owning agency").select_option(label="Open Doors Youth Trust")
    lead.get_by_role("button", name="Add the action").click()
    expect(lead.get_by_test_id("action-row")).to_have_count(3)
    screenshot(lead, "plans-02-plan-with-actions")

    # The police officer completes their action, with evidence, from "My actions".
    police = _desk(browser, desks, base, officer)
    police.goto(f"{base}/plans/my-actions/")
    expect(police.get_by_test_id("my-action-row")).to_have_count(1)
    expect(police.get_by_test_id("my-actions")).to_contain_text("Targeted patrols")
    screenshot(police, "plans-03-my-actions")
    police.get_by_role("link", name="Complete").click()
    police.get_by_role("button", name="Mark as completed").click()
    expect(police.locator(".govuk-error-summary")).to_contain_text(
        "Enter the evidence of completion"
    )
    police.get_by_label("Evidence of completion").fill(
        "Patrols on 12 evenings, logs 4471 to 4482; two adults moved on"
    )
    police.get_by_role("button", name="Mark as completed").click()
    expect(police.get_by_text("The action is marked as completed")).to_be_visible()
    patrols = Action.objects.get(description__startswith="Targeted patrols")
    assert patrols.status == ActionStatus.COMPLETED

    # The review records the location's progress and each goal's.
    lead.goto(f"{base}/plans/{plan.pk}/")
    lead.get_by_role("link", name="Record a review").click()
    lead.get_by_label("Reviewed by").fill("Location CS&E review conference")
    lead.get_by_label("Progress").fill("Patrols done; licence review listed for 2 December")
    lead.get_by_label("The place's or group's situation now").fill(
        "Fewer approaches reported; young people still wait at stand D after 6pm"
    )
    lead.get_by_role("group", name="Goal 1: Young people can wait").get_by_label("Partly").check()
    lead.get_by_label("Continue the plan").check()
    screenshot(lead, "plans-04-review-form")
    lead.get_by_role("button", name="Record the review").click()
    expect(lead.get_by_test_id("review")).to_contain_text("Fewer approaches reported")
    expect(lead.get_by_test_id("goal")).to_contain_text("Partly")
    screenshot(lead, "plans-05-plan-after-review")
    assert Goal.objects.get().status == "partly"
    plan.refresh_from_db()
    assert plan.next_review_due == today + dt.timedelta(weeks=6)

    state = dict(lead.context.storage_state())
    for url in (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/actions/new/", "/plans/my-actions/"):
        assert _without_govuk_conditional_reveal(axe_violations(browser, base + url, state)) == []


def _without_govuk_conditional_reveal(violations: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    """GOV.UK Frontend's conditional reveal sets aria-expanded on its radios, which axe reports;
    GOV.UK keep it on purpose, as screen readers announce it (a documented known issue:
    alphagov/govuk-frontend#979). Only that finding, on the kind-of-action radios, is set aside."""
    return [
        v
        for v in violations
        if not (
            v["id"] == "aria-allowed-attr"
            and all(str(n).startswith("#id_kind_") for n in v["nodes"])
        )
    ]
