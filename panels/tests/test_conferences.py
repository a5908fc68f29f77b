"""CS&E conferences through their services: timescales, the independent chair, the plans each
form may agree, and the review limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from casework.models import KeyLeadAllocation
from casework.services import key_lead_allocate
from contexts.models import Context
from meetings.models import StrategyMeeting
from meetings.services import meeting_create
from panels import conferences, services
from panels.models import (
    AgendaItem,
    ConferenceForm,
    ConferenceStage,
    ItemSource,
    Meeting,
    MeetingKind,
)
from people.models import Person
from plans.models import Plan, PlanKind, Review
from plans.services import add_months, plan_create
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def last_weekday(before: dt.date) -> dt.date:
    day = before - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def next_weekday(after: dt.date) -> dt.date:
    day = after + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def organiser(personas: dict[str, User]) -> User:
    return personas["cs_lead"]


@pytest.fixture
def strategy(personas: dict[str, User], child: Person) -> StrategyMeeting:
    return meeting_create(
        actor=personas["practitioner"],
        subject=child,
        held_at=at(dt.date(2026, 8, 24)),
        chair=personas["team_manager"],
        reason="Found in a trap house in another county after three missing episodes.",
    )


def book(actor: User, chair: User, **fields: Any) -> Meeting:
    values: dict[str, Any] = {
        "form": ConferenceForm.CHILD_EFH,
        "stage": ConferenceStage.INITIAL,
        "scheduled_for": at(last_weekday(timezone.localdate())),
        "reason": "Criminal exploitation through a county line; the family are protective.",
    }
    values.update(fields)
    return conferences.conference_create(actor=actor, chair=chair, **values)


def hold(chair: User, meeting: Meeting) -> Meeting:
    return services.meeting_hold(actor=chair, meeting=meeting, expected_version=meeting.version)


def decide(chair: User, meeting: Meeting, **fields: Any) -> conferences.Decision:
    meeting.refresh_from_db()
    values: dict[str, Any] = {
        "plan_kind": PlanKind.CSE_PLAN,
        "key_lead": None,
        "review_on": timezone.localdate() + dt.timedelta(weeks=6),
        "decision": "A CS&E plan, with a key lead from the Adolescent Safeguarding team.",
        "efh_harm_types": ["cce", "county_lines"],
    }
    values.update(fields)
    return conferences.decision_record(
        actor=chair, meeting=meeting, expected_version=meeting.version, **values
    )


# --- booking ------------------------------------------------------------------------------------


def test_booking_creates_the_conference_its_subject_and_invites_the_chair(
    organiser: User, chair: User, child: Person, strategy: StrategyMeeting
) -> None:
    meeting = book(
        organiser,
        chair,
        person=child,
        strategy_meeting=strategy,
        scheduled_for=at(dt.date(2026, 9, 10)),
    )
    assert meeting.kind == MeetingKind.CONFERENCE
    item = AgendaItem.objects.get(meeting=meeting)
    assert (item.person, item.source, item.strategy_meeting) == (
        child,
        ItemSource.CONFERENCE,
        strategy,
    )
    invited = {p.user.username: p.role for p in meeting.participants.all() if p.user}
    assert invited == {"panel_chair": "Independent chair", "cs_lead": "Booked the conference"}
    assert meeting.title == "CS&E conference"


def test_initial_conference_due_15_working_days_after_strategy_meeting_not_counting_bank_holidays(
    organiser: User, chair: User, child: Person, strategy: StrategyMeeting
) -> None:
    # Monday 24 August 2026 + 15 working days, over the summer bank holiday (31 August).
    meeting = book(
        organiser,
        chair,
        person=child,
        strategy_meeting=strategy,
        scheduled_for=at(dt.date(2026, 9, 15)),
    )
    assert meeting.due_by == dt.date(2026, 9, 15)
    assert not conferences.is_late(meeting)


def test_a_conference_after_its_due_date_is_booked_with_a_warning_not_refused(
    organiser: User, chair: User, child: Person, strategy: StrategyMeeting
) -> None:
    meeting = book(
        organiser,
        chair,
        person=child,
        strategy_meeting=strategy,
        scheduled_for=at(dt.date(2026, 9, 16)),
    )
    assert conferences.is_late(meeting)


def test_no_conference_at_a_weekend(organiser: User, chair: User, child: Person) -> None:
    with pytest.raises(ValidationError) as error:
        book(organiser, chair, person=child, scheduled_for=at(dt.date(2026, 9, 12)))
    assert "never held at weekends" in error.value.message_dict["scheduled_for"][0]
    assert not Meeting.objects.filter(kind=MeetingKind.CONFERENCE).exists()


def test_not_before_the_strategy_meeting(
    organiser: User, chair: User, child: Person, strategy: StrategyMeeting
) -> None:
    with pytest.raises(ValidationError, match="on or after 24 August 2026"):
        book(
            organiser,
            chair,
            person=child,
            strategy_meeting=strategy,
            scheduled_for=at(dt.date(2026, 8, 21)),
        )


def test_the_chair_must_be_a_panel_chair(
    organiser: User, personas: dict[str, User], child: Person
) -> None:
    with pytest.raises(ValidationError, match="not a panel chair"):
        book(organiser, personas["practitioner"], person=child)


def test_the_chair_cannot_be_the_childs_key_lead(
    organiser: User, chair: User, child: Person, personas: dict[str, User]
) -> None:
    key_lead_allocate(
        actor=personas["team_manager"],
        lead=chair,
        started_on=timezone.localdate(),
        reason="Allocated",
        expected_current_id=None,
        person=child,
    )
    with pytest.raises(ValidationError, match="key lead, so cannot chair independently"):
        book(organiser, chair, person=child)


def test_the_chair_cannot_be_the_strategy_meetings_chair(
    organiser: User, chair: User, child: Person, personas: dict[str, User]
) -> None:
    chaired = meeting_create(
        actor=personas["practitioner"],
        subject=child,
        held_at=at(dt.date(2026, 8, 24)),
        chair=chair,
        reason="Missing three times.",
    )
    with pytest.raises(ValidationError, match="chaired the strategy meeting"):
        book(organiser, chair, person=child, strategy_meeting=chaired)


def test_only_organisers_book_conferences(
    personas: dict[str, User], chair: User, child: Person
) -> None:
    with pytest.raises(PermissionDenied):
        book(personas["practitioner"], chair, person=child)


def test_each_form_needs_its_subject(
    organiser: User, chair: User, child: Person, place: Context, personas: dict[str, User]
) -> None:
    with pytest.raises(ValidationError, match="needs the child"):
        book(organiser, chair, context=place)
    with pytest.raises(ValidationError, match="place, peer group or school"):
        book(organiser, chair, form=ConferenceForm.CONTEXT, person=child)
    parent = make_person(personas["practitioner"], kind="parent_carer", given_name="Ann")
    with pytest.raises(ValidationError, match="for a young person"):
        book(organiser, chair, person=parent)
    context_conference = book(organiser, chair, form=ConferenceForm.CONTEXT, context=place)
    assert context_conference.title == "Context conference"
    assert context_conference.due_by is None


def test_one_open_conference_per_subject(organiser: User, chair: User, child: Person) -> None:
    book(organiser, chair, person=child)
    with pytest.raises(ValidationError, match="already booked"):
        book(organiser, chair, person=child)


# --- the decision -------------------------------------------------------------------------------


def test_an_efh_conference_agrees_a_cse_plan_with_key_lead_and_review_date(
    organiser: User, chair: User, child: Person, personas: dict[str, User]
) -> None:
    meeting = hold(chair, book(organiser, chair, person=child))
    review_on = timezone.localdate() + dt.timedelta(weeks=8)
    result = decide(chair, meeting, key_lead=personas["practitioner"], review_on=review_on)
    plan = Plan.objects.get(person=child)
    assert result.plan == plan
    assert (plan.kind, plan.next_review_due, plan.efh_harm_types) == (
        PlanKind.CSE_PLAN,
        review_on,
        ["cce", "county_lines"],
    )
    assert AgendaItem.objects.get(meeting=meeting).plan == plan
    lead = KeyLeadAllocation.objects.get(person=child, ended_on__isnull=True)
    assert lead.lead == personas["practitioner"]


@pytest.mark.parametrize(
    ("form", "allowed", "refused"),
    [
        (ConferenceForm.CHILD_BOTH, PlanKind.CHILD_PROTECTION, PlanKind.CHILD_IN_NEED),
        (ConferenceForm.CHILD_EFH, PlanKind.CHILD_IN_NEED, PlanKind.CHILD_PROTECTION),
        (ConferenceForm.CONTEXT, PlanKind.CONTEXT_SAFETY, PlanKind.CSE_PLAN),
    ],
)
def test_each_form_agrees_only_the_plans_that_fit_it(
    organiser: User,
    chair: User,
    child: Person,
    place: Context,
    personas: dict[str, User],
    form: str,
    allowed: str,
    refused: str,
) -> None:
    subject: dict[str, Any] = (
        {"context": place} if form == ConferenceForm.CONTEXT else {"person": child}
    )
    meeting = hold(chair, book(organiser, chair, form=form, **subject))
    lead = personas["practitioner"]
    with pytest.raises(ValidationError) as error:
        decide(chair, meeting, plan_kind=refused, key_lead=lead)
    assert "plan_kind" in error.value.message_dict
    result = decide(chair, meeting, plan_kind=allowed, key_lead=lead, cp_category="MUL")
    assert result.plan is not None and result.plan.kind == allowed


def test_no_plan_is_a_valid_decision_for_an_efh_conference(
    organiser: User, chair: User, child: Person
) -> None:
    meeting = hold(chair, book(organiser, chair, person=child))
    result = decide(chair, meeting, plan_kind="", review_on=None)
    assert result.plan is None
    assert not Plan.objects.filter(person=child).exists()
    assert AgendaItem.objects.get(meeting=meeting).decision.startswith("A CS&E plan")


def test_the_first_review_is_within_3_months_of_an_initial_conference(
    organiser: User, chair: User, child: Person, personas: dict[str, User]
) -> None:
    meeting = hold(chair, book(organiser, chair, person=child))
    latest = add_months(timezone.localdate(), 3)
    with pytest.raises(ValidationError) as error:
        decide(
            chair,
            meeting,
            key_lead=personas["practitioner"],
            review_on=latest + dt.timedelta(days=1),
        )
    assert "within 3 months" in error.value.message_dict["review_on"][0]
    assert not Plan.objects.exists()
    decide(chair, meeting, key_lead=personas["practitioner"], review_on=latest)


def test_the_chair_cannot_be_the_key_lead_nor_decide_before_the_conference(
    organiser: User, chair: User, child: Person, personas: dict[str, User]
) -> None:
    future = book(
        organiser, chair, person=child, scheduled_for=at(next_weekday(timezone.localdate()))
    )
    with pytest.raises(ValidationError, match="at the conference or after"):
        decide(chair, future, key_lead=personas["practitioner"])
    services.meeting_cancel(
        actor=chair, meeting=future, expected_version=future.version, reason="Rebooked"
    )
    meeting = hold(chair, book(organiser, chair, person=child))
    with pytest.raises(ValidationError) as error:
        decide(chair, meeting, key_lead=chair)
    assert "independent" in error.value.message_dict["key_lead"][0]
    with pytest.raises(PermissionDenied):
        decide(personas["practitioner"], meeting, key_lead=personas["practitioner"])


def test_a_review_conference_reviews_the_plan_it_was_booked_for(
    organiser: User, chair: User, child: Person, personas: dict[str, User]
) -> None:
    plan = plan_create(
        actor=personas["practitioner"],
        kind=PlanKind.CSE_PLAN,
        started_on=timezone.localdate() - dt.timedelta(weeks=10),
        person=child,
        efh_harm_types=["cce"],
        next_review_due=timezone.localdate() + dt.timedelta(days=3),
    )
    meeting = book(organiser, chair, person=child, stage=ConferenceStage.REVIEW, review_of=plan)
    assert meeting.due_by == plan.next_review_due
    assert meeting.title == "CS&E review conference"
    hold(chair, meeting)
    too_late = add_months(timezone.localdate(), 6) + dt.timedelta(days=1)
    review_fields = {
        "key_lead": personas["practitioner"],
        "progress": "No missing episodes since the plan started.",
        "situation": "Attending college; still in contact with one older male.",
    }
    with pytest.raises(ValidationError) as error:
        decide(chair, meeting, review_on=too_late, **review_fields)
    assert "within 6 months" in error.value.message_dict["review_on"][0]
    next_review = add_months(timezone.localdate(), 6)
    result = decide(chair, meeting, review_on=next_review, **review_fields)
    assert result.plan == plan and Plan.objects.count() == 1
    review = Review.objects.get(plan=plan)
    assert review.next_review_due == next_review
    plan.refresh_from_db()
    assert plan.next_review_due == next_review
    assert AgendaItem.objects.get(meeting=meeting).plan == plan


def test_a_review_conference_needs_an_active_plan_of_its_subject(
    organiser: User, chair: User, child: Person, second_child: Person, personas: dict[str, User]
) -> None:
    plan = plan_create(
        actor=personas["practitioner"],
        kind=PlanKind.CSE_PLAN,
        started_on=timezone.localdate(),
        person=second_child,
        efh_harm_types=["cce"],
    )
    with pytest.raises(ValidationError, match="this conference's subject"):
        book(organiser, chair, person=child, stage=ConferenceStage.REVIEW, review_of=plan)
    with pytest.raises(ValidationError, match="Choose the plan"):
        book(organiser, chair, person=child, stage=ConferenceStage.REVIEW)


def test_views_are_recorded_with_the_version_loaded(
    organiser: User, chair: User, child: Person
) -> None:
    meeting = book(organiser, chair, person=child)
    stale = meeting.version
    conferences.views_record(
        actor=chair,
        meeting=meeting,
        expected_version=stale,
        young_person_views="I want to stay at college.",
        family_views="",
    )
    from contextsafe.lib.concurrency import EditConflict

    with pytest.raises(EditConflict):
        conferences.views_record(
            actor=chair,
            meeting=meeting,
            expected_version=stale,
            young_person_views="Overwritten",
            family_views="",
        )
    meeting.refresh_from_db()
    assert meeting.young_person_views == "I want to stay at college."


def test_views_at_a_context_conference_are_not_for_partners_outside_statutory_agencies(
    organiser: User, chair: User, place: Context, youth_worker: User
) -> None:
    meeting = book(organiser, chair, form=ConferenceForm.CONTEXT, context=place)
    conferences.invite(actor=chair, meeting=meeting, user=youth_worker, role="Detached youth work")
    with pytest.raises(PermissionDenied):
        conferences.views_record(
            actor=youth_worker,
            meeting=meeting,
            expected_version=meeting.version,
            young_person_views="Views",
            family_views="",
        )
