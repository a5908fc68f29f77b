"""Reads of key leads, consultations and NRM referrals, scoped to the viewer.

Single records go through ``access.guard.authorize`` (audited, 404 when refused). Lists cost a
fixed number of queries, however many rows they hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from access.guard import authorize
from access.roles import CASE_WORK_ROLES, Role
from accounts.models import Team, User
from audit.models import AccessAction
from audit.services import audit_record
from casework.models import (
    Consultation,
    ConsultationStatus,
    KeyLeadAllocation,
    NrmDecision,
    NrmReferral,
)
from casework.timescales import NrmStatus, nrm_status
from contexts.models import Context
from contexts.selectors import get_context_for_viewer
from people.codes import PersonKind
from people.models import Person
from people.selectors import get_person_for_viewer, visible_people

PANEL_ROWS = 5
PICK_LIMIT = 20
UNSEEN_CHILD = "A child whose record your agency cannot open"

Subject = Person | Context


def get_subject_for_viewer(
    *, viewer: Any, person_id: str, context_id: str, permission: str
) -> Subject:
    """The child (``?person=``) or context (``?context=``) a page is about, if ``permission``
    allows it on that subject; otherwise 404."""
    if person_id.isdigit() and not context_id:
        return get_person_for_viewer(viewer=viewer, pk=int(person_id), permission=permission)
    if context_id.isdigit() and not person_id:
        return get_context_for_viewer(viewer=viewer, pk=int(context_id), permission=permission)
    raise Http404


def about(subject: Subject) -> Q:
    return Q(person=subject) if isinstance(subject, Person) else Q(context=subject)


def subject_query(subject: Subject) -> str:
    """The query string naming a subject, as the shared URL contract spells it."""
    return f"person={subject.pk}" if isinstance(subject, Person) else f"context={subject.pk}"


def subject_profile_url(subject: Subject) -> str:
    name = "people:profile" if isinstance(subject, Person) else "contexts:profile"
    return reverse(name, args=[subject.pk])


# --- key leads --------------------------------------------------------------------------------


def _teams_of_leads() -> Prefetch[Any]:
    return Prefetch("lead__teams", queryset=Team.objects.filter(is_active=True).order_by("name"))


def _allocations() -> QuerySet[KeyLeadAllocation]:
    return KeyLeadAllocation.objects.select_related(
        "person", "context", "lead", "lead_agency", "recorded_by", "recording_agency"
    ).prefetch_related(_teams_of_leads())


def current_key_lead(subject: Subject) -> KeyLeadAllocation | None:
    return _allocations().filter(about(subject), ended_on__isnull=True).first()


def key_lead_history(subject: Subject) -> list[KeyLeadAllocation]:
    """Every allocation for an already authorised subject, newest first."""
    return list(_allocations().filter(about(subject)).order_by("-started_on", "-pk"))


def get_allocation_for_viewer(*, viewer: Any, pk: int, permission: str) -> KeyLeadAllocation:
    allocation = _allocations().filter(pk=pk).first()
    if allocation is None:
        raise Http404
    return authorize(viewer, permission, allocation)


def lead_candidates(*, viewer: Any, query: str) -> list[User]:
    """Active case workers of any agency whose name, agency or team matches ``query``."""
    query = query.strip()
    if not query:
        return []
    users = User.objects.filter(
        is_active=True,
        agency__isnull=False,
        agency__is_active=True,
        role_grants__role__in=CASE_WORK_ROLES,
    )
    for word in query.split()[:4]:
        users = users.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(agency__name__icontains=word)
            | Q(teams__name__icontains=word)
        )
    found = list(
        users.distinct()
        .select_related("agency")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.filter(is_active=True)))
        .order_by("last_name", "first_name")[:PICK_LIMIT]
    )
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="accounts.user",
        reason=f"Searched for a key lead: '{query}' ({len(found)} found)",
    )
    return found


def get_lead(pk: str) -> User | None:
    if not pk.isdigit():
        return None
    return (
        User.objects.filter(pk=int(pk), is_active=True, role_grants__role__in=CASE_WORK_ROLES)
        .select_related("agency")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.filter(is_active=True)))
        .distinct()
        .first()
    )


# --- my caseload ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    text: str
    urgent: bool = False


@dataclass(frozen=True)
class CaseloadRow:
    allocation: KeyLeadAllocation
    name: str
    link: str
    attention: list[Attention] = field(default_factory=list)


@dataclass(frozen=True)
class Caseload:
    children: list[CaseloadRow]
    contexts: list[CaseloadRow]


def _waiting_questions(ids: list[int], column: str) -> dict[int, int]:
    rows = (
        Consultation.objects.filter(**{f"{column}__in": ids}, status=ConsultationStatus.ASKED)
        .values(column)
        .annotate(n=Count("pk"))
        .values_list(column, "n")
    )
    return dict(rows)


def _question_attention(count: int) -> list[Attention]:
    if not count:
        return []
    plural = "question" if count == 1 else "questions"
    return [Attention(f"{count} {plural} to the CS lead waiting for an answer")]


def open_nrm() -> Q:
    return Q(reasonable_grounds="") | Q(
        reasonable_grounds=NrmDecision.POSITIVE, conclusive_grounds=""
    )


def my_children(*, viewer: Any) -> list[CaseloadRow]:
    """The children the viewer is key lead for, oldest allocation first, with what needs doing:
    unanswered consultations and open NRM referrals' timescales. Four queries at most."""
    allocations = list(
        KeyLeadAllocation.objects.filter(lead=viewer, ended_on__isnull=True, person__isnull=False)
        .select_related("person")
        .order_by("started_on", "pk")
    )
    ids = [a.person_id for a in allocations if a.person_id]
    if not ids:
        return []
    shown = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    waiting = _waiting_questions(ids, "person_id")
    today = timezone.localdate()
    referrals: dict[int, list[Attention]] = {}
    for referral in NrmReferral.objects.filter(open_nrm(), person_id__in=ids):
        status = nrm_status(referral, today)
        referrals.setdefault(referral.person_id, []).append(
            Attention(f"NRM: {status.text}", urgent=status.overdue)
        )
    rows = []
    for allocation in allocations:
        pid = allocation.person_id
        if pid is None:  # filtered out above; this tells the type checker
            continue
        visible = pid in shown
        rows.append(
            CaseloadRow(
                allocation,
                allocation.person.display_name if visible and allocation.person else UNSEEN_CHILD,
                reverse("people:profile", args=[pid]) if visible else "",
                referrals.get(pid, []) + _question_attention(waiting.get(pid, 0)),
            )
        )
    return rows


def my_contexts(*, viewer: Any) -> list[CaseloadRow]:
    """The contexts the viewer is key lead for, with unanswered consultations. Two queries."""
    allocations = list(
        KeyLeadAllocation.objects.filter(lead=viewer, ended_on__isnull=True, context__isnull=False)
        .select_related("context")
        .order_by("started_on", "pk")
    )
    ids = [a.context_id for a in allocations if a.context_id]
    if not ids:
        return []
    waiting = _waiting_questions(ids, "context_id")
    return [
        CaseloadRow(
            a,
            str(a.context),
            reverse("contexts:profile", args=[a.context_id]),
            _question_attention(waiting.get(a.context_id or 0, 0)),
        )
        for a in allocations
    ]


def my_caseload(*, viewer: Any) -> Caseload:
    """What ``casework/partials/_my_caseload.html`` shows on the home page."""
    if not (viewer.role_set & CASE_WORK_ROLES):
        return Caseload([], [])
    return Caseload(my_children(viewer=viewer), my_contexts(viewer=viewer))


# --- consultations ----------------------------------------------------------------------------


def _consultations() -> QuerySet[Consultation]:
    return Consultation.objects.select_related(
        "person__holding_agency",
        "context",
        "recorded_by",
        "recording_agency",
        "asked_of__agency",
        "answered_by__agency",
    )


def get_consultation_for_viewer(*, viewer: Any, pk: int) -> Consultation:
    consultation = _consultations().filter(pk=pk).first()
    if consultation is None:
        raise Http404
    return authorize(viewer, "casework.view_consultation", consultation)


def subject_label(record: Any, shown: set[int]) -> tuple[str, str]:
    """(name, link) for a record's subject, naming a child only where the viewer may open them."""
    if record.person_id:
        if record.person_id in shown:
            return record.person.display_name, reverse("people:profile", args=[record.person_id])
        return f"A child whose record is held by {record.person.holding_agency}", ""
    return str(record.context), reverse("contexts:profile", args=[record.context_id])


def people_shown(viewer: Any, records: list[Any]) -> set[int]:
    ids = {r.person_id for r in records if r.person_id}
    if not ids:
        return set()
    return set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))


@dataclass(frozen=True)
class QueueRow:
    consultation: Consultation
    subject: str
    link: str
    days_waiting: int
    for_me: bool


def consultation_queue(*, viewer: Any) -> list[QueueRow]:
    """Open questions to the CS lead, oldest first. Two queries."""
    if not viewer.has_role(Role.CS_LEAD):
        return []
    open_questions = list(
        _consultations().filter(status=ConsultationStatus.ASKED).order_by("created_at", "pk")
    )
    shown = people_shown(viewer, open_questions)
    now = timezone.now()
    rows = []
    for consultation in open_questions:
        name, link = subject_label(consultation, shown)
        rows.append(
            QueueRow(
                consultation,
                name,
                link,
                (now - consultation.created_at).days,
                consultation.asked_of_id == viewer.pk,
            )
        )
    return rows


def consultations_about(subject: Subject, limit: int = PANEL_ROWS) -> list[Consultation]:
    return list(_consultations().filter(about(subject)).order_by("-created_at", "-pk")[:limit])


# --- NRM referrals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NrmRow:
    referral: NrmReferral
    status: NrmStatus


def _referrals() -> QuerySet[NrmReferral]:
    return NrmReferral.objects.select_related(
        "person", "first_responder", "recording_agency", "recorded_by"
    )


def get_nrm_referral_for_viewer(*, viewer: Any, pk: int, permission: str) -> NrmReferral:
    referral = _referrals().filter(pk=pk).first()
    if referral is None:
        raise Http404
    return authorize(viewer, permission, referral)


def visible_referrals(viewer: Any) -> QuerySet[NrmReferral]:
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return NrmReferral.objects.none()
    return _referrals().filter(
        Q(person__in=visible_people(viewer)) | Q(recording_agency_id=viewer.agency_id)
    )


def open_nrm_referrals(*, viewer: Any) -> list[NrmRow]:
    """Open referrals the viewer may see, overdue first, then by when a decision is due. One
    query."""
    today = timezone.localdate()
    rows = [
        NrmRow(r, nrm_status(r, today))
        for r in visible_referrals(viewer).filter(open_nrm()).order_by("referred_on", "pk")
    ]
    rows.sort(key=lambda row: (not row.status.overdue, row.referral.reasonable_grounds_due_on))
    return rows


def referrals_for(person: Person) -> list[NrmRow]:
    today = timezone.localdate()
    return [
        NrmRow(r, nrm_status(r, today))
        for r in _referrals().filter(person=person).order_by("-referred_on", "-pk")[:PANEL_ROWS]
    ]


# --- panels for the person and context pages --------------------------------------------------


@dataclass(frozen=True)
class SubjectPanel:
    key_lead: KeyLeadAllocation | None
    can_allocate: bool
    can_end: bool
    consultations: list[Consultation]
    can_ask: bool
    query: str
    referrals: list[NrmRow] = field(default_factory=list)
    can_refer: bool = False


def _panel(viewer: Any, subject: Subject) -> SubjectPanel:
    lead = current_key_lead(subject)
    return SubjectPanel(
        key_lead=lead,
        can_allocate=viewer.has_perm("casework.allocate_key_lead", subject),
        can_end=lead is not None and viewer.has_perm("casework.end_key_lead", lead),
        consultations=consultations_about(subject),
        can_ask=viewer.has_perm("casework.ask_consultation", subject),
        query=subject_query(subject),
    )


def person_panel(*, viewer: Any, person: Person) -> SubjectPanel:
    """For ``casework/partials/_person_panel.html``: key lead, consultations, NRM referrals.

    Key leads and NRM referrals are for young people; other people show only consultations.
    """
    young = person.kind == PersonKind.YOUNG_PERSON
    panel = _panel(viewer, person)
    return replace(
        panel,
        can_allocate=panel.can_allocate and young,
        referrals=referrals_for(person),
        can_refer=young and viewer.has_perm("casework.add_nrm_referral", person),
    )


def context_panel(*, viewer: Any, context: Context) -> SubjectPanel:
    """For ``casework/partials/_context_panel.html``: key lead and consultations."""
    return _panel(viewer, context)
