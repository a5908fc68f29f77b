"""The rules of holding, recording and concluding a strategy meeting, and of MARVE referrals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from audit.models import AccessAction, AccessEvent
from contextsafe.lib.concurrency import EditConflict
from core.models import Notification
from meetings import services
from meetings.checklist import CHILD_CHECKLIST, CONTEXT_CHECKLIST, harm_source
from meetings.conclusion import attendance_warnings
from meetings.models import MarveReferral, MeetingAction, MeetingStatus
from meetings.selectors import summary_due_on
from meetings.tests.conftest import (
    arrange,
    fresh,
    make_contact,
    ready_to_conclude,
    yesterday_at,
)
from tests.factories import AgencyFactory, UserFactory, make_person

pytestmark = pytest.mark.django_db


# --- arranging ---------------------------------------------------------------------------------


def test_arranging_a_meeting_is_audited_and_tells_another_chair(scene, personas) -> None:
    chair = personas["team_manager"]
    meeting = arrange(scene, chair=chair)
    assert meeting.person == scene.child and meeting.context is None
    assert meeting.recording_agency == scene.csc and meeting.status == MeetingStatus.PLANNED
    event = AccessEvent.objects.get(
        action=AccessAction.CREATE,
        object_type="meetings.strategymeeting",
        object_id=str(meeting.pk),
    )
    assert event.changes["chair"] == chair.pk
    note = Notification.objects.get(recipient=chair)
    assert "chair a strategy meeting" in note.message
    assert not Notification.objects.filter(recipient=scene.worker).exists()


def test_a_meeting_needs_a_reason_and_a_case_worker_as_chair(scene, personas) -> None:
    with pytest.raises(ValidationError, match="Say why the meeting is being held"):
        arrange(scene, reason="   ")
    with pytest.raises(ValidationError, match="Choose a chair who works on cases"):
        arrange(scene, chair=personas["administrator"])
    assert not AccessEvent.objects.filter(
        action=AccessAction.CREATE, object_type__startswith="meetings"
    ).exists()


def test_a_contact_about_someone_else_is_refused(scene) -> None:
    other = make_person(scene.worker, given_name="Other", family_name="Child")
    contact = make_contact(scene, other)
    with pytest.raises(ValidationError, match="about someone or somewhere else"):
        arrange(scene, contact=contact)
    assert arrange(scene, subject=other, contact=contact).contact == contact


# --- sections ----------------------------------------------------------------------------------


def test_attendees_need_a_name_once_per_agency_and_an_active_agency(scene) -> None:
    meeting = arrange(scene)
    add = services.attendee_add
    with pytest.raises(ValidationError, match="Enter the attendee's name"):
        add(actor=scene.worker, meeting=meeting, expected_version=1, agency=scene.csc, name=" ")
    add(actor=scene.worker, meeting=meeting, expected_version=1, agency=scene.csc, name="Sam Lee")
    with pytest.raises(
        ValidationError, match="sam lee from Test Children's Services is already listed"
    ):
        add(
            actor=scene.worker,
            meeting=meeting,
            expected_version=2,
            agency=scene.csc,
            name="sam lee",
        )
    closed = AgencyFactory.create(name="Closed service", is_active=False)
    with pytest.raises(ValidationError, match="no longer active"):
        add(
            actor=scene.worker, meeting=meeting, expected_version=2, agency=closed, name="A N Other"
        )
    assert meeting.attendees.count() == 1
    assert fresh(meeting).version == 2


def test_information_needs_what_was_shared(scene) -> None:
    meeting = arrange(scene)
    with pytest.raises(ValidationError, match="Enter what the agency shared"):
        services.information_add(
            actor=scene.worker, meeting=meeting, expected_version=1, agency=scene.police, summary=""
        )
    services.information_add(
        actor=scene.worker,
        meeting=meeting,
        expected_version=1,
        agency=scene.police,
        summary="Stopped twice near the station with cash.",
    )
    event = AccessEvent.objects.get(
        action=AccessAction.CHANGE,
        object_type="meetings.strategymeeting",
        object_id=str(meeting.pk),
    )
    assert event.changes["information_added"]["summary"].startswith("Stopped twice")


def test_the_checklist_accepts_only_its_own_questions_and_answers(scene) -> None:
    meeting = arrange(scene)
    save = services.checklist_save
    with pytest.raises(ValidationError, match="Choose yes, no or not known"):
        save(
            actor=scene.worker,
            meeting=meeting,
            expected_version=1,
            answers={"exploitation": ("maybe", "")},
        )
    with pytest.raises(ValidationError, match="checklist has changed"):
        save(
            actor=scene.worker,
            meeting=meeting,
            expected_version=1,
            answers={"guardianship": ("yes", "")},
        )
    save(
        actor=scene.worker,
        meeting=meeting,
        expected_version=1,
        answers={"exploitation": ("yes", "Cash and a second phone"), "trafficking": ("", "")},
    )
    assert fresh(meeting).threshold_checklist == {
        "exploitation": {"answer": "yes", "note": "Cash and a second phone"}
    }


def test_the_checklists_differ_for_a_child_and_a_context() -> None:
    child = {i.code for i in CHILD_CHECKLIST}
    context = {i.code for i in CONTEXT_CHECKLIST}
    assert {"s47_threshold", "missing_episodes", "trafficking", "marve_criteria"} <= child
    assert {"guardianship", "partners_control", "context_response", "marve_criteria"} <= context
    assert "s47_threshold" not in context and "guardianship" not in child
    assert [i for i in CHILD_CHECKLIST if i.shows_missing] == [CHILD_CHECKLIST[3]]
    assert all(i.question.endswith("?") and i.hint for i in (*CHILD_CHECKLIST, *CONTEXT_CHECKLIST))


@pytest.mark.parametrize(
    ("outside", "inside", "expected"),
    [
        ("yes", "no", "Outside the family"),
        ("no", "yes", "Inside the family"),
        ("yes", "yes", "Both inside and outside the family"),
        ("not_known", "no", ""),
    ],
)
def test_harm_inside_outside_or_both(outside: str, inside: str, expected: str) -> None:
    answers = {
        "harm_outside_family": {"answer": outside},
        "harm_inside_family": {"answer": inside},
    }
    assert harm_source(answers) == expected


def test_decision_rules(scene) -> None:
    meeting = arrange(scene)
    add = services.decision_add
    with pytest.raises(ValidationError, match="Give the reasons for this decision"):
        add(
            actor=scene.worker, meeting=meeting, expected_version=1, kind="section_47", reasons="  "
        )
    with pytest.raises(ValidationError, match="Choose a decision from the list"):
        add(actor=scene.worker, meeting=meeting, expected_version=1, kind="lock_up", reasons="x")
    add(actor=scene.worker, meeting=meeting, expected_version=1, kind="section_47", reasons="Harm")
    with pytest.raises(ValidationError, match="‘Section 47 enquiry’ is already recorded"):
        add(actor=scene.worker, meeting=meeting, expected_version=2, kind="section_47", reasons="x")
    with pytest.raises(ValidationError, match="cannot be recorded alongside other decisions"):
        add(actor=scene.worker, meeting=meeting, expected_version=2, kind="nfa", reasons="x")
    other = arrange(scene)
    add(actor=scene.worker, meeting=other, expected_version=1, kind="nfa", reasons="Safe now")
    with pytest.raises(ValidationError, match="No further action is already recorded"):
        add(
            actor=scene.worker,
            meeting=other,
            expected_version=2,
            kind="marve_referral",
            reasons="x",
        )


def test_a_section_47_enquiry_is_never_about_a_place(scene) -> None:
    meeting = arrange(scene, subject=scene.place)
    with pytest.raises(ValidationError, match="section 47 enquiry is about a child"):
        services.decision_add(
            actor=scene.worker, meeting=meeting, expected_version=1, kind="section_47", reasons="x"
        )


def test_an_action_is_not_due_before_the_meeting(scene) -> None:
    meeting = arrange(scene)
    with pytest.raises(ValidationError, match="on or after the meeting date"):
        services.action_add(
            actor=scene.worker,
            meeting=meeting,
            expected_version=1,
            description="Disruption visit",
            owner_agency=scene.police,
            due_on=timezone.localdate() - dt.timedelta(days=3),
        )
    action = services.action_add(
        actor=scene.worker,
        meeting=meeting,
        expected_version=1,
        description="Disruption visit to the chicken shop",
        owner_agency=scene.police,
        owner_name="PC Shah",
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    assert action.owner_name == "PC Shah"


# --- conflicts ---------------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_not_an_overwrite(scene) -> None:
    meeting = arrange(scene)
    services.attendee_add(
        actor=scene.worker, meeting=meeting, expected_version=1, agency=scene.csc, name="First"
    )
    stale = fresh(meeting)
    stale.version = 1
    with pytest.raises(EditConflict):
        services.checklist_save(
            actor=scene.worker,
            meeting=stale,
            expected_version=1,
            answers={"exploitation": ("no", "")},
        )
    with pytest.raises(EditConflict):
        services.attendee_add(
            actor=scene.worker, meeting=stale, expected_version=1, agency=scene.csc, name="Second"
        )
    assert fresh(meeting).threshold_checklist == {}
    assert list(meeting.attendees.values_list("name", flat=True)) == ["First"]


# --- concluding --------------------------------------------------------------------------------


def _conclude(scene, meeting, **kwargs):
    return services.meeting_conclude(
        actor=scene.worker, meeting=meeting, expected_version=meeting.version, **kwargs
    )


def test_an_empty_meeting_lists_every_reason_it_cannot_be_concluded(scene) -> None:
    meeting = arrange(scene, held_at=timezone.now() + dt.timedelta(days=2))
    with pytest.raises(ValidationError) as caught:
        _conclude(scene, meeting)
    messages = caught.value.messages
    assert len(messages) == 4
    assert "dated in the future" in messages[0]
    assert "at least 2 agencies that attended" in messages[1]
    assert "0 agencies have attended" in messages[1]
    assert "9 of 9 not answered yet" in messages[2]
    assert "at least one decision, with the reasons" in messages[3]
    assert fresh(meeting).status == MeetingStatus.PLANNED


def test_apologies_do_not_count_as_attending(scene) -> None:
    meeting = ready_to_conclude(scene, arrange(scene))
    meeting.attendees.filter(agency=scene.police).update(attended=False)
    with pytest.raises(ValidationError, match="1 agency has attended so far"):
        _conclude(scene, meeting)


def test_every_checklist_question_must_be_answered(scene) -> None:
    meeting = ready_to_conclude(scene, arrange(scene))
    services.checklist_save(
        actor=scene.worker,
        meeting=meeting,
        expected_version=meeting.version,
        answers={"s47_threshold": ("yes", ""), "trafficking": ("", "we ran out of time")},
    )
    with pytest.raises(ValidationError, match="8 of 9 not answered yet"):
        _conclude(scene, meeting)


def test_the_police_and_childrens_social_care_are_expected(scene) -> None:
    meeting = arrange(scene)
    services.attendee_add(
        actor=scene.worker, meeting=meeting, expected_version=1, agency=scene.school, name="DSL"
    )
    warnings = attendance_warnings(meeting.attendees.select_related("agency"))
    assert len(warnings) == 2
    assert "police have not attended" in warnings[0]
    assert "Children's social care has not attended" in warnings[1]
    ready_to_conclude(scene, meeting)
    assert attendance_warnings(meeting.attendees.select_related("agency")) == []


def test_concluding_makes_the_record_read_only_except_action_completion(scene) -> None:
    meeting = ready_to_conclude(scene, arrange(scene))
    action = services.action_add(
        actor=scene.worker,
        meeting=meeting,
        expected_version=meeting.version,
        description="Return home interview",
        owner_agency=scene.csc,
        due_on=timezone.localdate(),
    )
    meeting, referral = _conclude(scene, meeting, summary="Section 47 enquiry to start today.")
    assert referral is None
    meeting = fresh(meeting)
    assert meeting.status == MeetingStatus.CONCLUDED and meeting.concluded_at is not None
    assert meeting.summary == "Section 47 enquiry to start today."
    v = meeting.version
    attempts = [
        lambda: services.attendee_add(
            actor=scene.worker, meeting=meeting, expected_version=v, agency=scene.csc, name="Late"
        ),
        lambda: services.checklist_save(
            actor=scene.worker, meeting=meeting, expected_version=v, answers={}
        ),
        lambda: services.decision_add(
            actor=scene.worker,
            meeting=meeting,
            expected_version=v,
            kind="cse_conference",
            reasons="x",
        ),
        lambda: services.meeting_update(
            actor=scene.worker,
            meeting=meeting,
            expected_version=v,
            held_at=yesterday_at(),
            chair=scene.worker,
            reason="Changed",
        ),
        lambda: services.action_remove(
            actor=scene.worker, meeting=meeting, expected_version=v, action=action
        ),
        lambda: _conclude(scene, meeting),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="has been concluded"):
            attempt()
    services.action_complete(actor=scene.worker, action=action)
    assert MeetingAction.objects.get(pk=action.pk).completed_on == timezone.localdate()
    with pytest.raises(ValidationError, match="already been marked as completed"):
        services.action_complete(actor=scene.worker, action=action)


def test_the_chair_hears_when_someone_else_concludes(scene, personas) -> None:
    chair = personas["team_manager"]
    meeting = ready_to_conclude(scene, arrange(scene, chair=chair))
    Notification.objects.all().delete()
    _conclude(scene, meeting)
    note = Notification.objects.get(recipient=chair)
    assert "concluded the strategy meeting you chaired" in note.message
    assert "The summary is due by" in note.message


def test_concluding_with_a_marve_decision_refers_exactly_once(scene, personas) -> None:
    meeting = ready_to_conclude(scene, arrange(scene), decisions=("marve_referral",))
    meeting, referral = _conclude(scene, meeting, what_has_been_tried="Youth worker since June")
    assert referral is not None
    assert referral.person == scene.child and referral.strategy_meeting == meeting
    assert referral.referral_type == "individual"
    assert referral.reason == "Because the meeting agreed: marve_referral"
    assert referral.what_has_been_tried == "Youth worker since June"
    with pytest.raises(ValidationError, match="has been concluded"):
        _conclude(scene, fresh(meeting))
    with pytest.raises(ValidationError, match="already been made from this meeting"):
        services.marve_referral_create(
            actor=scene.worker,
            subject=scene.child,
            referral_type="individual",
            reason="Again",
            meeting=meeting,
        )
    assert MarveReferral.objects.count() == 1
    with pytest.raises(IntegrityError):
        MarveReferral.objects.create(
            person=scene.child,
            referral_type="individual",
            strategy_meeting=meeting,
            reason="The database refuses a second one too",
            recording_agency=scene.csc,
            recorded_by=scene.worker,
        )


def test_a_marve_referral_tells_cs_leads_and_panel_chairs_without_naming_the_child(
    scene, personas
) -> None:
    meeting = ready_to_conclude(scene, arrange(scene), decisions=("marve_referral",))
    _conclude(scene, meeting)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"cs_lead", "panel_chair"}
    message = Notification.objects.get(recipient=personas["cs_lead"]).message
    assert "MARVE referral" in message
    assert scene.child.given_name not in message
    assert (
        AccessEvent.objects.filter(
            action=AccessAction.CREATE, object_type="meetings.marvereferral"
        ).count()
        == 1
    )


@pytest.mark.parametrize(("kind", "expected"), [("location", "location"), ("peer_group", "group")])
def test_a_context_meeting_refers_the_place_or_group(scene, kind: str, expected: str) -> None:
    subject = scene.place if kind == "location" else scene.group
    meeting = ready_to_conclude(
        scene, arrange(scene, subject=subject), decisions=("marve_referral", "context_assessment")
    )
    _meeting, referral = _conclude(scene, meeting)
    assert referral is not None
    assert referral.context == subject and referral.person is None
    assert referral.referral_type == expected


def test_an_adult_of_concern_is_referred_as_a_possible_perpetrator(scene) -> None:
    adult = make_person(scene.worker, kind="adult_of_concern", given_name="Dean", family_name="M")
    assert services.default_referral_type(adult) == "possible_perpetrator"
    assert services.default_referral_type(scene.child) == "individual"


def test_concluding_with_a_stale_version_is_a_conflict(scene) -> None:
    meeting = ready_to_conclude(scene, arrange(scene), decisions=("marve_referral",))
    with pytest.raises(EditConflict):
        services.meeting_conclude(actor=scene.worker, meeting=meeting, expected_version=1)
    assert fresh(meeting).status == MeetingStatus.PLANNED
    assert not MarveReferral.objects.exists()


# --- the summary -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "due"),
    [
        ((2026, 11, 25, 14, 0), dt.date(2026, 11, 27)),  # Wednesday -> Friday
        ((2026, 11, 27, 9, 30), dt.date(2026, 12, 1)),  # Friday -> over the weekend
        ((2026, 12, 24, 10, 0), dt.date(2026, 12, 30)),  # Christmas, Boxing Day (Mon)
        ((2027, 3, 25, 10, 0), dt.date(2027, 3, 31)),  # Good Friday, Easter Monday
        ((2026, 11, 25, 23, 30), dt.date(2026, 11, 27)),  # late evening, London time
    ],
)
def test_the_summary_is_due_two_working_days_after_the_meeting(
    scene, held: tuple[int, int, int, int, int], due: dt.date
) -> None:
    meeting = arrange(scene, held_at=timezone.make_aware(dt.datetime(*held)))  # noqa: DTZ001
    assert summary_due_on(meeting) == due


def test_recording_the_summary_sent(scene) -> None:
    meeting = arrange(scene)
    today = timezone.localdate()
    sent = services.meeting_summary_sent
    with pytest.raises(ValidationError, match="Conclude the meeting before"):
        sent(actor=scene.worker, meeting=meeting, expected_version=1, sent_on=today)
    meeting = ready_to_conclude(scene, meeting)
    meeting, _ = _conclude(scene, meeting)
    v = meeting.version
    with pytest.raises(ValidationError, match="cannot be in the future"):
        sent(
            actor=scene.worker, meeting=meeting, expected_version=v, sent_on=today + dt.timedelta(1)
        )
    with pytest.raises(ValidationError, match="cannot be sent before the meeting"):
        sent(
            actor=scene.worker, meeting=meeting, expected_version=v, sent_on=today - dt.timedelta(9)
        )
    sent(actor=scene.worker, meeting=meeting, expected_version=v, sent_on=today)
    assert fresh(meeting).summary_sent_on == today
    with pytest.raises(ValidationError, match="already been recorded as sent"):
        sent(actor=scene.worker, meeting=meeting, expected_version=v + 1, sent_on=today)


# --- MARVE referrals ---------------------------------------------------------------------------


def test_a_referral_type_must_fit_its_subject_and_needs_a_reason(scene) -> None:
    create = services.marve_referral_create
    with pytest.raises(ValidationError, match="Choose a location or a group"):
        create(actor=scene.worker, subject=scene.place, referral_type="individual", reason="x")
    with pytest.raises(ValidationError, match="Choose an individual child"):
        create(actor=scene.worker, subject=scene.child, referral_type="group", reason="x")
    with pytest.raises(ValidationError, match="Say why you are referring"):
        create(actor=scene.worker, subject=scene.child, referral_type="individual", reason=" ")
    other = arrange(scene, subject=scene.place)
    with pytest.raises(ValidationError, match="about someone else"):
        create(
            actor=scene.worker,
            subject=scene.child,
            referral_type="individual",
            reason="x",
            meeting=other,
        )
    assert not MarveReferral.objects.exists()


def _referral(scene):
    return services.marve_referral_create(
        actor=scene.worker,
        subject=scene.child,
        referral_type="individual",
        reason="Running for a line",
        what_has_been_tried="Mentoring",
    )


def test_the_panel_accepts_then_hears_a_referral(scene, personas) -> None:
    referral = _referral(scene)
    chair = personas["panel_chair"]
    with pytest.raises(ValidationError, match="Accept the referral for a panel before"):
        services.marve_referral_mark_heard(actor=chair, referral=referral, expected_version=1)
    services.marve_referral_accept(actor=chair, referral=referral, expected_version=1)
    with pytest.raises(ValidationError, match="Only a referral waiting for a decision can be"):
        services.marve_referral_decline(
            actor=chair, referral=referral, expected_version=2, reason="Changed our minds"
        )
    services.marve_referral_mark_heard(
        actor=chair, referral=referral, expected_version=2, reason="Plan agreed"
    )
    referral.refresh_from_db()
    assert referral.status == "heard" and referral.status_reason == "Plan agreed"
    notes = Notification.objects.filter(recipient=scene.worker).values_list("message", flat=True)
    assert any("accepted for a panel" in n for n in notes)
    assert any("heard at a panel" in n for n in notes)
    changes = AccessEvent.objects.filter(
        action=AccessAction.CHANGE, object_type="meetings.marvereferral", object_id=str(referral.pk)
    )
    assert [e.changes["status"] for e in changes.order_by("sequence")] == [
        ["referred", "accepted"],
        ["accepted", "heard"],
    ]


def test_declining_needs_a_reason_and_a_current_version(scene, personas) -> None:
    referral = _referral(scene)
    lead = personas["cs_lead"]
    with pytest.raises(ValidationError, match="Say why the panel is declining"):
        services.marve_referral_decline(
            actor=lead, referral=referral, expected_version=1, reason=""
        )
    with pytest.raises(EditConflict):
        services.marve_referral_decline(
            actor=lead, referral=referral, expected_version=7, reason="Not exploitation"
        )
    referral.refresh_from_db()
    assert referral.status == "referred"
    services.marve_referral_decline(
        actor=lead, referral=referral, expected_version=1, reason="Not exploitation: early help"
    )
    referral.refresh_from_db()
    assert referral.status == "declined"
    assert referral.status_reason == "Not exploitation: early help"


def test_the_chair_list_holds_only_case_workers_of_the_agency(scene, personas) -> None:
    from meetings.forms import chair_choices

    other = UserFactory.create(
        agency=AgencyFactory.create(name="Elsewhere"), roles=["practitioner"]
    )
    chairs = set(chair_choices(scene.worker))
    assert personas["team_manager"] in chairs and scene.worker in chairs
    assert personas["administrator"] not in chairs and personas["no_role"] not in chairs
    assert other not in chairs
