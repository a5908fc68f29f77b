"""The Casework tab on a person's and a context's record gathers every area's card."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from casework.services import consultation_ask
from tests.factories import make_location, make_person


@pytest.mark.django_db
def test_person_casework_tab_shows_every_area(
    personas: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    worker = personas["practitioner"]
    child = make_person(worker, given_name="Jordan")
    response = client_for(worker).get(reverse("people:casework", args=[child.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="casework-panel"' in html
    assert "Strategy meetings" in html or "strategy meeting" in html.lower()
    assert 'aria-current="page"' in html and ">Casework<" in html


@pytest.mark.django_db
def test_context_casework_tab_shows_every_area(
    personas: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    worker = personas["practitioner"]
    place = make_location(worker, name="Cobbett Street Takeaway")
    response = client_for(worker).get(reverse("contexts:casework", args=[place.pk]))
    assert response.status_code == 200
    assert "strategy meeting" in response.content.decode().lower()


@pytest.mark.django_db
def test_another_agency_without_a_share_cannot_open_the_tab(
    personas: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    child = make_person(personas["practitioner"], given_name="Jordan")
    outsider = client_for(personas["police_practitioner"])
    assert outsider.get(reverse("people:casework", args=[child.pk])).status_code == 404


@pytest.mark.django_db
def test_the_tab_costs_the_same_whatever_the_record_holds(
    personas: dict[str, User], client_for: Callable[[User], Client], django_assert_num_queries
) -> None:
    worker = personas["practitioner"]
    child = make_person(worker, given_name="Jordan")
    client = client_for(worker)
    url = reverse("people:casework", args=[child.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    for n in range(3):
        consultation_ask(actor=worker, person=child, question=f"Question {n} about Jordan?")
    with django_assert_num_queries(len(empty.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_dated_entries_show_no_midnight_time_on_the_chronology(
    personas: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    import datetime as dt

    from casework.services import key_lead_allocate
    from people.codes import PersonKind

    manager = personas["team_manager"]
    child = make_person(manager, given_name="Jordan", kind=PersonKind.YOUNG_PERSON)
    key_lead_allocate(
        actor=manager,
        person=child,
        lead=personas["practitioner"],
        started_on=dt.date(2026, 11, 2),
        reason="Extra-familial harm",
        expected_current_id=None,
    )
    html = client_for(manager).get(reverse("people:chronology", args=[child.pk])).content.decode()
    assert "2 November 2026<" in html
    assert "2 November 2026, 00:00" not in html
