from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from access.policy import public, requires
from contextsafe.http import AuthenticatedHttpRequest


@requires("core.view_home")
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "roles": user.role_grants.order_by("role"),
        "teams": user.teams.all(),
        "can_manage_users": user.has_perm("accounts.manage_users"),
        "can_view_audit": user.has_perm("audit.view_trail"),
    }
    return render(request, "core/home.html", context)


@public
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
