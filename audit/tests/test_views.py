from __future__ import annotations

import pytest

from accounts.models import User
from audit.models import AccessAction, AccessEvent, ChainVerification
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_auditors_read_and_filter_the_trail(client_for, personas: dict[str, User]) -> None:
    audit_record(actor=personas["practitioner"], action=AccessAction.VIEW, obj=personas["analyst"])
    audit_record(actor=None, action=AccessAction.FAILED_SIGN_IN, username="mallory")
    client = client_for(personas["auditor"])
    page = client.get("/audit/").content.decode()
    assert "mallory" in page and "practitioner" in page
    page = client.get("/audit/?action=failed_sign_in").content.decode()
    assert "mallory" in page
    assert personas["analyst"].get_full_name() not in page
    searches = AccessEvent.objects.filter(actor=personas["auditor"], action=AccessAction.SEARCH)
    assert searches.count() == 2


def test_impossible_filter_dates_get_clear_errors(client_for, personas: dict[str, User]) -> None:
    client = client_for(personas["auditor"])
    page = client.get(
        "/audit/?date_from_day=31&date_from_month=2&date_from_year=2026"
    ).content.decode()
    assert "From must be a real date" in page
    assert 'value="31"' in page
    page = client.get(
        "/audit/?date_from_day=2&date_from_month=3&date_from_year=2026"
        "&date_to_day=1&date_to_month=3&date_to_year=2026"
    ).content.decode()
    assert "must be the same as or after" in page


def test_auditors_check_the_chain_from_the_page(
    client_for,
    personas: dict[str, User],
    django_capture_on_commit_callbacks,
) -> None:
    client = client_for(personas["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/audit/verify/")
    assert response["Location"] == "/audit/"
    verification = ChainVerification.objects.get()
    assert verification.intact is True
    assert verification.events_checked >= 1
    assert "Chain intact" in client.get("/audit/").content.decode()


def test_nobody_else_reads_the_trail(client_for, personas: dict[str, User]) -> None:
    for role in (
        "practitioner",
        "team_manager",
        "cs_lead",
        "panel_chair",
        "analyst",
        "administrator",
    ):
        assert client_for(personas[role]).get("/audit/").status_code == 403
