"""Episodes, interviews and prompts on the child's chronology — for the right viewers only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.chronology import ChronologyFilter, context_chronology, person_chronology
from missing.models import ThresholdPrompt
from missing.services import interview_record, prompt_decide
from missing.tests.conftest import ago, record_episode
from people.models import RecordShare
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(worker, child):
    place = make_location(worker, name="Cobbett Street Takeaway", status="under_assessment")
    episode = record_episode(
        worker, child, went_missing_at=ago(days=3), returned_at=ago(days=2), found_location=place
    )
    interview_record(
        actor=worker, episode=episode, expected_version=None, offered_at=ago(days=2, hours=-1),
        completed_at=ago(days=1), conducted_by="Sam Okoro", child_account="Stayed at a flat.",
    )  # fmt: skip
    prompt = ThresholdPrompt.objects.get()
    prompt_decide(actor=worker, prompt=prompt, status="strategy_arranged", reason="Thursday")
    return episode, place


def titles(entries) -> list[str]:
    return [e.title for e in entries if e.entry_type in {
        "missing_episode", "return_interview", "threshold_prompt"}]  # fmt: skip


def test_the_whole_episode_is_on_the_child_chronology(worker, child, story) -> None:
    entries = person_chronology(viewer=worker, person=child, filters=ChronologyFilter())
    assert titles(entries) == [
        "Threshold prompt decided: Strategy meeting arranged",
        "Threshold met: a decision is needed",
        "Return home interview completed: completed within 72 hours",
        "Returned after going missing",
        "Reported missing",
    ]
    found = [e for e in entries if e.entry_type == "missing_found"]
    assert len(found) == 1  # the event at the place, shown once


def test_an_episode_away_from_placement_is_titled_in_plain_words(worker, child) -> None:
    record_episode(worker, child, episode_type="A")
    entries = person_chronology(viewer=worker, person=child, filters=ChronologyFilter())
    assert "Reported away without authorisation" in titles(entries)
    assert not any("(" in title for title in titles(entries))


def test_the_place_chronology_shows_the_event_and_no_copy(worker, story) -> None:
    _episode, place = story
    entries = context_chronology(viewer=worker, context=place, filters=ChronologyFilter())
    assert [e.entry_type for e in entries if e.entry_type != "record"] == ["missing_found"]


def test_filters_by_type_agency_and_date(worker, child, story, personas) -> None:
    only = ChronologyFilter(entry_type="threshold_prompt")
    assert {e.entry_type for e in person_chronology(viewer=worker, person=child, filters=only)} == {
        "threshold_prompt"
    }
    other_agency = ChronologyFilter(agency_id=personas["police_practitioner"].agency_id)
    assert titles(person_chronology(viewer=worker, person=child, filters=other_agency)) == []
    today = ChronologyFilter(date_from=timezone.localdate(), entry_type="missing_episode")
    assert titles(person_chronology(viewer=worker, person=child, filters=today)) == []
    earlier = ChronologyFilter(
        date_from=timezone.localdate() - dt.timedelta(days=3),
        date_to=timezone.localdate() - dt.timedelta(days=3),
        entry_type="missing_episode",
    )
    assert titles(person_chronology(viewer=worker, person=child, filters=earlier)) == [
        "Reported missing"
    ]


def test_another_agency_sees_nothing_until_the_record_is_shared(
    personas, child, story, client_for
) -> None:
    officer = personas["police_practitioner"]
    assert titles(person_chronology(viewer=officer, person=child, filters=ChronologyFilter())) == []
    assert client_for(officer).get(f"/people/{child.pk}/chronology/").status_code == 404
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    page = client_for(officer).get(f"/people/{child.pk}/chronology/").content.decode()
    assert "Reported missing" in page and "Return home interview completed" in page


def test_people_they_were_with_are_named_only_where_the_viewer_may_open_them(
    worker, child, personas
) -> None:
    officer = personas["police_practitioner"]
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean", family_name="Marsh")
    record_episode(worker, child, found_with=[adult])
    mine = person_chronology(viewer=worker, person=child, filters=ChronologyFilter())
    theirs = person_chronology(viewer=officer, person=child, filters=ChronologyFilter())

    def with_names(entries) -> list[str]:
        return [name for e in entries for name, _role, _link in e.people]

    assert "Dean Marsh" in with_names(mine)
    assert "Dean Marsh" not in with_names(theirs)
    assert "A person whose record your agency cannot open" in with_names(theirs)


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_chronology_costs_the_same_however_many_episodes(
    worker, child, story, client_for
) -> None:
    client = client_for(worker)
    url = f"/people/{child.pk}/chronology/"

    def add_episodes(first: int, count: int) -> None:
        for n in range(first, first + count):
            friend = make_person(worker, given_name=f"Friend{n}")
            episode = record_episode(
                worker,
                child,
                went_missing_at=ago(days=40 + n * 3),
                returned_at=ago(days=39 + n * 3),
                found_with=[friend],
            )
            interview_record(
                actor=worker, episode=episode, expected_version=None,
                offered_at=ago(days=39 + n * 3, hours=-1),
            )  # fmt: skip

    add_episodes(0, 1)
    before = _queries(client, url)
    add_episodes(1, 6)
    assert ThresholdPrompt.objects.count() > 2
    assert _queries(client, url) == before
