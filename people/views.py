"""People: search, create, profile, chronology, links and access. Views stay thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from access.guard import authorize
from access.policy import requires
from casework.panels import person_panels
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from events.chronology import CHRONOLOGY_PAGE, person_chronology
from events.forms import ChronologyFilterForm
from people import selectors, services
from people.forms import (
    AddressForm,
    AssociationForm,
    IdentifierForm,
    MergeForm,
    NewPersonForm,
    PersonForm,
    PersonSearchForm,
    ReasonForm,
)
from people.models import AccessRequest, Person

PERSON_FIELDS = (
    "kind",
    "given_name",
    "family_name",
    "known_as",
    "date_of_birth",
    "age_band",
    "sex",
    "gender",
    "ethnicity",
    "first_language",
    "flags",
)


def _person_context(request: AuthenticatedHttpRequest, person: Person, tab: str) -> dict[str, Any]:
    return {
        "person": person,
        "tab": tab,
        "can_change": request.user.has_perm("people.change_person", person),
        "can_merge": request.user.has_perm("people.merge_people", person),
    }


@requires("people.search")
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PersonSearchForm(request.GET or None)
    hits = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        hits = selectors.person_search(
            viewer=request.user,
            name=data.get("name", ""),
            date_of_birth=data.get("date_of_birth"),
            identifier=data.get("identifier", ""),
        )
    return render(request, "people/search.html", {"form": form, "hits": hits})


@requires("people.add_person")
def create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = NewPersonForm(request.POST or None, initial={"given_name": request.GET.get("name", "")})
    duplicates: list[selectors.PersonHit] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.possible_duplicates(
            viewer=request.user,
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data.get("date_of_birth"),
            identifiers=[value for _, value in form.identifiers()],
        )
        if duplicates and not data.get("confirm_new"):
            form.add_error(
                None, "This person may already have a record. Check the possible matches below."
            )
        else:
            outcome = save_form(
                form,
                lambda d: services.person_create(
                    actor=request.user,
                    aliases=form.alias_list(),
                    identifiers=form.identifiers(),
                    owning_team=request.user.teams.filter(agency=request.user.agency).first(),
                    **{k: d[k] for k in PERSON_FIELDS},
                ),
            )
            if outcome.saved:
                messages.success(request, f"Record created for {outcome.result}.")
                return redirect("people:profile", pk=outcome.result.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "creating": True, "duplicates": duplicates},
    )


@requires("people.search")
def profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_viewer(viewer=request.user, pk=pk)
    if person.merged_into_id:
        messages.info(request, "This record was merged into the one below.")
        return redirect("people:profile", pk=person.merged_into_id)
    context = _person_context(request, person, "summary")
    context["identifiers"] = selectors.identifiers_for_viewer(viewer=request.user, person=person)
    context["names"] = [n for n in person.names.all() if n.kind != "legal"]
    context["addresses"] = list(person.addresses.all())
    context["shares"] = (
        person.shares.exclude(route="holder").select_related("agency").order_by("granted_at")
    )
    return render(request, "people/profile.html", context)


@requires("people.search")
def casework(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything being done with and for this person, one card per area of work."""
    person = selectors.get_person_for_viewer(viewer=request.user, pk=pk)
    context = _person_context(request, person, "casework")
    context["panels"] = person_panels(viewer=request.user, person=person)
    return render(request, "people/casework.html", context)


@requires("people.search")
def chronology(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_viewer(viewer=request.user, pk=pk)
    form = ChronologyFilterForm(request.GET or None)
    entries = person_chronology(viewer=request.user, person=person, filters=form.to_filter())
    page = Paginator(entries, CHRONOLOGY_PAGE).get_page(request.GET.get("page"))
    context = _person_context(request, person, "chronology") | {"form": form, "page": page}
    return render(request, "people/chronology.html", context)


@requires("people.search")
def associations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_viewer(viewer=request.user, pk=pk)
    context = _person_context(request, person, "associations")
    context["associations"] = selectors.associations_for_viewer(viewer=request.user, person=person)
    return render(request, "people/associations.html", context)


@requires("people.search")
def contexts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_viewer(viewer=request.user, pk=pk)
    context = _person_context(request, person, "contexts")
    context["links"] = person.context_links.select_related("context", "recording_agency").order_by(
        "-created_at"
    )
    return render(request, "people/contexts.html", context)


@requires("people.search")
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_viewer(
        viewer=request.user, pk=pk, permission="people.change_person"
    )
    initial = {k: getattr(person, k) for k in PERSON_FIELDS} | {
        "version": person.version,
        "aliases": "\n".join(n.name for n in person.names.all() if n.kind == "alias"),
    }
    form, conflict = PersonForm(request.POST or None, initial=initial), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.person_update(
                actor=request.user,
                person=person,
                expected_version=d["version"] or 0,
                aliases=form.alias_list(),
                **{k: d[k] for k in PERSON_FIELDS},
            ),
            rebuild=lambda data: PersonForm(data, initial=initial),
        )
        if outcome.saved:
            messages.success(request, "Changes saved.")
            return redirect("people:profile", pk=person.pk)
        form, conflict = outcome.form, outcome.conflict
    context = _person_context(request, person, "summary") | {"form": form, "conflict": conflict}
    return render(request, "people/person_form.html", context)


@requires("people.search")
def identifier_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_viewer(
        viewer=request.user, pk=pk, permission="people.change_person"
    )
    form = IdentifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.identifier_add(
                actor=request.user, person=person, scheme=d["scheme"], value=d["value"]
            ),
        )
        if outcome.saved:
            messages.success(request, "Identifier added.")
            return redirect("people:profile", pk=person.pk)
    if "identifiers" in form.errors:
        form.add_error("value", form.errors.pop("identifiers"))
    context = _person_context(request, person, "summary") | {
        "form": form,
        "title": "Add an identifier",
    }
    return render(request, "people/small_form.html", context)


@requires("people.search")
def address_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.get_person_for_viewer(
        viewer=request.user, pk=pk, permission="people.change_person"
    )
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form, lambda d: services.address_add(actor=request.user, person=person, **d)
        )
        if outcome.saved:
            messages.success(request, "Address added.")
            return redirect("people:profile", pk=person.pk)
    context = _person_context(request, person, "summary") | {
        "form": form,
        "title": "Add an address",
    }
    return render(request, "people/small_form.html", context)


@requires("people.search")
def association_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Two steps on one page: find the other person, then how they are linked and how we know."""
    person = selectors.get_person_for_viewer(
        viewer=request.user, pk=pk, permission="people.change_person"
    )
    other = None
    other_id = request.GET.get("other") or request.POST.get("other")
    if other_id and other_id.isdigit():
        other = get_object_or_404(Person, pk=int(other_id), merged_into__isnull=True)
        authorize(request.user, "people.view_person", other)
    search_form = PersonSearchForm(request.GET if "name" in request.GET else None)
    hits = None
    if other is None and search_form.is_bound and search_form.is_valid():
        hits = [
            h
            for h in selectors.person_search(
                viewer=request.user, name=search_form.cleaned_data.get("name", "")
            )
            if h.visible and h.person.pk != person.pk
        ]
    form = AssociationForm(request.POST or None)
    if request.method == "POST" and other is not None and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.association_create(
                actor=request.user, person=person, other=other, **d
            ),
        )
        if outcome.saved:
            messages.success(request, f"Association with {other} recorded.")
            return redirect("people:associations", pk=person.pk)
    context = _person_context(request, person, "associations") | {
        "form": form,
        "other": other,
        "search_form": search_form,
        "hits": hits,
    }
    return render(request, "people/association_form.html", context)


@requires("people.break_glass")
def break_glass(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, merged_into__isnull=True)
    if request.user.has_perm("people.view_person", person):
        return redirect("people:profile", pk=pk)
    form = ReasonForm(
        request.POST or None,
        label="Why do you need this record now?",
        hint="Only in an emergency, when waiting for the holding agency would put a child at risk. "
        "Your access lasts 24 hours, is recorded, and the Contextual Safeguarding lead is told "
        "at once.",
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.break_glass(actor=request.user, person=person, reason=d["reason"]),
        )
        if outcome.saved:
            messages.success(
                request, "Break-glass access recorded. You can open this record for 24 hours."
            )
            return redirect("people:profile", pk=pk)
    return render(
        request, "people/break_glass.html", {"form": form, "holder": person.holding_agency}
    )


@requires("people.search")
def request_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, merged_into__isnull=True)
    if request.user.has_perm("people.view_person", person):
        return redirect("people:profile", pk=pk)
    form = ReasonForm(
        request.POST or None,
        label="Why does your agency need this record?",
        hint="The holding agency's managers decide. Say what you know and why sharing would help "
        "keep the child safe.",
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.access_request_create(
                actor=request.user, person=person, reason=d["reason"]
            ),
        )
        if outcome.saved:
            messages.success(request, f"Your request has been sent to {person.holding_agency}.")
            return redirect("people:search")
    return render(
        request, "people/request_access.html", {"form": form, "holder": person.holding_agency}
    )


@requires("people.search")
def access_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    pending = [
        r
        for r in selectors.pending_access_requests(viewer=request.user)
        if request.user.has_perm("people.decide_access_request", r.person)
    ]
    return render(request, "people/access_requests.html", {"requests": pending})


@requires("people.search")
@require_POST
def access_request_decide(request: AuthenticatedHttpRequest, request_pk: int) -> HttpResponse:
    access_request = get_object_or_404(
        AccessRequest.objects.select_related("person", "requested_by__agency"), pk=request_pk
    )
    if not request.user.has_perm("people.decide_access_request", access_request.person):
        raise Http404
    approve = request.POST.get("decision") == "approve"
    services.access_request_decide(
        actor=request.user,
        request=access_request,
        approve=approve,
        reason=request.POST.get("reason", ""),
    )
    messages.success(
        request,
        f"Request from {access_request.requested_by.agency} "
        f"{'approved' if approve else 'declined'}.",
    )
    return redirect("people:access-requests")


@requires("people.search")
def merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = selectors.get_person_for_viewer(
        viewer=request.user, pk=pk, permission="people.merge_people"
    )
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = Person.objects.filter(
            pk=form.cleaned_data["duplicate"], merged_into__isnull=True
        ).first()
        if source is None or not request.user.has_perm("people.merge_people", source):
            form.add_error("duplicate", "There is no record with that number that you can merge")
        else:
            outcome = save_form(
                form,
                lambda d: services.person_merge(
                    actor=request.user, source=source, target=target, reason=d["reason"]
                ),
            )
            if outcome.saved:
                messages.success(request, f"Record {source.pk} merged into this record.")
                return redirect("people:profile", pk=target.pk)
    context = _person_context(request, target, "summary") | {"form": form}
    return render(request, "people/merge.html", context)
