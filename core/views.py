from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from access.policy import public, requires
from access.roles import Role
from audit.services import audit_list_read
from casework.selectors import my_caseload
from contextsafe.http import AuthenticatedHttpRequest
from core.selectors import my_work, unread_notifications
from core.services import notifications_mark_read
from core.worklist import work_links


@requires("core.view_home")
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    work = my_work(viewer=user, today=timezone.localdate())
    if not work.is_empty:
        # "My work" names children and places, like any work list.
        audit_list_read(
            actor=user,
            object_type="core.my_work",
            reason="Read My work on the home page: meetings, actions and plans",
        )
    context = {
        "roles": user.role_grants.order_by("role"),
        "teams": user.teams.all(),
        "can_manage_users": user.has_perm("accounts.manage_users"),
        "can_view_audit": user.has_perm("audit.view_trail"),
        "does_case_work": user.has_perm("people.search"),
        "decides_access": bool(user.role_set & {Role.TEAM_MANAGER, Role.CS_LEAD}),
        "notifications": unread_notifications(user=user),
        "work_links": work_links(user),
        "caseload": my_caseload(viewer=user),
        "work": work,
    }
    return render(request, "core/home.html", context)


@requires("core.view_home")
@require_POST
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("core:home")


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
