"""Contacts and screening decisions on the chronologies of the child or context they are about,
and of every other child and context they name. Registered in ``FrontdoorConfig.ready()``."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from contexts.models import Context
from events.chronology import LIMIT, ChronologyEntry, ChronologyFilter, dated, wants
from events.models import HarmType
from frontdoor.models import (
    ApprovalStatus,
    Contact,
    ContactContext,
    ContactPerson,
    ScreeningDecision,
)
from frontdoor.selectors import visible_contacts
from people.models import Person

CONTACT = "contact"
SCREENING = "screening"
ENTRY_TYPES = ((CONTACT, "Contact received"), (SCREENING, "Screening decision"))


def for_person(viewer: Any, person: Person, filters: ChronologyFilter) -> list[ChronologyEntry]:
    named = ContactPerson.objects.filter(contact=OuterRef("pk"), person=person)
    return _entries(viewer, Q(person=person) | Q(Exists(named)), filters)


def for_context(viewer: Any, context: Context, filters: ChronologyFilter) -> list[ChronologyEntry]:
    linked = ContactContext.objects.filter(contact=OuterRef("pk"), context=context)
    return _entries(viewer, Q(context=context) | Q(Exists(linked)), filters)


def _entries(viewer: Any, about: Q, filters: ChronologyFilter) -> list[ChronologyEntry]:
    # Only contacts the viewer may open: a contact about another child, which merely names this
    # one, stays off the page for an agency that cannot open that other child's record.
    contacts = visible_contacts(viewer).filter(about)
    entries: list[ChronologyEntry] = []
    if wants(filters, CONTACT):
        entries += _contact_entries(contacts, filters)
    if wants(filters, SCREENING):
        entries += _decision_entries(contacts, filters)
    return entries


def _contact_entries(contacts: QuerySet[Contact], f: ChronologyFilter) -> list[ChronologyEntry]:
    if f.agency_id:
        contacts = contacts.filter(recording_agency_id=f.agency_id)
    rows = dated(contacts, "received_at", f).select_related("recording_agency", "recorded_by")
    return [
        ChronologyEntry(
            when=c.received_at,
            entry_type=CONTACT,
            type_label="Contact received",
            title=f"Contact {c.pk} received from {c.referrer_organisation or c.recording_agency}"
            f" ({c.get_urgency_display().split(':')[0].lower()})",
            body=c.what_happened,
            agency=c.recording_agency.name,
            byline=c.referrer_name,
            tags=[HarmType(h).label for h in c.harm_indicators if h in HarmType.values],
            link=reverse("frontdoor:contact_detail", args=[c.pk]),
        )
        for c in rows.order_by("-received_at")[:LIMIT]
    ]


def _decision_entries(contacts: QuerySet[Contact], f: ChronologyFilter) -> list[ChronologyEntry]:
    decisions = ScreeningDecision.objects.filter(contact__in=contacts.values("pk"))
    if f.agency_id:
        decisions = decisions.filter(contact__receiving_team__agency_id=f.agency_id)
    rows = dated(decisions, "decided_at", f).select_related(
        "decided_by", "approved_by", "contact__receiving_team__agency"
    )
    return [
        ChronologyEntry(
            when=d.decided_at,
            entry_type=SCREENING,
            type_label="Screening decision",
            title=f"Screening decision on contact {d.contact_id}: {d.get_outcome_display()}"
            f" ({d.get_approval_display().lower()})",
            body=d.reasons
            + (f"\n\nManager's comment: {d.manager_comment}" if d.manager_comment else ""),
            agency=d.contact.receiving_team.agency.name,
            byline=d.decided_by.get_full_name(),
            tags=["Returned"] if d.approval == ApprovalStatus.RETURNED else [],
            link=reverse("frontdoor:contact_detail", args=[d.contact_id]),
        )
        for d in rows.order_by("-decided_at")[:LIMIT]
    ]
