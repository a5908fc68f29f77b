"""The identity bar at the top of every page of a person's record."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"date_of_birth": dt.date(2011, 5, 4)}, "Born 4 May 2011 (age "),
        ({"age_band": "14_15"}, "Estimated age 14 to 15"),
        ({}, "Age not known"),
    ],
)
def test_the_header_says_how_old_a_person_is_in_words(client_for, personas, fields, shown) -> None:
    worker = personas["practitioner"]
    person = make_person(worker, **fields)
    page = client_for(worker).get(f"/people/{person.pk}/").content.decode()
    assert shown in page
