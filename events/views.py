from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from access.policy import requires
from contexts.models import Context, ContextKind
from contexts.selectors import context_list, get_context_for_viewer
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from events import services
from events.forms import EventForm
from people.selectors import get_person_for_viewer

PICK_LIMIT = 20


def _chosen_location(request: AuthenticatedHttpRequest) -> Context | None:
    raw = request.POST.get("location") or request.GET.get("location") or ""
    if not raw.isdigit():
        return None
    location = get_context_for_viewer(viewer=request.user, pk=int(raw))
    return location if location.kind == ContextKind.LOCATION else None


@requires("events.add_event")
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record an event from a person's page (with their role) or from a location's page.

    The place is picked by searching the partnership's locations (there are thousands in a
    county), not from one long list.
    """
    person_id = request.GET.get("person", "")
    person = (
        get_person_for_viewer(viewer=request.user, pk=int(person_id))
        if person_id.isdigit()
        else None
    )
    location = _chosen_location(request)
    place_query = request.GET.get("place", "").strip()[:100]
    places = None
    if place_query and location is None:
        places = list(
            context_list(viewer=request.user, query=place_query, kind=ContextKind.LOCATION)[
                :PICK_LIMIT
            ]
        )
    form = EventForm(request.POST or None, with_role=person is not None)
    if request.method == "POST" and form.is_valid():
        if person is None and location is None:
            form.add_error(None, "Choose the location this event happened at")
        else:
            outcome = save_form(
                form,
                lambda d: services.event_record(
                    actor=request.user,
                    kind=d["kind"],
                    occurred_at=form.occurred_at(),
                    narrative=d["narrative"],
                    participants=[(person, d["role"])] if person else [],
                    harm_types=d["harm_types"],
                    location=location,
                    place_description=d["place_description"],
                    sensitivity=d["sensitivity"],
                ),
            )
            if "occurred_at" in form.errors:
                form.add_error("occurred_on", form.errors.pop("occurred_at"))
            if outcome.saved:
                messages.success(request, "Event recorded.")
                if person:
                    return redirect("people:chronology", pk=person.pk)
                return redirect("contexts:chronology", pk=outcome.result.location_id)
    context = {
        "form": form,
        "person": person,
        "location": location,
        "places": places,
        "place_query": place_query,
    }
    return render(request, "events/form.html", context)
