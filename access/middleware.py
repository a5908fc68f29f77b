"""The gate every request passes: sign-in, second factor, then the view's declared permission."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NoReturn

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from access.policy import policy_of
from audit.context import AuditContextMiddleware
from audit.models import AccessAction
from audit.services import audit_record

logger = logging.getLogger(__name__)

SECOND_FACTOR_SESSION_KEY = "cs_second_factor_required"


def is_verified(user: Any) -> bool:
    """True once django-otp has accepted a second factor in this session."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def second_factor_pending(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return False
    return bool(settings.OTP_REQUIRED or request.session.get(SECOND_FACTOR_SESSION_KEY))


class AccessPolicyMiddleware(AuditContextMiddleware):
    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        policy = policy_of(view_func)
        if policy is None:
            logger.error("View %s declares no access policy; refused.", view_func)
            return self._deny(request, "no access policy declared")
        if policy.public:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        pending = second_factor_pending(request)
        request.cs_second_factor_pending = pending  # type: ignore[attr-defined]
        if pending and not policy.before_second_factor:
            return HttpResponseRedirect(
                reverse("accounts:second-factor") + f"?next={request.get_full_path()}"
            )
        if policy.permission and not request.user.has_perm(policy.permission):
            self._deny(request, policy.permission)
        return None

    @staticmethod
    def _deny(request: HttpRequest, why: str) -> NoReturn:
        audit_record(
            actor=request.user,
            action=AccessAction.PERMISSION_DENIED,
            object_type="view",
            object_label=request.path[:200],
            reason=why,
        )
        raise PermissionDenied(why)
