"""Administration: users, agencies and teams. Administrators never reach case records from here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_otp import devices_for_user

from access.policy import requires
from accounts import selectors, services
from accounts.forms import AgencyForm, TeamForm, UserForm
from accounts.models import Agency, Team, User
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form


def _user_fields(data: dict[str, Any]) -> dict[str, Any]:
    names = ("first_name", "last_name", "email", "agency", "job_title", "teams", "roles")
    return {name: data[name] for name in names}


@requires("accounts.manage_users")
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    agency_id = request.GET.get("agency", "")
    agency_pk = int(agency_id) if agency_id.isdigit() else None
    users = selectors.user_list(viewer=request.user, query=query, agency_id=agency_pk)
    context = {
        "page": Paginator(users, 50).get_page(request.GET.get("page")),
        "q": query,
        "agency_pk": agency_pk,
        "agencies": Agency.objects.order_by("name"),
    }
    return render(request, "accounts/manage/user_list.html", context)


@requires("accounts.manage_users")
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_user_for_viewer(viewer=request.user, pk=pk)
    context = {
        "account": account,
        "activity": selectors.user_recent_activity(user=account),
        "has_second_factor": any(True for _ in devices_for_user(account, confirmed=True)),
        "can_change": request.user.has_perm("accounts.change_user", account),
    }
    return render(request, "accounts/manage/user_detail.html", context)


@requires("accounts.manage_users")
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda data: services.user_create(
                actor=request.user, username=data["username"], **_user_fields(data)
            ),
        )
        if outcome.saved:
            user: User = outcome.result
            messages.success(
                request,
                f"Account created for {user}. They have been emailed a link to choose a password.",
            )
            return redirect("accounts:user-detail", pk=user.pk)
    return render(request, "accounts/manage/user_form.html", {"form": form, "creating": True})


@requires("accounts.manage_users")
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_user_for_viewer(viewer=request.user, pk=pk)
    if not request.user.has_perm("accounts.change_user", account):
        messages.error(
            request, "You cannot change your own account here. Ask another administrator."
        )
        return redirect("accounts:user-detail", pk=pk)
    initial = {
        "username": account.username,
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "job_title": account.job_title,
        "agency": account.agency,
        "teams": list(account.teams.all()),
        "roles": sorted(account.role_set),
        "is_active": account.is_active,
        "version": account.version,
    }

    def build(data: QueryDict | None) -> UserForm:
        return UserForm(data, initial=initial, editing=True)

    form, conflict = build(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda data: services.user_update(
                actor=request.user,
                user=account,
                expected_version=data["version"] or 0,
                is_active=data["is_active"],
                **_user_fields(data),
            ),
            rebuild=build,
        )
        if outcome.saved:
            messages.success(request, f"Changes to {account} saved.")
            return redirect("accounts:user-detail", pk=account.pk)
        form, conflict = outcome.form, outcome.conflict
    context = {"form": form, "account": account, "conflict": conflict}
    return render(request, "accounts/manage/user_form.html", context)


@requires("accounts.manage_users")
@require_POST
def user_reset_second_factor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_user_for_viewer(viewer=request.user, pk=pk)
    if not request.user.has_perm("accounts.change_user", account):
        messages.error(request, "You cannot reset your own second factor here.")
    else:
        services.user_reset_second_factor(actor=request.user, user=account)
        messages.success(
            request,
            f"{account}'s authenticator app has been removed. "
            "They will set up a new one when they next sign in.",
        )
    return redirect("accounts:user-detail", pk=pk)


@requires("accounts.manage_users")
@require_POST
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_user_for_viewer(viewer=request.user, pk=pk)
    services.user_unlock(actor=request.user, user=account)
    messages.success(request, f"{account} can try to sign in again.")
    return redirect("accounts:user-detail", pk=pk)


@requires("accounts.manage_users")
@require_POST
def user_send_password_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = selectors.get_user_for_viewer(viewer=request.user, pk=pk)
    services.user_send_set_password_email(user=account)
    messages.success(request, f"A link to choose a password has been emailed to {account.email}.")
    return redirect("accounts:user-detail", pk=pk)


@requires("accounts.manage_agencies")
def agency_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "accounts/manage/agency_list.html", {"agencies": selectors.agency_list()}
    )


@requires("accounts.manage_agencies")
def agency_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda data: services.agency_create(
                actor=request.user, name=data["name"], kind=data["kind"]
            ),
        )
        if outcome.saved:
            messages.success(request, f"{outcome.result} added.")
            return redirect("accounts:agency-list")
    return render(request, "accounts/manage/agency_form.html", {"form": form, "creating": True})


@requires("accounts.manage_agencies")
def agency_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agency = selectors.get_agency(pk=pk)
    initial = {
        "name": agency.name,
        "kind": agency.kind,
        "is_active": agency.is_active,
        "version": agency.version,
    }
    form, conflict = AgencyForm(request.POST or None, initial=initial), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda data: services.agency_update(
                actor=request.user,
                agency=agency,
                expected_version=data["version"] or 0,
                name=data["name"],
                kind=data["kind"],
                is_active=data["is_active"],
            ),
            rebuild=lambda data: AgencyForm(data, initial=initial),
        )
        if outcome.saved:
            messages.success(request, f"Changes to {agency} saved.")
            return redirect("accounts:agency-list")
        form, conflict = outcome.form, outcome.conflict
    context = {"form": form, "agency": agency, "conflict": conflict}
    return render(request, "accounts/manage/agency_form.html", context)


@requires("accounts.manage_agencies")
def team_create(request: AuthenticatedHttpRequest, agency_pk: int) -> HttpResponse:
    agency = selectors.get_agency(pk=agency_pk)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda data: services.team_create(actor=request.user, agency=agency, name=data["name"]),
        )
        if outcome.saved:
            messages.success(request, f"{outcome.result.name} added to {agency}.")
            return redirect("accounts:agency-list")
    context = {"form": form, "agency": agency, "creating": True}
    return render(request, "accounts/manage/team_form.html", context)


@requires("accounts.manage_agencies")
def team_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team: Team = selectors.get_team(pk=pk)
    initial = {"name": team.name, "is_active": team.is_active, "version": team.version}
    form, conflict = TeamForm(request.POST or None, initial=initial), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda data: services.team_update(
                actor=request.user,
                team=team,
                expected_version=data["version"] or 0,
                name=data["name"],
                is_active=data["is_active"],
            ),
            rebuild=lambda data: TeamForm(data, initial=initial),
        )
        if outcome.saved:
            messages.success(request, f"Changes to {team.name} saved.")
            return redirect("accounts:agency-list")
        form, conflict = outcome.form, outcome.conflict
    context = {"form": form, "agency": team.agency, "team": team, "conflict": conflict}
    return render(request, "accounts/manage/team_form.html", context)
