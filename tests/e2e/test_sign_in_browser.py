"""A person signs in with a password and an authenticator code, as they would in Chromium."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from tests.browser import axe_violations, screenshot
from tests.factories import TEST_PASSWORD, current_code, totp_device_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page: Page, base: str, user: User) -> None:
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/sign-in/"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_sign_in_with_a_totp_code_lands_on_home(
    page: Page, live_server, personas: dict[str, User]
) -> None:
    user = personas["practitioner"]
    device = totp_device_for(user)
    page.goto(live_server.url + "/")
    screenshot(page, "01-sign-in")
    sign_in_with_password(page, live_server.url, user)
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    screenshot(page, "02-security-code")
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Welcome, {user.first_name}")).to_be_visible()
    expect(page.get_by_test_id("signed-in-user")).to_have_text(user.get_full_name())
    expect(page.locator(".moj-header")).to_contain_text(user.agency.name)  # type: ignore[union-attr]
    screenshot(page, "03-home")


def test_a_wrong_code_shows_the_error_summary(
    page: Page, live_server, personas: dict[str, User]
) -> None:
    user = personas["practitioner"]
    totp_device_for(user)
    sign_in_with_password(page, live_server.url, user)
    page.get_by_label("Security code").fill("12345")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the 6-digit security code")
    expect(page.get_by_label("Security code")).to_have_value("12345")
    screenshot(page, "04-wrong-code")


def test_first_sign_in_sets_up_the_authenticator_app(
    page: Page, live_server, personas: dict[str, User]
) -> None:
    user = personas["administrator"]
    sign_in_with_password(page, live_server.url, user)
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.locator(".cs-qr-code svg")).to_be_visible()
    screenshot(page, "05-set-up-app")
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Security code").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", name=f"Welcome, {user.first_name}")).to_be_visible()
    expect(page.get_by_text("Your authenticator app is set up.")).to_be_visible()
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    screenshot(page, "06-administration")


def test_hide_screen_blanks_the_page_at_once(
    page: Page, live_server, personas: dict[str, User]
) -> None:
    user = personas["practitioner"]
    device = totp_device_for(user)
    sign_in_with_password(page, live_server.url, user)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Sign in").click()
    heading = page.get_by_role("heading", name=f"Welcome, {user.first_name}")
    page.get_by_role("button", name="Hide screen").click()
    expect(heading).to_be_hidden()
    expect(page.get_by_role("button", name="Show screen")).to_be_focused()
    screenshot(page, "07-screen-hidden")
    page.keyboard.press("Escape")
    expect(heading).to_be_visible()


def test_pages_pass_axe_core(
    browser: Browser, page: Page, live_server, personas: dict[str, User]
) -> None:
    admin, auditor = personas["administrator"], personas["auditor"]
    findings: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    findings["/sign-in/"] = axe_violations(
        browser, live_server.url + "/sign-in/", {"cookies": [], "origins": []}
    )
    for user, paths in (
        (
            admin,
            [
                "/",
                "/manage/users/",
                f"/manage/users/{auditor.pk}/",
                "/manage/users/new/",
                "/manage/agencies/",
                "/account/",
            ],
        ),
        (auditor, ["/audit/"]),
    ):
        device = totp_device_for(user)
        page.context.clear_cookies()
        sign_in_with_password(page, live_server.url, user)
        page.get_by_label("Security code").fill(current_code(device))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_test_id("signed-in-user")).to_be_visible()
        state = page.context.storage_state()
        for path in paths:
            findings[path] = axe_violations(browser, live_server.url + path, state)  # type: ignore[arg-type]
        page.goto(live_server.url + paths[-1])
    assert {path: v for path, v in findings.items() if v} == {}
