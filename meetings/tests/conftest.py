"""A child, a place, a group and agencies to hold strategy meetings about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Agency, AgencyKind, User
from contexts.models import Context
from meetings import services
from meetings.checklist import checklist_for
from meetings.models import StrategyMeeting
from people.models import Person
from tests.factories import AgencyFactory, make_location, make_person


@dataclass
class Scene:
    worker: User
    child: Person
    place: Context
    group: Context
    csc: Agency
    police: Agency
    school: Agency


@pytest.fixture
def scene(personas: dict[str, User]) -> Scene:
    worker = personas["practitioner"]
    assert worker.agency is not None
    police = personas["police_practitioner"].agency
    assert police is not None
    return Scene(
        worker=worker,
        child=make_person(worker),
        place=make_location(worker),
        group=make_location(worker, kind="peer_group", name="The Larkspur boys", geometry=""),
        csc=worker.agency,
        police=police,
        school=AgencyFactory.create(name="Larkspur Academy", kind=AgencyKind.EDUCATION),
    )


def yesterday_at(hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def arrange(scene: Scene, subject: Any = None, **fields: Any) -> StrategyMeeting:
    values: dict[str, Any] = {
        "held_at": yesterday_at(),
        "chair": scene.worker,
        "reason": "Third missing episode in 90 days; found at the chicken shop with older youths.",
    }
    values.update(fields)
    return services.meeting_create(
        actor=scene.worker, subject=subject if subject is not None else scene.child, **values
    )


def make_contact(scene: Scene, subject: Any) -> Any:
    """A contact written straight to the table: the front-door app owns its services."""
    from frontdoor.models import Contact

    about = {"context": subject} if isinstance(subject, Context) else {"person": subject}
    return Contact.objects.create(
        **about,
        recording_agency=scene.csc,
        recorded_by=scene.worker,
        channel="phone",
        referrer_name="School DSL",
        referral_source="2A",
        what_happened="Seen at the takeaway with older youths",
        harm_source="outside",
        lawful_basis="safeguarding",
        urgency="urgent",
        respond_by=timezone.now(),
        receiving_team=scene.worker.teams.all()[0],
    )


def fresh(meeting: StrategyMeeting) -> StrategyMeeting:
    return StrategyMeeting.objects.get(pk=meeting.pk)


def ready_to_conclude(
    scene: Scene, meeting: StrategyMeeting, *, decisions: tuple[str, ...] = ("section_47",)
) -> StrategyMeeting:
    """Two agencies present, the checklist answered, decisions with reasons."""
    worker = scene.worker
    for agency, name in ((scene.csc, "Sam Social Worker"), (scene.police, "DC Patel")):
        services.attendee_add(
            actor=worker,
            meeting=meeting,
            expected_version=meeting.version,
            agency=agency,
            name=name,
            role="",
        )
    items = checklist_for(about_context=meeting.is_about_context)
    services.checklist_save(
        actor=worker,
        meeting=meeting,
        expected_version=meeting.version,
        answers={i.code: ("yes", f"Note on {i.code}") for i in items},
    )
    for kind in decisions:
        services.decision_add(
            actor=worker,
            meeting=meeting,
            expected_version=meeting.version,
            kind=kind,
            reasons=f"Because the meeting agreed: {kind}",
        )
    return meeting
