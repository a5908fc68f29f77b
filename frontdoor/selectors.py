"""Reads at the front door, scoped to the viewer. Single contacts are checked and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from access.guard import authorize
from contexts.models import Context
from events.models import HarmType
from frontdoor.models import (
    ApprovalStatus,
    Contact,
    ContactContext,
    ContactPerson,
    ContactStatus,
    ResponseTimescale,
    ScreeningDecision,
    ScreeningOutcome,
    ScreeningTeam,
)
from people.models import Person
from people.selectors import visible_people

PANEL_SIZE = 5
UNDECIDED = [
    ContactStatus.AWAITING_SCREENING,
    ContactStatus.IN_SCREENING,
    ContactStatus.AWAITING_APPROVAL,
]


# --- what the viewer may see ------------------------------------------------------------------


def visible_contacts(viewer: Any) -> QuerySet[Contact]:
    """Contacts the viewer may open, as one query: the same rule as ``can_view_record_about``
    (own agency's; about a context; about a person whose record the viewer's agency may open)."""
    if not viewer.has_perm("frontdoor.read_contacts") or viewer.agency_id is None:
        return Contact.objects.none()
    people = visible_people(viewer).filter(pk=OuterRef("person_id"))
    return Contact.objects.filter(
        Q(recording_agency_id=viewer.agency_id) | Q(context__isnull=False) | Exists(people)
    )


def get_contact_for_viewer(
    *, viewer: Any, pk: int, permission: str = "frontdoor.view_contact"
) -> Contact:
    contact = (
        Contact.objects.select_related(
            "person__holding_agency",
            "context",
            "recording_agency",
            "recorded_by",
            "referrer_user",
            "screener",
            "receiving_team__agency",
        )
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        raise Http404
    return authorize(viewer, permission, contact)


# --- timers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timer:
    text: str
    breached: bool


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        minutes = max(minutes, 1)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = hours // 24
    return f"{days} days"


def timer(respond_by: dt.datetime, now: dt.datetime | None = None) -> Timer:
    """'Decision due in 3 hours' or 'Overdue by 2 hours'."""
    now = now or timezone.now()
    if respond_by >= now:
        return Timer(f"Decision due in {_span(respond_by - now)}", False)
    return Timer(f"Overdue by {_span(now - respond_by)}", True)


def age_text(received_at: dt.datetime, now: dt.datetime | None = None) -> str:
    return f"{_span((now or timezone.now()) - received_at)} ago"


# --- rows for lists ---------------------------------------------------------------------------


@dataclass
class ContactRow:
    contact: Contact
    subject: str
    subject_link: str
    timer: Timer | None
    age: str
    outcome: ScreeningDecision | None = None


def _subject(contact: Contact, shown: set[int]) -> tuple[str, str]:
    if contact.context_id:
        context: Context = contact.context  # type: ignore[assignment]
        return context.name, reverse("contexts:profile", args=[contact.context_id])
    person: Person = contact.person  # type: ignore[assignment]
    if person.pk in shown:
        return person.display_name, reverse("people:profile", args=[person.pk])
    return f"A child whose record is held by {person.holding_agency}", ""


def _rows(viewer: Any, contacts: list[Contact], now: dt.datetime) -> list[ContactRow]:
    ids = {c.person_id for c in contacts if c.person_id}
    shown = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    rows = []
    for contact in contacts:
        name, link = _subject(contact, shown)
        approved = getattr(contact, "approved_decisions", [])
        rows.append(
            ContactRow(
                contact=contact,
                subject=name,
                subject_link=link,
                timer=timer(contact.respond_by, now)
                if contact.status != ContactStatus.DECIDED
                else None,
                age=age_text(contact.received_at, now),
                outcome=approved[-1] if approved else None,
            )
        )
    return rows


def _for_listing(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    return contacts.select_related(
        "person__holding_agency", "context", "screener", "recording_agency"
    ).prefetch_related(
        Prefetch(
            "decisions",
            queryset=ScreeningDecision.objects.filter(approval=ApprovalStatus.APPROVED),
            to_attr="approved_decisions",
        )
    )


def rows_for(viewer: Any, contacts: Any) -> list[ContactRow]:
    """Rows for a page of contacts (a paginator page or a list), a fixed number of queries."""
    return _rows(viewer, list(contacts), timezone.now())


# --- the work queue ---------------------------------------------------------------------------


QUEUE_FILTERS: list[tuple[str, str]] = [
    ("", "Not decided yet"),
    *[(s.value, s.label) for s in ContactStatus if s != ContactStatus.DECIDED],
    (ContactStatus.DECIDED.value, "Decided"),
]


def queue_contacts(*, viewer: Any, status: str = "") -> QuerySet[Contact]:
    """Contacts sent to the viewer's teams: undecided ones by deadline, oldest first."""
    contacts = Contact.objects.filter(receiving_team__members=viewer)
    if status == ContactStatus.DECIDED:
        contacts = contacts.filter(status=status).order_by("-respond_by", "-pk")
    elif status in UNDECIDED:
        contacts = contacts.filter(status=status).order_by("respond_by", "pk")
    else:
        contacts = contacts.filter(status__in=UNDECIDED).order_by("respond_by", "pk")
    return _for_listing(contacts)


def queue_breached_count(*, viewer: Any) -> int:
    return Contact.objects.filter(
        receiving_team__members=viewer, status__in=UNDECIDED, respond_by__lt=timezone.now()
    ).count()


def contacts_sent(*, viewer: Any) -> QuerySet[Contact]:
    """Contacts the viewer sent or recorded, newest first."""
    return _for_listing(
        Contact.objects.filter(Q(referrer_user=viewer) | Q(recorded_by=viewer)).order_by(
            "-received_at", "-pk"
        )
    )


# --- one contact ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NamedPerson:
    link: ContactPerson
    name: str
    href: str


@dataclass
class ContactView:
    contact: Contact
    subject: str
    subject_link: str
    timer: Timer | None
    people: list[NamedPerson]
    contexts: list[ContactContext]
    harm_labels: list[str]
    decisions: list[ScreeningDecision]
    sharing: list[Any]
    pending: ScreeningDecision | None
    approved: ScreeningDecision | None
    next_steps: list[tuple[str, str]] = field(default_factory=list)


def contact_view(*, viewer: Any, contact: Contact) -> ContactView:
    """Everything the contact page shows, with people the viewer may not open left unnamed."""
    people = list(contact.people.select_related("person__holding_agency").order_by("pk"))
    contexts = list(contact.contexts.select_related("context").order_by("pk"))
    decisions = list(
        contact.decisions.select_related(
            "decided_by", "approved_by", "allocated_team__agency"
        ).order_by("decided_at", "pk")
    )
    ids = {p.person_id for p in people} | ({contact.person_id} if contact.person_id else set())
    shown = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    named = [
        NamedPerson(p, p.person.display_name, reverse("people:profile", args=[p.person_id]))
        if p.person_id in shown
        else NamedPerson(p, f"A person whose record is held by {p.person.holding_agency}", "")
        for p in people
    ]
    subject, subject_link = _subject(contact, shown)
    pending = next((d for d in decisions if d.approval == ApprovalStatus.PENDING), None)
    approved = next((d for d in decisions if d.approval == ApprovalStatus.APPROVED), None)
    view = ContactView(
        contact=contact,
        subject=subject,
        subject_link=subject_link,
        timer=timer(contact.respond_by) if contact.status != ContactStatus.DECIDED else None,
        people=named,
        contexts=contexts,
        harm_labels=[HarmType(h).label for h in contact.harm_indicators if h in HarmType.values],
        decisions=decisions,
        sharing=list(contact.sharing.select_related("decided_by__agency")),
        pending=pending,
        approved=approved,
    )
    if approved is not None:
        view.next_steps = next_steps(contact, approved, contexts)
    return view


def _href(url_name: str, params: list[tuple[str, int]]) -> str:
    """A link to another app's page. Empty if that page is not there (yet), so the contact page
    never breaks because a later stage of the pathway is missing."""
    try:
        return f"{reverse(url_name)}?{urlencode(params)}"
    except NoReverseMatch:
        return ""


def next_steps(
    contact: Contact, decision: ScreeningDecision, contexts: list[ContactContext]
) -> list[tuple[str, str]]:
    """(label, href) for the work the approved outcome starts, using the shared URL contracts."""
    subject = (
        [("person", contact.person_id)]
        if contact.person_id
        else [("context", contact.context_id or 0)]
    )
    with_contact = [*subject, ("contact", contact.pk)]
    outcome = decision.outcome
    steps: list[tuple[str, str]] = []
    if outcome == ScreeningOutcome.SINGLE_ASSESSMENT and contact.person_id:
        steps.append(
            ("Start the single assessment", _href("assessments:single_create", with_contact))
        )
    elif outcome == ScreeningOutcome.STRATEGY_DISCUSSION:
        steps.append(
            ("Arrange the strategy discussion", _href("meetings:strategy_create", with_contact))
        )
    elif outcome == ScreeningOutcome.REFER_MARVE:
        steps.append(("Make the MARVE referral", _href("meetings:marve_create", subject)))
    elif outcome == ScreeningOutcome.CONTEXT_RESPONSE:
        targets = [contact.context] if contact.context else [c.context for c in contexts]
        steps.extend(
            (
                f"Start a context assessment of {target}",
                _href(
                    "assessments:context_create", [("context", target.pk), ("contact", contact.pk)]
                ),
            )
            for target in targets
        )
    return [(label, href) for label, href in steps if href]


# --- the person's and the context's pages -----------------------------------------------------


@dataclass
class Panel:
    rows: list[ContactRow]
    total: int
    can_add: bool
    add_href: str


def person_panel(*, viewer: Any, person: Person) -> Panel:
    """Recent contacts about the person or naming them, that the viewer may open."""
    contacts = visible_contacts(viewer).filter(
        Q(person=person)
        | Q(Exists(ContactPerson.objects.filter(contact=OuterRef("pk"), person=person)))
    )
    return _panel(viewer, contacts, f"{reverse('frontdoor:contact_create')}?person={person.pk}")


def context_panel(*, viewer: Any, context: Context) -> Panel:
    contacts = visible_contacts(viewer).filter(
        Q(context=context)
        | Q(Exists(ContactContext.objects.filter(contact=OuterRef("pk"), context=context)))
    )
    return _panel(viewer, contacts, f"{reverse('frontdoor:contact_create')}?context={context.pk}")


def _panel(viewer: Any, contacts: QuerySet[Contact], add_href: str) -> Panel:
    recent = _for_listing(contacts.order_by("-received_at", "-pk"))[:PANEL_SIZE]
    return Panel(
        rows=rows_for(viewer, recent),
        total=contacts.count(),
        can_add=viewer.has_perm("frontdoor.add_contact"),
        add_href=add_href,
    )


# --- settings ---------------------------------------------------------------------------------


def timescales() -> list[ResponseTimescale]:
    return list(ResponseTimescale.objects.select_related("updated_by").order_by("hours"))


def screening_teams() -> list[ScreeningTeam]:
    return list(ScreeningTeam.objects.select_related("team__agency"))


def screening_route_exists() -> bool:
    return ScreeningTeam.objects.filter(is_default=True, team__is_active=True).exists()
