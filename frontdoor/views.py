"""The front door: send a contact, screen it, approve the decision, tell the referrer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from access.guard import authorize
from access.policy import requires
from accounts.models import AgencyKind, Team, User
from audit.services import audit_list_read
from contexts.forms import ContextForm, ContextKindForm
from contexts.models import Context, ContextKind
from contexts.selectors import context_list, get_context_for_viewer
from contexts.services import context_create
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import SaveOutcome, save_form
from frontdoor import selectors, services
from frontdoor.forms import (
    ME,
    SOURCE_BY_AGENCY,
    AboutForm,
    ContactForm,
    DecisionForm,
    QueueFilterForm,
    ReviewForm,
    SharingDecisionForm,
    TimescalesForm,
    links_from,
    person_ref,
    read_person_ref,
)
from frontdoor.models import Contact, ContactPersonRole, ContactStatus, Urgency
from people.forms import NewPersonForm, PersonSearchForm
from people.models import Person
from people.selectors import PersonHit, person_search, possible_duplicates, visible_people
from people.services import person_create

# Form fields that are not ``contact_submit`` arguments: the referrer's details go in together,
# and "who refers" only decides the channel.
NOT_FOR_SUBMIT = frozenset({*services.REFERRER_FIELDS, "who_refers"})
PICK_LIMIT = 20
QUEUE_PAGE = 25
NEW_PERSON_FIELDS = (
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


def _active_teams() -> QuerySet[Team]:
    return (
        Team.objects.filter(is_active=True)
        .select_related("agency")
        .order_by("agency__name", "name")
    )


# --- who or what the contact is about ---------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    person: Person | None = None
    context: Context | None = None
    # False when the child's record is held by an agency the referrer's agency cannot open:
    # the contact names them, but the referrer sees only who holds the record.
    visible: bool = True
    query: str = ""


def _subject(request: AuthenticatedHttpRequest) -> Subject | None:
    person_id, context_id = request.GET.get("person", ""), request.GET.get("context", "")
    held = request.GET.get("held", "")
    if person_id.isdigit():
        person = get_object_or_404(Person, pk=int(person_id), merged_into__isnull=True)
        authorize(request.user, "people.view_person", person)
        return Subject(person=person, query=f"person={person.pk}")
    if held:
        pk = read_person_ref(held)
        if pk is None:
            raise Http404
        person = get_object_or_404(
            Person.objects.select_related("holding_agency"), pk=pk, merged_into__isnull=True
        )
        if request.user.has_perm("people.view_person", person):
            return Subject(person=person, query=f"person={person.pk}")
        return Subject(person=person, visible=False, query=f"held={held}")
    if context_id.isdigit():
        context = get_context_for_viewer(viewer=request.user, pk=int(context_id))
        return Subject(context=context, query=f"context={context.pk}")
    return None


def _hit_href(hit: PersonHit) -> str:
    base = reverse("frontdoor:contact_create")
    if hit.visible:
        return f"{base}?person={hit.person.pk}"
    return f"{base}?held={person_ref(hit.person.pk)}"


def _start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """'Who or what is this contact about?', then a search for the child or the context."""
    about_form = AboutForm(request.GET if "about" in request.GET else None)
    about = about_form.cleaned_data["about"] if about_form.is_valid() else ""
    page: dict[str, Any] = {"about_form": about_form, "about": about}
    if about == "child":
        search = PersonSearchForm(request.GET if "search" in request.GET else None)
        hits = None
        if search.is_bound and search.is_valid():
            data = search.cleaned_data
            hits = [
                (hit, _hit_href(hit))
                for hit in person_search(
                    viewer=request.user,
                    name=data.get("name", ""),
                    date_of_birth=data.get("date_of_birth"),
                    identifier=data.get("identifier", ""),
                    limit=PICK_LIMIT,
                )
            ]
        page |= {"search_form": search, "hits": hits, "name": request.GET.get("name", "")}
    elif about == "context":
        query = request.GET.get("q", "").strip()[:100]
        page |= {
            "query": query,
            "contexts": list(context_list(viewer=request.user, query=query)[:PICK_LIMIT])
            if query
            else None,
        }
    return render(request, "frontdoor/start.html", page)


@requires("frontdoor.add_contact")
def contact_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    subject = _subject(request)
    if subject is None:
        return _start(request)
    return _contact_form(request, subject)


# --- the contact form -------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonChoice:
    ref: str
    label: str
    role: str


def _initial(user: User) -> dict[str, Any]:
    source = SOURCE_BY_AGENCY.get(AgencyKind(user.agency.kind)) if user.agency else None
    return {"referral_source": source or "", "who_refers": ME}


def _people_choices(
    request: AuthenticatedHttpRequest,
    roles: dict[int, str],
    hits: list[PersonHit],
    subject: Subject,
) -> list[PersonChoice]:
    chosen = list(
        Person.objects.filter(pk__in=roles, merged_into__isnull=True).select_related(
            "holding_agency"
        )
    )
    extra = [h.person for h in hits if h.person.pk not in roles]
    everyone = [p for p in [*chosen, *extra] if not subject.person or p.pk != subject.person.pk]
    shown = set(
        visible_people(request.user)
        .filter(pk__in=[p.pk for p in everyone])
        .values_list("pk", flat=True)
    )
    return [
        PersonChoice(
            ref=person_ref(p.pk),
            label=(
                f"{p.display_name} ({p.get_kind_display().lower()}"
                + (f", born {p.date_of_birth:%-d %b %Y})" if p.date_of_birth else ")")
                if p.pk in shown
                else f"A record held by {p.holding_agency}"
            ),
            role=roles.get(p.pk, ""),
        )
        for p in everyone
    ]


def _send(
    request: AuthenticatedHttpRequest,
    form: ContactForm,
    subject: Subject,
    context_ids: list[int],
    roles: dict[int, str],
) -> SaveOutcome[ContactForm]:
    contexts = Context.objects.in_bulk(context_ids)
    people = Person.objects.filter(merged_into__isnull=True).in_bulk(list(roles))
    return save_form(
        form,
        lambda d: services.contact_submit(
            actor=request.user,
            person=subject.person,
            context=subject.context,
            referrer=form.referrer(),
            people=[(people[pk], role) for pk, role in roles.items() if pk in people],
            contexts=[(contexts[pk], "") for pk in context_ids if pk in contexts],
            **{k: v for k, v in d.items() if k not in NOT_FOR_SUBMIT},
        ),
    )


def _contact_form(request: AuthenticatedHttpRequest, subject: Subject) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    form = ContactForm(
        post, initial=_initial(request.user), about_context=subject.context is not None
    )
    context_ids, roles = links_from(post) if post is not None else ([], {})
    action = post.get("action", "send") if post is not None else ""
    context_query = post.get("context_query", "").strip()[:100] if post is not None else ""
    person_query = post.get("person_query", "").strip()[:200] if post is not None else ""
    found_contexts: list[Context] = []
    hits: list[PersonHit] = []
    if action == "find" and context_query:
        found_contexts = list(context_list(viewer=request.user, query=context_query)[:PICK_LIMIT])
    if action == "find" and person_query:
        hits = person_search(viewer=request.user, name=person_query, limit=PICK_LIMIT)
    if action == "send" and form.is_valid():
        outcome = _send(request, form, subject, context_ids, roles)
        if outcome.saved:
            return redirect("frontdoor:contact_sent", pk=outcome.result.pk)
    elif post is not None and action != "send":
        # A search inside the form: show what was typed, but no errors for fields not done yet.
        form.is_valid()
        form.errors.clear()
    chosen = list(Context.objects.filter(pk__in=context_ids))
    page = {
        "form": form,
        "subject": subject,
        "linked_contexts": chosen,
        "found_contexts": [c for c in found_contexts if c.pk not in context_ids],
        "people_choices": _people_choices(request, roles, hits, subject),
        "searched_people": action == "find" and bool(person_query),
        "searched_contexts": action == "find" and bool(context_query),
        "role_choices": ContactPersonRole.choices,
        "context_query": context_query,
        "person_query": person_query,
        "no_route": not selectors.screening_route_exists(),
    }
    return render(request, "frontdoor/contact_form.html", page)


# --- a new person or context for the contact --------------------------------------------------


@requires("frontdoor.add_contact")
def person_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create the child's record, after checking they have none (other agencies' records
    included, shown only as who holds them)."""
    if not request.user.has_perm("people.add_person"):
        raise Http404
    form = NewPersonForm(
        request.POST or None,
        initial={"kind": "young_person", "given_name": request.GET.get("name", "")},
    )
    duplicates: list[tuple[PersonHit, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = possible_duplicates(
            viewer=request.user,
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data.get("date_of_birth"),
            identifiers=[value for _, value in form.identifiers()],
        )
        duplicates = [(hit, _hit_href(hit)) for hit in found]
        if duplicates and not data.get("confirm_new"):
            form.add_error(
                None, "This child may already have a record. Check the possible matches."
            )
        else:
            outcome = save_form(
                form,
                lambda d: person_create(
                    actor=request.user,
                    aliases=form.alias_list(),
                    identifiers=form.identifiers(),
                    owning_team=request.user.teams.filter(agency=request.user.agency).first(),
                    **{k: d[k] for k in NEW_PERSON_FIELDS},
                ),
            )
            if outcome.saved:
                messages.success(request, f"Record created for {outcome.result}.")
                return redirect(f"{reverse('frontdoor:contact_create')}?person={outcome.result.pk}")
    return render(request, "frontdoor/person_new.html", {"form": form, "duplicates": duplicates})


@requires("frontdoor.add_contact")
def context_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record the place, group, school or online space the contact is about."""
    if not request.user.has_perm("contexts.add_context"):
        raise Http404
    kind = request.GET.get("kind", "")
    # What the referrer searched for, carried through choosing the kind into the name box.
    name = request.GET.get("name", "").strip()[:200]
    if kind not in ContextKind.values:
        kind_form = ContextKindForm(request.GET if "choose" in request.GET else None)
        if kind_form.is_bound:
            kind_form.is_valid()
        page = {"kind_form": kind_form, "name": name}
        return render(request, "frontdoor/context_new.html", page)
    own_team = request.user.teams.filter(agency=request.user.agency).first()
    form = ContextForm(
        request.POST or None,
        kind=kind,
        teams=_active_teams(),
        initial={"owning_team": own_team, "name": name},
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: context_create(actor=request.user, kind=kind, **form.kind_fields()),
        )
        if outcome.saved:
            messages.success(request, f"{outcome.result} recorded.")
            return redirect(f"{reverse('frontdoor:contact_create')}?context={outcome.result.pk}")
    page = {"form": form, "kind": ContextKind(kind), "name": name}
    return render(request, "frontdoor/context_new.html", page)


# --- after sending ----------------------------------------------------------------------------


@requires("frontdoor.read_contacts")
def contact_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact_for_viewer(viewer=request.user, pk=pk)
    return render(request, "frontdoor/contact_sent.html", {"contact": contact})


@requires("frontdoor.add_contact")
def sent_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_list_read(
        actor=request.user, object_type="frontdoor.contact", reason="Listed the contacts they sent"
    )
    page = Paginator(selectors.contacts_sent(viewer=request.user), QUEUE_PAGE).get_page(
        request.GET.get("page")
    )
    rows = selectors.rows_for(request.user, page)
    return render(request, "frontdoor/sent_list.html", {"page": page, "rows": rows})


# --- one contact ------------------------------------------------------------------------------


@requires("frontdoor.read_contacts")
def contact_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact_for_viewer(viewer=request.user, pk=pk)
    view = selectors.contact_view(viewer=request.user, contact=contact)
    user = request.user
    can_screen = user.has_perm("frontdoor.screen_contact", contact)
    page = {
        "view": view,
        "contact": contact,
        "can_screen": can_screen,
        "is_screener": contact.screener_id == user.pk,
        "can_approve": view.pending is not None
        and view.pending.decided_by_id != user.pk
        and user.has_perm("frontdoor.approve_decision", contact),
        "sharing_form": SharingDecisionForm()
        if user.has_perm("frontdoor.add_sharing_decision", contact)
        else None,
        "tell_referrer": can_screen
        and contact.status == ContactStatus.DECIDED
        and contact.outcome_sent_at is None,
        "back": _back_from_contact(user, contact, view, can_screen=can_screen),
        # The screeners' reasons may draw on the child's record, so a referrer whose agency
        # cannot open that record sees the outcome but not the reasoning.
        "screening_detail": can_screen
        or contact.person_id is None
        or user.has_perm("people.view_person", contact.person),
    }
    return render(request, "frontdoor/contact_detail.html", page)


def _back_from_contact(
    user: User, contact: Contact, view: selectors.ContactView, *, can_screen: bool
) -> tuple[str, str]:
    """(href, text) of the back link: screeners came from the queue, referrers from the contacts
    they sent; anyone else (the allocated team, say) from the child's or the context's page."""
    if can_screen:
        return reverse("frontdoor:queue"), "Back to contacts to screen"
    if user.pk in (contact.referrer_user_id, contact.recorded_by_id) or not view.subject_link:
        return reverse("frontdoor:sent_list"), "Back to contacts you have sent"
    return view.subject_link, f"Back to {view.subject}"


@requires("frontdoor.read_contacts")
def sharing_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact_for_viewer(
        viewer=request.user, pk=pk, permission="frontdoor.add_sharing_decision"
    )
    form = SharingDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.sharing_decision_record(actor=request.user, contact=contact, **d),
        )
        if outcome.saved:
            messages.success(request, "Information-sharing decision recorded.")
            return redirect(f"{reverse('frontdoor:contact_detail', args=[pk])}#sharing")
    return render(request, "frontdoor/sharing_form.html", {"form": form, "contact": contact})


# --- screening --------------------------------------------------------------------------------


@requires("frontdoor.screen_contact")
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_list_read(
        actor=request.user,
        object_type="frontdoor.contact",
        reason="Opened the front door work queue",
    )
    form = QueueFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    contacts = selectors.queue_contacts(viewer=request.user, status=status)
    page = Paginator(contacts, QUEUE_PAGE).get_page(request.GET.get("page"))
    page_context = {
        "form": form,
        "page": page,
        "rows": selectors.rows_for(request.user, page),
        "breached": selectors.queue_breached_count(viewer=request.user),
        "status": status,
    }
    return render(request, "frontdoor/queue.html", page_context)


def _screenable(request: AuthenticatedHttpRequest, pk: int, permission: str) -> Contact:
    return selectors.get_contact_for_viewer(viewer=request.user, pk=pk, permission=permission)


@requires("frontdoor.screen_contact")
@require_POST
def screening_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = _screenable(request, pk, "frontdoor.screen_contact")
    try:
        services.screening_start(actor=request.user, contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You are screening contact {contact.pk}.")
    return redirect("frontdoor:contact_detail", pk=contact.pk)


@requires("frontdoor.screen_contact")
def decision_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = _screenable(request, pk, "frontdoor.screen_contact")
    if contact.status != ContactStatus.IN_SCREENING or contact.screener_id != request.user.pk:
        messages.info(
            request,
            "Start screening this contact before you record a decision."
            if contact.status == ContactStatus.AWAITING_SCREENING
            else "There is no decision for you to record on this contact now.",
        )
        return redirect("frontdoor:contact_detail", pk=contact.pk)
    view = selectors.contact_view(viewer=request.user, contact=contact)
    outcomes = services.allowed_outcomes(contact, linked_contexts=len(view.contexts))
    form = DecisionForm(request.POST or None, outcomes=outcomes, teams=_active_teams())
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.screening_decide(
                actor=request.user,
                contact=contact,
                outcome=d["outcome"],
                reasons=d["reasons"],
                allocated_team=d["allocated_team"],
                consulted_cs_lead=d["consulted_cs_lead"],
            ),
        )
        if outcome.saved:
            messages.success(request, "Decision recorded. A manager will approve it.")
            return redirect("frontdoor:contact_detail", pk=contact.pk)
    page = {"form": form, "contact": contact, "view": view}
    return render(request, "frontdoor/decision_form.html", page)


@requires("frontdoor.approve_decision")
def decision_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = _screenable(request, pk, "frontdoor.approve_decision")
    view = selectors.contact_view(viewer=request.user, contact=contact)
    decision = view.pending
    if decision is None:
        messages.info(request, "There is no decision waiting for approval on this contact.")
        return redirect("frontdoor:contact_detail", pk=contact.pk)
    decision.contact = contact
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        comment = form.cleaned_data["comment"]
        outcome = save_form(
            form,
            lambda d: (
                services.screening_approve(actor=request.user, decision=decision, comment=comment)
                if approve
                else services.screening_return(
                    actor=request.user, decision=decision, comment=comment
                )
            ),
        )
        if outcome.saved:
            messages.success(
                request,
                "Decision approved. The referrer has been told."
                if approve and contact.referrer_user_id
                else "Decision approved. Tell the referrer the outcome."
                if approve
                else "Decision returned to the screener.",
            )
            return redirect("frontdoor:contact_detail", pk=contact.pk)
    page = {
        "form": form,
        "contact": contact,
        "view": view,
        "decision": decision,
        "own_decision": decision.decided_by_id == request.user.pk,
    }
    return render(request, "frontdoor/review_form.html", page)


@requires("frontdoor.screen_contact")
@require_POST
def referrer_told(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = _screenable(request, pk, "frontdoor.screen_contact")
    try:
        services.referrer_told(actor=request.user, contact=contact)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Recorded that the referrer has been told the outcome.")
    return redirect("frontdoor:contact_detail", pk=contact.pk)


# --- the partnership's settings ---------------------------------------------------------------


@requires("frontdoor.manage_timescales")
def timescales(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = selectors.screening_teams()
    default = next((s.team for s in current if s.is_default), None)
    form = TimescalesForm(
        request.POST or None,
        teams=_active_teams(),
        initial={"default_team": default, "teams": [s.team for s in current]},
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.front_door_settings_set(
                actor=request.user,
                hours={u: d[u] for u in Urgency.values},
                teams=d["teams"],
                default=d["default_team"],
            ),
        )
        if outcome.saved:
            messages.success(request, "Timescales and screening teams saved.")
            return redirect("frontdoor:timescales")
    page = {"form": form, "timescales": selectors.timescales(), "screening_teams": current}
    return render(request, "frontdoor/timescales.html", page)
