from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from access.policy import requires
from contexts.selectors import get_context_for_viewer
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from events import services
from events.forms import EventForm
from people.selectors import get_person_for_viewer


@requires("events.add_event")
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record an event from a person's page (with their role) or from a location's page."""
    person_id, location_id = request.GET.get("person", ""), request.GET.get("location", "")
    person = (
        get_person_for_viewer(viewer=request.user, pk=int(person_id))
        if person_id.isdigit()
        else None
    )
    location = (
        get_context_for_viewer(viewer=request.user, pk=int(location_id))
        if location_id.isdigit()
        else None
    )
    form = EventForm(
        request.POST or None, with_role=person is not None, initial={"location": location}
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.event_record(
                actor=request.user,
                kind=d["kind"],
                occurred_at=form.occurred_at(),
                narrative=d["narrative"],
                participants=[(person, d["role"])] if person else [],
                harm_types=d["harm_types"],
                location=d["location"],
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
            return redirect("contexts:chronology", pk=outcome.result.location_id or location.pk)  # type: ignore[union-attr]
    return render(
        request, "events/form.html", {"form": form, "person": person, "location": location}
    )
