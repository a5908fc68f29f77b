"""Reads of user accounts, agencies and teams, scoped to the viewer and audited."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from access.guard import authorize
from accounts.models import Agency, RoleGrant, Team, User
from audit.models import AccessAction, AccessEvent
from audit.services import audit_record


def user_list(*, viewer: User, query: str = "", agency_id: int | None = None) -> QuerySet[User]:
    users = (
        User.objects.select_related("agency")
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")))
        .order_by("last_name", "first_name", "username")
    )
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    if agency_id:
        users = users.filter(agency_id=agency_id)
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="accounts.user",
        reason=f"query={query!r} agency={agency_id}",
    )
    return users


def get_user_for_viewer(*, viewer: User, pk: int) -> User:
    user = (
        User.objects.select_related("agency")
        .prefetch_related("teams__agency", "role_grants")
        .filter(pk=pk)
        .first()
    )
    if user is None:
        raise Http404
    return authorize(viewer, "accounts.view_user", user)


def user_recent_activity(*, user: User, limit: int = 20) -> QuerySet[AccessEvent]:
    """The latest audit events by or about an account, newest first (for its timeline)."""
    return AccessEvent.objects.filter(
        Q(actor=user) | Q(object_type="accounts.user", object_id=str(user.pk))
    ).order_by("-sequence")[:limit]


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name"))
    ).order_by("name")


def get_agency(*, pk: int) -> Agency:
    return get_object_or_404(Agency, pk=pk)


def get_team(*, pk: int) -> Team:
    return get_object_or_404(Team.objects.select_related("agency"), pk=pk)
