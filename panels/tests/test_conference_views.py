"""CS&E conferences through the pages, as the chair, the agencies and a partner outside the
statutory agencies use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from casework.models import KeyLeadAllocation
from contexts.models import Context
from meetings.models import StrategyMeeting
from meetings.services import meeting_create
from panels import conferences, services
from panels.models import (
    AgendaItem,
    ConferenceForm,
    ConferenceStage,
    ContributionAudience,
    Meeting,
    MeetingStatus,
)
from people.models import Person
from plans.models import Plan, PlanKind
from plans.services import add_months

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def weekday_before(day: dt.date, days: int) -> dt.date:
    day -= dt.timedelta(days=days)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


@pytest.fixture
def strategy(personas: dict[str, User], child: Person) -> StrategyMeeting:
    return meeting_create(
        actor=personas["practitioner"],
        subject=child,
        held_at=at(weekday_before(timezone.localdate(), 10)),
        chair=personas["team_manager"],
        reason="Found in a trap house in another county after three missing episodes.",
    )


def test_an_efh_only_conference_from_booking_to_a_cse_plan(
    client_for: ClientFor,
    personas: dict[str, User],
    chair: User,
    officer: User,
    child: Person,
    strategy: StrategyMeeting,
) -> None:
    organiser = client_for(personas["cs_lead"])
    book_url = reverse("panels:conference_create") + f"?strategy_meeting={strategy.pk}"
    page = organiser.get(book_url)
    assert page.status_code == 200
    due = conferences.initial_due_by(strategy)
    assert f"{due.day} {due:%B %Y}" in page.content.decode()
    conference_day = weekday_before(timezone.localdate(), 1)
    booked = organiser.post(
        book_url,
        {
            "form": ConferenceForm.CHILD_EFH,
            "stage": ConferenceStage.INITIAL,
            **date_fields("scheduled_on", conference_day),
            "scheduled_time": "10:00",
            "venue": "Guildhall, room 4",
            "chair": chair.pk,
            "reason": "Criminal exploitation through a county line; the family are protective.",
        },
    )
    assert booked.status_code == 302, booked.content.decode()
    meeting = Meeting.objects.get(form=ConferenceForm.CHILD_EFH)
    assert booked["Location"] == reverse("panels:meeting_detail", args=[meeting.pk])
    assert meeting.strategy_meeting == strategy and meeting.due_by == due

    as_chair = client_for(chair)
    invited = as_chair.post(
        reverse("panels:participant_add", args=[meeting.pk]),
        {"user": officer.pk, "role": "Exploitation officer"},
    )
    assert invited.status_code == 302
    assert meeting.participants.filter(user=officer).exists()

    item = AgendaItem.objects.get(meeting=meeting)
    services.contribution_add(
        actor=officer,
        item=item,
        text="Two stop-checks with older males linked to the line; a CAWN is being considered.",
    )

    views_url = reverse("panels:conference_views", args=[meeting.pk])
    meeting.refresh_from_db()
    saved = as_chair.post(
        views_url,
        {
            "version": meeting.version,
            "young_person_views": "I want to finish college and not go back there.",
            "family_views": "Mum wants help to keep her safe at night.",
        },
    )
    assert saved.status_code == 302

    meeting.refresh_from_db()
    services.meeting_hold(actor=chair, meeting=meeting, expected_version=meeting.version)

    detail = as_chair.get(reverse("panels:meeting_detail", args=[meeting.pk])).content.decode()
    assert "I want to finish college" in detail
    assert reverse("panels:conference_decision", args=[meeting.pk]) in detail
    assert "Two stop-checks" in detail

    decision_url = reverse("panels:conference_decision", args=[meeting.pk])
    form_page = as_chair.get(decision_url).content.decode()
    assert "CS&amp;E plan" in form_page and "Child in need plan" in form_page
    assert "Child protection plan" not in form_page
    limit = add_months(timezone.localdate(), 3)
    assert f"{limit.day} {limit:%B %Y}" in form_page

    meeting.refresh_from_db()
    review_on = timezone.localdate() + dt.timedelta(weeks=6)
    decided = as_chair.post(
        decision_url,
        {
            "version": meeting.version,
            "plan_kind": PlanKind.CSE_PLAN,
            "efh_harm_types": ["cce", "county_lines"],
            "key_lead": personas["practitioner"].pk,
            **date_fields("review_on", review_on),
            "decision": "A CS&E plan; the key lead visits weekly and meets her at college.",
        },
    )
    plan = Plan.objects.get(person=child)
    assert decided.status_code == 302
    assert decided["Location"] == reverse("plans:plan_detail", args=[plan.pk])
    assert (plan.kind, plan.next_review_due) == (PlanKind.CSE_PLAN, review_on)
    lead = KeyLeadAllocation.objects.get(person=child, ended_on__isnull=True)
    assert lead.lead == personas["practitioner"]
    item.refresh_from_db()
    assert item.plan == plan

    detail = as_chair.get(reverse("panels:meeting_detail", args=[meeting.pk])).content.decode()
    assert reverse("plans:plan_detail", args=[plan.pk]) in detail
    assert "the key lead visits weekly" in detail


def test_a_weekend_date_is_refused_and_what_was_typed_stays(
    client_for: ClientFor, personas: dict[str, User], chair: User, child: Person
) -> None:
    organiser = client_for(personas["cs_lead"])
    saturday = timezone.localdate() + dt.timedelta(days=(5 - timezone.localdate().weekday()) % 7)
    response = organiser.post(
        reverse("panels:conference_create") + f"?person={child.pk}",
        {
            "form": ConferenceForm.CHILD_BOTH,
            "stage": ConferenceStage.INITIAL,
            **date_fields("scheduled_on", saturday),
            "scheduled_time": "10:00",
            "chair": chair.pk,
            "reason": "Neglect at home and exploitation outside it.",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "is at a weekend" in html
    assert "Neglect at home and exploitation outside it." in html
    assert not Meeting.objects.exists()


def test_a_conference_booked_late_is_flagged_on_the_list(
    client_for: ClientFor,
    personas: dict[str, User],
    chair: User,
    child: Person,
    strategy: StrategyMeeting,
) -> None:
    late_day = conferences.initial_due_by(strategy) + dt.timedelta(days=1)
    while late_day.weekday() >= 5:
        late_day += dt.timedelta(days=1)
    conferences.conference_create(
        actor=personas["cs_lead"],
        form=ConferenceForm.CHILD_EFH,
        stage=ConferenceStage.INITIAL,
        scheduled_for=at(late_day),
        chair=chair,
        reason="Exploitation.",
        person=child,
        strategy_meeting=strategy,
    )
    html = client_for(chair).get(reverse("panels:conference_list")).content.decode()
    assert "Tayla" in html
    assert ">Late<" in html


def test_only_the_chair_records_the_decision(
    client_for: ClientFor, personas: dict[str, User], chair: User, child: Person
) -> None:
    meeting = conferences.conference_create(
        actor=personas["cs_lead"],
        form=ConferenceForm.CHILD_EFH,
        stage=ConferenceStage.INITIAL,
        scheduled_for=at(weekday_before(timezone.localdate(), 1)),
        chair=chair,
        reason="Exploitation.",
        person=child,
    )
    url = reverse("panels:conference_decision", args=[meeting.pk])
    assert client_for(personas["cs_lead"]).get(url).status_code in (403, 404)
    assert client_for(chair).get(url).status_code == 200


def test_views_saved_over_someone_elses_change_show_a_conflict(
    client_for: ClientFor, personas: dict[str, User], chair: User, child: Person
) -> None:
    meeting = conferences.conference_create(
        actor=personas["cs_lead"],
        form=ConferenceForm.CHILD_EFH,
        stage=ConferenceStage.INITIAL,
        scheduled_for=at(weekday_before(timezone.localdate(), 1)),
        chair=chair,
        reason="Exploitation.",
        person=child,
    )
    loaded = meeting.version
    conferences.views_record(
        actor=personas["cs_lead"],
        meeting=meeting,
        expected_version=loaded,
        young_person_views="Said first.",
        family_views="",
    )
    response = client_for(chair).post(
        reverse("panels:conference_views", args=[meeting.pk]),
        {"version": loaded, "young_person_views": "Said second.", "family_views": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="edit-conflict"' in html
    assert "Said second." in html and "Said first." in html
    meeting.refresh_from_db()
    assert meeting.young_person_views == "Said first."


# --- a context conference names no children to partners outside the statutory agencies ----------


@pytest.fixture
def context_conference(
    personas: dict[str, User], chair: User, place: Context, youth_worker: User, officer: User
) -> Meeting:
    meeting = conferences.conference_create(
        actor=personas["cs_lead"],
        form=ConferenceForm.CONTEXT,
        stage=ConferenceStage.INITIAL,
        scheduled_for=at(weekday_before(timezone.localdate(), 1)),
        chair=chair,
        reason="Older males approach children waiting for buses after school.",
        context=place,
    )
    for user in (youth_worker, officer):
        conferences.invite(actor=chair, meeting=meeting, user=user, role="Partner")
    item = AgendaItem.objects.get(meeting=meeting)
    services.contribution_add(
        actor=officer,
        item=item,
        text="Tayla Brennan was seen there twice with an adult of concern.",
        audience=ContributionAudience.STATUTORY,
    )
    services.contribution_add(
        actor=youth_worker, item=item, text="Groups gather by the east stands after 4pm."
    )
    conferences.views_record(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        young_person_views="Tayla says the shelter by stand E feels unsafe.",
        family_views="",
    )
    meeting.refresh_from_db()
    return meeting


def _pages(meeting: Meeting) -> list[str]:
    return [
        reverse("panels:meeting_detail", args=[meeting.pk]),
        reverse("panels:conference_list"),
    ]


def test_a_partner_outside_the_statutory_agencies_never_sees_a_childs_name(
    client_for: ClientFor, context_conference: Meeting, youth_worker: User, place: Context
) -> None:
    client = client_for(youth_worker)
    for url in _pages(context_conference):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert place.name in html
        assert "Tayla" not in html and "Brennan" not in html, url
    detail = client.get(_pages(context_conference)[0]).content.decode()
    assert "Older males approach children" in detail
    assert "east stands after 4pm" in detail
    views_url = reverse("panels:conference_views", args=[context_conference.pk])
    assert client.get(views_url).status_code == 404


def test_the_statutory_agencies_hear_the_names_at_a_context_conference(
    client_for: ClientFor, context_conference: Meeting, officer: User
) -> None:
    detail = client_for(officer).get(_pages(context_conference)[0]).content.decode()
    assert "Tayla Brennan was seen there" in detail
    assert "shelter by stand E" in detail


def test_the_decision_and_plan_reach_the_partner_only_as_far_as_they_may_see(
    client_for: ClientFor,
    context_conference: Meeting,
    chair: User,
    youth_worker: User,
    personas: dict[str, User],
) -> None:
    services.meeting_hold(
        actor=chair, meeting=context_conference, expected_version=context_conference.version
    )
    context_conference.refresh_from_db()
    result = conferences.decision_record(
        actor=chair,
        meeting=context_conference,
        expected_version=context_conference.version,
        plan_kind=PlanKind.CONTEXT_SAFETY,
        key_lead=personas["practitioner"],
        review_on=timezone.localdate() + dt.timedelta(weeks=6),
        decision="A context safety plan: patrols, a guardian at the shelter, detached youth work.",
    )
    assert result.plan is not None
    assert context_conference.status == MeetingStatus.HELD
    html = client_for(youth_worker).get(_pages(context_conference)[0]).content.decode()
    assert "A context safety plan: patrols" in html
    assert "Tayla" not in html and "Brennan" not in html
    plan_link = reverse("plans:plan_detail", args=[result.plan.pk])
    may_view = youth_worker.has_perm("plans.view_plan", result.plan)
    assert (plan_link in html) == may_view


def test_booking_a_context_conference_from_the_context(
    client_for: ClientFor, personas: dict[str, User], chair: User, place: Context
) -> None:
    organiser = client_for(personas["cs_lead"])
    url = reverse("panels:conference_create") + f"?context={place.pk}"
    page = organiser.get(url).content.decode()
    assert "Name no children" in page
    assert ConferenceForm.CHILD_EFH.label not in page
    day = timezone.localdate() + dt.timedelta(days=14)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    response = organiser.post(
        url,
        {
            "form": ConferenceForm.CONTEXT,
            "stage": ConferenceStage.INITIAL,
            **date_fields("scheduled_on", day),
            "scheduled_time": "14:30",
            "chair": chair.pk,
            "reason": "Older males approach children waiting for buses after school.",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(form=ConferenceForm.CONTEXT)
    assert AgendaItem.objects.get(meeting=meeting).context == place
    decision = client_for(chair).get(reverse("panels:conference_decision", args=[meeting.pk]))
    assert decision.status_code == 200
    assert "Harm outside the family" not in decision.content.decode()
