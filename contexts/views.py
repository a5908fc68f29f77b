from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from access.guard import authorize
from access.policy import requires
from accounts.models import Team
from casework.panels import context_panels
from contexts import selectors, services
from contexts.forms import ContextForm, ContextKindForm, ContextLinkForm, ContextSearchForm
from contexts.maps import location_map
from contexts.models import Context, ContextKind
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from events.chronology import CHRONOLOGY_PAGE, context_chronology
from events.forms import ChronologyFilterForm
from people.forms import PersonSearchForm
from people.models import Person
from people.selectors import person_search


def _teams() -> Any:
    return (
        Team.objects.filter(is_active=True)
        .select_related("agency")
        .order_by("agency__name", "name")
    )


@requires("contexts.view_context")
def context_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ContextSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    contexts = selectors.context_list(
        viewer=request.user,
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        status=data.get("status", ""),
    )
    page = Paginator(contexts, 50).get_page(request.GET.get("page"))
    return render(request, "contexts/list.html", {"form": form, "page": page})


@requires("contexts.add_context")
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in ContextKind.values:
        kind_form = ContextKindForm(request.GET if "choose" in request.GET else None)
        if kind_form.is_bound:
            kind_form.is_valid()
        return render(request, "contexts/choose_kind.html", {"form": kind_form})
    own_team = request.user.teams.filter(agency=request.user.agency).first()
    form = ContextForm(
        request.POST or None, kind=kind, teams=_teams(), initial={"owning_team": own_team}
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.context_create(actor=request.user, kind=kind, **form.kind_fields()),
        )
        if outcome.saved:
            messages.success(request, f"{outcome.result} recorded.")
            return redirect("contexts:profile", pk=outcome.result.pk)
    return render(
        request, "contexts/form.html", {"form": form, "kind": ContextKind(kind), "creating": True}
    )


def _page_context(
    request: AuthenticatedHttpRequest, context: Context, tab: str
) -> dict[str, object]:
    return {
        "context": context,
        "tab": tab,
        "can_change": request.user.has_perm("contexts.change_context", context),
    }


@requires("contexts.view_context")
def profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    context = selectors.get_context_for_viewer(viewer=request.user, pk=pk)
    page = _page_context(request, context, "summary")
    page["event_count"] = context.events.count()
    page["map"] = location_map(context.geometry, context.latitude, context.longitude)
    return render(request, "contexts/profile.html", page)


@requires("contexts.view_context")
def casework(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Contacts, assessments, meetings and leads for this place or group."""
    context = selectors.get_context_for_viewer(viewer=request.user, pk=pk)
    page = _page_context(request, context, "casework")
    page["panels"] = context_panels(viewer=request.user, context=context)
    return render(request, "contexts/casework.html", page)


@requires("contexts.view_context")
def chronology(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    context = selectors.get_context_for_viewer(viewer=request.user, pk=pk)
    form = ChronologyFilterForm(request.GET or None)
    entries = context_chronology(viewer=request.user, context=context, filters=form.to_filter())
    listing = Paginator(entries, CHRONOLOGY_PAGE).get_page(request.GET.get("page"))
    page = _page_context(request, context, "chronology") | {"form": form, "page": listing}
    return render(request, "contexts/chronology.html", page)


@requires("contexts.view_context")
def members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    context = selectors.get_context_for_viewer(viewer=request.user, pk=pk)
    page = _page_context(request, context, "people") | {
        "members": selectors.context_members(viewer=request.user, context=context)
    }
    return render(request, "contexts/members.html", page)


@requires("contexts.change_context")
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    context = selectors.get_context_for_viewer(
        viewer=request.user, pk=pk, permission="contexts.change_context"
    )
    initial = {name: getattr(context, name, "") for name in ContextForm.base_fields} | {
        "version": context.version
    }
    if context.geometry:
        initial["geometry"] = json.dumps(context.geometry)

    def build(data: Any) -> ContextForm:
        return ContextForm(data, kind=context.kind, teams=_teams(), initial=initial)

    form, conflict = build(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.context_update(
                actor=request.user,
                context=context,
                expected_version=d["version"] or 0,
                **form.kind_fields(),
            ),
            rebuild=build,
        )
        if outcome.saved:
            messages.success(request, "Changes saved.")
            return redirect("contexts:profile", pk=context.pk)
        form, conflict = outcome.form, outcome.conflict
    return render(
        request,
        "contexts/form.html",
        {"form": form, "kind": ContextKind(context.kind), "context": context, "conflict": conflict},
    )


@requires("contexts.change_context")
def link_person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    context = selectors.get_context_for_viewer(
        viewer=request.user, pk=pk, permission="contexts.change_context"
    )
    person = None
    person_id = request.GET.get("person") or request.POST.get("person")
    if person_id and person_id.isdigit():
        person = authorize(
            request.user,
            "people.view_person",
            get_object_or_404(Person, pk=int(person_id), merged_into__isnull=True),
        )
    search_form = PersonSearchForm(request.GET if "name" in request.GET else None)
    hits = None
    if person is None and search_form.is_bound and search_form.is_valid():
        hits = [
            h
            for h in person_search(
                viewer=request.user, name=search_form.cleaned_data.get("name", "")
            )
            if h.visible
        ]
    form = ContextLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcome = save_form(
            form,
            lambda d: services.context_link_create(
                actor=request.user, context=context, person=person, **data
            ),
        )
        if outcome.saved:
            messages.success(request, "Link recorded.")
            return redirect("contexts:members", pk=context.pk)
    page = _page_context(request, context, "people") | {
        "form": form,
        "person": person,
        "search_form": search_form,
        "hits": hits,
        "initials_only": services.initials_only(context),
    }
    return render(request, "contexts/link_form.html", page)
