"""Signing in with a password; nothing else.

Permissions come only from the rules in ``access/rules.py``. Django's ModelBackend would also look
up database permission tables on every refused check (two queries each time) — tables this
service never uses — so this backend authenticates and answers no permission question.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        # Nearly every page shows or audits the user's agency: load it with the user.
        user_model = get_user_model()
        user = user_model._default_manager.select_related("agency").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
