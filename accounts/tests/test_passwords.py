"""Password reset through an emailed link (sent by the task queue) and password change."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from audit.models import AccessAction, AccessEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def link_in(message: str) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message)
    assert match, message
    return match.group(1)


def test_reset_by_email_link(client: Client, personas: dict[str, User]) -> None:
    user = personas["practitioner"]
    response = client.post("/password/reset/", {"email": user.email})
    assert response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    form_url = client.get(link_in(str(mail.outbox[0].body)))["Location"]
    new = "a brand new long passphrase 7"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/password/reset/done/"
    user.refresh_from_db()
    assert user.check_password(new)
    assert AccessEvent.objects.filter(action=AccessAction.PASSWORD, object_id=str(user.pk)).exists()


def test_reset_says_the_same_for_an_unknown_address(client: Client, db: None) -> None:
    response = client.post("/password/reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []


def test_reset_rejects_a_malformed_address_and_keeps_it(client: Client, db: None) -> None:
    page = client.post("/password/reset/", {"email": "not-an-email"}).content.decode()
    assert "Enter an email address in the correct format" in page
    assert 'value="not-an-email"' in page


def test_a_weak_new_password_is_refused(client: Client, personas: dict[str, User]) -> None:
    client.post("/password/reset/", {"email": personas["practitioner"].email})
    form_url = client.get(link_in(str(mail.outbox[0].body)))["Location"]
    page = client.post(
        form_url, {"new_password1": "password", "new_password2": "password"}
    ).content.decode()
    assert "There is a problem" in page
    assert "too short" in page or "too common" in page


def test_change_password_needs_the_current_one(client_for, personas: dict[str, User]) -> None:
    client = client_for(personas["practitioner"])
    new = "another long passphrase 99"
    page = client.post(
        "/account/password/", {"old_password": "wrong", "new_password1": new, "new_password2": new}
    ).content.decode()
    assert "Your old password was entered incorrectly" in page
    response = client.post(
        "/account/password/",
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == "/account/"
    assert client.get("/").status_code == 200, "the session survives a password change"
