"""The front door's permissions, role by role and agency by agency."""

from __future__ import annotations

import pytest

from access.roles import Role
from frontdoor.models import ScreeningTeam
from frontdoor.tests.conftest import FrontDoor, send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CASE_WORK = {"practitioner", "team_manager", "cs_lead", "panel_chair"}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_case_worker_may_send_a_contact_and_nobody_else(role: str) -> None:
    user = UserFactory.create(roles=[role])
    assert user.has_perm("frontdoor.add_contact") is (role in CASE_WORK)
    assert user.has_perm("frontdoor.read_contacts") is (role in CASE_WORK)
    assert user.has_perm("frontdoor.manage_timescales") is (role == "administrator")


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_screening_needs_case_work_and_a_screening_team(fd: FrontDoor, role: str) -> None:
    member = UserFactory.create(agency=fd.team.agency, roles=[role])
    member.teams.add(fd.team)
    outsider = UserFactory.create(agency=fd.team.agency, roles=[role])
    contact = send(fd.teacher, person=fd.child)
    screens = role in CASE_WORK
    approves = role in {"team_manager", "cs_lead"}
    assert member.has_perm("frontdoor.screen_contact") is screens
    assert member.has_perm("frontdoor.screen_contact", contact) is screens
    assert member.has_perm("frontdoor.approve_decision", contact) is approves
    assert not outsider.has_perm("frontdoor.screen_contact")
    assert not outsider.has_perm("frontdoor.screen_contact", contact)
    assert not outsider.has_perm("frontdoor.approve_decision", contact)


def test_a_team_that_stops_screening_can_finish_its_contacts(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    ScreeningTeam.objects.all().delete()
    assert not fd.screener.has_perm("frontdoor.screen_contact")  # no queue any more
    assert fd.screener.has_perm("frontdoor.screen_contact", contact)


def test_viewing_follows_the_child_and_the_referring_agency(fd: FrontDoor, personas) -> None:
    contact = send(fd.teacher, person=fd.child)
    assert fd.teacher.has_perm("frontdoor.view_contact", contact)
    assert fd.screener.has_perm("frontdoor.view_contact", contact)
    assert not personas["police_practitioner"].has_perm("frontdoor.view_contact", contact)
    for role in ("administrator", "auditor", "analyst", "no_role"):
        assert not personas[role].has_perm("frontdoor.view_contact", contact)
        assert not personas[role].has_perm("frontdoor.add_sharing_decision", contact)
