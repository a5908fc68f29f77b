"""Object-level checks, each one written to the audit trail by the check itself."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from audit.models import AccessAction
from audit.services import audit_record

M = TypeVar("M", bound=models.Model)


def authorize(
    viewer: Any,
    permission: str,
    obj: M,
    *,
    action: AccessAction = AccessAction.VIEW,
) -> M:
    """Return ``obj`` if ``viewer`` holds ``permission`` on it; otherwise 404.

    Both outcomes are audited. A refusal answers "not found" so that nothing leaks about
    whether the record exists.
    """
    if not viewer.has_perm(permission, obj):
        audit_record(
            actor=viewer, action=AccessAction.PERMISSION_DENIED, obj=obj, reason=permission
        )
        raise Http404
    audit_record(actor=viewer, action=action, obj=obj)
    return obj
