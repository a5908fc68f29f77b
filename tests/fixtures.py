"""Personas: one user per role, in the agencies a partnership really has."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from access.roles import Role
from accounts.models import AgencyKind, User
from tests.factories import AgencyFactory, TeamFactory, UserFactory, totp_device_for


@pytest.fixture
def csc_agency():
    return AgencyFactory.create(
        name="Test Children's Services", kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    )


@pytest.fixture
def police_agency():
    return AgencyFactory.create(name="Test Police", kind=AgencyKind.POLICE)


@pytest.fixture
def personas(db: None, csc_agency, police_agency) -> dict[str, User]:
    """One user per role in children's social care, a police practitioner, and one with no role."""
    team = TeamFactory.create(agency=csc_agency, name="Adolescent Safeguarding")
    people = {
        role.value: UserFactory.create(username=role.value, agency=csc_agency, roles=[role.value])
        for role in Role
    }
    for person in people.values():
        person.teams.add(team)
    people["police_practitioner"] = UserFactory.create(
        username="police_practitioner", agency=police_agency, roles=[Role.PRACTITIONER.value]
    )
    people["no_role"] = UserFactory.create(username="no_role", agency=csc_agency)
    return people


def sign_in_fully(client: Client, user: User) -> Client:
    """Sign in with password and second factor, as the browser would after both steps."""
    device = totp_device_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    def make(user: User) -> Client:
        return sign_in_fully(Client(), user)

    return make
