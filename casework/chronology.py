"""Key leads, consultations and NRM referrals on a person's or a context's chronology.

Registered from ``CaseworkConfig.ready()``. Each function costs one or two queries, returns at most
``LIMIT`` entries, and shows a record about a person only to a viewer who may open that person's
record or whose agency wrote it. Decisions known only by their date are placed at the start of
that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from access.roles import CASE_WORK_ROLES
from casework.models import Consultation, KeyLeadAllocation, NrmReferral
from casework.timescales import day_text
from contexts.models import Context
from events.chronology import (
    LIMIT,
    ChronologyEntry,
    ChronologyFilter,
    ChronologySource,
    in_window,
    start_of,
    wants,
)
from events.models import HarmType
from people.models import Person

KEY_LEAD = ("key_lead", "Key lead")
CONSULTATION = ("consultation", "Consultation with the CS lead")
NRM = ("nrm", "National Referral Mechanism")


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username) if user else ""


def _window(f: ChronologyFilter, *columns: str, times: bool = False) -> Q:
    """Records with any of these date (or, with ``times``, datetime) columns in the window."""
    if not f.date_from and not f.date_to:
        return Q()
    found = Q(pk__in=[])
    for column in columns:
        one = Q()
        if f.date_from:
            one &= Q(**{f"{column}__gte": start_of(f.date_from) if times else f.date_from})
        if f.date_to:
            end = f.date_to + dt.timedelta(days=1)
            one &= Q(**{f"{column}__lt": start_of(end) if times else end})
        found |= one
    return found


def _visible(viewer: Any, subject: Person | Context) -> Q | None:
    """Which records about ``subject`` the viewer may see; None for none at all."""
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return None
    if isinstance(subject, Context) or viewer.has_perm("people.view_person", subject):
        return Q()
    return Q(recording_agency_id=viewer.agency_id)


def _about(subject: Person | Context) -> Q:
    return Q(person=subject) if isinstance(subject, Person) else Q(context=subject)


def _newest(entries: list[ChronologyEntry]) -> list[ChronologyEntry]:
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:LIMIT]


# --- key leads --------------------------------------------------------------------------------


def _key_lead_entries(
    allocations: QuerySet[KeyLeadAllocation], f: ChronologyFilter
) -> list[ChronologyEntry]:
    rows = allocations.filter(_window(f, "started_on", "ended_on")).select_related(
        "lead", "lead_agency", "recording_agency", "recorded_by"
    )
    entries = []
    for a in rows.order_by("-started_on", "-pk")[:LIMIT]:
        link = reverse("casework:keylead_history") + (
            f"?person={a.person_id}" if a.person_id else f"?context={a.context_id}"
        )
        who = f"{_name(a.lead)} ({a.lead_agency})"
        started = start_of(a.started_on)
        if in_window(started, f):
            entries.append(
                ChronologyEntry(
                    when=started,
                    date_only=True,
                    entry_type=KEY_LEAD[0],
                    type_label=KEY_LEAD[1],
                    title=f"Key lead allocated: {who}",
                    body=a.reason,
                    agency=a.recording_agency.name,
                    byline=_name(a.recorded_by),
                    link=link,
                )
            )
        if a.ended_on and in_window(start_of(a.ended_on), f):
            entries.append(
                ChronologyEntry(
                    when=start_of(a.ended_on),
                    date_only=True,
                    entry_type=KEY_LEAD[0],
                    type_label=KEY_LEAD[1],
                    title=f"Key lead ended: {who}",
                    body=a.end_reason,
                    agency=a.recording_agency.name,
                    link=link,
                )
            )
    return entries


# --- consultations ----------------------------------------------------------------------------


def _consultation_entries(
    consultations: QuerySet[Consultation], f: ChronologyFilter
) -> list[ChronologyEntry]:
    rows = (
        consultations.filter(_window(f, "created_at", "answered_at", times=True))
        .select_related("recording_agency", "recorded_by", "asked_of", "answered_by__agency")
        .order_by("-created_at", "-pk")[:LIMIT]
    )
    entries = []
    for c in rows:
        link = reverse("casework:consultation_detail", args=[c.pk])
        to = f" to {_name(c.asked_of)}" if c.asked_of_id else ""
        if in_window(c.created_at, f) and f.agency_id in (None, c.recording_agency_id):
            entries.append(
                ChronologyEntry(
                    when=c.created_at,
                    entry_type=CONSULTATION[0],
                    type_label=CONSULTATION[1],
                    title=f"Question to the CS lead{to}",
                    body=c.question,
                    agency=c.recording_agency.name,
                    byline=_name(c.recorded_by),
                    link=link,
                )
            )
        answerer = c.answered_by
        if (
            c.answered_at
            and answerer is not None
            and in_window(c.answered_at, f)
            and f.agency_id in (None, answerer.agency_id)
        ):
            entries.append(
                ChronologyEntry(
                    when=c.answered_at,
                    entry_type=CONSULTATION[0],
                    type_label=CONSULTATION[1],
                    title="Answer from the CS lead",
                    body=c.answer,
                    agency=str(answerer.agency or ""),
                    byline=_name(answerer),
                    link=link,
                )
            )
    return entries


# --- NRM --------------------------------------------------------------------------------------


def _nrm_title(referral: NrmReferral) -> str:
    kinds = ", ".join(
        HarmType(t).label.lower() for t in referral.exploitation_types if t in HarmType.values
    )
    return f"NRM referral by {referral.first_responder}" + (f" ({kinds})" if kinds else "")


def _nrm_entries(referrals: QuerySet[NrmReferral], f: ChronologyFilter) -> list[ChronologyEntry]:
    rows = referrals.filter(
        _window(f, "referred_on", "reasonable_grounds_on", "conclusive_grounds_on")
    ).select_related("first_responder", "recording_agency", "recorded_by")
    entries = []
    for r in rows.order_by("-referred_on", "-pk")[:LIMIT]:
        link = reverse("casework:nrm_detail", args=[r.pk])
        maker = r.get_decision_maker_display()
        steps: list[tuple[dt.date | None, str, str]] = [
            (
                r.referred_on,
                _nrm_title(r),
                f"{r.summary}\n\nDecisions by: {maker}. Reasonable grounds due by "
                f"{day_text(r.reasonable_grounds_due_on)}.",
            ),
            (
                r.reasonable_grounds_on,
                f"NRM reasonable-grounds decision: {r.get_reasonable_grounds_display().lower()}",
                f"Decided by: {maker}.",
            ),
            (
                r.conclusive_grounds_on,
                f"NRM conclusive-grounds decision: {r.get_conclusive_grounds_display().lower()}",
                f"Decided by: {maker}.",
            ),
        ]
        for day, title, body in steps:
            if day is None or not in_window(start_of(day), f):
                continue
            entries.append(
                ChronologyEntry(
                    when=start_of(day),
                    date_only=True,
                    entry_type=NRM[0],
                    type_label=NRM[1],
                    title=title,
                    body=body,
                    agency=r.recording_agency.name,
                    byline=_name(r.recorded_by),
                    link=link,
                )
            )
    return entries


# --- the sources ------------------------------------------------------------------------------


def _entries(viewer: Any, subject: Person | Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    visible = _visible(viewer, subject)
    if visible is None:
        return []
    mine = _about(subject) & visible
    by_agency = Q(recording_agency_id=f.agency_id)
    entries: list[ChronologyEntry] = []
    if wants(f, KEY_LEAD[0]):
        allocations = KeyLeadAllocation.objects.filter(mine)
        if f.agency_id:
            allocations = allocations.filter(by_agency)
        entries += _key_lead_entries(allocations, f)
    if wants(f, CONSULTATION[0]):
        consultations = Consultation.objects.filter(mine)
        if f.agency_id:
            consultations = consultations.filter(by_agency | Q(answered_by__agency_id=f.agency_id))
        entries += _consultation_entries(consultations, f)
    if wants(f, NRM[0]) and isinstance(subject, Person):
        referrals = NrmReferral.objects.filter(person=subject).filter(visible)
        if f.agency_id:
            referrals = referrals.filter(by_agency)
        entries += _nrm_entries(referrals, f)
    return _newest(entries)


def for_person(viewer: Any, person: Person, f: ChronologyFilter) -> list[ChronologyEntry]:
    return _entries(viewer, person, f)


def for_context(viewer: Any, context: Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    return _entries(viewer, context, f)


SOURCE = ChronologySource(
    name="casework",
    entry_types=(KEY_LEAD, CONSULTATION, NRM),
    for_person=for_person,
    for_context=for_context,
)
