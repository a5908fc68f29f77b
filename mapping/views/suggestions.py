"""The suggested-contexts queue: the CS lead reviews candidate hotspots and peer groups.

The queue is read from what the background task stored; nothing is recomputed here. Every page
shows only records the lead may open (see ``mapping.suggestions``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone

from access.policy import requires
from accounts.models import Team
from contexts.models import LocationType
from contexts.services import initials_only
from contextsafe.forms import GovukDateField, GovukForm
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from events.models import Event, Sensitivity
from events.selectors import visible_events
from mapping import services
from mapping.models import SuggestedContext, SuggestionKind, SuggestionRun, SuggestionStatus
from mapping.suggestions import HIDDEN_NOTE, SuggestionView, suggestion_for_viewer, suggestion_queue

SNOOZE_WEEKS = 4
TABS = [
    (SuggestionStatus.OPEN, "To review"),
    (SuggestionStatus.SNOOZED, "Snoozed"),
    (SuggestionStatus.DISMISSED, "Dismissed"),
    (SuggestionStatus.ACCEPTED, "Accepted"),
]
# Words in a place description that say what kind of place it is, for the accept form's default.
LOCATION_WORDS = [
    ("underpass", LocationType.TRANSPORT_HUB),
    ("station", LocationType.TRANSPORT_HUB),
    ("bus ", LocationType.TRANSPORT_HUB),
    ("subway", LocationType.TRANSPORT_HUB),
    ("park", LocationType.PARK),
    ("common", LocationType.PARK),
    ("playing field", LocationType.PARK),
    ("takeaway", LocationType.SHOP_TAKEAWAY),
    ("shop", LocationType.SHOP_TAKEAWAY),
    ("chicken", LocationType.SHOP_TAKEAWAY),
    ("stairwell", LocationType.ESTATE_STAIRWELL),
    ("estate", LocationType.ESTATE_STAIRWELL),
    ("hotel", LocationType.SHORT_LET_HOTEL),
    ("school", LocationType.SCHOOL_SURROUNDINGS),
    ("academy", LocationType.SCHOOL_SURROUNDINGS),
]
# A car park, a retail park or a business park is not a park or open space.
NOT_PARKS = ("car park", "retail park", "business park")


def _teams() -> QuerySet[Team]:
    return (
        Team.objects.filter(is_active=True)
        .select_related("agency")
        .order_by("agency__name", "name")
    )


def cell_url(cell: str) -> str:
    """The hotspot map's page for one cell (written separately; its path is fixed)."""
    try:
        return reverse("mapping:cell", args=[cell])
    except NoReverseMatch:
        return f"/mapping/map/cells/{cell}/"


def guess_location_type(place: str) -> str:
    text = f" {place.lower()} "
    for phrase in NOT_PARKS:
        text = text.replace(phrase, " ")
    for word, kind in LOCATION_WORDS:
        if word in text:
            return kind.value
    return LocationType.OTHER.value


# --- Forms ----------------------------------------------------------------------------------------


class TeamChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.agency})"


class AcceptHotspotForm(GovukForm):
    name = forms.CharField(
        label="Name of the place",
        max_length=200,
        help_text="Taken from how the events describe the place. Change it if it is better known "
        "by another name.",
    )
    location_type = forms.ChoiceField(
        label="Type of location", choices=[("", "Choose a type"), *LocationType.choices]
    )
    owning_team = TeamChoiceField(label="Owning team", queryset=Team.objects.none())
    address = forms.CharField(label="Address or landmark", max_length=300, required=False)
    events = forms.TypedMultipleChoiceField(
        label="Events to place at this location",
        help_text="Events you may open, inside these map cells and not already at a location. "
        "Untick any that did not happen at this place.",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, events: list[Event], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owning_team"].queryset = _teams()  # type: ignore[attr-defined]
        self.fields["events"].choices = [(e.pk, _event_label(e)) for e in events]  # type: ignore[attr-defined]


class AcceptGroupForm(GovukForm):
    name = forms.CharField(label="Name of the peer group", max_length=200)
    owning_team = TeamChoiceField(label="Owning team", queryset=Team.objects.none())
    members = forms.TypedMultipleChoiceField(
        label="Young people to record as members",
        help_text="Only young people whose records you may open are listed. Each link is recorded "
        "as intelligence (unverified), suggested by network analysis and accepted by you.",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, people: list[Any], initials: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owning_team"].queryset = _teams()  # type: ignore[attr-defined]
        if initials:
            del self.fields["members"]
        else:
            self.fields["members"].choices = [(p.pk, _person_label(p)) for p in people]  # type: ignore[attr-defined]


class DismissForm(GovukForm):
    reason = forms.CharField(
        label="Why is this suggestion dismissed?",
        help_text="For example, the place is already known under another record, or the events "
        "have another explanation. Other CS leads will read this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why this suggestion is dismissed"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SnoozeForm(GovukForm):
    until = GovukDateField(
        label="Snooze until",
        help_text="It comes back to review on the first recompute on or after this date. For "
        "example, 27 3 2027.",
        error_messages={"required": "Enter the date to snooze until"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError("The date must be in the future")
        return until


def _event_label(event: Event) -> str:
    harms = ", ".join(event.harm_labels) or "no harm type recorded"
    place = f" — {event.place_description}" if event.place_description else ""
    when = timezone.localtime(event.occurred_at)
    return f"{event.get_kind_display()}, {when:%-d %b %Y}{place} ({harms})"


def _person_label(person: Any) -> str:
    born = f", born {person.date_of_birth:%-d %b %Y}" if person.date_of_birth else ""
    return f"{person.display_name}{born}"


# --- Views ----------------------------------------------------------------------------------------


def _latest_run() -> tuple[SuggestionRun | None, SuggestionRun | None]:
    """The latest successful run, and the latest run if it failed after that."""
    done = SuggestionRun.objects.filter(finished_at__isnull=False, error="").first()
    latest = SuggestionRun.objects.first()
    failed = latest if latest is not None and latest.error else None
    return done, failed


@requires("mapping.view_suggestions")
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status", SuggestionStatus.OPEN)
    if status not in SuggestionStatus.values:
        status = SuggestionStatus.OPEN
    items = suggestion_queue(viewer=request.user, status=status)
    run, failed = _latest_run()
    return render(
        request,
        "mapping/suggestions.html",
        {
            "items": items,
            "status": status,
            "status_label": SuggestionStatus(status).label,
            "tabs": TABS,
            "run": run,
            "failed": failed,
            "hidden_note": HIDDEN_NOTE,
            "kinds": Counter(v.suggestion.kind for v in items),
        },
    )


@requires("mapping.view_suggestions")
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    view = suggestion_for_viewer(viewer=request.user, pk=pk)
    return render(request, "mapping/suggestion.html", _page(request, view))


def _page(request: AuthenticatedHttpRequest, view: SuggestionView) -> dict[str, Any]:
    s = view.suggestion
    return {
        "view": view,
        "suggestion": s,
        "title": view.title,
        "is_hotspot": s.kind == SuggestionKind.HOTSPOT,
        "cells": [(cell, n, cell_url(cell)) for cell, n in view.hotspot.cells]
        if view.hotspot
        else [],
        "can_decide": request.user.has_perm("mapping.decide_suggestion")
        and s.status != SuggestionStatus.ACCEPTED,
        "hidden_note": HIDDEN_NOTE,
    }


def _hotspot_events(request: AuthenticatedHttpRequest, s: SuggestedContext) -> list[Event]:
    """The evidence events the lead may open that could be placed at a new location."""
    return list(
        visible_events(request.user)
        .filter(pk__in=s.evidence.get("events", []), h3_cell__in=s.cells, location__isnull=True)
        .order_by("-occurred_at")
    )


def _default_place(s: SuggestedContext, events: list[Event]) -> str:
    standard = Counter(
        e.place_description.strip()
        for e in events
        if e.place_description.strip() and e.sensitivity == Sensitivity.STANDARD
    )
    if standard:
        return standard.most_common(1)[0][0]
    return s.title.removeprefix("Possible hotspot: ")


def _own_team(request: AuthenticatedHttpRequest) -> Team | None:
    return request.user.teams.filter(agency=request.user.agency, is_active=True).first()


@requires("mapping.decide_suggestion")
def accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    view = suggestion_for_viewer(viewer=request.user, pk=pk)
    s = view.suggestion
    if s.status == SuggestionStatus.ACCEPTED:
        messages.info(request, "This suggestion has already been accepted.")
        return redirect("mapping:suggestion", pk=s.pk)
    if s.kind == SuggestionKind.HOTSPOT:
        return _accept_hotspot(request, view)
    return _accept_group(request, view)


def _accept_hotspot(request: AuthenticatedHttpRequest, view: SuggestionView) -> HttpResponse:
    s = view.suggestion
    events = _hotspot_events(request, s)
    place = _default_place(s, events)
    initial = {
        "name": place,
        "location_type": guess_location_type(place),
        "owning_team": _own_team(request),
        "events": [e.pk for e in events],
        "version": s.version,
    }

    def build(data: Any) -> AcceptHotspotForm:
        return AcceptHotspotForm(data, events=events, initial=initial)

    form, conflict = build(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.suggestion_accept_hotspot(
                actor=request.user,
                suggestion=s,
                expected_version=d["version"] or 0,
                name=d["name"],
                location_type=d["location_type"],
                owning_team=d["owning_team"],
                event_ids=d["events"],
                address=d["address"],
            ),
            rebuild=build,
        )
        if outcome.saved:
            placed = outcome.result.events.count()
            messages.success(
                request,
                f"{outcome.result.name} recorded as a location, with {placed} "
                f"event{'s' if placed != 1 else ''} placed there.",
            )
            return redirect("contexts:profile", pk=outcome.result.pk)
        form, conflict = outcome.form, outcome.conflict
    return render(
        request,
        "mapping/suggestion_accept.html",
        _page(request, view) | {"form": form, "conflict": conflict},
    )


def _accept_group(request: AuthenticatedHttpRequest, view: SuggestionView) -> HttpResponse:
    s = view.suggestion
    people = services.suggestion_group_candidates(actor=request.user, suggestion=s)
    initials = _initials_only()
    place = s.evidence.get("place", "")
    initial = {
        "name": f"Peer group seen at {place}" if place else "",
        "owning_team": _own_team(request),
        "members": [p.pk for p in people],
        "version": s.version,
    }

    def build(data: Any) -> AcceptGroupForm:
        return AcceptGroupForm(data, people=people, initials=initials, initial=initial)

    form, conflict = build(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.suggestion_accept_peer_group(
                actor=request.user,
                suggestion=s,
                expected_version=d["version"] or 0,
                name=d["name"],
                owning_team=d["owning_team"],
                member_ids=d.get("members", []),
            ),
            rebuild=build,
        )
        if outcome.saved:
            result: services.GroupAccepted = outcome.result
            if result.initials_only:
                messages.success(
                    request,
                    f"{result.context.name} recorded as a peer group, without named members: "
                    "this partnership records peer-group members by their initials only. Add "
                    "their initials from the group's people page.",
                )
            else:
                n = len(result.members)
                messages.success(
                    request,
                    f"{result.context.name} recorded as a peer group, with {n} "
                    f"member{'s' if n != 1 else ''} linked as intelligence (unverified).",
                )
            return redirect("contexts:profile", pk=result.context.pk)
        form, conflict = outcome.form, outcome.conflict
    return render(
        request,
        "mapping/suggestion_accept.html",
        _page(request, view) | {"form": form, "conflict": conflict, "initials_only": initials},
    )


def _initials_only() -> bool:
    # The setting is read through contexts.services so there is one rule for peer groups.
    from contexts.models import Context, ContextKind

    return initials_only(Context(kind=ContextKind.PEER_GROUP))


@requires("mapping.decide_suggestion")
def dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    view = suggestion_for_viewer(viewer=request.user, pk=pk)
    s = view.suggestion

    def build(data: Any) -> DismissForm:
        return DismissForm(data, initial={"version": s.version})

    form, conflict = build(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.suggestion_dismiss(
                actor=request.user,
                suggestion=s,
                expected_version=d["version"] or 0,
                reason=d["reason"],
            ),
            rebuild=build,
        )
        if outcome.saved:
            messages.success(request, f"Dismissed: {s.title}.")
            return redirect("mapping:suggestions")
        form, conflict = outcome.form, outcome.conflict
    return render(
        request,
        "mapping/suggestion_dismiss.html",
        _page(request, view) | {"form": form, "conflict": conflict},
    )


@requires("mapping.decide_suggestion")
def snooze(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    view = suggestion_for_viewer(viewer=request.user, pk=pk)
    s = view.suggestion
    default = timezone.localdate() + dt.timedelta(weeks=SNOOZE_WEEKS)

    def build(data: Any) -> SnoozeForm:
        return SnoozeForm(data, initial={"version": s.version, "until": default})

    form, conflict = build(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.suggestion_snooze(
                actor=request.user,
                suggestion=s,
                expected_version=d["version"] or 0,
                until=d["until"],
            ),
            rebuild=build,
        )
        if outcome.saved:
            messages.success(request, f"Snoozed until {outcome.result.snoozed_until:%-d %B %Y}.")
            return redirect("mapping:suggestions")
        form, conflict = outcome.form, outcome.conflict
    return render(
        request,
        "mapping/suggestion_snooze.html",
        _page(request, view) | {"form": form, "conflict": conflict},
    )


urlpatterns: list[URLPattern] = [
    path("suggestions/", queue, name="suggestions"),
    path("suggestions/<int:pk>/", detail, name="suggestion"),
    path("suggestions/<int:pk>/accept/", accept, name="suggestion-accept"),
    path("suggestions/<int:pk>/dismiss/", dismiss, name="suggestion-dismiss"),
    path("suggestions/<int:pk>/snooze/", snooze, name="suggestion-snooze"),
]
