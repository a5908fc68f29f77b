"""The home page's "My work": meetings to prepare for, summaries to send, actions due, overdue
actions on plans the user leads and meetings they chair, and the plans they lead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from accounts.models import User
from audit.models import AccessEvent
from casework.models import KeyLeadAllocation
from casework.services import key_lead_allocate
from panels import services as panels
from panels.models import Meeting, Panel, PanelAction, PanelKind
from people.models import Person
from plans import services as plans
from plans.models import Action, Plan
from tests.factories import make_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
VOID = {"area", "br", "col", "hr", "img", "input", "link", "meta", "wbr"}


class _Section(HTMLParser):
    """The text inside the element carrying ``data-testid``, or None if the page lacks it."""

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid = testid
        self.depth = 0
        self.parts: list[str] | None = None
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
            href = dict(attrs).get("href")
            if tag == "a" and href:
                self.links.append(href)
        elif ("data-testid", self.testid) in attrs and self.parts is None:  # the first match only
            self.depth, self.parts = 1, []

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and self.parts is not None:
            self.parts.append(data)


def section(page: str, testid: str) -> tuple[str, list[str]] | None:
    parser = _Section(testid)
    parser.feed(page)
    if parser.parts is None:
        return None
    return " ".join(" ".join(parser.parts).split()), parser.links


def home(client_for: Callable[[User], Client], user: User) -> str:
    response = client_for(user).get("/")
    assert response.status_code == 200
    return response.content.decode()


# --- data -----------------------------------------------------------------------------------


@pytest.fixture
def child(personas: dict[str, User]) -> Person:
    return make_person(
        personas["practitioner"],
        given_name="Tayla",
        family_name="Brennan",
        date_of_birth=dt.date(2011, 5, 4),
    )


@pytest.fixture
def chair(personas: dict[str, User]) -> User:
    return personas["panel_chair"]


@pytest.fixture
def officer(personas: dict[str, User]) -> User:
    return personas["police_practitioner"]


@pytest.fixture
def marve(chair: User, officer: User) -> Panel:
    panel = panels.panel_create(
        actor=chair,
        name="Brackenmoor MARVE panel",
        kind=PanelKind.MARVE,
        frequency="fortnightly",
        chair=chair,
        purpose="Children at risk of exploitation, groups, places and adults of concern.",
    )
    panels.panel_member_add(actor=chair, panel=panel, user=officer, role="Exploitation officer")
    return panel


def lead(personas: dict[str, User], lead: User, person: Person) -> KeyLeadAllocation:
    return key_lead_allocate(
        actor=personas["team_manager"],
        lead=lead,
        started_on=TODAY - dt.timedelta(days=40),
        reason="Knows her best",
        expected_current_id=None,
        person=person,
    )


def cse_plan(personas: dict[str, User], person: Person, **fields: Any) -> Plan:
    return plans.plan_create(
        actor=personas["practitioner"],
        kind="cse_plan",
        person=person,
        started_on=TODAY - dt.timedelta(days=30),
        efh_harm_types=["cce"],
        **fields,
    )


def meeting_on(panel: Panel, chair: User, days: int, person: Person | None = None) -> Meeting:
    meeting = panels.meeting_schedule(
        actor=chair,
        panel=panel,
        scheduled_for=timezone.now() + dt.timedelta(days=days),
        venue="Civic Centre, room 2",
    )
    if person is not None:
        panels.item_add(actor=chair, meeting=meeting, person=person, reason="MARVE referral")
    return meeting


def held(meeting: Meeting, chair: User) -> Meeting:
    meeting.refresh_from_db()
    return panels.meeting_hold(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        held_at=meeting.scheduled_for,
    )


def meeting_action(meeting: Meeting, chair: User, owner: User, days: int) -> PanelAction:
    item = meeting.items.first()
    return panels.panel_action_add(
        actor=chair,
        meeting=meeting,
        item=item,
        description="Share the CCTV review with the panel",
        owner_agency=owner.agency,
        due_on=TODAY + dt.timedelta(days=days),
    )


def police_overdue(personas: dict[str, User], plan: Plan, officer: User) -> Action:
    return plans.action_create(
        actor=personas["practitioner"],
        plan=plan,
        description="Check the bus interchange CCTV",
        owner_agency=officer.agency,
        due_on=TODAY - dt.timedelta(days=3),
    )


# --- plans ------------------------------------------------------------------------------------


def test_key_lead_sees_another_agencys_overdue_action_on_the_plan_they_lead(
    client_for, personas, child: Person, officer: User
) -> None:
    practitioner = personas["practitioner"]
    lead(personas, practitioner, child)
    plan = cse_plan(personas, child, next_review_due=TODAY + dt.timedelta(days=10))
    police_overdue(personas, plan, officer)

    page = home(client_for, practitioner)
    found = section(page, "overdue-led")
    assert found is not None
    text, links = found
    assert "Overdue on plans you lead (1)" in text
    assert "Check the bus interchange CCTV" in text
    assert "CS&E plan: Tayla Brennan" in text
    assert "Test Police" in text
    assert "Overdue 3 days" in text
    assert reverse("plans:plan_detail", args=[plan.pk]) in links

    plans_led = section(page, "plans-led")
    assert plans_led is not None
    assert "CS&E plan: Tayla Brennan" in plans_led[0]
    assert "Review due soon" in plans_led[0]
    # The practitioner's own agency owns nothing.
    assert section(page, "actions-due") is None


def test_police_owner_sees_the_action_due_without_the_childs_name(
    client_for, personas, child: Person, officer: User
) -> None:
    lead(personas, personas["practitioner"], child)
    police_overdue(personas, cse_plan(personas, child), officer)
    assert not officer.has_perm("people.view_person", child)

    page = home(client_for, officer)
    found = section(page, "actions-due")
    assert found is not None
    text, links = found
    assert "Actions due (1)" in text and "1 overdue" in text
    assert "Check the bus interchange CCTV" in text
    assert "A child's plan (held by Test Children's Services)" in text
    assert reverse("plans:my_actions") in links
    assert "Tayla" not in page and "Brennan" not in page
    assert section(page, "overdue-led") is None


def test_plans_led_put_overdue_reviews_first(client_for, personas, child: Person) -> None:
    practitioner = personas["practitioner"]
    other = make_person(practitioner, given_name="Jordan", family_name="Okafor")
    lead(personas, practitioner, child)
    lead(personas, practitioner, other)
    cse_plan(personas, child, next_review_due=TODAY + dt.timedelta(days=60))
    cse_plan(personas, other, next_review_due=TODAY - dt.timedelta(days=2))

    found = section(home(client_for, practitioner), "plans-led")
    assert found is not None
    text = found[0]
    assert "Plans you lead (2)" in text and "1 review overdue" in text
    assert text.index("Jordan Okafor") < text.index("Tayla Brennan")
    assert "Review overdue" in text


# --- meetings ---------------------------------------------------------------------------------


def test_panel_chair_sees_a_meeting_to_prepare_and_a_summary_to_send(
    client_for, personas, child: Person, chair: User, marve: Panel
) -> None:
    upcoming = meeting_on(marve, chair, 7, child)
    past = held(meeting_on(marve, chair, -6), chair)
    assert past.summary_due_by is not None and past.summary_due_by < TODAY

    page = home(client_for, chair)
    meetings = section(page, "meetings-to-prepare")
    assert meetings is not None
    text, links = meetings
    assert "Meetings to prepare for (1)" in text
    assert "Brackenmoor MARVE panel" in text and "You chair this meeting" in text
    assert "Tayla Brennan: Not yet added" in text
    assert reverse("panels:meeting_detail", args=[upcoming.pk]) in links

    summaries = section(page, "summaries-to-send")
    assert summaries is not None
    assert "Summaries to send (1)" in summaries[0]
    assert f"{past.summary_due_by.day} {past.summary_due_by:%b %Y}" in summaries[0]
    assert "Late" in summaries[0]
    assert reverse("panels:meeting_detail", args=[past.pk]) in summaries[1]


def test_member_sees_whether_their_agency_has_added_its_information(
    client_for, personas, child: Person, chair: User, officer: User, marve: Panel
) -> None:
    meeting = meeting_on(marve, chair, 7, child)
    found = section(home(client_for, officer), "meetings-to-prepare")
    assert found is not None and "Tayla Brennan: Not yet added" in found[0]

    item = meeting.items.get()
    panels.contribution_add(actor=officer, item=item, text="Seen at the interchange twice")
    found = section(home(client_for, officer), "meetings-to-prepare")
    assert found is not None and "Tayla Brennan: Added" in found[0]
    assert "You chair" not in found[0]


def test_meeting_action_reaches_its_owner_without_the_child_and_its_chair_when_overdue(
    client_for, personas, child: Person, chair: User, officer: User, marve: Panel
) -> None:
    meeting = meeting_on(marve, chair, -10, child)
    action = meeting_action(meeting, chair, officer, -4)
    meeting = held(meeting, chair)

    officer_page = home(client_for, officer)
    found = section(officer_page, "actions-due")
    assert found is not None
    text, links = found
    assert "Share the CCTV review with the panel" in text
    assert "Brackenmoor MARVE panel" in text and "Meeting action" in text
    assert "Overdue 4 days" in text
    assert reverse("panels:action_detail", args=[action.pk]) in links
    assert "Tayla" not in officer_page

    chaired = section(home(client_for, chair), "overdue-chaired")
    assert chaired is not None
    text, links = chaired
    assert "Overdue on meetings and conferences you chair (1)" in text
    assert "Test Police" in text and "Overdue 4 days" in text
    assert "Tayla Brennan" in text  # the chair may see the item
    assert reverse("panels:action_detail", args=[action.pk]) in links


def test_actions_due_show_the_next_fortnight_and_count_the_rest(
    client_for, personas, child: Person, officer: User
) -> None:
    plan = cse_plan(personas, child)
    for days in (-1, 5, 40):
        plans.action_create(
            actor=personas["practitioner"],
            plan=plan,
            description=f"Task due in {days} days",
            owner_agency=officer.agency,
            due_on=TODAY + dt.timedelta(days=days),
        )
    found = section(home(client_for, officer), "actions-due")
    assert found is not None
    text = found[0]
    assert "Actions due (2)" in text
    assert text.index("Task due in -1 days") < text.index("Task due in 5 days")
    assert "Task due in 40 days" not in text
    assert "1 more open action not shown here" in text


# --- who sees it --------------------------------------------------------------------------------


def test_a_case_worker_with_no_work_gets_a_friendly_empty_state(client_for, personas) -> None:
    before = AccessEvent.objects.filter(object_type="core.my_work").count()
    page = home(client_for, personas["practitioner"])
    empty = section(page, "my-work-empty")
    assert empty is not None and "Nothing needs you right now" in empty[0]
    assert AccessEvent.objects.filter(object_type="core.my_work").count() == before


def test_reading_my_work_is_audited(client_for, personas, child: Person, officer: User) -> None:
    police_overdue(personas, cse_plan(personas, child), officer)
    home(client_for, officer)
    event = AccessEvent.objects.filter(object_type="core.my_work").latest("sequence")
    assert event.actor == officer


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_oversight_roles_see_no_my_work(
    client_for, personas, child: Person, officer: User, role: Role
) -> None:
    police_overdue(personas, cse_plan(personas, child), officer)
    page = home(client_for, personas[role.value])
    assert section(page, "my-work") is None
    assert "My work" not in page


# --- cost -------------------------------------------------------------------------------------


def _add_work(personas: dict[str, User], chair: User, officer: User, panel: Panel, n: int) -> None:
    """One of everything for the chair: a child they lead with a plan (a police action overdue,
    a CSC action due soon), a meeting to prepare, and a held meeting with a summary to send, a
    police action overdue and a CSC action overdue."""
    person = make_person(personas["practitioner"], given_name=f"Child{n}", family_name="Cost")
    lead(personas, chair, person)
    plan = cse_plan(personas, person, next_review_due=TODAY - dt.timedelta(days=n))
    police_overdue(personas, plan, officer)
    plans.action_create(
        actor=personas["practitioner"],
        plan=plan,
        description="Home visit",
        owner_agency=chair.agency,
        due_on=TODAY + dt.timedelta(days=2),
    )
    meeting_on(panel, chair, 7 + n, person)
    past = meeting_on(panel, chair, -10 - n, person)
    meeting_action(past, chair, officer, -2)
    meeting_action(past, chair, chair, -1)
    held(past, chair)


def _queries(client: Client) -> int:
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured.captured_queries)


def test_my_work_costs_the_same_however_much_work_there_is(
    client_for, personas, chair: User, officer: User, marve: Panel, django_assert_max_num_queries
) -> None:
    client = client_for(chair)
    _add_work(personas, chair, officer, marve, 1)
    one = _queries(client)
    assert one <= 40  # the whole home page, signed in and audited
    for n in (2, 3, 4):
        _add_work(personas, chair, officer, marve, n)
    with django_assert_max_num_queries(one):
        page = client.get("/").content.decode()
    for testid, rows in (
        ("meetings-to-prepare", "(4)"),
        ("summaries-to-send", "(4)"),
        ("actions-due", "(8)"),
        ("overdue-led", "(4)"),
        ("overdue-chaired", "(4)"),
        ("plans-led", "(4)"),
    ):
        found = section(page, testid)
        assert found is not None and rows in found[0], testid


def test_conference_chair_sees_overdue_actions_on_the_plan_the_conference_agreed(
    client_for, personas, child: Person, officer: User, chair: User
) -> None:
    from panels.models import AgendaItem, ConferenceForm, ConferenceStage, MeetingKind

    plan = cse_plan(personas, child)
    police_overdue(personas, plan, officer)
    conference = Meeting.objects.create(
        kind=MeetingKind.CONFERENCE,
        form=ConferenceForm.CHILD_EFH,
        stage=ConferenceStage.INITIAL,
        scheduled_for=timezone.now() - dt.timedelta(days=20),
        chair=chair,
        recording_agency=personas["practitioner"].agency,
        recorded_by=chair,
    )
    # Before the conference is linked to the plan, the chair has nothing to follow up.
    assert section(home(client_for, chair), "overdue-chaired") is None
    AgendaItem.objects.create(
        meeting=conference,
        source="conference",
        person=child,
        reason="Exploited outside the family",
        plan=plan,
        recording_agency=personas["practitioner"].agency,
        recorded_by=chair,
    )
    found = section(home(client_for, chair), "overdue-chaired")
    assert found is not None
    assert "Check the bus interchange CCTV" in found[0]
    assert "Overdue 3 days" in found[0]
