"""Meetings and MARVE referrals on the chronologies, for the right viewers only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.chronology import ChronologyFilter, context_chronology, entry_types, person_chronology
from meetings import chronology, services
from meetings.tests.conftest import arrange, ready_to_conclude
from people.models import RecordShare

pytestmark = pytest.mark.django_db


def _held(scene, subject, **kwargs):
    meeting = ready_to_conclude(
        scene, arrange(scene, subject=subject, **kwargs), decisions=("marve_referral",)
    )
    services.meeting_conclude(actor=scene.worker, meeting=meeting, expected_version=meeting.version)
    return meeting


def test_the_entry_types_are_registered() -> None:
    types = dict(entry_types())
    assert types["strategy_meeting"] == "Strategy meeting"
    assert types["marve_referral"] == "MARVE referral"


def test_a_held_meeting_and_its_referral_are_on_the_childs_chronology(scene) -> None:
    _held(scene, scene.child)
    arrange(scene, held_at=timezone.now() + dt.timedelta(days=3), reason="Next one")
    entries = person_chronology(viewer=scene.worker, person=scene.child, filters=ChronologyFilter())
    mine = [e for e in entries if e.entry_type in {"strategy_meeting", "marve_referral"}]
    titles = [e.title for e in mine]
    assert "Strategy meeting arranged" in titles
    assert "Strategy meeting held" in titles
    assert "Referred to the MARVE panel: an individual child or young person" in titles
    held = next(e for e in mine if e.title == "Strategy meeting held")
    assert held.tags == ["Refer to the MARVE panel"]
    assert "Because the meeting agreed" in held.body
    assert held.link.startswith("/meetings/strategy/")


def test_only_viewers_who_may_open_the_child_see_the_entries(scene, personas) -> None:
    _held(scene, scene.child)
    officer = personas["police_practitioner"]
    assert chronology.for_person(officer, scene.child, ChronologyFilter()) == []
    RecordShare.objects.create(person=scene.child, agency=officer.agency, route="shared")
    assert len(chronology.for_person(officer, scene.child, ChronologyFilter())) == 2
    for role in ("administrator", "analyst", "auditor"):
        assert chronology.for_person(personas[role], scene.child, ChronologyFilter()) == []


def test_a_context_meeting_is_on_the_contexts_chronology_for_every_case_worker(
    scene, personas
) -> None:
    _held(scene, scene.place)
    entries = context_chronology(
        viewer=personas["police_practitioner"], context=scene.place, filters=ChronologyFilter()
    )
    titles = {e.title for e in entries}
    assert {"Strategy meeting held", "Referred to the MARVE panel: a location"} <= titles
    assert chronology.for_person(scene.worker, scene.child, ChronologyFilter()) == []


def test_the_filters_are_honoured(scene, personas) -> None:
    _held(scene, scene.child)

    def run(**kwargs):
        return chronology.for_person(scene.worker, scene.child, ChronologyFilter(**kwargs))

    assert {e.entry_type for e in run(entry_type="marve_referral")} == {"marve_referral"}
    assert {e.entry_type for e in run(entry_type="strategy_meeting")} == {"strategy_meeting"}
    assert run(entry_type="sighting") == []
    assert run(agency_id=personas["police_practitioner"].agency_id) == []
    assert len(run(agency_id=scene.csc.pk)) == 2
    today = timezone.localdate()
    assert run(date_from=today + dt.timedelta(days=1)) == []
    assert [e.entry_type for e in run(date_to=today - dt.timedelta(days=1))] == ["strategy_meeting"]


def test_the_chronology_costs_the_same_however_many_meetings(scene) -> None:
    _held(scene, scene.child)

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            chronology.for_person(scene.worker, scene.child, ChronologyFilter())
        return len(ctx.captured_queries)

    few = cost()
    for _ in range(4):
        _held(scene, scene.child)
    assert cost() == few


def test_the_chronology_page_shows_the_meeting(scene, client_for) -> None:
    _held(scene, scene.child)
    page = client_for(scene.worker).get(f"/people/{scene.child.pk}/chronology/").content.decode()
    assert "Strategy meeting held" in page and "Referred to the MARVE panel" in page
