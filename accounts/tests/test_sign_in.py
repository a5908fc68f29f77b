"""Signing in with a password and a second factor; lockout; sign-out; session expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AccessAction, AccessEvent
from tests.factories import TEST_PASSWORD, current_code, totp_device_for

pytestmark = pytest.mark.django_db


def sign_in_with_password(client: Client, user: User, password: str = TEST_PASSWORD) -> str:
    response = client.post("/sign-in/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def test_password_then_code_reaches_the_home_page(
    client: Client, personas: dict[str, User]
) -> None:
    user = personas["practitioner"]
    device = totp_device_for(user)
    sign_in_with_password(client, user)
    response = client.get("/")
    assert response["Location"] == "/security-code/?next=/"
    response = client.post("/security-code/?next=/", {"code": current_code(device), "next": "/"})
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert user.get_full_name() in home.content.decode()
    assert escape(user.agency.name) in home.content.decode()  # type: ignore[union-attr]
    actions = list(AccessEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert AccessAction.SIGN_IN in actions
    assert AccessAction.SECOND_FACTOR in actions


def test_a_wrong_code_is_refused_with_a_clear_error(
    client: Client, personas: dict[str, User]
) -> None:
    user = personas["practitioner"]
    device = totp_device_for(user)
    sign_in_with_password(client, user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/security-code/", {"code": wrong})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "wrong or has expired" in page
    assert client.get("/").status_code == 302


def test_a_code_that_is_not_six_digits_gets_a_clear_error(
    client: Client, personas: dict[str, User]
) -> None:
    totp_device_for(personas["practitioner"])
    sign_in_with_password(client, personas["practitioner"])
    page = client.post("/security-code/", {"code": "12ab"}).content.decode()
    assert "Enter the 6-digit security code" in page
    assert 'value="12ab"' in page


def test_first_sign_in_sets_up_an_authenticator_app(
    client: Client, personas: dict[str, User]
) -> None:
    user = personas["team_manager"]
    sign_in_with_password(client, user)
    response = client.get("/security-code/")
    assert response["Location"].startswith("/security-code/set-up/")
    page = client.get("/security-code/set-up/").content.decode()
    assert "<svg" in page and "Set up your authenticator app" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/security-code/set-up/", {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_password_alone_cannot_replace_an_existing_authenticator(
    client: Client, personas: dict[str, User]
) -> None:
    user = personas["practitioner"]
    totp_device_for(user)
    sign_in_with_password(client, user)
    assert client.get("/security-code/set-up/")["Location"] == "/security-code/"


def test_demo_mode_does_not_demand_a_second_factor(
    client: Client,
    personas: dict[str, User],
    settings,
) -> None:
    settings.OTP_REQUIRED = False
    sign_in_with_password(client, personas["practitioner"])
    assert client.get("/").status_code == 200


def test_demo_mode_still_asks_people_who_set_up_an_app(
    client: Client,
    personas: dict[str, User],
    settings,
) -> None:
    settings.OTP_REQUIRED = False
    totp_device_for(personas["practitioner"])
    sign_in_with_password(client, personas["practitioner"])
    assert client.get("/")["Location"].startswith("/security-code/")


def test_a_wrong_password_is_refused_keeps_the_username_and_is_audited(
    client: Client, personas: dict[str, User]
) -> None:
    response = client.post("/sign-in/", {"username": "practitioner", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a correct username and password" in page
    assert 'value="practitioner"' in page
    failure = AccessEvent.objects.get(action=AccessAction.FAILED_SIGN_IN)
    assert (failure.actor, failure.actor_username) == (None, "practitioner")


def test_an_empty_form_names_both_missing_answers(client: Client, db: None) -> None:
    page = client.post("/sign-in/", {"username": "", "password": ""}).content.decode()
    assert "Enter your username" in page and "Enter your password" in page
    assert 'href="#id_username"' in page


def test_repeated_failures_lock_the_account(
    client: Client,
    personas: dict[str, User],
    settings,
) -> None:
    user = personas["practitioner"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/sign-in/", {"username": user.username, "password": "wrong"})
    response = client.post("/sign-in/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert AccessEvent.objects.filter(
        action=AccessAction.LOCKED_OUT, actor_username=user.username
    ).exists()
    assert not client.session.get("_auth_user_id")


def test_sign_out_ends_the_session(client_for, personas: dict[str, User]) -> None:
    client = client_for(personas["practitioner"])
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response["Location"] == "/signed-out/"
    assert client.get("/")["Location"].startswith("/sign-in/")
    assert AccessEvent.objects.filter(action=AccessAction.SIGN_OUT).exists()


def test_an_idle_session_expires(client_for, personas: dict[str, User], settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = client_for(personas["practitioner"])
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/")["Location"].startswith("/sign-in/")


def test_activity_keeps_a_session_alive_without_a_write_on_every_page(
    client_for, personas: dict[str, User], settings
) -> None:
    client = client_for(personas["practitioner"])
    client.get("/")
    soon = timezone.now() + dt.timedelta(minutes=5)
    Session.objects.update(expire_date=soon)
    client.get("/")
    assert Session.objects.get().expire_date == soon, "touched less than a minute ago: no write"
    settings.SESSION_TOUCH_SECONDS = 0
    client.get("/")
    assert Session.objects.get().expire_date > timezone.now() + dt.timedelta(minutes=29)


def test_a_deactivated_account_cannot_sign_in(client: Client, personas: dict[str, User]) -> None:
    user = personas["practitioner"]
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.post("/sign-in/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_next_cannot_send_people_to_another_site(
    client: Client, personas: dict[str, User], settings
) -> None:
    settings.OTP_REQUIRED = False
    response = client.post(
        "/sign-in/",
        {"username": "practitioner", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"
