"""The meeting pack and minutes as real PDF files, each holding only what its recipient may see.

Text comes out of the PDF with poppler's ``pdftotext`` (pages split by form feeds), so the tests
read what a recipient would read, not the HTML behind it.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AccessAction, AccessEvent
from contexts.models import Context
from demo.borough.geography import CENTRE_LAT, CENTRE_LON, square_around, ward_boundaries
from events.services import event_record
from panels import services
from panels.models import (
    AgendaItem,
    ConferenceForm,
    ConferenceStage,
    ContributionAudience,
    ItemSource,
    Meeting,
    MeetingKind,
    Participant,
)
from people.models import Person
from plans import services as plan_services
from tests.factories import make_location

ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts" / "pdf"
RESTRICTED = "Intelligence that a named adult collects her from the interchange"
STATUTORY_ONLY = "Strategy discussion held; Section 47 enquiry under way"
EVERYONE = "Police patrols at the interchange on Friday evenings from 18:00"


def pdf_pages(content: bytes) -> list[str]:
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    pages = result.stdout.decode("utf-8").split("\f")
    return [p for p in pages if p.strip()]


def render_first_page(content: bytes, name: str) -> Path:
    """Page 1 as a PNG in test-artifacts/pdf/, for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(content)
    subprocess.run(  # noqa: S603 - a fixed local binary
        [
            "/usr/bin/pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(ARTIFACTS / name),
        ],
        check=True,
    )
    return ARTIFACTS / f"{name}.png"


def download(client: Client, url: str) -> tuple[Any, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    content = response.content
    assert content.startswith(b"%PDF")
    pages = pdf_pages(content)
    assert pages
    for page in pages:
        assert "OFFICIAL-SENSITIVE" in page
    return response, pages


def whole(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


@pytest.fixture
def wards(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "wards.geojson"
    path.write_text(json.dumps(ward_boundaries()))
    settings.WARD_BOUNDARIES_FILE = str(path)


@pytest.fixture
def hub(personas: dict[str, User], child: Person, wards: None) -> Context:
    """A bus interchange drawn as an area inside the invented borough, linked to the child."""
    from contexts.services import context_link_create

    context = make_location(
        personas["practitioner"],
        name="Brackenmoor bus interchange",
        location_type="transport_hub",
        address="Station Road, Brackenmoor",
        geometry=json.dumps(square_around(CENTRE_LAT + 0.004, CENTRE_LON + 0.006, 90)),
    )
    context_link_create(
        actor=personas["practitioner"],
        context=context,
        kind="frequents",
        source="school DSL",
        reliability="reported",
        person=child,
    )
    return context


@pytest.fixture
def panel_day(
    personas: dict[str, User],
    meeting: Meeting,
    chair: User,
    officer: User,
    youth_worker: User,
    child: Person,
    hub: Context,
) -> dict[str, Any]:
    """A MARVE meeting with a child and a place on the agenda, a police-only restricted event
    about the child, a standard event at the place, a statutory-only contribution and one for
    everyone, and a context plan with a goal and actions."""
    csc = personas["practitioner"]
    services.participant_add(actor=chair, meeting=meeting, user=csc, role="Social worker")
    child_item = services.item_add(
        actor=chair,
        meeting=meeting,
        reason="Missing three times in October; seen at the interchange with older males.",
        person=child,
    )
    place_item = services.item_add(
        actor=chair,
        meeting=meeting,
        reason="Young people gathering after school; reports of older males approaching them.",
        context=hub,
    )
    now = timezone.now()
    event_record(
        actor=officer,
        kind="intelligence",
        occurred_at=now - dt.timedelta(days=5),
        narrative=RESTRICTED,
        participants=[(child, "harmed")],
        sensitivity="restricted",
    )
    event_record(
        actor=csc,
        kind="sighting",
        occurred_at=now - dt.timedelta(days=3),
        narrative="A group of four young people seen near the shelter at 22:40.",
        location=hub,
        participants=[(child, "harmed")],
    )
    event_record(
        actor=csc,
        kind="concern",
        occurred_at=now - dt.timedelta(days=2),
        narrative="Shop staff report cars waiting by the taxi rank after school.",
        location=hub,
    )
    services.contribution_add(
        actor=chair, item=child_item, text=STATUTORY_ONLY, audience=ContributionAudience.STATUTORY
    )
    services.contribution_add(actor=officer, item=place_item, text=EVERYONE)
    plan = plan_services.plan_create(
        actor=personas["cs_lead"],
        kind="context_safety",
        context=hub,
        started_on=timezone.localdate() - dt.timedelta(days=20),
        agreed_at_description="Location CS&E conference",
    )
    goal = plan_services.goal_add(
        actor=personas["cs_lead"],
        plan=plan,
        statement="Young people can wait for buses without being approached",
        measure="No sightings of approaches for six weeks",
    )
    plan_services.action_create(
        actor=personas["cs_lead"],
        plan=plan,
        goal=goal,
        description="Licensing review of the takeaway opposite the interchange",
        owner_partner="Licensing team, Brackenmoor Council",
        due_on=timezone.localdate() + dt.timedelta(days=21),
    )
    return {"child_item": child_item, "place_item": place_item, "csc": csc, "plan": plan}


def pack_url(meeting: Meeting, **query: int) -> str:
    url = reverse("panels:meeting_pack", args=[meeting.pk])
    return url + (f"?for={query['for_']}" if "for_" in query else "")


def participant_of(meeting: Meeting, user: User) -> Participant:
    return meeting.participants.get(user=user)


# --- the pack ------------------------------------------------------------------------------------


def test_the_chairs_pack_is_a_marked_pdf_with_agenda_chronology_plan_and_map(
    panel_day: dict[str, Any],
    meeting: Meeting,
    chair: User,
    client_for: Callable[[User], Client],
) -> None:
    response, pages = download(client_for(chair), pack_url(meeting))
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localdate(meeting.scheduled_for)
    assert response["Content-Disposition"] == (
        f'attachment; filename="marve-panel-{day:%Y-%m-%d}-pack.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    text = whole(pages)
    assert f"Page 1 of {len(pages)}" in text
    assert f"Page {len(pages)} of {len(pages)}" in text
    assert "Tayla Brennan" in text  # a panel meeting names children to its statutory chair
    assert STATUTORY_ONLY in text
    assert EVERYONE in text
    assert "Shop staff report cars waiting" in text
    assert "Young people can wait for buses without being approached" in text
    assert "Licensing review of the takeaway" in text
    assert "Dashed lines are ward boundaries" in text
    # The chair works in children's social care: police-restricted intelligence is not theirs.
    assert RESTRICTED not in text
    png = render_first_page(response.content, "pack-chair")
    assert png.stat().st_size > 1000


def test_the_youth_workers_pack_leaves_out_statutory_and_restricted_records(
    panel_day: dict[str, Any],
    meeting: Meeting,
    youth_worker: User,
    client_for: Callable[[User], Client],
) -> None:
    response, pages = download(client_for(youth_worker), pack_url(meeting))
    text = whole(pages)
    assert "Prepared for" in text and "Open Doors Youth Trust" in text
    assert EVERYONE in text
    assert STATUTORY_ONLY not in text
    assert RESTRICTED not in text
    render_first_page(response.content, "pack-youth-worker")


def test_the_chair_prepares_each_agencys_own_pack_and_it_is_audited(
    panel_day: dict[str, Any],
    meeting: Meeting,
    chair: User,
    officer: User,
    youth_worker: User,
    client_for: Callable[[User], Client],
) -> None:
    client = client_for(chair)
    worker = participant_of(meeting, youth_worker)
    _, pages = download(client, pack_url(meeting, for_=worker.pk))
    text = whole(pages)
    assert "Prepared by the chair for" in text and youth_worker.get_full_name() in text
    assert STATUTORY_ONLY not in text
    assert RESTRICTED not in text
    export = AccessEvent.objects.filter(action=AccessAction.EXPORT).latest("sequence")
    assert export.object_id == str(meeting.pk)
    assert youth_worker.get_full_name() in export.reason
    # The police officer's own pack holds their agency's restricted intelligence; the copy the
    # chair (children's social care) prepares for them does not, so the chair never reads it.
    _, own = download(client_for(officer), pack_url(meeting))
    assert RESTRICTED in whole(own)
    _, prepared = download(client, pack_url(meeting, for_=participant_of(meeting, officer).pk))
    assert RESTRICTED not in whole(prepared)


def test_a_csc_social_worker_does_not_get_police_restricted_intelligence(
    panel_day: dict[str, Any], meeting: Meeting, client_for: Callable[[User], Client]
) -> None:
    _, pages = download(client_for(panel_day["csc"]), pack_url(meeting))
    text = whole(pages)
    assert STATUTORY_ONLY in text  # a statutory agency: it does get the statutory-only record
    assert RESTRICTED not in text


def test_only_the_chair_may_prepare_someone_elses_pack(
    panel_day: dict[str, Any],
    meeting: Meeting,
    officer: User,
    youth_worker: User,
    client_for: Callable[[User], Client],
) -> None:
    worker = participant_of(meeting, youth_worker)
    assert client_for(officer).get(pack_url(meeting, for_=worker.pk)).status_code == 404
    stranger = Participant.objects.create(meeting=meeting, name="Shop manager")
    chair_client = client_for(meeting.chair)
    assert chair_client.get(pack_url(meeting, for_=stranger.pk)).status_code == 404


def test_someone_outside_the_meeting_gets_not_found(
    panel_day: dict[str, Any],
    meeting: Meeting,
    personas: dict[str, User],
    client_for: Callable[[User], Client],
) -> None:
    outsider = personas["team_manager"]
    for name in ("panels:meeting_pack", "panels:meeting_minutes"):
        response = client_for(outsider).get(reverse(name, args=[meeting.pk]))
        assert response.status_code == 404


# --- a context conference ------------------------------------------------------------------------


@pytest.fixture
def context_conference(
    personas: dict[str, User],
    chair: User,
    officer: User,
    youth_worker: User,
    child: Person,
    hub: Context,
) -> Meeting:
    agency = chair.agency
    assert agency is not None
    conference = Meeting.objects.create(
        kind=MeetingKind.CONFERENCE,
        form=ConferenceForm.CONTEXT,
        stage=ConferenceStage.INITIAL,
        scheduled_for=timezone.now() + dt.timedelta(days=3),
        venue="Civic Centre, room 4",
        chair=chair,
        recording_agency=agency,
        recorded_by=chair,
    )
    for user in (chair, officer, youth_worker):
        Participant.objects.create(
            meeting=conference, user=user, agency=user.agency, name=user.get_full_name()
        )
    # Written carelessly on purpose: the pack must withhold the name anyway.
    AgendaItem.objects.create(
        meeting=conference,
        position=1,
        source=ItemSource.CONFERENCE,
        context=hub,
        reason="Exploitation of young people at the interchange, first noticed when Tayla was "
        "seen there with older males.",
        recording_agency=agency,
        recorded_by=chair,
    )
    event_record(
        actor=personas["practitioner"],
        kind="sighting",
        occurred_at=timezone.now() - dt.timedelta(days=4),
        narrative="Young people seen getting into a car by the taxi rank.",
        location=hub,
        participants=[(child, "harmed")],
    )
    return conference


def test_a_context_conference_pack_never_names_the_child_to_the_youth_worker(
    context_conference: Meeting,
    youth_worker: User,
    officer: User,
    client_for: Callable[[User], Client],
) -> None:
    response, pages = download(client_for(youth_worker), pack_url(context_conference))
    text = whole(pages)
    assert "Brackenmoor bus interchange" in text
    assert "[name withheld]" in text
    for name in ("Tayla", "Brennan"):
        assert name not in text
    day = timezone.localdate(context_conference.scheduled_for)
    assert (
        f'filename="context-conference-{day:%Y-%m-%d}-pack.pdf"'
        in (response["Content-Disposition"])
    )
    render_first_page(response.content, "context-conference-youth-worker")
    # A statutory agency at the same conference may hear the child's name.
    _, police = download(client_for(officer), pack_url(context_conference))
    assert "Tayla" in whole(police)


# --- the minutes ---------------------------------------------------------------------------------


def test_the_minutes_show_attendance_concern_decisions_and_only_this_recipients_actions(
    panel_day: dict[str, Any],
    meeting: Meeting,
    chair: User,
    officer: User,
    youth_worker: User,
    client_for: Callable[[User], Client],
) -> None:
    item = panel_day["place_item"]
    services.concern_record(
        actor=chair,
        item=item,
        expected_version=item.version,
        level="high",
        reasons="Repeated approaches to young people by adults in cars.",
        agreed_by="Chair (CSC), police, Open Doors Youth Trust",
    )
    item.refresh_from_db()
    services.item_decision_record(
        actor=chair,
        item=item,
        expected_version=item.version,
        decision="Refer the interchange to a location CS&E conference.",
    )
    due = timezone.localdate(meeting.scheduled_for) + dt.timedelta(days=14)
    services.panel_action_add(
        actor=chair,
        meeting=meeting,
        item=item,
        description="Detached youth work at the interchange on Fridays",
        owner_agency=youth_worker.agency,
        due_on=due,
    )
    services.panel_action_add(
        actor=chair,
        meeting=meeting,
        description="Share the patrol plan with British Transport Police",
        owner_agency=officer.agency,
        due_on=due,
    )
    minutes_url = reverse("panels:meeting_minutes", args=[meeting.pk])
    response, pages = download(client_for(youth_worker), minutes_url)
    day = timezone.localdate(meeting.scheduled_for)
    assert response["Content-Disposition"] == (
        f'attachment; filename="marve-panel-{day:%Y-%m-%d}-minutes.pdf"'
    )
    text = whole(pages)
    assert "Attendance" in text and officer.get_full_name() in text
    assert "High" in text and "Repeated approaches to young people" in text
    assert "Chair (CSC), police, Open Doors Youth Trust" in text
    assert "Refer the interchange to a location CS&E conference." in text
    assert "Detached youth work at the interchange on Fridays" in text
    render_first_page(response.content, "minutes-youth-worker")

    # Once the minutes are sent the meeting closes: the youth worker keeps only the action
    # their agency owns, and the copy the chair prepares for them says so.
    meeting = services.meeting_hold(actor=chair, meeting=meeting, expected_version=meeting.version)
    meeting = services.minutes_save(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        minutes="The panel heard from police and the youth trust about the interchange.",
    )
    services.meeting_close(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        summary_sent_on=timezone.localdate(),
    )
    assert client_for(youth_worker).get(minutes_url).status_code == 404
    worker = participant_of(meeting, youth_worker)
    _, pages = download(client_for(chair), f"{minutes_url}?for={worker.pk}")
    text = whole(pages)
    assert "Detached youth work at the interchange on Fridays" in text
    assert "Share the patrol plan" not in text
    assert "The panel heard from police" not in text
    assert "Tayla" not in text
    _, pages = download(client_for(chair), minutes_url)
    assert "The panel heard from police" in whole(pages)


def test_the_chairs_meeting_page_links_each_participants_own_pack(
    meeting: Meeting,
    chair: User,
    officer: User,
    client_for: Callable[[User], Client],
) -> None:
    page = client_for(chair).get(reverse("panels:meeting_detail", args=[meeting.pk]))
    html = page.content.decode()
    assert pack_url(meeting, for_=participant_of(meeting, officer).pk) in html
    member = client_for(officer).get(reverse("panels:meeting_detail", args=[meeting.pk]))
    assert "?for=" not in member.content.decode()
