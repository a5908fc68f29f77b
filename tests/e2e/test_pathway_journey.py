"""The whole pathway in Chromium, as the people of a partnership would walk it.

Path 1: a school's contact about a child seen at a takeaway with older youths → the front door
screens it → a manager approves → a social worker starts the single assessment with its
contextual section and CIN factor codes → the police record the child's third missing episode
in 90 days → the threshold prompt → the CS lead arranges and chairs a strategy meeting → MARVE
referral, and everything on the child's chronology.

Path 2: a youth worker's contact about a place → screening: context response → a context
assessment with its prompts, triangle, weighting and decision → signed off by the CS lead.

Each person signs in through the real sign-in page in a browser of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Agency, AgencyKind, Team, User
from assessments.models import ContextAssessment
from frontdoor.services import screening_teams_set
from meetings.models import MarveReferral
from missing.services import episode_create
from people.models import Person
from people.services import record_share
from tests.browser import axe_violations, screenshot
from tests.e2e.test_case_journey import fill_date, sign_in
from tests.factories import AgencyFactory, TeamFactory, UserFactory, make_location, make_person

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSC = "Brackenmoor Children's Services"
POLICE = "Vale Police"
SCHOOL = "Hollins Park Academy"
YOUTH_TRUST = "Open Doors Youth Trust"
TAKEAWAY = "Sallowmere Parade takeaway"
UNDERPASS = "Underpass, Brackenmoor Common"


# --- the partnership -----------------------------------------------------------------------------


@dataclass
class Partnership:
    csc: Agency
    police: Agency
    school: Agency
    youth_trust: Agency
    front_door: Team
    adolescents: Team
    dsl: User
    screener: User
    manager: User
    social_worker: User
    officer: User
    cs_lead: User
    youth_worker: User


def _member(agency: Agency, team: Team, username: str, name: str, job: str, role: str) -> User:
    first, last = name.split(" ", 1)
    user = UserFactory.create(
        username=username,
        first_name=first,
        last_name=last,
        job_title=job,
        agency=agency,
        roles=[role],
    )
    user.teams.add(team)
    return user


@pytest.fixture
def partnership(db: None) -> Partnership:
    csc = AgencyFactory.create(name=CSC, kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    police = AgencyFactory.create(name=POLICE, kind=AgencyKind.POLICE)
    school = AgencyFactory.create(name=SCHOOL, kind=AgencyKind.EDUCATION)
    youth_trust = AgencyFactory.create(name=YOUTH_TRUST, kind=AgencyKind.VOLUNTARY_SECTOR)
    front_door = TeamFactory.create(agency=csc, name="Single Point of Access")
    adolescents = TeamFactory.create(agency=csc, name="Adolescent Safeguarding")
    screening_teams_set(actor=None, teams=[front_door], default=front_door)
    return Partnership(
        csc=csc,
        police=police,
        school=school,
        youth_trust=youth_trust,
        front_door=front_door,
        adolescents=adolescents,
        dsl=_member(
            school,
            TeamFactory.create(agency=school, name="Safeguarding"),
            "helen.marsh",
            "Helen Marsh",
            "Designated safeguarding lead",
            "practitioner",
        ),
        screener=_member(
            csc,
            front_door,
            "kofi.mensah",
            "Kofi Mensah",
            "Social worker, front door",
            "practitioner",
        ),
        manager=_member(
            csc, front_door, "priya.shah", "Priya Shah", "Team manager, front door", "team_manager"
        ),
        social_worker=_member(
            csc, adolescents, "sam.okafor", "Sam Okafor", "Social worker", "practitioner"
        ),
        officer=_member(
            police,
            TeamFactory.create(agency=police, name="Child Exploitation Unit"),
            "nina.kowalski",
            "Nina Kowalski",
            "Detective constable",
            "practitioner",
        ),
        cs_lead=_member(csc, adolescents, "dana.whitlock", "Dana Whitlock", "CS lead", "cs_lead"),
        youth_worker=_member(
            youth_trust,
            TeamFactory.create(agency=youth_trust, name="Detached Youth Work"),
            "tom.reid",
            "Tom Reid",
            "Detached youth worker",
            "practitioner",
        ),
    )


# --- one browser per person ----------------------------------------------------------------------


@dataclass
class Desks:
    """Each person works in a browser of their own, signed in once (a security code cannot be
    used twice), and every browser must stay free of console errors."""

    browser: Browser
    base: str
    contexts: list[BrowserContext] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def sign_in(self, user: User) -> Page:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        who = user.username
        page.on(
            "console",
            lambda m: self.problems.append(f"{who}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"{who}: {e}"))
        sign_in(page, self.base, user)
        return page

    def axe(self, page: Page) -> None:
        state = dict(page.context.storage_state())
        assert axe_violations(self.browser, page.url, state) == [], page.url


@pytest.fixture
def desks(browser: Browser, live_server: Any) -> Iterator[Desks]:
    desks = Desks(browser, live_server.url)
    yield desks
    for context in desks.contexts:
        context.close()
    assert desks.problems == [], f"the browsers reported errors: {desks.problems}"


# --- small steps ---------------------------------------------------------------------------------


def fill_moment(page: Page, legend: str, time_label: str, when: dt.datetime) -> None:
    local = timezone.localtime(when)
    fill_date(page, legend, local.date())
    page.get_by_label(time_label).fill(f"{local:%H:%M}")


def open_from_home(page: Page, base: str, link: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name=link).click()


def find_person(page: Page, name: str) -> None:
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name).click()
    expect(page.locator(".moj-identity-bar__title")).to_have_text(name)


def screen(
    page: Page, base: str, reference: str, outcome: str, reasons: str, team: Team, shot: str
) -> None:
    open_from_home(page, base, "Contacts to screen")
    expect(page.get_by_test_id("queue")).to_contain_text(f"Contact {reference}")
    screenshot(page, shot)
    page.get_by_role("button", name=f"Start screening contact {reference}").click()
    expect(page.get_by_text(f"You are screening contact {reference}.")).to_be_visible()
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label(outcome).check()
    page.get_by_label("Reasons").fill(reasons)
    page.get_by_label("Team to allocate to").select_option(label=str(team))
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Decision recorded. A manager will approve it.")).to_be_visible()


def approve(page: Page, base: str, reference: str, outcome: str) -> None:
    page.goto(base + "/")
    page.get_by_role(
        "link", name=f"A screening decision on contact {reference} is waiting for your approval."
    ).click()
    expect(page.get_by_role("heading", name="Approve or return the decision")).to_be_visible()
    page.get_by_label("Approve the decision").check()
    page.get_by_label("Comment").fill("Agreed: allocate today.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("outcome")).to_contain_text(f"Outcome: {outcome}")


# --- path 1 --------------------------------------------------------------------------------------


def test_school_contact_to_single_assessment_missing_episodes_strategy_meeting_and_marve(
    desks: Desks, partnership: Partnership
) -> None:
    p, base = partnership, desks.base
    child = make_person(
        p.social_worker,
        given_name="Kayden",
        family_name="Pryce",
        date_of_birth=dt.date(2011, 3, 14),
        sex="male",
        owning_team=p.adolescents,
    )
    record_share(
        actor=p.social_worker,
        person=child,
        agency=p.police,
        reason="Police missing-person investigations for Kayden",
    )
    make_location(
        p.social_worker,
        name=TAKEAWAY,
        owning_team=p.adolescents,
        address="14 Sallowmere Parade",
    )
    now = timezone.now()
    for days in (60, 20):
        went = now - dt.timedelta(days=days)
        episode_create(
            actor=p.officer,
            person=child,
            episode_type="M",
            went_missing_at=went,
            reported_at=went + dt.timedelta(hours=2),
            reported_by="Mother, by phone to the police",
            police_risk_level="medium",
            returned_at=went + dt.timedelta(hours=18),
        )

    # The school's designated safeguarding lead makes the contact. The child's record is held
    # by children's social care: she sees only who holds it, and can still refer.
    dsl = desks.sign_in(p.dsl)
    open_from_home(dsl, base, "Make a contact")
    dsl.get_by_label("A child or young person").check()
    dsl.get_by_role("button", name="Continue").click()
    dsl.get_by_label("Name", exact=True).fill("Kayden Pryce")
    dsl.get_by_role("button", name="Search").click()
    expect(dsl.get_by_test_id("person-results")).to_contain_text(f"A record held by {CSC}")
    dsl.get_by_role("link", name="Make the contact about this child").click()
    dsl.get_by_label("What happened").fill(
        "Kayden has been seen most evenings at the takeaway on Sallowmere Parade with older "
        "youths who are not pupils here. He has new trainers and two phones."
    )
    dsl.get_by_label("Where did it happen").fill("The takeaway on Sallowmere Parade, after school")
    dsl.get_by_label("Who was the child with?").fill("Older youths, some in a grey car")
    dsl.get_by_label("Find a recorded place").fill("Sallowmere")
    dsl.get_by_role("button", name="Find place", exact=True).click()
    dsl.get_by_label(TAKEAWAY).check()
    dsl.get_by_label("Child criminal exploitation").check()
    dsl.get_by_label("Outside the family (extra-familial)").check()
    dsl.get_by_label("Without consent: safeguarding").check()
    dsl.get_by_label("Why, and do the child and family know?").fill(
        "Asking could raise the risk to Kayden."
    )
    dsl.get_by_label("Urgent: needs a response today").check()
    screenshot(dsl, "pathway-10-school-contact-form")
    dsl.get_by_role("button", name="Send contact").click()
    expect(dsl.get_by_role("heading", name="Contact sent")).to_be_visible()
    reference = dsl.get_by_test_id("contact-reference").inner_text().strip()
    screenshot(dsl, "pathway-11-contact-sent")

    # The front door screens it: a single assessment by the adolescent safeguarding team.
    screener = desks.sign_in(p.screener)
    screen(
        screener,
        base,
        reference,
        "Single assessment",
        "Indicators of criminal exploitation outside the family, at a takeaway.",
        p.adolescents,
        "pathway-19-screening-queue",
    )
    screenshot(screener, "pathway-20-screening-decided")

    manager = desks.sign_in(p.manager)
    approve(manager, base, reference, "Single assessment")
    expect(manager.get_by_test_id("next-steps")).to_contain_text("Start the single assessment")
    screenshot(manager, "pathway-21-approved")

    # The social worker finds the child, opens the contact from the Casework tab and follows
    # its next step.
    worker = desks.sign_in(p.social_worker)
    find_person(worker, "Kayden Pryce")
    worker.get_by_role("link", name="Casework", exact=True).click()
    screenshot(worker, "pathway-30-person-casework-tab")
    worker.get_by_test_id("contacts-panel").get_by_role("link", name=f"Contact {reference}").click()
    worker.get_by_role("link", name="Start the single assessment").click()
    expect(worker.get_by_text(f"Started from contact {reference}")).to_be_visible()
    screenshot(worker, "pathway-31-start-single-assessment")
    worker.get_by_role("button", name="Start assessment").click()
    expect(worker.get_by_text("Single assessment of Kayden Pryce started.")).to_be_visible()
    assessment_url = worker.url

    worker.get_by_role("link", name="Add a finding").first.click()
    worker.get_by_label("Places", exact=True).check()
    worker.get_by_label(TAKEAWAY).check()
    worker.get_by_label("What makes it unsafe").fill(
        "Older youths wait here after school; a grey car picks children up behind the parade."
    )
    worker.get_by_label("What makes it safe").fill(
        "The owner knows Kayden and has called his mum before."
    )
    screenshot(worker, "pathway-32-contextual-finding")
    worker.get_by_role("button", name="Save contextual finding").click()
    expect(worker.get_by_test_id("finding")).to_contain_text("a grey car picks children up")
    expect(worker.get_by_test_id("finding")).to_contain_text(TAKEAWAY)

    worker.get_by_role("link", name="Change the factors and primary need").click()
    worker.get_by_label("24A Child criminal exploitation").check()
    worker.get_by_label("10A Going or being missing").check()
    worker.get_by_label("N1 Abuse or neglect").check()
    screenshot(worker, "pathway-33-cin-factors")
    worker.get_by_role("button", name="Save factors identified and primary need").click()
    factors = worker.get_by_test_id("factors")
    expect(factors).to_contain_text("24A Child criminal exploitation")
    expect(factors).to_contain_text("10A Going or being missing")
    screenshot(worker, "pathway-34-single-assessment")
    desks.axe(worker)

    # The police record Kayden's third missing episode in 90 days, found at the takeaway.
    officer = desks.sign_in(p.officer)
    find_person(officer, "Kayden Pryce")
    officer.get_by_role("link", name="Casework", exact=True).click()
    officer.get_by_role("link", name="Record a missing episode").click()
    officer.get_by_label("Missing", exact=True).check()
    fill_moment(
        officer, "Date they went missing", "Time they went missing", now - dt.timedelta(hours=30)
    )
    fill_moment(
        officer,
        "Date they were reported missing",
        "Time they were reported missing",
        now - dt.timedelta(hours=29),
    )
    officer.get_by_label("Who reported them missing").fill("Mother, by phone to the police")
    officer.get_by_label("Police reference").fill("VB-3391")
    officer.get_by_label("High", exact=True).check()
    fill_moment(
        officer,
        "Date they returned or were found",
        "Time they returned or were found",
        now - dt.timedelta(hours=4),
    )
    officer.get_by_label("Find a recorded location").fill("Sallowmere")
    officer.get_by_role("button", name="Find location").click()
    officer.get_by_role("button", name=f"Choose {TAKEAWAY}").click()
    expect(officer.get_by_test_id("chosen-location")).to_contain_text(TAKEAWAY)
    expect(officer.get_by_label("Police reference")).to_have_value("VB-3391")
    officer.get_by_label("Anyone else they were with").fill("Two older youths in a grey car")
    screenshot(officer, "pathway-40-missing-episode-form")
    officer.get_by_role("button", name="Record missing episode").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("Returned")
    expect(
        officer.get_by_text("This is Kayden's 3rd missing episode in 90 days").first
    ).to_be_visible()
    screenshot(officer, "pathway-41-episode-with-threshold-prompt")

    # The CS lead is told, reads the prompt in plain words and arranges a strategy meeting.
    lead = desks.sign_in(p.cs_lead)
    lead.get_by_role("link", name="A missing-episode threshold was met").first.click()
    expect(lead.get_by_test_id("explanation")).to_contain_text(
        "This is Kayden's 3rd missing episode in 90 days"
    )
    expect(lead.get_by_text("Nothing has been arranged or referred automatically")).to_be_visible()
    prompt_url = lead.url
    screenshot(lead, "pathway-50-threshold-prompt")
    desks.axe(lead)
    lead.get_by_role("link", name="Arrange a strategy meeting").click()
    held = timezone.localtime()
    fill_date(lead, "Date of the meeting", held.date())
    lead.get_by_label("Time", exact=True).fill(f"{held:%H:%M}")
    expect(lead.get_by_label("Chair")).to_have_value(str(p.cs_lead.pk))
    lead.get_by_label("Why the meeting is being held").fill(
        "Kayden's third missing episode in 90 days; found at the takeaway with older youths."
    )
    screenshot(lead, "pathway-51-arrange-strategy-meeting")
    lead.get_by_role("button", name="Arrange meeting").click()
    expect(lead.get_by_role("heading", name="Strategy meeting", exact=True)).to_be_visible()

    attendees = lead.get_by_role("region", name="Attendees")
    for agency, name, role in (
        (POLICE, "Nina Kowalski", "Detective constable"),
        (CSC, "Sam Okafor", "Social worker"),
        (SCHOOL, "Helen Marsh", "Designated safeguarding lead"),
    ):
        attendees.get_by_text("Add an attendee").click()
        attendees.get_by_label("Agency").select_option(label=agency)
        attendees.get_by_label("Name", exact=True).fill(name)
        attendees.get_by_label("Role").fill(role)
        attendees.get_by_label("Attended", exact=True).check()
        attendees.get_by_role("button", name="Add attendee").click()
        expect(lead.get_by_role("region", name="Attendees")).to_contain_text(name)

    information = lead.get_by_role("region", name="Information shared by each agency")
    information.get_by_text("Record information an agency shared").click()
    information.get_by_label("Agency").select_option(label=POLICE)
    information.get_by_label("What they shared").fill(
        "Found by officers behind the parade with two older youths; had £240 in cash."
    )
    information.get_by_role("button", name="Record information").click()
    expect(lead.get_by_text("Information recorded.")).to_be_visible()

    checklist = lead.get_by_role("region", name="Threshold checklist")
    for code, answer in (
        ("s47_threshold", "Yes"),
        ("harm_outside_family", "Yes"),
        ("harm_inside_family", "No"),
        ("missing_episodes", "Yes"),
        ("exploitation", "Yes"),
        ("trafficking", "Not known"),
        ("linked_children", "Not known"),
        ("adults_of_concern", "Yes"),
        ("marve_criteria", "Yes"),
    ):
        checklist.get_by_test_id(f"checklist-{code}").get_by_label(answer, exact=True).check()
    checklist.get_by_role("button", name="Save checklist").click()
    expect(lead.get_by_text("Threshold checklist saved.")).to_be_visible()

    decisions = lead.get_by_role("region", name="Decisions")
    decisions.get_by_text("Record a decision").click()
    decisions.get_by_label("Refer to the MARVE panel").check()
    decisions.get_by_label("Reasons").fill(
        "Criminal exploitation linked to the takeaway and a group of older youths; a "
        "multi-agency plan is needed."
    )
    decisions.get_by_role("button", name="Record decision").click()
    expect(lead.get_by_text("Decision recorded.")).to_be_visible()

    actions = lead.get_by_role("region", name="Actions")
    actions.get_by_text("Add an action").click()
    actions.get_by_label("Action", exact=True).fill(
        "Ask the takeaway's owner and licensing to attend the MARVE panel."
    )
    actions.get_by_label("Agency responsible").select_option(label=POLICE)
    actions.get_by_label("Person responsible").fill("Nina Kowalski")
    fill_date(lead, "Due date", held.date() + dt.timedelta(days=7))
    actions.get_by_role("button", name="Add action").click()
    expect(lead.get_by_role("region", name="Actions")).to_contain_text("licensing")
    screenshot(lead, "pathway-52-strategy-meeting-recorded")

    conclude = lead.get_by_role("region", name="Conclude the meeting")
    expect(conclude).to_contain_text("Everything needed is recorded")
    conclude.get_by_label("Summary of the meeting").fill(
        "Police, children's social care and the school attended. Kayden is referred to MARVE."
    )
    conclude.get_by_label("What has been tried so far").fill(
        "Single assessment under way; school mentoring; return home interviews offered."
    )
    conclude.get_by_role("button", name="Conclude meeting").click()
    expect(lead.get_by_text("A referral to the MARVE panel has been made.")).to_be_visible()
    screenshot(lead, "pathway-53-strategy-meeting-concluded")
    desks.axe(lead)
    lead.get_by_test_id("next-steps").get_by_role("link", name="See the MARVE referral").click()
    expect(lead.get_by_role("heading", name="MARVE referral")).to_be_visible()
    expect(lead.get_by_test_id("marve-status")).to_contain_text("Referred")
    expect(lead.get_by_text("The strategy meeting on")).to_be_visible()
    screenshot(lead, "pathway-54-marve-referral")
    desks.axe(lead)
    referral = MarveReferral.objects.get()
    assert referral.person_id == child.pk

    # Arranging the meeting from the prompt recorded the decision on it.
    lead.goto(prompt_url)
    expect(lead.get_by_role("heading", level=1)).to_have_text("Threshold prompt: decided")
    expect(lead.get_by_text("Strategy meeting arranged", exact=True)).to_be_visible()

    # The social worker sees the whole path on Kayden's chronology.
    worker.goto(assessment_url)
    worker.get_by_role("link", name="Back to Kayden Pryce").click()
    worker.get_by_role("link", name="Chronology", exact=True).click()
    timeline = worker.locator(".moj-timeline")
    expect(timeline).to_contain_text(f"Contact {reference} received from {SCHOOL}")
    expect(timeline).to_contain_text("Single assessment started")
    expect(timeline.get_by_text("Reported missing", exact=True)).to_have_count(3)
    expect(timeline.get_by_text("Returned after going missing")).to_have_count(3)
    expect(timeline).to_contain_text(TAKEAWAY)
    expect(timeline).to_contain_text("Strategy meeting held")
    expect(timeline).to_contain_text("Referred to the MARVE panel")
    screenshot(worker, "pathway-60-chronology")


# --- path 2 --------------------------------------------------------------------------------------


def test_contact_about_a_place_to_a_signed_off_context_assessment(
    desks: Desks, partnership: Partnership
) -> None:
    p, base = partnership, desks.base

    # A detached youth worker refers a place that nobody has recorded yet.
    youth = desks.sign_in(p.youth_worker)
    open_from_home(youth, base, "Make a contact")
    youth.get_by_label("A place, group of young people, school or online space").check()
    youth.get_by_role("button", name="Continue").click()
    youth.get_by_label("Name or address").fill("underpass")
    youth.get_by_role("button", name="Search").click()
    expect(youth.get_by_text("Nothing recorded matches.")).to_be_visible()
    youth.get_by_role("link", name="None of these: record it").click()
    youth.get_by_label("Location").check()
    youth.get_by_role("button", name="Continue").click()
    youth.get_by_label("Name", exact=True).fill(UNDERPASS)
    youth.get_by_label("Type of location").select_option(label="Park or open space")
    youth.get_by_role("button", name="Save and continue").click()
    expect(youth.get_by_test_id("contact-subject")).to_contain_text(UNDERPASS)
    youth.get_by_label("Referral source").select_option(label="Other")
    youth.get_by_label("What happened").fill(
        "Groups of 13 to 15 year olds gather in the underpass after dark. Older men on bikes "
        "hand over packages; two girls told us they were offered lifts."
    )
    youth.get_by_label("Who is there, or who is involved?").fill(
        "Older men on bikes; a group of girls"
    )
    youth.get_by_label("Child criminal exploitation").check()
    youth.get_by_label("Outside the family (extra-familial)").check()
    youth.get_by_label("Without consent: safeguarding").check()
    youth.get_by_label("Why, and do the child and family know?").fill(
        "No child is named; shared so the place can be made safer."
    )
    youth.get_by_label("Standard (decision within 48 hours)").check()
    screenshot(youth, "pathway-70-place-contact-form")
    youth.get_by_role("button", name="Send contact").click()
    expect(youth.get_by_role("heading", name="Contact sent")).to_be_visible()
    reference = youth.get_by_test_id("contact-reference").inner_text().strip()

    screener = desks.sign_in(p.screener)
    screen(
        screener,
        base,
        reference,
        "Context response: open a context assessment",
        "Repeated reports of exploitation at the underpass; the place needs assessing.",
        p.adolescents,
        "pathway-70b-screening-queue",
    )
    manager = desks.sign_in(p.manager)
    approve(manager, base, reference, "Context response")
    screenshot(manager, "pathway-71-context-response-approved")

    # The social worker finds the place, and the contact on its Casework tab.
    worker = desks.sign_in(p.social_worker)
    worker.get_by_role("link", name="Places and groups", exact=True).first.click()
    worker.get_by_label("Name or address").fill("Brackenmoor Common")
    worker.get_by_role("button", name="Apply filters").click()
    worker.get_by_role("link", name=UNDERPASS).click()
    worker.get_by_role("link", name="Casework", exact=True).click()
    screenshot(worker, "pathway-72-place-casework-tab")
    worker.get_by_role("link", name=f"Contact {reference}", exact=True).click()
    worker.get_by_role("link", name=f"Start a context assessment of {UNDERPASS}").click()
    expect(worker.get_by_text(f"Started from contact {reference}")).to_be_visible()
    worker.get_by_role("button", name="Start assessment").click()
    expect(worker.get_by_text(f"Context assessment of {UNDERPASS} started.")).to_be_visible()
    screenshot(worker, "pathway-73-context-assessment-started")
    # Starting it puts the place under assessment, and the place's Casework tab leads back.
    worker.get_by_role("link", name=f"Back to {UNDERPASS}").click()
    expect(worker.get_by_text("Under assessment", exact=True)).to_be_visible()
    worker.get_by_role("link", name="Casework", exact=True).click()
    worker.get_by_test_id("assessments-panel").get_by_role("link", name="Started").click()

    worker.get_by_role("link", name="Change about the context").click()
    for label, text in (
        ("Who uses the context, and when", "Groups of 13 to 15 year olds, 6pm to 10pm."),
        ("What happens there", "Older men on bikes hand over packages; lifts are offered."),
        ("Who has guardianship or influence over it", "Park wardens until 6pm; nobody after."),
        ("What makes it safe", "Detached youth workers on Friday evenings."),
        ("What makes it unsafe", "No lighting, no sightlines from the road, no adults."),
        ("Young people's views", "Girls say they avoid it alone but it is the only way home."),
        ("Partners responsible", "Parks and Open Spaces, the police, the youth trust."),
    ):
        worker.get_by_label(label).fill(text)
    worker.get_by_role("button", name="Save about the context").click()
    expect(worker.get_by_text("About the context saved.")).to_be_visible()

    worker.get_by_role("link", name="Change the assessment triangle").click()
    worker.get_by_label("Strengths and needs of young people collectively").fill(
        "Young people use the underpass as the only route home from the leisure centre."
    )
    worker.get_by_label("Guardianship: adults with a caring intention").fill(
        "No capable guardians after 6pm; the youth trust could extend detached work."
    )
    worker.get_by_label("Resources, physical environment, policy and systemic features").fill(
        "Broken lighting, blind corners and no CCTV; the council owns the land."
    )
    screenshot(worker, "pathway-74-triangle")
    worker.get_by_role("button", name="Save neighbourhood assessment triangle").click()

    worker.get_by_role("link", name="Change the context weighting").click()
    worker.get_by_label(UNDERPASS).check()
    worker.get_by_label("Why it is ranked here").fill(
        "The place itself drives the harm: lighting and guardianship must change first."
    )
    worker.get_by_role("button", name="Add to the list").click()
    expect(worker.get_by_text(f"{UNDERPASS} added to the list.")).to_be_visible()
    screenshot(worker, "pathway-75-weighting")
    desks.axe(worker)
    worker.get_by_role("link", name="Back to the assessment").click()
    expect(worker.get_by_test_id("weightings")).to_contain_text("lighting and guardianship")

    worker.get_by_role("link", name="Change the decision").click()
    worker.get_by_label("Location or context safety plan").check()
    worker.get_by_label("Reasons for the decision").fill(
        "A safety plan with the council (lighting), the police and detached youth work."
    )
    worker.get_by_role("button", name="Save decision").click()
    expect(worker.get_by_text("Everything needed for sign-off is recorded.")).to_be_visible()
    screenshot(worker, "pathway-76-context-assessment-ready")
    worker.get_by_role("button", name="Submit for sign-off").click()
    expect(worker.get_by_text("Submitted for sign-off.")).to_be_visible()

    # The CS lead is told, and signs it off.
    lead = desks.sign_in(p.cs_lead)
    lead.get_by_role("link", name="A context assessment is waiting for your sign-off.").click()
    expect(lead.get_by_role("heading", name="Manager sign-off")).to_be_visible()
    lead.get_by_label("Sign off: the assessment is complete").check()
    lead.get_by_label("Comment").fill("A clear plan. Take it to the context conference.")
    lead.get_by_role("button", name="Confirm decision").click()
    expect(lead.get_by_test_id("read-only")).to_contain_text("Signed off by Dana Whitlock")
    screenshot(lead, "pathway-77-context-assessment-signed-off")
    assessment = ContextAssessment.objects.get(context__name=UNDERPASS)
    assert assessment.decision == "safety_plan"
    assert assessment.status == "completed"
    assert not Person.objects.exists()
