"""The panel meeting pages, used as the chair and the members would use them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AccessAction, AccessEvent
from contexts.models import Context
from meetings.models import MarveReferralType, MarveStatus
from meetings.services import marve_referral_create
from panels import services
from panels.models import (
    AgendaItem,
    AttendanceStatus,
    ConcernLevel,
    ContributionAudience,
    Meeting,
    MeetingStatus,
    Panel,
    PanelAction,
    PanelActionStatus,
    PanelKind,
)
from people.models import Person

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]


def _visible(html: str) -> str:
    """The page's text without tags, to check what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _item(meeting: Meeting, **subject: object) -> AgendaItem:
    return AgendaItem.objects.get(meeting=meeting, **subject)


def test_the_chair_runs_a_meeting_and_the_officer_keeps_only_their_action(
    client_for: ClientFor,
    marve: Panel,
    chair: User,
    officer: User,
    child: Person,
    place: Context,
) -> None:
    as_chair, as_officer = client_for(chair), client_for(officer)

    # Schedule: the form is pre-filled with the panel's next date.
    page = as_chair.get(reverse("panels:meeting_schedule", args=[marve.pk]))
    today = timezone.localdate()
    assert f'value="{today.day}"' in _text(page)
    day = today + dt.timedelta(days=3)
    response = as_chair.post(
        reverse("panels:meeting_schedule", args=[marve.pk]),
        {**_date("meets_on", day), "meets_time": "10:00", "venue": "Room 2", "chair": chair.pk},
    )
    meeting = Meeting.objects.get(panel=marve)
    assert response.status_code == 302
    assert response["Location"] == reverse("panels:meeting_detail", args=[meeting.pk])

    # The agenda: a child found by name, then a place.
    add = reverse("panels:item_add", args=[meeting.pk])
    found = as_chair.get(add, {"name": "Brennan"})
    assert f"?person={child.pk}" in _text(found)
    as_chair.post(f"{add}?person={child.pk}", {"reason": "Seen at the interchange at night."})
    as_chair.post(f"{add}?context={place.pk}", {"reason": "Older males approach children."})
    child_item, place_item = _item(meeting, person=child), _item(meeting, context=place)
    assert [child_item.position, place_item.position] == [1, 2]

    # Attendance: one radio group per participant.
    rows = list(meeting.participants.all())
    statuses = {f"status_{p.pk}": AttendanceStatus.ATTENDED for p in rows}
    as_chair.post(reverse("panels:attendance", args=[meeting.pk]), statuses)
    assert all(p.status == AttendanceStatus.ATTENDED for p in meeting.participants.all())

    # The officer shares information, and sees the whole agenda while the meeting is open.
    response = as_officer.post(
        reverse("panels:contribution_add", args=[child_item.pk]),
        {"text": "Stop and search on 3 November.", "audience": ContributionAudience.EVERYONE},
    )
    assert response.status_code == 302
    agenda = _text(as_officer.get(reverse("panels:meeting_detail", args=[meeting.pk])))
    assert "Tayla Brennan" in agenda and "Brackenmoor bus interchange" in agenda
    assert "Stop and search on 3 November." in agenda

    # The chair records the meeting's judgement, its decision and an action for the officer.
    as_chair.post(
        reverse("panels:concern_record", args=[child_item.pk]),
        {
            "version": child_item.version,
            "level": ConcernLevel.HIGH,
            "reasons": "Three sightings in four weeks.",
            "agreed_by": "All present: CSC, police, Open Doors",
        },
    )
    child_item.refresh_from_db()
    as_chair.post(
        reverse("panels:item_decision", args=[child_item.pk]),
        {"version": child_item.version, "decision": "Refer to a CS&E conference."},
    )
    due = today + dt.timedelta(days=14)
    response = as_chair.post(
        reverse("panels:action_add", args=[meeting.pk]) + f"?item={child_item.pk}",
        {
            "item": child_item.pk,
            "description": "Share the stop-and-search record with the key lead",
            "owner_user": officer.pk,
            **_date("due_on", due),
        },
    )
    assert response.status_code == 302
    child_item.refresh_from_db()
    assert child_item.concern_level == ConcernLevel.HIGH
    assert child_item.decision == "Refer to a CS&E conference."
    action = PanelAction.objects.get(meeting=meeting)
    assert action.owner_user == officer and action.item == child_item

    # Held, minutes, summary sent: the meeting closes.
    meeting.refresh_from_db()
    as_chair.post(
        reverse("panels:meeting_hold", args=[meeting.pk]),
        {"version": meeting.version, **_date("held_on", today), "held_time": "00:00"},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    as_chair.post(
        reverse("panels:minutes", args=[meeting.pk]),
        {"version": meeting.version, "minutes": "Two items discussed."},
    )
    meeting.refresh_from_db()
    response = as_chair.post(
        reverse("panels:meeting_close", args=[meeting.pk]),
        {"version": meeting.version, **_date("summary_sent_on", today)},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED

    # Afterwards the officer has the action, and nothing else of the meeting.
    assert as_officer.get(reverse("panels:meeting_detail", args=[meeting.pk])).status_code == 404
    assert as_officer.get(reverse("panels:item_detail", args=[child_item.pk])).status_code == 404
    page = as_officer.get(reverse("panels:action_detail", args=[action.pk]))
    assert page.status_code == 200
    text = _text(page)
    assert "Share the stop-and-search record" in text
    assert "Brackenmoor MARVE panel" in text
    assert "Tayla Brennan" not in text
    response = as_officer.post(
        reverse("panels:action_complete", args=[action.pk]),
        {
            "version": action.version,
            **_date("completed_on", today),
            "evidence": "Sent by secure email.",
        },
    )
    action.refresh_from_db()
    assert action.status == PanelActionStatus.DONE


def test_the_youth_worker_never_sees_information_for_statutory_agencies_only(
    client_for: ClientFor,
    meeting: Meeting,
    chair: User,
    officer: User,
    youth_worker: User,
    child: Person,
) -> None:
    item = services.item_add(actor=chair, meeting=meeting, person=child, reason="Sightings")
    services.contribution_add(
        actor=officer,
        item=item,
        text="Intelligence naming the older males.",
        audience=ContributionAudience.STATUTORY,
    )
    services.contribution_add(actor=officer, item=item, text="Patrols are increased.")
    as_youth = client_for(youth_worker)
    for url in (
        reverse("panels:meeting_detail", args=[meeting.pk]),
        reverse("panels:item_detail", args=[item.pk]),
    ):
        text = _text(as_youth.get(url))
        assert "Patrols are increased." in text
        assert "Intelligence naming the older males." not in text
    assert "Intelligence naming the older males." in _text(
        client_for(officer).get(reverse("panels:meeting_detail", args=[meeting.pk]))
    )
    # Nor can they write for the statutory agencies only: the choice is not offered.
    form = _text(as_youth.get(reverse("panels:contribution_add", args=[item.pk])))
    assert 'value="statutory"' not in form


def test_someone_not_invited_gets_not_found_and_the_refusal_is_audited(
    client_for: ClientFor, meeting: Meeting, chair: User, personas: dict[str, User], child: Person
) -> None:
    item = services.item_add(actor=chair, meeting=meeting, context=None, person=child, reason="x")
    outsider = personas["team_manager"]
    as_outsider = client_for(outsider)
    assert as_outsider.get(reverse("panels:meeting_detail", args=[meeting.pk])).status_code == 404
    denied = AccessEvent.objects.filter(
        actor=outsider, action=AccessAction.PERMISSION_DENIED, object_id=str(meeting.pk)
    )
    assert denied.filter(object_type="panels.meeting").exists()
    # They may not change the agenda either.
    response = as_outsider.post(
        reverse("panels:concern_record", args=[item.pk]),
        {"version": 1, "level": "high", "reasons": "r", "agreed_by": "a"},
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.concern_level == ""


def test_the_chair_cannot_overwrite_a_level_of_concern_saved_meanwhile(
    client_for: ClientFor, meeting: Meeting, chair: User, place: Context
) -> None:
    item = services.item_add(actor=chair, meeting=meeting, context=place, reason="Hot spot")
    loaded = item.version
    services.concern_record(
        actor=chair,
        item=item,
        expected_version=loaded,
        level=ConcernLevel.VERY_HIGH,
        reasons="Assault reported on Friday.",
        agreed_by="Police and CSC",
    )
    response = client_for(chair).post(
        reverse("panels:concern_record", args=[item.pk]),
        {"version": loaded, "level": "low", "reasons": "Quieter lately.", "agreed_by": "CSC"},
    )
    assert response.status_code == 200
    text = _text(response)
    assert 'data-testid="edit-conflict"' in text
    assert "Assault reported on Friday." in text  # what they saved
    assert "Quieter lately." in text  # what this chair typed, kept
    item.refresh_from_db()
    assert item.concern_level == ConcernLevel.VERY_HIGH


def test_invalid_forms_show_the_error_summary_and_keep_what_was_typed(
    client_for: ClientFor, marve: Panel, meeting: Meeting, chair: User, place: Context
) -> None:
    as_chair = client_for(chair)
    response = as_chair.post(
        reverse("panels:meeting_schedule", args=[marve.pk]),
        {
            "meets_on_day": "31",
            "meets_on_month": "2",
            "meets_on_year": "2027",
            "meets_time": "25:00",
            "venue": "Civic Centre, room 4",
            "chair": chair.pk,
        },
    )
    text = _text(response)
    assert "govuk-error-summary" in text
    assert "Date of the meeting must be a real date" in text
    assert "Enter a time like 14:30" in text
    assert 'value="Civic Centre, room 4"' in text
    item = services.item_add(actor=chair, meeting=meeting, context=place, reason="Hot spot")
    response = as_chair.post(
        reverse("panels:concern_record", args=[item.pk]),
        {"version": item.version, "level": "", "reasons": "Three sightings.", "agreed_by": ""},
    )
    text = _text(response)
    assert "Select the level of concern the meeting agreed" in text
    assert "Say who agreed it" in text
    assert "Three sightings." in text
    assert 'href="#id_level_0"' in text


def test_a_marve_referral_waiting_goes_onto_the_agenda_and_is_accepted(
    client_for: ClientFor,
    meeting: Meeting,
    chair: User,
    personas: dict[str, User],
    second_child: Person,
) -> None:
    referral = marve_referral_create(
        actor=personas["practitioner"],
        subject=second_child,
        referral_type=MarveReferralType.INDIVIDUAL,
        reason="Going missing with older peers.",
    )
    as_chair = client_for(chair)
    listing = _text(as_chair.get(reverse("panels:panel_list")))
    assert "Jordan Okafor" in listing
    add = reverse("panels:item_add", args=[meeting.pk])
    page = _text(as_chair.get(f"{add}?referral={referral.pk}"))
    assert "Going missing with older peers." in page  # the reason, pre-filled
    as_chair.post(f"{add}?referral={referral.pk}", {"reason": "Going missing with older peers."})
    item = _item(meeting, person=second_child)
    assert item.marve_referral == referral
    referral.refresh_from_db()
    assert referral.status == MarveStatus.ACCEPTED
    assert 'data-testid="referrals-waiting"' not in _text(
        as_chair.get(reverse("panels:panel_list"))
    )


def test_a_mace_meeting_shows_suppressed_trends_and_strategic_actions(
    client_for: ClientFor, chair: User, officer: User
) -> None:
    mace = services.panel_create(
        actor=chair,
        name="Brackenmoor MACE",
        kind=PanelKind.MACE,
        frequency="quarterly",
        chair=chair,
    )
    meeting = services.meeting_schedule(
        actor=chair, panel=mace, scheduled_for=timezone.now() + dt.timedelta(days=1)
    )
    services.panel_action_add(
        actor=chair,
        meeting=meeting,
        description="Licensing to review the late-night takeaways",
        owner_agency=officer.agency,
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    text = _text(client_for(chair).get(reverse("panels:meeting_detail", args=[meeting.pk])))
    assert "Trends across the partnership" in text
    assert 'data-testid="suppression-note"' in text
    assert "Strategic actions" in text
    assert "Licensing to review the late-night takeaways" in text
    assert 'id="agenda"' in text


def test_the_meeting_page_reads_well_for_a_social_worker(
    client_for: ClientFor, meeting: Meeting, chair: User, child: Person
) -> None:
    services.item_add(actor=chair, meeting=meeting, person=child, reason="Sightings at night.")
    html = _text(client_for(chair).get(reverse("panels:meeting_detail", args=[meeting.pk])))
    headings = re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, flags=re.S)
    text_headings = [_visible(h).strip() for h in headings]
    assert text_headings[0].startswith("Brackenmoor MARVE panel, ")
    for expected in ("Who is invited", "Agenda", "Information shared by each agency"):
        assert expected in text_headings
    visible = _visible(html)
    for label in ("Why it is on the agenda", "Level of concern", "Not agreed yet", "Decision"):
        assert label in visible
    # Non-blaming words, and no code values leaking into the page.
    assert "involved in" not in visible
    assert "marve_referral" not in visible and "very_high" not in visible


def test_a_concluded_strategy_meeting_goes_onto_the_agenda_with_its_summary(
    client_for: ClientFor, meeting: Meeting, chair: User, child: Person
) -> None:
    from meetings.models import MeetingStatus as StrategyStatus
    from meetings.models import StrategyMeeting

    agency = chair.agency
    assert agency is not None
    strategy = StrategyMeeting.objects.create(
        person=child,
        recording_agency=agency,
        recorded_by=chair,
        held_at=timezone.now() - dt.timedelta(days=3),
        chair=chair,
        reason="Third missing episode in 90 days",
        summary="Refer to MARVE: exploitation outside the family.",
        status=StrategyStatus.CONCLUDED,
        concluded_at=timezone.now() - dt.timedelta(days=3),
    )
    add = reverse("panels:item_add", args=[meeting.pk])
    as_chair = client_for(chair)
    choose = _text(as_chair.get(add))
    assert f"?strategy_meeting={strategy.pk}" in choose
    form = _text(as_chair.get(f"{add}?strategy_meeting={strategy.pk}"))
    assert "Refer to MARVE: exploitation outside the family." in form  # the reason, pre-filled
    as_chair.post(f"{add}?strategy_meeting={strategy.pk}", {"reason": "From the strategy meeting"})
    item = _item(meeting, person=child)
    assert item.source == "strategy_meeting" and item.strategy_meeting_id == strategy.pk
    # Once on an open agenda it is no longer offered.
    assert f"?strategy_meeting={strategy.pk}" not in _text(as_chair.get(add))


def test_a_context_assessment_that_asks_for_a_conference_goes_onto_the_agenda(
    client_for: ClientFor, meeting: Meeting, chair: User, place: Context
) -> None:
    from assessments.models import AssessmentStatus, ContextAssessment

    agency = chair.agency
    assert agency is not None
    assessment = ContextAssessment.objects.create(
        context=place,
        started_on=timezone.localdate() - dt.timedelta(days=20),
        due_on=timezone.localdate() + dt.timedelta(days=20),
        lead=chair,
        team=chair.teams.get(),
        recording_agency=agency,
        status=AssessmentStatus.COMPLETED,
        decision="context_conference",
        decision_reasons="Approaches continue despite patrols; partners need a joint plan.",
    )
    add = reverse("panels:item_add", args=[meeting.pk])
    as_chair = client_for(chair)
    assert f"?context_assessment={assessment.pk}" in _text(as_chair.get(add))
    form = _text(as_chair.get(f"{add}?context_assessment={assessment.pk}"))
    assert "Approaches continue despite patrols" in form
    as_chair.post(f"{add}?context_assessment={assessment.pk}", {"reason": "Assessment decided"})
    item = _item(meeting, context=place)
    assert item.source == "context_assessment" and item.context_assessment_id == assessment.pk
