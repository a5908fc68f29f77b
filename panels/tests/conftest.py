"""The panel, its members and the children and places the panels tests share.

Members: the CSC panel chair (chairs the panel), a CSC practitioner, a police officer and a
detached youth worker from a voluntary-sector trust (outside the statutory agencies).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.roles import Role
from accounts.models import Agency, AgencyKind, User
from contexts.models import Context
from contexts.services import context_link_create
from panels import services
from panels.models import Meeting, Panel, PanelKind
from people.models import Person
from tests.factories import AgencyFactory, UserFactory, make_location, make_person


@pytest.fixture
def child(personas: dict[str, User]) -> Person:
    return make_person(
        personas["practitioner"],
        given_name="Tayla",
        family_name="Brennan",
        date_of_birth=dt.date(2011, 5, 4),
    )


@pytest.fixture
def second_child(personas: dict[str, User]) -> Person:
    return make_person(
        personas["practitioner"],
        given_name="Jordan",
        family_name="Okafor",
        date_of_birth=dt.date(2010, 9, 14),
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
def youth_agency(db: None) -> Agency:
    return AgencyFactory.create(name="Open Doors Youth Trust", kind=AgencyKind.VOLUNTARY_SECTOR)


@pytest.fixture
def youth_worker(youth_agency: Agency) -> User:
    return UserFactory.create(
        username="youth_worker", agency=youth_agency, roles=[Role.PRACTITIONER.value]
    )


@pytest.fixture
def chair(personas: dict[str, User]) -> User:
    return personas["panel_chair"]


@pytest.fixture
def officer(personas: dict[str, User]) -> User:
    return personas["police_practitioner"]


@pytest.fixture
def marve(personas: dict[str, User], chair: User, officer: User, youth_worker: User) -> Panel:
    panel = services.panel_create(
        actor=chair,
        name="Brackenmoor MARVE panel",
        kind=PanelKind.MARVE,
        frequency="fortnightly",
        chair=chair,
        purpose="Children at risk of exploitation, groups, places and adults of concern.",
    )
    services.panel_member_add(actor=chair, panel=panel, user=officer, role="Exploitation officer")
    services.panel_member_add(
        actor=chair, panel=panel, user=youth_worker, role="Detached youth work lead"
    )
    return panel


@pytest.fixture
def meeting(marve: Panel, chair: User) -> Meeting:
    return services.meeting_schedule(
        actor=chair,
        panel=marve,
        scheduled_for=timezone.now() + dt.timedelta(days=7),
        venue="Civic Centre, room 2",
    )
