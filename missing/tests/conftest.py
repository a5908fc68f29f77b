"""A child known to children's social care, the partnership's seeded rules, and helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from missing.models import MissingEpisode
from missing.services import episode_create
from people.models import Person

# The browser fixtures live beside the project's own browser tests; borrow them for ours.
from tests.factories import make_person


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def record_episode(actor: User, person: Person, **fields: Any) -> MissingEpisode:
    went = fields.pop("went_missing_at", ago(days=2))
    values: dict[str, Any] = {
        "episode_type": "M",
        "went_missing_at": went,
        "reported_at": fields.pop("reported_at", went + dt.timedelta(hours=1)),
        "reported_by": "Foster carer",
        "police_risk_level": "medium",
    }
    if "returned_at" not in fields:
        values["returned_at"] = went + dt.timedelta(hours=20)
    values.update(fields)
    return episode_create(actor=actor, person=person, **values)


@pytest.fixture
def worker(personas: dict[str, User]) -> User:
    return personas["practitioner"]


@pytest.fixture
def child(worker: User) -> Person:
    return make_person(worker, given_name="Jayden", family_name="Kowalski", known_as="Jay")
