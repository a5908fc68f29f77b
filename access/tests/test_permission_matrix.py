"""The permission table, role by role: what each may and may not do."""

from __future__ import annotations

import pytest

from access.roles import Role, role_combination_problem
from accounts.models import User
from tests.factories import UserFactory

EVERY_ROLE = [r.value for r in Role]
CASE_WORK = {"practitioner", "team_manager", "cs_lead", "panel_chair"}
DOING = {"practitioner", "team_manager", "cs_lead"}  # case work other than chairing panels
# permission -> the roles that hold it. Every other role is refused.
EXPECTED: dict[str, set[str]] = {
    "core.view_home": set(EVERY_ROLE),
    "accounts.view_own_account": set(EVERY_ROLE),
    "accounts.manage_users": {"administrator"},
    "accounts.manage_agencies": {"administrator"},
    "accounts.change_user": {"administrator"},
    "audit.view_trail": {"auditor"},
    "audit.verify_chain": {"auditor"},
    # Page-level permissions of the front-door-to-strategy-meeting pathway; object rules (which
    # child, which agency) are tested in each app's test_access.py.
    "frontdoor.add_contact": CASE_WORK,
    "frontdoor.read_contacts": CASE_WORK,
    "frontdoor.manage_timescales": {"administrator"},
    "missing.access": CASE_WORK,
    "missing.view_interview_list": DOING,
    "missing.view_prompt_list": DOING,
    "missing.view_rules": CASE_WORK | {"administrator"},
    "missing.change_rules": {"cs_lead", "administrator"},
    "meetings.start_meeting": DOING,
    "meetings.make_marve_referral": DOING,
    "meetings.view_meetings": CASE_WORK,
    "meetings.view_marve_list": {"panel_chair", "cs_lead", "team_manager"},
    "meetings.decide_marve": {"panel_chair", "cs_lead"},
    "casework.view_casework": CASE_WORK,
    "casework.manage_key_leads": {"team_manager", "cs_lead"},
    "casework.answer_consultations": {"cs_lead"},
    "casework.view_nrm_list": DOING,
    # Plans: the page permission; which plan and which action are object rules (plans/tests).
    "plans.view_plans": CASE_WORK,
    # Panels: any case worker may be a member; only chairs and CS leads set panels up and book
    # conferences. Which meeting, item and action are object rules (panels/tests).
    "panels.view_panels": CASE_WORK,
    "panels.add_panel": {"panel_chair", "cs_lead"},
    "panels.add_conference": {"panel_chair", "cs_lead"},
    # Aggregates: analysts see suppressed counts only; case workers exact counts of what they see.
    "mapping.view_hotspots": CASE_WORK | {"analyst"},
    "mapping.view_exact_counts": CASE_WORK,
    "mapping.view_suggestions": {"cs_lead"},
    "mapping.decide_suggestion": {"cs_lead"},
    "mapping.open_context_from_cell": {"cs_lead"},
}
MATRIX = [(perm, role) for perm in EXPECTED for role in EVERY_ROLE]


@pytest.mark.django_db
@pytest.mark.parametrize(("permission", "role"), MATRIX)
def test_role_permission_matrix(permission: str, role: str) -> None:
    user = UserFactory.create(roles=[role])
    assert user.has_perm(permission) is (role in EXPECTED[permission])


@pytest.mark.django_db
def test_an_unknown_permission_is_refused_to_everyone() -> None:
    for role in EVERY_ROLE:
        assert not UserFactory.create(roles=[role]).has_perm("people.view_person")


@pytest.mark.django_db
def test_a_deactivated_account_holds_nothing() -> None:
    user = UserFactory.create(roles=["administrator"], is_active=False)
    assert not user.has_perm("accounts.manage_users")
    assert not user.has_perm("core.view_home")


@pytest.mark.django_db
def test_an_administrator_cannot_change_their_own_account(personas: dict[str, User]) -> None:
    admin = personas["administrator"]
    assert admin.has_perm("accounts.change_user", personas["practitioner"])
    assert not admin.has_perm("accounts.change_user", admin)


@pytest.mark.django_db
def test_people_may_view_their_own_account_only(personas: dict[str, User]) -> None:
    practitioner = personas["practitioner"]
    assert practitioner.has_perm("accounts.view_user", practitioner)
    assert not practitioner.has_perm("accounts.view_user", personas["auditor"])


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        ({"practitioner", "team_manager"}, True),
        ({"cs_lead", "panel_chair"}, True),
        ({"administrator"}, True),
        ({"administrator", "practitioner"}, False),
        ({"auditor", "team_manager"}, False),
        ({"analyst", "cs_lead"}, False),
        ({"administrator", "auditor"}, False),
    ],
)
def test_oversight_roles_stand_alone(roles: set[str], allowed: bool) -> None:
    assert (role_combination_problem(roles) is None) is allowed
