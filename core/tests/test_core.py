from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_health_check_answers_without_signing_in(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_check_reports_a_database_that_does_not_answer(client: Client, monkeypatch) -> None:
    from core import views

    class Broken:
        def cursor(self) -> None:
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("administrator", {"Administration"}),
        ("auditor", {"Audit trail"}),
        ("practitioner", set()),
        ("analyst", set()),
    ],
)
def test_home_shows_who_is_signed_in_and_only_their_navigation(
    client_for,
    personas: dict[str, User],
    role: str,
    links: set[str],
) -> None:
    page = client_for(personas[role]).get("/").content.decode()
    assert personas[role].get_full_name() in page
    for label in {"Administration", "Audit trail"}:
        assert (f">{label}</a>" in page) is (label in links)


def test_a_user_without_roles_is_told_why_nothing_opens(
    client_for, personas: dict[str, User]
) -> None:
    page = client_for(personas["no_role"]).get("/").content.decode()
    assert "has no roles yet" in page


def test_unknown_pages_say_not_found_in_the_service_style(
    client_for, personas: dict[str, User]
) -> None:
    response = client_for(personas["practitioner"]).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
