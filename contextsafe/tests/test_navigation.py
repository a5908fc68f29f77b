"""The primary navigation takes each person where their work is."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from frontdoor.services import screening_teams_set
from tests.factories import TeamFactory, UserFactory


@pytest.mark.django_db
def test_front_door_leads_screeners_to_their_queue_and_others_to_a_new_contact(
    personas: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    agency = personas["practitioner"].agency
    team = TeamFactory.create(agency=agency, name="Single Point of Access")
    screening_teams_set(actor=None, teams=[team], default=team)
    screener = UserFactory.create(agency=agency, roles=["practitioner"])
    screener.teams.add(team)

    screener_home = client_for(screener).get("/").content.decode()
    other_home = client_for(personas["police_practitioner"]).get("/").content.decode()

    assert _front_door_link(screener_home) == "/front-door/queue/"
    assert _front_door_link(other_home) == "/front-door/new/"


def _front_door_link(html: str) -> str:
    found = re.search(r'href="([^"]+)"[^>]*>Front door<', html)
    assert found is not None
    return found.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("practitioner", True),
        ("cs_lead", True),
        ("analyst", True),
        ("administrator", False),
        ("auditor", False),
    ],
)
def test_the_hotspot_map_is_in_the_navigation_of_those_who_may_see_it(
    personas: dict[str, User], client_for: Callable[[User], Client], role: str, shown: bool
) -> None:
    home = client_for(personas[role]).get("/").content.decode()
    assert ('href="/mapping/map/"' in home) is shown
