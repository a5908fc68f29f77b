"""The people, places and partners the plans tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Agency, AgencyKind, User
from contexts.models import Context
from contexts.services import context_link_create
from people.models import Person
from plans import services
from plans.models import Plan
from tests.factories import AgencyFactory, UserFactory, make_location, make_person

TODAY_MINUS = dt.timedelta(days=30)


@pytest.fixture
def child(personas: dict[str, User]) -> Person:
    return make_person(
        personas["practitioner"],
        given_name="Tayla",
        family_name="Brennan",
        date_of_birth=dt.date(2011, 5, 4),
    )


@pytest.fixture
def adult(personas: dict[str, User]) -> Person:
    return make_person(
        personas["practitioner"], kind="adult_of_concern", given_name="Darren", family_name="Vince"
    )


@pytest.fixture
def place(personas: dict[str, User], child: Person) -> Context:
    context = make_location(personas["practitioner"], name="Brackenmoor bus interchange")
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
def officer(personas: dict[str, User]) -> User:
    return personas["police_practitioner"]


@pytest.fixture
def youth_agency(db: None) -> Agency:
    return AgencyFactory.create(name="Open Doors Youth Trust", kind=AgencyKind.VOLUNTARY_SECTOR)


@pytest.fixture
def youth_worker(youth_agency: Agency) -> User:
    return UserFactory.create(username="youth_worker", agency=youth_agency, roles=["practitioner"])


def start(actor: User, **kwargs: Any) -> Plan:
    """A plan started 30 days ago."""
    kwargs.setdefault("started_on", timezone.localdate() - TODAY_MINUS)
    return services.plan_create(actor=actor, **kwargs)


@pytest.fixture
def context_plan(personas: dict[str, User], place: Context) -> Plan:
    return start(
        personas["cs_lead"],
        kind="context_safety",
        context=place,
        agreed_at_description="Location CS&E conference",
    )


@pytest.fixture
def child_plan(personas: dict[str, User], child: Person) -> Plan:
    return start(personas["practitioner"], kind="cse_plan", person=child, efh_harm_types=["cce"])
