"""Deny by default, proved over every URL the project serves."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from access.urlwalk import Route, undeclared, walk
from accounts.models import User
from audit.models import AccessAction, AccessEvent
from tests.factories import UserFactory

# The only views anyone may reach without signing in. Adding one is a security decision:
# change this list in the same commit, and say why.
PUBLIC = {
    "accounts:sign-in",
    "accounts:sign-out",
    "accounts:signed-out",
    "accounts:password-reset",
    "accounts:password-reset-sent",
    "accounts:password_reset_confirm",
    "accounts:password-reset-done",
    "core:healthz",
}
BEFORE_SECOND_FACTOR = {"accounts:second-factor", "accounts:second-factor-setup"}
# Permissions that every signed-in person holds, whatever their roles.
EVERYONE = {"core.view_home", "accounts.view_own_account"}

ROUTES = list(walk())
PROTECTED = [r for r in ROUTES if r.policy is not None and not r.policy.public]


def test_the_walk_finds_the_project_urls() -> None:
    names = {r.name for r in ROUTES}
    assert {"core:home", "audit:trail", "accounts:user-list"} <= names
    assert len(ROUTES) > 20


def test_every_view_declares_who_may_reach_it() -> None:
    assert undeclared() == []


def test_public_views_are_exactly_the_short_list() -> None:
    assert {r.name for r in ROUTES if r.policy and r.policy.public} == PUBLIC


def test_only_the_second_factor_pages_skip_the_second_factor() -> None:
    found = {r.name for r in ROUTES if r.policy and r.policy.before_second_factor}
    assert found == BEFORE_SECOND_FACTOR


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROTECTED, ids=lambda r: r.name)
def test_signed_out_visitors_are_sent_to_sign_in(route: Route, client: Client) -> None:
    response = client.get(route.sample_path())
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in PROTECTED if r.name not in BEFORE_SECOND_FACTOR], ids=lambda r: r.name
)
def test_a_password_alone_is_not_enough(route: Route, client: Client) -> None:
    client.force_login(UserFactory.create(roles=["administrator"]))
    response = client.get(route.sample_path())
    assert response.status_code == 302
    assert response["Location"].startswith("/security-code/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in PROTECTED if r.policy and r.policy.permission not in EVERYONE | {None}],
    ids=lambda r: r.name,
)
def test_signed_in_without_the_permission_is_refused_and_audited(
    route: Route,
    client_for,
    personas: dict[str, User],
) -> None:
    client = client_for(personas["no_role"])
    response = client.get(route.sample_path())
    assert response.status_code == 403
    denial = AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED).first()
    assert denial is not None
    assert denial.actor == personas["no_role"]
    assert denial.reason == route.policy.permission  # type: ignore[union-attr]


# --- the checker and the gate fail when the guarantee is broken -------------------------------


def forgotten_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("case records for anyone")


urlpatterns = [path("forgotten/", forgotten_view, name="forgotten")]


def test_the_walk_reports_a_view_that_declares_nothing() -> None:
    assert undeclared(urlpatterns) == ["forgotten/"]


@pytest.mark.django_db
@pytest.mark.urls("access.tests.test_url_walk")
def test_a_view_that_declares_nothing_is_refused_even_to_administrators(
    client_for,
    personas: dict[str, User],
) -> None:
    response = client_for(personas["administrator"]).get("/forgotten/")
    assert response.status_code == 403
    assert b"case records" not in response.content
    denial = AccessEvent.objects.get(action=AccessAction.PERMISSION_DENIED)
    assert denial.reason == "no access policy declared"
