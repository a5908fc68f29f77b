"""Production refuses to start without its secrets; responses carry the security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "CONTEXTSAFE_MODE": "production",
    "SECRET_KEY": "settings-test-only-8f3Kq2Zr7Wm1Xv5Tn9Lb4Hc6Jd0Ps3Ye7Ua2Gi5",
    "ALLOWED_HOSTS": "contextsafe.example.org",
    "DATABASE_URL": "sqlite:////tmp/contextsafe-settings-test.sqlite3",
    "CONTEXTSAFE_BASE_URL": "https://contextsafe.example.org",
}


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # The subprocess sees only what a real deployment would: no test or browser-test settings.
    leaked = ("CONTEXTSAFE_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(leaked)}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CONTEXTSAFE_BASE_URL"]
)
def test_production_refuses_to_start_without_each_value(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = run_manage({**PRODUCTION_ENV, "SECRET_KEY": "short"}, "check")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_the_default_mode_is_production() -> None:
    result = run_manage({}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_deploy_check_is_clean_under_production_settings() -> None:
    result = run_manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_set(settings) -> None:
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_strict_content_security_policy_and_secure_cookies(client: Client) -> None:
    response = client.get("/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csrf = response.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_session_cookie_is_secure_http_only_and_same_site(client: Client, personas) -> None:
    response = client.post(
        "/sign-in/", {"username": "practitioner", "password": "correct horse battery staple 42"}
    )
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_no_page_loads_anything_from_another_site() -> None:
    templates = list(ROOT.glob("*/templates/**/*.html")) + list(
        ROOT.glob("contextsafe/templates/**/*.html")
    )
    assert templates
    for template in templates:
        text = template.read_text()
        assert "https://" not in text and "http://" not in text.replace("http://www.w3.org", ""), (
            template
        )


@pytest.mark.django_db
def test_every_response_says_how_long_the_server_and_database_took(client: Client) -> None:
    timing = client.get("/healthz")["Server-Timing"]
    assert timing.startswith("app;dur=")
    assert 'db;desc="1 queries"' in timing


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit() -> None:
    """JIT compilation cost ~100 ms per hotspot GROUP BY and bought nothing back."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the CI runs the suite on both databases")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
