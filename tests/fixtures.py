"""Personas: one user per role, in the agencies a partnership really has."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

import pytest
from django.apps import apps as django_apps
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


@pytest.fixture(autouse=True)
def reference_data(request: pytest.FixtureRequest) -> None:
    """Put back the rows the migrations seed (response timescales, threshold rules).

    A transactional test (every browser test) ends by flushing the database, which also wipes
    what data migrations created; without this, tests that follow would depend on the order
    they run in.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool({"live_server", "transactional_db"} & names) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    # The data migrations' own seed functions, so the defaults live in one place.
    for module in (
        "frontdoor.migrations.0002_default_timescales",
        "missing.migrations.0002_default_threshold_rules",
    ):
        import_module(module).seed(django_apps, None)
