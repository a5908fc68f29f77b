"""Records the assessment tests share: a child, places and groups, contacts, assessments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Team, User
from assessments import services
from assessments.models import ContextAssessment, SingleAssessment
from contexts.models import Context
from frontdoor.models import Contact
from people.models import Person
from tests.factories import make_location, make_person


def date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def team_of(user: User) -> Team:
    team = user.teams.first()
    assert team is not None
    return team


@pytest.fixture
def worker(personas: dict[str, User]) -> User:
    return personas["practitioner"]


@pytest.fixture
def manager(personas: dict[str, User]) -> User:
    return personas["team_manager"]


@pytest.fixture
def child(worker: User) -> Person:
    return make_person(worker, date_of_birth=dt.date(2011, 5, 4))


@pytest.fixture
def place(worker: User) -> Context:
    return make_location(worker, name="Chicken shop, Market Street")


@pytest.fixture
def group(worker: User) -> Context:
    return make_location(
        worker, kind="peer_group", name="Older boys at the parade", location_type="", geometry=""
    )


@pytest.fixture
def school(worker: User) -> Context:
    return make_location(
        worker,
        kind="education_setting",
        name="Larkspur Academy",
        location_type="",
        geometry="",
        setting_type="school",
    )


@pytest.fixture
def online(worker: User) -> Context:
    return make_location(
        worker,
        kind="online_space",
        name="Group chat",
        location_type="",
        geometry="",
        platform="A messaging app",
    )


def make_contact(actor: User, **subject: Any) -> Contact:
    """A contact about ``person=`` or ``context=``, written straight to the table: the front
    door's own services are not under test here."""
    assert actor.agency is not None
    return Contact.objects.create(
        recording_agency=actor.agency,
        recorded_by=actor,
        channel="phone",
        referrer_name="School DSL",
        referral_source="2A",
        what_happened="Seen at the takeaway with older youths late at night.",
        harm_source="outside",
        lawful_basis="safeguarding",
        urgency="standard",
        respond_by=timezone.now() + dt.timedelta(hours=24),
        receiving_team=team_of(actor),
        **subject,
    )


def start_single(
    actor: User, person: Person, started_on: dt.date | None = None, **extra: Any
) -> SingleAssessment:
    return services.single_assessment_start(
        actor=actor,
        person=person,
        started_on=started_on or timezone.localdate(),
        lead=extra.pop("lead", None) or actor,
        team=extra.pop("team", None) or team_of(actor),
        **extra,
    )


def start_context(
    actor: User, context: Context, started_on: dt.date | None = None, **extra: Any
) -> ContextAssessment:
    return services.context_assessment_start(
        actor=actor,
        context=context,
        started_on=started_on or timezone.localdate(),
        lead=extra.pop("lead", None) or actor,
        team=extra.pop("team", None) or team_of(actor),
        **extra,
    )


def complete_single(assessment: SingleAssessment, actor: User) -> SingleAssessment:
    """Fill in what submission needs."""
    return services.single_assessment_update(
        actor=actor,
        assessment=assessment,
        expected_version=assessment.version,
        outcome="child_in_need",
        outcome_reasons="Needs support around exploitation outside the home.",
        cin_factors=["24A", "10A"],
        primary_need="N1",
        no_contextual_concerns="Checked with school and police; no places or peers of concern.",
    )


def complete_context(assessment: ContextAssessment, actor: User) -> ContextAssessment:
    return services.context_assessment_update(
        actor=actor,
        assessment=assessment,
        expected_version=assessment.version,
        triangle_first="Young people gather after school; they want somewhere warm.",
        triangle_second="Shop staff are willing to help; no security after 8pm.",
        triangle_third="Poor lighting behind the shop; bus stop outside.",
        decision="context_conference",
        decision_reasons="Several children harmed here; partners needed to change it.",
    )


@pytest.fixture
def single(worker: User, child: Person) -> SingleAssessment:
    return start_single(worker, child)


@pytest.fixture
def context_assessment(worker: User, place: Context) -> ContextAssessment:
    return start_context(worker, place)
