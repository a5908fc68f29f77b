from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from access.policy import requires
from audit import selectors, services
from audit.forms import TrailFilterForm
from contextsafe.http import AuthenticatedHttpRequest


@requires("audit.view_trail")
def trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TrailFilterForm(request.GET or None, object_types=selectors.object_types_in_trail())
    filters = form.to_filter()
    events = selectors.access_event_list(viewer=request.user, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "verification": selectors.latest_verification(),
        "filtered": filters.is_filtered,
    }
    return render(request, "audit/trail.html", context)


@requires("audit.verify_chain")
@require_POST
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    verification = services.verification_request(actor=request.user)
    verification.refresh_from_db()
    if verification.intact is None:
        messages.info(
            request, "The check has started. Refresh this page in a minute to see the result."
        )
    return redirect("audit:trail")
