"""The share check behind "may view" and "may change": one query per request, never stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from contextsafe.lib.request_cache import request_scope
from people.models import RecordShare
from people.services import break_glass
from tests.factories import UserFactory, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(personas: dict[str, User]):
    return make_person(personas["practitioner"], date_of_birth=dt.date(2011, 5, 4))


def test_view_and_change_cost_one_query_per_request(
    child, personas, django_assert_num_queries
) -> None:
    worker = personas["practitioner"]
    worker.role_set  # noqa: B018 - load the roles first: only the share check is counted
    with request_scope(), django_assert_num_queries(1):
        assert worker.has_perm("people.view_person", child)
        assert worker.has_perm("people.change_person", child)
        assert worker.has_perm("people.view_person", child)


def test_break_glass_still_opens_for_reading_only_within_one_request(child, personas) -> None:
    officer = personas["police_practitioner"]
    break_glass(actor=officer, person=child, reason="Found at 2am with adults of concern")
    colleague = UserFactory.create(agency=officer.agency, roles=["practitioner"])
    with request_scope():
        assert officer.has_perm("people.view_person", child)
        assert not officer.has_perm("people.change_person", child)
        assert not colleague.has_perm("people.view_person", child), "answers are per user"
        assert not colleague.has_perm("people.change_person", child)


def test_a_share_revoked_between_requests_is_seen_at_once(child, personas, client_for) -> None:
    officer = personas["police_practitioner"]
    share = RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    client = client_for(officer)
    assert client.get(f"/people/{child.pk}/").status_code == 200
    share.delete()
    assert client.get(f"/people/{child.pk}/").status_code == 404


def test_a_share_expiring_between_requests_is_seen_at_once(child, personas, client_for) -> None:
    officer = personas["police_practitioner"]
    share = RecordShare.objects.create(
        person=child,
        agency=officer.agency,
        route="shared",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    client = client_for(officer)
    page = client.get(f"/people/{child.pk}/").content.decode()
    assert "Change details" in page
    RecordShare.objects.filter(pk=share.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(f"/people/{child.pk}/").status_code == 404


def test_a_share_granted_between_requests_is_seen_at_once(child, personas, client_for) -> None:
    officer = personas["police_practitioner"]
    client = client_for(officer)
    assert client.get(f"/people/{child.pk}/").status_code == 404
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    page = client.get(f"/people/{child.pk}/").content.decode()
    assert "Change details" in page, "a share (not break-glass) lets the agency change the record"


def test_outside_a_request_nothing_is_remembered(child, personas) -> None:
    officer = personas["police_practitioner"]
    share = RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    assert officer.has_perm("people.change_person", child)
    share.delete()
    assert not officer.has_perm("people.view_person", child)
