"""CS&E conferences in the demo, in every state, written through the conference services.

- Mia Lawson: an extra-familial-harm-only conference held two weeks ago that agreed a CS&E plan,
  with Sam Okafor as key lead; its summary went out the next day.
- Sallowmere Parade takeaways: a context conference next week, with reports in already from
  the police (for everyone) and children's services (statutory agencies only, as it names a
  child); Tom Reid from Open Doors is invited and will never see a child's name.
- Larkspur Rise stairwells: a review conference booked for the context safety plan.
- Ruby Ashworth: a child protection conference with extra-familial harm, booked.

Conference chairs are independent of the case: Marcus Bell, from the Conference and Review
Service. Every name is invented.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from events.models import HarmType
from panels import conferences
from panels import services as panels
from panels.models import (
    AttendanceStatus,
    ConferenceForm,
    ConferenceStage,
    ContributionAudience,
    Meeting,
)
from people.models import Person
from plans.models import Plan, PlanKind, PlanStatus

if TYPE_CHECKING:
    from demo.pathway import Cast


def load_conference_stories(cast: Cast, *, takeaways: str, stairwells: str) -> None:
    _mia_efh_conference_to_cse_plan(cast)
    _takeaways_context_conference(cast, takeaways)
    _stairwells_review_conference(cast, stairwells)
    _ruby_child_protection_conference(cast)


def _weekday(cast: Cast, days_ago: int, hour: int = 10) -> dt.datetime:
    """A weekday at ``hour`` near ``days_ago`` (conferences are never at weekends): later in
    time for future dates, earlier for past ones, so a past date never becomes a future one."""
    day = cast.day(days_ago)
    step = dt.timedelta(days=1 if days_ago < 0 else -1)
    while day.weekday() >= 5:
        day += step
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _person(given: str, family: str) -> Person:
    return Person.objects.get(given_name=given, family_name=family)


def _invite(cast: Cast, meeting: Meeting, usernames: tuple[str, ...]) -> None:
    for username in usernames:
        if not meeting.participants.filter(user=cast.users[username]).exists():
            conferences.invite(actor=meeting.chair, meeting=meeting, user=cast.users[username])


def _mia_efh_conference_to_cse_plan(cast: Cast) -> None:
    chair = cast.users["marcus.bell"]
    mia = _person("Mia", "Lawson")
    meeting = conferences.conference_create(
        actor=chair,
        form=ConferenceForm.CHILD_EFH,
        stage=ConferenceStage.INITIAL,
        scheduled_for=_weekday(cast, 14),
        chair=chair,
        reason="Seen twice in a car with older males; phone with contacts she will not name.",
        person=mia,
        venue="Brackenmoor Civic Centre",
    )
    _invite(cast, meeting, ("sam.okafor", "nina.kowalski", "helen.marsh"))
    panels.participant_add(
        actor=chair, meeting=meeting, name="Mia's mother", role="Parent", email=""
    )
    item = meeting.items.get()
    panels.contribution_add(
        actor=cast.users["nina.kowalski"],
        item=item,
        text="Two sightings in a grey hatchback linked to an adult of concern.",
        audience=ContributionAudience.STATUTORY,
    )
    panels.contribution_add(
        actor=cast.users["helen.marsh"],
        item=item,
        text="Attendance 88%; leaves at lunchtime on Fridays; trusted adult is the PE teacher.",
    )
    meeting.refresh_from_db()
    conferences.views_record(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        young_person_views="Mia says the men are her friends' cousins; she wants her phone back.",
        family_views="Her mother wants help to keep Mia home on Friday evenings.",
    )
    meeting.refresh_from_db()
    panels.attendance_record(
        actor=chair,
        meeting=meeting,
        statuses={p.pk: AttendanceStatus.ATTENDED for p in meeting.participants.all()},
    )
    meeting = panels.meeting_hold(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        held_at=meeting.scheduled_for + dt.timedelta(hours=2),
    )
    held_on = timezone.localdate(meeting.scheduled_for)
    conferences.decision_record(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        plan_kind=PlanKind.CSE_PLAN,
        key_lead=cast.users["sam.okafor"],
        review_on=held_on + dt.timedelta(weeks=10),
        decision="A CS&E plan: the harm is outside the family and her mother is protective.",
        efh_harm_types=[HarmType.CSE],
    )
    meeting.refresh_from_db()
    meeting = panels.minutes_save(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        minutes="Reports and views heard. CS&E plan agreed; review in ten weeks.",
    )
    panels.meeting_close(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        summary_sent_on=min(held_on + dt.timedelta(days=1), timezone.localdate()),
    )
    cast.created.append("Mia Lawson: EFH-only conference held, CS&E plan agreed, summary sent")


def _takeaways_context_conference(cast: Cast, takeaways: str) -> None:
    chair = cast.users["marcus.bell"]
    meeting = conferences.conference_create(
        actor=cast.users["dana.whitlock"],
        form=ConferenceForm.CONTEXT,
        stage=ConferenceStage.INITIAL,
        scheduled_for=_weekday(cast, -6, hour=14),
        chair=chair,
        reason="Children gathering at the takeaways late at night; older males approach them.",
        context=cast.places[takeaways],
        venue="Brackenmoor Civic Centre",
    )
    _invite(cast, meeting, ("nina.kowalski", "tom.reid", "sam.okafor"))
    panels.participant_add(
        actor=chair,
        meeting=meeting,
        name="Licensing officer, Brackenmoor Council",
        role="Licensing",
        agency=cast.agencies["Brackenmoor Community Safety Partnership"],
    )
    item = meeting.items.get()
    panels.contribution_add(
        actor=cast.users["nina.kowalski"],
        item=item,
        text="Nine calls in ten weeks, mostly after 10pm; one shop has no CCTV at the back door.",
    )
    panels.contribution_add(
        actor=cast.users["sam.okafor"],
        item=item,
        text="Kayden Pryce and Aisha Rahman have both been found at the parade this term.",
        audience=ContributionAudience.STATUTORY,
    )
    cast.created.append("Sallowmere Parade: context conference next week, reports in")


def _stairwells_review_conference(cast: Cast, stairwells: str) -> None:
    plan = Plan.objects.filter(
        context=cast.places[stairwells], kind=PlanKind.CONTEXT_SAFETY, status=PlanStatus.ACTIVE
    ).first()
    if plan is None:
        return
    conferences.conference_create(
        actor=cast.users["dana.whitlock"],
        form=ConferenceForm.CONTEXT,
        stage=ConferenceStage.REVIEW,
        scheduled_for=_weekday(cast, -20, hour=11),
        chair=cast.users["marcus.bell"],
        reason="Six-week review of the stairwells' context safety plan.",
        context=cast.places[stairwells],
        review_of=plan,
        venue="Larkspur Rise community room",
    )
    cast.created.append("Larkspur Rise stairwells: review conference booked")


def _ruby_child_protection_conference(cast: Cast) -> None:
    chair = cast.users["marcus.bell"]
    conferences.conference_create(
        actor=chair,
        form=ConferenceForm.CHILD_BOTH,
        stage=ConferenceStage.INITIAL,
        scheduled_for=_weekday(cast, -9),
        chair=chair,
        reason="Neglect at home and criminal exploitation outside it; section 47 enquiry held.",
        person=_person("Ruby", "Ashworth"),
        venue="Brackenmoor Civic Centre",
    )
    cast.created.append("Ruby Ashworth: child protection conference with EFH booked")
