"""Merging moves every record about the person, including those later apps add."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Agency, User
from casework.models import Consultation, KeyLeadAllocation
from missing.models import EpisodeType, MissingEpisode
from people.codes import PersonKind
from people.services import person_merge
from tests.factories import make_person


def _agency(user: User) -> Agency:
    assert user.agency is not None
    return user.agency


def _lead(person, lead: User) -> KeyLeadAllocation:
    return KeyLeadAllocation.objects.create(
        person=person,
        lead=lead,
        lead_agency=_agency(lead),
        started_on=dt.date(2026, 9, 1),
        recording_agency=_agency(lead),
        recorded_by=lead,
    )


@pytest.mark.django_db
def test_merge_moves_case_records_and_found_with_links(personas: dict[str, User]) -> None:
    manager = personas["team_manager"]
    keep = make_person(manager, given_name="Jay", family_name="Ward")
    duplicate = make_person(manager, given_name="Jay", family_name="Warde")
    adult = make_person(manager, given_name="Rick", kind=PersonKind.ADULT_OF_CONCERN)
    twin = make_person(
        manager, given_name="Rick", family_name="B", kind=PersonKind.ADULT_OF_CONCERN
    )
    question = Consultation.objects.create(
        person=duplicate,
        question="Should we hold a strategy meeting?",
        recording_agency=_agency(manager),
        recorded_by=manager,
    )
    _lead(duplicate, manager)
    now = timezone.now()
    episode = MissingEpisode.objects.create(
        person=keep,
        episode_type=EpisodeType.MISSING,
        went_missing_at=now,
        reported_at=now,
        reported_by="Carer",
        recording_agency=_agency(manager),
        recorded_by=manager,
    )
    episode.found_with.add(twin, adult)

    person_merge(actor=manager, source=duplicate, target=keep, reason="Same child, same school")
    person_merge(actor=manager, source=twin, target=adult, reason="Same adult, two spellings")

    question.refresh_from_db()
    assert question.person_id == keep.pk
    assert KeyLeadAllocation.objects.get().person_id == keep.pk
    assert list(episode.found_with.values_list("pk", flat=True)) == [adult.pk]


@pytest.mark.django_db
def test_merge_stops_when_both_records_have_a_current_key_lead(personas: dict[str, User]) -> None:
    manager = personas["team_manager"]
    keep = make_person(manager, given_name="Jay", family_name="Ward")
    duplicate = make_person(manager, given_name="Jay", family_name="Warde")
    _lead(keep, manager)
    _lead(duplicate, personas["cs_lead"])
    with pytest.raises(ValidationError, match="cannot be combined"):
        person_merge(actor=manager, source=duplicate, target=keep, reason="Same child, same school")
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    assert KeyLeadAllocation.objects.filter(person=duplicate).count() == 1
