from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from access.roles import Role
from accounts.models import User
from demo.partnership import DEMO_USERS

pytestmark = pytest.mark.django_db


def test_demo_setup_refuses_outside_demo_mode() -> None:
    with pytest.raises(CommandError, match="only runs in demo mode"):
        call_command("demo_setup")
    assert not User.objects.exists()


@pytest.fixture
def demo(settings, tmp_path, capsys) -> str:
    settings.DEMO_MODE = True
    settings.OTP_REQUIRED = False
    settings.VAR_DIR = tmp_path
    call_command("demo_setup")
    return capsys.readouterr().out  # type: ignore[no-any-return]


def test_demo_setup_prints_every_user_and_covers_every_role(demo: str) -> None:
    for spec in DEMO_USERS:
        assert spec.username in demo
    held = {grant for user in User.objects.all() for grant in user.role_set}
    assert held == {r.value for r in Role}
    assert "password is: demo-" in demo


def test_demo_setup_can_run_again(demo: str, capsys) -> None:
    call_command("demo_setup")
    assert User.objects.count() == len(DEMO_USERS)


def test_every_demo_user_can_sign_in(demo: str, client: Client) -> None:
    password = demo.split("password is: ")[1].split()[0]
    for spec in DEMO_USERS:
        client.cookies.clear()
        response = client.post("/sign-in/", {"username": spec.username, "password": password})
        assert response.status_code == 302, spec.username
        home = client.get("/")
        assert home.status_code == 200, spec.username
        assert spec.first_name in home.content.decode()
