"""Panels for the person and context pages, and what every list and record page costs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from missing.models import ThresholdPrompt
from missing.selectors import context_panel, person_panel
from missing.services import interview_record
from missing.tests.conftest import ago, record_episode
from people.models import RecordShare
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db


def test_the_person_panel_shows_a_child_missing_now_in_red(worker, child) -> None:
    record_episode(worker, child, went_missing_at=ago(days=400), returned_at=ago(days=399))
    record_episode(worker, child, went_missing_at=ago(days=30), returned_at=ago(days=29))
    open_episode = record_episode(worker, child, went_missing_at=ago(hours=5), returned_at=None)
    panel = person_panel(viewer=worker, person=child)
    assert panel.count == 2  # the last 12 months only
    assert panel.open_episode == open_episode
    assert panel.can_record
    [due] = panel.interviews_due
    assert due.timing.label.startswith("Overdue")
    html = render_to_string(
        "missing/partials/_person_panel.html", {"panel": panel, "person": child}
    )
    assert 'govuk-tag--red">Missing now' in html
    assert f"/missing/episodes/new/?person={child.pk}" in html


def test_the_person_panel_counts_open_prompts_and_hides_the_record_link(
    worker, child, personas
) -> None:
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean")
    record_episode(worker, child, found_with=[adult])
    officer = personas["police_practitioner"]
    RecordShare.objects.create(
        person=child, agency=officer.agency, user=officer, route="break_glass"
    )
    panel = person_panel(viewer=officer, person=child)
    assert panel.open_prompts == 1
    assert not panel.can_record
    html = render_to_string(
        "missing/partials/_person_panel.html", {"panel": panel, "person": child}
    )
    assert "Record a missing episode" not in html
    assert "1 threshold prompt waiting for a decision" in html


def test_the_context_panel_names_only_children_the_viewer_may_open(worker, child, personas) -> None:
    place = make_location(worker, name="Cobbett Street Takeaway")
    officer = personas["police_practitioner"]
    theirs = make_person(officer, given_name="Police", family_name="Child")
    RecordShare.objects.create(person=theirs, agency=worker.agency, route="shared")
    record_episode(officer, theirs, found_location=place)
    RecordShare.objects.filter(person=theirs, agency=worker.agency).delete()
    record_episode(worker, child, went_missing_at=ago(days=20), found_location=place)
    record_episode(worker, child, went_missing_at=ago(days=5), found_location=place)
    panel = context_panel(viewer=worker, context=place)
    assert [(f.person, f.times) for f in panel.found] == [(child, 2)]
    assert panel.hidden_count == 1
    html = render_to_string(
        "missing/partials/_context_panel.html", {"panel": panel, "context": place}
    )
    assert "Jayden Kowalski" in html and "Police Child" not in html
    assert "2 children found here" in html
    assert "1 child whose record your agency cannot open" in html
    assert context_panel(viewer=officer, context=place).hidden_count == 1


def _count(fn) -> int:
    fn()  # warm: the viewer's roles are read once per request, not per panel
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_panels_cost_the_same_whatever_the_history(worker, child) -> None:
    place = make_location(worker, name="Takeaway")
    record_episode(worker, child, went_missing_at=ago(days=100), found_location=place)
    before = (
        _count(lambda: person_panel(viewer=worker, person=child)),
        _count(lambda: context_panel(viewer=worker, context=place)),
    )
    for n in range(5):
        other = make_person(worker, given_name=f"Other{n}")
        record_episode(worker, other, found_location=place)
        record_episode(worker, child, went_missing_at=ago(days=90 - n * 10), found_location=place)
    after = (
        _count(lambda: person_panel(viewer=worker, person=child)),
        _count(lambda: context_panel(viewer=worker, context=place)),
    )
    assert after == before


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_list_and_record_pages_cost_the_same_whatever_their_length(
    client_for, worker, child
) -> None:
    client = client_for(worker)

    def add(n: int) -> None:
        person = make_person(worker, given_name=f"Child{n}")
        adult = make_person(worker, given_name=f"Adult{n}", kind="adult_of_concern")
        episode = record_episode(worker, person, found_with=[adult])
        interview_record(
            actor=worker, episode=episode, expected_version=None, offered_at=ago(hours=20)
        )

    add(0)
    first = ThresholdPrompt.objects.get()
    urls = [
        "/missing/interviews/",
        "/missing/prompts/",
        f"/missing/episodes/{first.episode_id}/",
        f"/missing/prompts/{first.pk}/",
        "/missing/rules/",
    ]
    before = [_queries(client, u) for u in urls]
    for n in range(1, 7):
        add(n)
    adults = [make_person(worker, given_name=f"More{n}", kind="adult_of_concern") for n in range(4)]
    first.episode.found_with.add(*adults)
    assert [_queries(client, u) for u in urls] == before
