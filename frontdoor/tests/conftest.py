"""A partnership with a front door: a screening team in children's social care, a school that
refers, and a police force that holds some children's records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import Agency, AgencyKind, Team, User
from contexts.models import Context
from frontdoor.models import Contact, ScreeningTeam
from frontdoor.services import contact_submit
from people.models import Person
from tests.factories import AgencyFactory, TeamFactory, UserFactory, make_location, make_person


@dataclass
class FrontDoor:
    team: Team
    screener: User
    other_screener: User
    manager: User
    other_manager: User
    school: Agency
    teacher: User
    child: Person  # held by children's social care
    place: Context


@pytest.fixture
def fd(personas: dict[str, User], csc_agency: Agency) -> FrontDoor:
    team = TeamFactory.create(agency=csc_agency, name="Front Door")
    ScreeningTeam.objects.create(team=team, is_default=True)

    def member(username: str, role: str) -> User:
        user = UserFactory.create(
            username=username, agency=csc_agency, roles=[role], first_name=username.title()
        )
        user.teams.add(team)
        return user

    school = AgencyFactory.create(name="Riverside Academy", kind=AgencyKind.EDUCATION)
    teacher = UserFactory.create(
        username="teacher", agency=school, roles=["practitioner"], job_title="DSL"
    )
    teacher.teams.add(TeamFactory.create(agency=school, name="Safeguarding"))
    return FrontDoor(
        team=team,
        screener=member("sam", "practitioner"),
        other_screener=member("sasha", "practitioner"),
        manager=member("morgan", "team_manager"),
        other_manager=member("mel", "cs_lead"),
        school=school,
        teacher=teacher,
        child=make_person(personas["practitioner"], given_name="Mia", family_name="Stone"),
        place=make_location(personas["practitioner"]),
    )


def contact_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "channel": "online",
        "referral_source": "2A",
        "what_happened": "Seen at the chicken shop with older youths after 10pm.",
        "harm_source": "outside",
        "lawful_basis": "safeguarding",
        "lawful_basis_notes": "Telling the family could put her at risk.",
        "urgency": "urgent",
        "harm_indicators": ["cce"],
    }
    fields.update(overrides)
    return fields


def send(actor: User, **overrides: Any) -> Contact:
    return contact_submit(actor=actor, **contact_fields(**overrides))


@pytest.fixture
def police_child(personas: dict[str, User]) -> Person:
    """A child whose record only the police hold."""
    return make_person(personas["police_practitioner"], given_name="Kai", family_name="Mercer")
