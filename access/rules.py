"""The permission table. Anything not named here is refused (deny by default).

Autodiscovered by ``rules.apps.AutodiscoverRulesConfig``; tested as a role × action matrix in
``access/tests/test_permission_matrix.py``.
"""

from __future__ import annotations

import rules

from access.predicates import (
    is_administrator,
    is_auditor,
    is_same_user,
    is_signed_in,
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
