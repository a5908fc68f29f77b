"""The panel meeting's life, from scheduling to the summary, through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from contexts.models import Context
from panels import services
from panels.models import (
    AttendanceStatus,
    ConcernLevel,
    Meeting,
    MeetingStatus,
    PanelAction,
    PanelActionStatus,
)
from people.models import Person

pytestmark = pytest.mark.django_db


def test_scheduling_invites_the_chair_and_every_member(meeting: Meeting) -> None:
    names = sorted(p.user.username for p in meeting.participants.all() if p.user)
    assert names == ["panel_chair", "police_practitioner", "youth_worker"]


def test_a_member_who_joins_later_is_invited_to_meetings_still_to_come(
    meeting: Meeting, chair: User, personas: dict[str, User]
) -> None:
    assert meeting.panel is not None
    services.panel_member_add(actor=chair, panel=meeting.panel, user=personas["cs_lead"])
    assert meeting.participants.filter(user=personas["cs_lead"]).exists()


def test_only_the_chair_builds_the_agenda(
    meeting: Meeting, officer: User, child: Person, chair: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.item_add(actor=officer, meeting=meeting, person=child, reason="Sightings")
    item = services.item_add(actor=chair, meeting=meeting, person=child, reason="Sightings")
    assert item.position == 1
    with pytest.raises(ValidationError, match="already on the agenda"):
        services.item_add(actor=chair, meeting=meeting, person=child, reason="Again")


def test_the_level_of_concern_is_a_judgement_with_reasons_and_who_agreed_it(
    meeting: Meeting, chair: User, place: Context
) -> None:
    item = services.item_add(actor=chair, meeting=meeting, context=place, reason="Hot spot")
    with pytest.raises(ValidationError) as error:
        services.concern_record(
            actor=chair,
            item=item,
            expected_version=item.version,
            level="high",
            reasons="",
            agreed_by="",
        )
    assert set(error.value.message_dict) == {"reasons", "agreed_by"}
    services.concern_record(
        actor=chair,
        item=item,
        expected_version=item.version,
        level=ConcernLevel.HIGH,
        reasons="Three sightings of older males approaching children in four weeks.",
        agreed_by="All members present: CSC, police, Open Doors",
    )
    item.refresh_from_db()
    assert item.concern_level == ConcernLevel.HIGH


def test_holding_and_closing_a_meeting_sets_the_two_working_day_summary(
    meeting: Meeting, chair: User, officer: User, child: Person
) -> None:
    item = services.item_add(actor=chair, meeting=meeting, person=child, reason="Sightings")
    services.contribution_add(actor=officer, item=item, text="Stop and search on 3 November.")
    officer_row = meeting.participants.get(user=officer)
    services.attendance_record(
        actor=chair, meeting=meeting, statuses={officer_row.pk: AttendanceStatus.ATTENDED}
    )
    action = services.panel_action_add(
        actor=chair,
        meeting=meeting,
        item=item,
        description="Share the stop-and-search record with the key lead",
        owner_agency=None,
        owner_user=officer,
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )
    assert action.owner_agency_id == officer.agency_id
    # A Monday meeting's summary is due on the Wednesday.
    held_at = dt.datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    meeting = services.meeting_hold(
        actor=chair, meeting=meeting, expected_version=meeting.version, held_at=held_at
    )
    assert meeting.summary_due_by == dt.date(2026, 11, 18)
    with pytest.raises(ValidationError):
        services.meeting_close(
            actor=chair,
            meeting=meeting,
            expected_version=meeting.version,
            summary_sent_on=dt.date(2026, 11, 17),
        )
    meeting = services.minutes_save(
        actor=chair, meeting=meeting, expected_version=meeting.version, minutes="Discussed."
    )
    meeting = services.meeting_close(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        summary_sent_on=dt.date(2026, 11, 17),
    )
    assert meeting.status == MeetingStatus.CLOSED
    # Afterwards the officer keeps the action they own, and the meeting is closed to them.
    assert not officer.has_perm("panels.view_meeting", meeting)
    assert officer.has_perm("panels.view_panel_action", action)
    services.panel_action_complete(
        actor=officer,
        action=action,
        expected_version=action.version,
        completed_on=timezone.localdate(),
        evidence="Sent by secure email on 18 November.",
    )
    assert PanelAction.objects.get(pk=action.pk).status == PanelActionStatus.DONE


def test_someone_without_an_account_is_invited_by_email_that_names_no_child(
    meeting: Meeting,
    chair: User,
    child: Person,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    services.item_add(actor=chair, meeting=meeting, person=child, reason="Sightings")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.participant_add(
            actor=chair,
            meeting=meeting,
            name="Priya Desai",
            role="Manager, Sallowmere Parade takeaway",
            email="manager@takeaway.example",
        )
    assert [m.to for m in mailoutbox] == [["manager@takeaway.example"]]
    body = mailoutbox[0].body
    assert "Dear Priya Desai" in body and "Brackenmoor MARVE panel" in body
    assert child.given_name not in body and child.family_name not in body
