"""People, places and colleagues the casework tests share."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import AgencyKind, User
from contexts.models import Context
from people.models import Person
from tests.factories import AgencyFactory, TeamFactory, UserFactory, make_location, make_person


@pytest.fixture
def child(personas: dict[str, User]) -> Person:
    return make_person(personas["practitioner"], date_of_birth=dt.date(2011, 5, 4))


@pytest.fixture
def place(personas: dict[str, User]) -> Context:
    return make_location(personas["practitioner"])


@pytest.fixture
def youth_worker(db: None) -> User:
    """A practitioner in a voluntary-sector youth service: a key lead from another agency."""
    agency = AgencyFactory.create(name="Riverside Youth Service", kind=AgencyKind.VOLUNTARY_SECTOR)
    worker = UserFactory.create(
        username="youth_worker",
        first_name="Priya",
        last_name="Shah",
        agency=agency,
        roles=["practitioner"],
    )
    worker.teams.add(TeamFactory.create(agency=agency, name="Detached youth work"))
    return worker
