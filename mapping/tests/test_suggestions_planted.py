"""The queue finds what the demo borough's generator planted, and only that is new to it.

The generator plants busy places and groups of young people that no context records
(``Planted.unrecorded_hotspots`` / ``unrecorded_groups``), on top of the recorded hotspots and
peer groups (open contexts). The demo CS lead's queue must list every unrecorded one and none
of the recorded ones. Generating the demo scale takes a few seconds.
"""

from __future__ import annotations

import h3  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from access.roles import Role
from accounts.models import User
from demo.borough.generator import generate
from demo.partnership import DEMO_USERS
from demo.services import demo_partnership_load
from mapping.models import SuggestedContext, SuggestionKind, SuggestionStatus
from mapping.suggestions import SuggestionView, refresh_suggestions, suggestion_queue
from tests.fixtures import sign_in_fully

GROUP_MATCH = 0.6  # share of a planted group's members a suggestion must list
RES = settings.HOTSPOT_H3_RESOLUTION


pytestmark = pytest.mark.django_db


def near(cell: str) -> set[str]:
    return set(h3.grid_disk(cell, 1))


def hotspots_in(queue: list[SuggestionView]) -> list[SuggestedContext]:
    return [v.suggestion for v in queue if v.suggestion.kind == SuggestionKind.HOTSPOT]


def groups_in(queue: list[SuggestionView]) -> list[SuggestionView]:
    return [v for v in queue if v.suggestion.kind == SuggestionKind.PEER_GROUP]


def test_the_leads_queue_lists_what_the_generator_planted() -> None:
    demo_partnership_load(password="demo-password-for-tests")
    borough = generate("demo")
    planted = borough.planted
    refresh_suggestions()
    [username] = [u.username for u in DEMO_USERS if Role.CS_LEAD in u.roles]
    lead = User.objects.get(username=username)
    queue = suggestion_queue(viewer=lead, status=SuggestionStatus.OPEN)

    assert len(planted.unrecorded_hotspots) >= 2
    assert len(planted.unrecorded_groups) >= 2

    # Every unrecorded hotspot is suggested, named after the place.
    for spot in planted.unrecorded_hotspots:
        matches = [
            v for v in queue if v.hotspot is not None and near(spot.cell) & set(v.suggestion.cells)
        ]
        assert len(matches) == 1, f"{spot.name} is not suggested"
        # Named for this lead from the events they may open; the stored title quotes no record.
        assert matches[0].title == f"Possible hotspot: {spot.name}"
        assert spot.name not in matches[0].suggestion.title
        assert matches[0].suggestion.evidence["event_total"] >= 10
        assert matches[0].hotspot is not None and matches[0].hotspot.total >= 1

    # No recorded hotspot (an open location context) is.
    for recorded in planted.hotspots:
        cell = h3.latlng_to_cell(recorded.latitude, recorded.longitude, RES)
        ring = set(h3.grid_disk(cell, 2))
        assert not [s for s in hotspots_in(queue) if ring & set(s.cells)], recorded.name

    # Every unrecorded peer group is suggested, titled by its place, never by a child.
    for group in planted.unrecorded_groups:
        members = set(group.member_pks)
        found = [
            v
            for v in groups_in(queue)
            if len(members & set(v.suggestion.people)) >= GROUP_MATCH * len(members)
        ]
        assert len(found) == 1, f"{group.name} is not suggested"
        [view] = found
        assert view.suggestion.title == f"Possible peer group seen at {group.hotspot}"
        for name in (*group.members, *group.adults):
            assert name not in view.suggestion.title
            assert name not in view.explanation

    # No recorded peer group (an open peer-group context) is.
    for recorded_group in planted.peer_groups:
        members = set(recorded_group.member_pks)
        overlapping = [
            v.suggestion.title
            for v in groups_in(queue)
            if len(members & set(v.suggestion.people)) >= GROUP_MATCH * len(members)
        ]
        assert overlapping == [], recorded_group.name

    # And the page shows them.
    page = sign_in_fully(Client(), lead).get(reverse("mapping:suggestions")).content.decode()
    for spot in planted.unrecorded_hotspots:
        assert f"Possible hotspot: {spot.name}" in page
        assert f"Possible peer group seen at {spot.name}" in page
