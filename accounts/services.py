"""Every change to users, agencies and teams: one function per use case, atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp import devices_for_user

from access.roles import Role, role_combination_problem
from accounts.models import Agency, RoleGrant, Team, User
from audit.models import AccessAction
from audit.services import audit_record
from contextsafe.lib.concurrency import save_versioned

USER_FIELDS = ["first_name", "last_name", "email", "agency", "job_title", "is_active"]


def _check_roles(roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(sorted(unknown))}"})
    problem = role_combination_problem(roles)
    if problem:
        raise ValidationError({"roles": problem})


def _check_teams(agency: Agency | None, teams: Iterable[Team]) -> None:
    outside = [team.name for team in teams if agency is None or team.agency_id != agency.pk]
    if outside:
        raise ValidationError(
            {"teams": f"These teams belong to another agency: {', '.join(sorted(outside))}"}
        )


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "agency": user.agency.name if user.agency else None,
        "job_title": user.job_title,
        "is_active": user.is_active,
        "teams": sorted(t.name for t in user.teams.all()),
        "roles": sorted(user.role_grants.values_list("role", flat=True)),
    }


def _set_roles(*, actor: User | None, user: User, roles: set[str]) -> None:
    current = set(user.role_grants.values_list("role", flat=True))
    user.role_grants.filter(role__in=current - roles).delete()
    RoleGrant.objects.bulk_create(
        RoleGrant(user=user, role=role, granted_by=actor) for role in sorted(roles - current)
    )
    user.forget_roles()


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    agency: Agency,
    job_title: str = "",
    teams: Iterable[Team] = (),
    roles: Iterable[str] = (),
    password: str | None = None,
) -> User:
    """Create an account. Without a password the person is emailed a link to choose one."""
    team_list, role_set = list(teams), set(roles)
    _check_roles(role_set)
    _check_teams(agency, team_list)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken. Choose another."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with that email address already exists."})
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email.lower(),
        agency=agency,
        job_title=job_title,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.teams.set(team_list)
    _set_roles(actor=actor, user=user, roles=role_set)
    audit_record(
        actor=actor, action=AccessAction.CREATE, obj=user, changes={"new": _snapshot(user)}
    )
    if not password:
        transaction.on_commit(lambda: user_send_set_password_email(user=user))
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    expected_version: int,
    first_name: str,
    last_name: str,
    email: str,
    agency: Agency,
    job_title: str,
    is_active: bool,
    teams: Iterable[Team],
    roles: Iterable[str],
) -> User:
    if actor.pk == user.pk:
        raise ValidationError(
            "You cannot change your own roles or account. Ask another administrator."
        )
    team_list, role_set = list(teams), set(roles)
    _check_roles(role_set)
    _check_teams(agency, team_list)
    before = _snapshot(user)
    user.first_name, user.last_name, user.email = first_name, last_name, email.lower()
    user.agency, user.job_title, user.is_active = agency, job_title, is_active
    user.full_clean(exclude=["password", "username"])
    save_versioned(user, expected_version=expected_version, fields=USER_FIELDS)
    user.teams.set(team_list)
    _set_roles(actor=actor, user=user, roles=role_set)
    after = _snapshot(user)
    changed = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=user, changes=changed)
    return user


@transaction.atomic
def user_reset_second_factor(*, actor: User, user: User) -> None:
    """Remove every second-factor device; the person sets up a new one at next sign-in."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit_record(
        actor=actor,
        action=AccessAction.SECOND_FACTOR,
        obj=user,
        reason="Second factor reset by an administrator",
    )


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Lift a lockout after repeated failed sign-ins."""
    removed = int(axes_reset(username=user.username) or 0)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=user,
        reason="Sign-in lockout lifted",
        changes={"lockout_records_removed": removed},
    )
    return removed


def password_reset_send(*, email: str, first_password: bool = False) -> None:
    """Email a link to choose a password. Says nothing about whether the address is known."""
    from accounts.forms import QueuedPasswordResetForm

    form = QueuedPasswordResetForm({"email": email})
    if not form.is_valid():
        return
    scheme, _, domain = settings.BASE_URL.partition("://")
    template = "set_password" if first_password else "password_reset"
    form.save(
        subject_template_name=f"accounts/email/{template}_subject.txt",
        email_template_name=f"accounts/email/{template}.txt",
        domain_override=domain,
        use_https=scheme == "https",
    )


def user_send_set_password_email(*, user: User) -> None:
    password_reset_send(email=user.email, first_password=True)


@transaction.atomic
def agency_create(*, actor: User | None, name: str, kind: str) -> Agency:
    agency = Agency(name=name, kind=kind)
    agency.full_clean()
    agency.save()
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=agency,
        changes={"new": {"name": name, "kind": kind}},
    )
    return agency


@transaction.atomic
def agency_update(
    *, actor: User, agency: Agency, expected_version: int, name: str, kind: str, is_active: bool
) -> Agency:
    before = {"name": agency.name, "kind": agency.kind, "is_active": agency.is_active}
    agency.name, agency.kind, agency.is_active = name, kind, is_active
    agency.full_clean()
    save_versioned(agency, expected_version=expected_version, fields=["name", "kind", "is_active"])
    after = {"name": name, "kind": kind, "is_active": is_active}
    changed = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=agency, changes=changed)
    return agency


@transaction.atomic
def team_create(*, actor: User | None, agency: Agency, name: str) -> Team:
    team = Team(agency=agency, name=name)
    team.full_clean()
    team.save()
    audit_record(actor=actor, action=AccessAction.CREATE, obj=team, changes={"new": {"name": name}})
    return team


@transaction.atomic
def team_update(
    *, actor: User, team: Team, expected_version: int, name: str, is_active: bool
) -> Team:
    before = {"name": team.name, "is_active": team.is_active}
    team.name, team.is_active = name, is_active
    team.full_clean()
    save_versioned(team, expected_version=expected_version, fields=["name", "is_active"])
    after = {"name": name, "is_active": is_active}
    changed = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=team, changes=changed)
    return team
