"""The permission table. Anything not named here is refused (deny by default).

Autodiscovered by ``rules.apps.AutodiscoverRulesConfig``; tested as a role × action matrix in
``access/tests/test_permission_matrix.py``.
"""

from __future__ import annotations

import rules

from access.predicates import (
    can_edit_person,
    can_view_event,
    can_view_identifier,
    can_view_person,
    does_case_work,
    is_administrator,
    is_auditor,
    is_cs_lead,
    is_same_user,
    is_signed_in,
    is_team_manager,
)

# The service itself
rules.add_perm("core.view_home", is_signed_in)
rules.add_perm("accounts.view_own_account", is_signed_in)

# Administration: users, agencies and teams. Administrators never get case permissions.
rules.add_perm("accounts.manage_users", is_administrator)
rules.add_perm("accounts.view_user", is_administrator | is_same_user)
rules.add_perm("accounts.change_user", is_administrator & ~is_same_user)
rules.add_perm("accounts.manage_agencies", is_administrator)

# The audit trail
rules.add_perm("audit.view_trail", is_auditor)
rules.add_perm("audit.verify_chain", is_auditor)

# Case records. Administrators, auditors and analysts hold none of these.
rules.add_perm("people.search", does_case_work)
rules.add_perm("people.add_person", does_case_work)
rules.add_perm("people.view_person", can_view_person)
rules.add_perm("people.change_person", can_edit_person)
rules.add_perm("people.view_identifier", can_view_identifier)
rules.add_perm("people.break_glass", does_case_work)
rules.add_perm("people.merge_people", (is_team_manager | is_cs_lead) & can_edit_person)
rules.add_perm("people.decide_access_request", (is_team_manager | is_cs_lead) & can_edit_person)
# Contexts are partnership records: every case worker sees them; who is linked to them is
# filtered person by person.
rules.add_perm("contexts.view_context", does_case_work)
rules.add_perm("contexts.add_context", does_case_work)
rules.add_perm("contexts.change_context", does_case_work)
rules.add_perm("events.add_event", does_case_work)
rules.add_perm("events.view_event", can_view_event)
