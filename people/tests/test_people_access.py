"""Who sees whose records: agency by agency, role by role; search; break-glass."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AgencyKind, User
from audit.models import AccessAction, AccessEvent
from core.models import Notification
from people.models import Person, RecordShare
from people.selectors import (
    associations_for_viewer,
    identifiers_for_viewer,
    person_search,
    visible_people,
)
from people.services import association_create, break_glass, identifier_add
from tests.factories import AgencyFactory, UserFactory, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(personas: dict[str, User]):
    return make_person(
        personas["practitioner"],
        date_of_birth=dt.date(2011, 5, 4),
        known_as="JJ",
        aliases=["Little J"],
        identifiers=[
            ("la_case_number", "LA-1001"),
            ("nhs_number", "943 476 5919"),
            ("police_nominal", "PN77"),
        ],
    )


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("practitioner", True),
        ("team_manager", True),
        ("cs_lead", True),
        ("panel_chair", True),
        ("analyst", False),
        ("administrator", False),
        ("auditor", False),
        ("no_role", False),
    ],
)
def test_the_holding_agency_case_workers_see_the_record(
    child, personas, role: str, sees: bool
) -> None:
    assert personas[role].has_perm("people.view_person", child) is sees
    assert (child in visible_people(personas[role])) is sees


def test_another_agency_does_not_see_the_record(child, personas) -> None:
    police = personas["police_practitioner"]
    assert not police.has_perm("people.view_person", child)
    assert child not in visible_people(police)


def test_identifiers_show_only_to_the_agencies_that_use_them(child, personas) -> None:
    csc = {i.scheme for i in identifiers_for_viewer(viewer=personas["practitioner"], person=child)}
    assert csc == {"la_case_number", "nhs_number"}
    RecordShare.objects.create(
        person=child, agency=personas["police_practitioner"].agency, route="shared"
    )
    police = {
        i.scheme
        for i in identifiers_for_viewer(viewer=personas["police_practitioner"], person=child)
    }
    assert police == {"la_case_number", "police_nominal"}
    nominal = child.identifiers.get(scheme="police_nominal")
    assert personas["police_practitioner"].has_perm("people.view_identifier", nominal)
    assert not personas["practitioner"].has_perm("people.view_identifier", nominal)


def test_search_finds_near_misses_known_as_names_and_aliases(child, personas) -> None:
    viewer = personas["practitioner"]
    for query in ("Jaden Kowalsky", "jayden kowalski", "JJ", "Little J", "Kowalski"):
        hits = person_search(viewer=viewer, name=query)
        assert hits and hits[0].person == child, query
        assert hits[0].visible
    assert person_search(viewer=viewer, name="Zebedee Quartermaine") == []


def test_search_by_date_of_birth_and_identifier(child, personas) -> None:
    viewer = personas["practitioner"]
    assert person_search(viewer=viewer, date_of_birth=dt.date(2011, 5, 4))[0].person == child
    assert person_search(viewer=viewer, identifier="la-1001")[0].person == child
    assert person_search(viewer=viewer, identifier="9434765919")[0].person == child


def test_search_shows_another_agencys_record_exists_but_nothing_more(child, personas) -> None:
    hits = person_search(viewer=personas["police_practitioner"], name="Jayden Kowalski")
    assert len(hits) == 1
    assert hits[0].visible is False
    assert hits[0].holder == child.holding_agency.name
    searches = AccessEvent.objects.filter(
        action=AccessAction.SEARCH, actor=personas["police_practitioner"]
    )
    assert searches.count() == 1


def test_break_glass_opens_the_record_for_a_day_audits_and_alerts_the_cs_lead(
    child, personas
) -> None:
    officer = personas["police_practitioner"]
    with pytest.raises(ValidationError):
        break_glass(actor=officer, person=child, reason="urgent")
    share = break_glass(
        actor=officer, person=child, reason="Found at 2am with adults of concern; need history now"
    )
    assert officer.has_perm("people.view_person", child)
    assert not officer.has_perm("people.change_person", child), "break-glass is read-only"
    colleague = UserFactory.create(agency=officer.agency, roles=["practitioner"])
    assert not colleague.has_perm("people.view_person", child), "break-glass is for one person only"
    assert share.expires_at is not None
    assert share.expires_at - timezone.now() <= dt.timedelta(hours=24)
    event = AccessEvent.objects.get(action=AccessAction.BREAK_GLASS)
    assert event.actor == officer and "2am" in event.reason
    alert = Notification.objects.get(recipient=personas["cs_lead"])
    assert "Break-glass" in alert.message
    RecordShare.objects.filter(pk=share.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert not officer.has_perm("people.view_person", child), "break-glass expires"


def test_duplicate_identifiers_are_refused(child, personas) -> None:
    other = make_person(personas["practitioner"], given_name="Someone", family_name="Else")
    with pytest.raises(ValidationError, match="already has Local authority case number LA-1001"):
        identifier_add(
            actor=personas["practitioner"], person=other, scheme="la_case_number", value="la-1001"
        )


def test_an_invalid_nhs_number_is_refused(personas) -> None:
    with pytest.raises(ValidationError, match="not a valid NHS number"):
        make_person(personas["practitioner"], identifiers=[("nhs_number", "1234567890")])


def test_a_date_of_birth_in_the_future_is_refused(personas) -> None:
    with pytest.raises(ValidationError, match="today or in the past"):
        make_person(
            personas["practitioner"], date_of_birth=timezone.localdate() + dt.timedelta(days=1)
        )


def test_a_health_practitioner_sees_nhs_numbers_not_police_ids(personas) -> None:
    health = AgencyFactory.create(name="Health", kind=AgencyKind.HEALTH)
    nurse = UserFactory.create(agency=health, roles=["practitioner"])
    person = make_person(
        nurse, identifiers=[("nhs_number", "9434765919"), ("police_nominal", "PN1")]
    )
    assert {i.scheme for i in identifiers_for_viewer(viewer=nurse, person=person)} == {"nhs_number"}


def test_an_agency_that_uses_no_identifiers_sees_none(personas, django_assert_num_queries) -> None:
    housing = AgencyFactory.create(name="Housing", kind=AgencyKind.HOUSING)
    officer = UserFactory.create(agency=housing, roles=["practitioner"])
    person = make_person(
        officer, identifiers=[("nhs_number", "9434765919"), ("la_case_number", "LA-7")]
    )
    with django_assert_num_queries(0):
        assert identifiers_for_viewer(viewer=officer, person=person) == []


def test_associations_name_only_the_people_the_viewer_may_open(child, personas) -> None:
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    friend = make_person(worker, given_name="Friend", family_name="Lane")
    known_to_police = make_person(officer, given_name="Known", family_name="Police")
    merged = make_person(worker, given_name="Old", family_name="Duplicate")
    Person.objects.filter(pk=merged.pk).update(merged_into=friend)
    for person, other in ((child, friend), (known_to_police, child), (child, merged)):
        association_create(
            actor=worker,
            person=person,
            other=other,
            kind="peer",
            source="school",
            reliability="reported",
        )
    views = associations_for_viewer(viewer=worker, person=child)
    shown = {v.association.pk: v.other for v in views}
    assert len(views) == 3
    assert sorted(o.pk for o in shown.values() if o is not None) == [friend.pk]
    hidden = next(v for v in views if v.association.person_id == known_to_police.pk)
    assert hidden.other is None and hidden.other_holder == officer.agency.name
    analyst = associations_for_viewer(viewer=personas["analyst"], person=child)
    assert not any(v.other for v in analyst)
