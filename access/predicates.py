"""Named predicates: the only place that says who may do what."""

from __future__ import annotations

from typing import Any

import rules

from access.roles import CASE_WORK_ROLES, Role


def _roles(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return user.role_set  # type: ignore[no-any-return]


def has_role(role: Role) -> Any:
    def holds_role(user: Any) -> bool:
        return role in _roles(user)

    return rules.predicate(holds_role, name=f"has_role:{role.value}")


is_practitioner = has_role(Role.PRACTITIONER)
is_team_manager = has_role(Role.TEAM_MANAGER)
is_cs_lead = has_role(Role.CS_LEAD)
is_panel_chair = has_role(Role.PANEL_CHAIR)
is_analyst = has_role(Role.ANALYST)
is_administrator = has_role(Role.ADMINISTRATOR)
is_auditor = has_role(Role.AUDITOR)


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _does_case_work(user: Any) -> bool:
    return bool(_roles(user) & CASE_WORK_ROLES)


def _is_same_user(user: Any, other: Any) -> bool:
    return other is not None and user is not None and other.pk == user.pk


is_signed_in = rules.predicate(_is_signed_in, name="is_signed_in")
does_case_work = rules.predicate(_does_case_work, name="does_case_work")
is_same_user = rules.predicate(_is_same_user, name="is_same_user")
