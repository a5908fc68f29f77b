"""Reads of assessments, scoped to the viewer. Every single-record read is checked and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.guard import authorize
from accounts.models import Team
from assessments.models import (
    Assessment,
    AssessmentStatus,
    ContextAssessment,
    ContextAssessmentDecision,
    ContextualArea,
    ContextualFinding,
    ContextWeighting,
    SingleAssessment,
)
from assessments.services import AREA_KINDS, status_after_sign_off
from assessments.timescales import Timescale, timescale_of
from assessments.triangles import ASSESSABLE_KINDS
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextLink, ContextStatus
from contexts.selectors import context_list
from frontdoor.models import (
    ApprovalStatus,
    Contact,
    ContactContext,
    ContactPerson,
    ContactPersonRole,
    ScreeningDecision,
    ScreeningOutcome,
)
from people.codes import PersonKind
from people.models import Person
from people.selectors import visible_people

PICK_LIMIT = 20
PANEL_LIMIT = 10
ASKED_LIMIT = 3

_SINGLE_RELATED = ("person", "lead", "team", "recording_agency", "submitted_by", "signed_off_by")
_CONTEXT_RELATED = ("context", "lead", "team", "recording_agency", "submitted_by", "signed_off_by")


def get_single_assessment_for_viewer(
    *, viewer: Any, pk: int, permission: str = "assessments.view_single_assessment"
) -> SingleAssessment:
    assessment = SingleAssessment.objects.select_related(*_SINGLE_RELATED).filter(pk=pk).first()
    if assessment is None:
        raise Http404
    return authorize(viewer, permission, assessment)


def get_context_assessment_for_viewer(
    *, viewer: Any, pk: int, permission: str = "assessments.view_context_assessment"
) -> ContextAssessment:
    assessment = ContextAssessment.objects.select_related(*_CONTEXT_RELATED).filter(pk=pk).first()
    if assessment is None:
        raise Http404
    return authorize(viewer, permission, assessment)


def get_contact_for_viewer(*, viewer: Any, pk: int) -> Contact:
    """A contact an assessment starts from: only one the viewer may read."""
    contact = Contact.objects.filter(pk=pk).first()
    if contact is None:
        raise Http404
    return authorize(viewer, "assessments.use_contact", contact)


def get_finding(assessment: SingleAssessment, pk: int) -> ContextualFinding:
    finding = assessment.findings.select_related("context").filter(pk=pk).first()
    if finding is None:
        raise Http404
    finding.assessment = assessment
    return finding


def get_weighting(assessment: ContextAssessment, pk: int) -> ContextWeighting:
    weighting = assessment.weightings.select_related("context").filter(pk=pk).first()
    if weighting is None:
        raise Http404
    weighting.assessment = assessment
    return weighting


# --- the contextual section -----------------------------------------------------------------------


@dataclass(frozen=True)
class AreaFindings:
    area: str
    label: str
    findings: list[ContextualFinding]


def findings_by_area(assessment: SingleAssessment) -> list[AreaFindings]:
    rows = list(assessment.findings.select_related("context"))
    return [
        AreaFindings(value, label, [f for f in rows if f.area == value])
        for value, label in ContextualArea.choices
    ]


def contexts_to_offer(
    *, viewer: Any, assessment: SingleAssessment, area: str, query: str = ""
) -> tuple[list[Context], list[Context] | None]:
    """Contexts for a finding: first the child's own (linked to them, or named in the contact the
    assessment started from), then — if the practitioner searched — others of the right kind."""
    kind = AREA_KINDS.get(area, "")
    linked = Q(links__person=assessment.person_id)
    if assessment.contact_id:
        from_contact = ContactContext.objects.filter(contact=assessment.contact_id)
        linked |= Q(pk__in=from_contact.values("context"))
    own = Context.objects.filter(linked).distinct().order_by("name")
    if kind:
        own = own.filter(kind=kind)
    found = None
    if query:
        found = list(context_list(viewer=viewer, query=query, kind=kind)[:PICK_LIMIT])
    return list(own[:PICK_LIMIT]), found


# --- context weighting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    context: Context
    shared_people: int  # people linked both to this context and to the assessed one
    reason: str


def weighting_candidates(*, assessment: ContextAssessment) -> list[Candidate]:
    """Contexts to rank: the assessed context itself, then contexts that share people with it
    through their links (the peer group that meets at the park, the school its members attend).
    Two queries whatever the number of links. Only counts are shown, never who the people are."""
    weighted = set(assessment.weightings.values_list("context_id", flat=True))
    people = ContextLink.objects.filter(context=assessment.context_id, person__isnull=False).values(
        "person"
    )
    sharing = (
        Context.objects.filter(links__person__in=people)
        .exclude(pk=assessment.context_id)
        .exclude(pk__in=weighted)
        .annotate(shared=Count("links__person", distinct=True))
        .order_by("-shared", "name")[:PICK_LIMIT]
    )
    candidates = []
    if assessment.context_id not in weighted:
        candidates.append(Candidate(assessment.context, 0, "The context being assessed"))
    for context in sharing:
        count: int = context.shared
        people_text = "person is" if count == 1 else "people are"
        candidates.append(
            Candidate(context, count, f"{count} {people_text} linked to both contexts")
        )
    return candidates


def search_contexts(*, viewer: Any, query: str) -> list[Context]:
    return list(context_list(viewer=viewer, query=query)[:PICK_LIMIT]) if query else []


# --- timescales in lists ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    assessment: Any  # SingleAssessment or ContextAssessment
    timescale: Timescale


def with_timescales(assessments: list[Any], today: dt.date | None = None) -> list[Row]:
    day = today or timezone.localdate()
    return [Row(a, timescale_of(a, day)) for a in assessments]


# --- the team's assessments in progress ---------------------------------------------------------


def manager_teams(viewer: Any) -> QuerySet[Team]:
    return viewer.teams.filter(agency_id=viewer.agency_id, is_active=True).order_by("name")  # type: ignore[no-any-return]


def team_assessments(
    *, viewer: Any, kind: str, team_ids: list[int]
) -> QuerySet[SingleAssessment] | QuerySet[ContextAssessment]:
    """Assessments not yet signed off in the viewer's own teams, most urgent first.

    Only the viewer's agency's records: those it wrote, so it may read them.
    """
    allowed = set(manager_teams(viewer).values_list("pk", flat=True))
    teams = [t for t in team_ids if t in allowed] if team_ids else list(allowed)
    model: type[SingleAssessment] | type[ContextAssessment]
    if kind == "context":
        model, related = ContextAssessment, ("context", "lead", "team")
    else:
        model, related = SingleAssessment, ("person", "lead", "team")
    audit_record(
        actor=viewer,
        action=AccessAction.VIEW,
        object_type=model._meta.label_lower,
        reason=f"Viewed {kind} assessments in progress for teams {sorted(teams)}",
    )
    return (
        model.objects.filter(team__in=teams, recording_agency_id=viewer.agency_id)
        .exclude(status=AssessmentStatus.COMPLETED)
        .select_related(*related)
        .order_by("due_on", "pk")
    )


# --- panels for the person and context pages -----------------------------------------------------


@dataclass(frozen=True)
class Panel:
    rows: list[Row]
    open_assessment: Assessment | None
    can_start: bool
    refusal: str = ""
    # Approved contacts whose screening decision asked for this assessment and from which none
    # has been started yet: the panel offers to start it from them, so it stays linked.
    asked_for: tuple[Contact, ...] = ()


def _visible_contacts(viewer: Any) -> Q:
    """The ``can_view_record_about`` rule for contacts, as a filter: the viewer's own agency's,
    any about a context (partnership records), and those about a child whose record the viewer's
    agency may open."""
    people = visible_people(viewer).filter(pk=OuterRef("person_id"))
    return Q(recording_agency_id=viewer.agency_id) | Q(context__isnull=False) | Q(Exists(people))


def _asking_for(outcome: str) -> Exists:
    return Exists(
        ScreeningDecision.objects.filter(
            contact=OuterRef("pk"), outcome=outcome, approval=ApprovalStatus.APPROVED
        )
    )


def _contacts_asking_for_single(viewer: Any, person: Person) -> tuple[Contact, ...]:
    """One query. A contact about the child, or naming them as another child it is about."""
    named = ContactPerson.objects.filter(
        contact=OuterRef("pk"), person=person, role=ContactPersonRole.CHILD
    )
    started = SingleAssessment.objects.filter(contact=OuterRef("pk"), person=person)
    contacts = (
        Contact.objects.filter(Q(person=person) | Exists(named))
        .filter(_asking_for(ScreeningOutcome.SINGLE_ASSESSMENT), _visible_contacts(viewer))
        .exclude(Exists(started))
        .order_by("-received_at", "-pk")
    )
    return tuple(contacts[:ASKED_LIMIT])


def _contacts_asking_for_context(viewer: Any, context: Context) -> tuple[Contact, ...]:
    """One query. A contact about the context, or naming it."""
    named = ContactContext.objects.filter(contact=OuterRef("pk"), context=context)
    started = ContextAssessment.objects.filter(contact=OuterRef("pk"), context=context)
    contacts = (
        Contact.objects.filter(Q(context=context) | Exists(named))
        .filter(_asking_for(ScreeningOutcome.CONTEXT_RESPONSE), _visible_contacts(viewer))
        .exclude(Exists(started))
        .order_by("-received_at", "-pk")
    )
    return tuple(contacts[:ASKED_LIMIT])


def person_panel(*, viewer: Any, person: Person) -> Panel:
    """The child's single assessments, current first. Four queries at most."""
    assessments = SingleAssessment.objects.filter(person=person).select_related("lead", "team")
    if not viewer.has_perm("people.view_person", person):
        assessments = assessments.filter(recording_agency_id=viewer.agency_id)
    rows = with_timescales(list(assessments.order_by("-started_on", "-pk")[:PANEL_LIMIT]))
    open_one = next(
        (r.assessment for r in rows if r.assessment.status != AssessmentStatus.COMPLETED), None
    )
    can_start = (
        open_one is None
        and person.kind == PersonKind.YOUNG_PERSON
        and viewer.has_perm("assessments.start_single_assessment", person)
    )
    asked_for = _contacts_asking_for_single(viewer, person) if can_start else ()
    return Panel(rows, open_one, can_start, asked_for=asked_for)


def context_panel(*, viewer: Any, context: Context) -> Panel:
    """The context's assessments, current first. Two queries at most."""
    assessments = ContextAssessment.objects.filter(context=context).select_related("lead", "team")
    rows = with_timescales(list(assessments.order_by("-started_on", "-pk")[:PANEL_LIMIT]))
    open_one = next(
        (r.assessment for r in rows if r.assessment.status != AssessmentStatus.COMPLETED), None
    )
    refusal = ""
    if context.kind not in ASSESSABLE_KINDS:
        refusal = "Online spaces are not assessed with a context assessment."
    can_start = (
        open_one is None
        and not refusal
        and viewer.has_perm("assessments.start_context_assessment", context)
    )
    asked_for = _contacts_asking_for_context(viewer, context) if can_start else ()
    return Panel(rows, open_one, can_start, refusal, asked_for)


# --- what signing off a context assessment does to the context ------------------------------------

_BECAUSE: dict[str, str] = {
    ContextAssessmentDecision.SAFETY_PLAN: "the decision is a location or context safety plan",
    ContextAssessmentDecision.NO_FURTHER_ACTION: "the decision is no further action",
    ContextAssessmentDecision.MONITOR: "the decision is to monitor it",
}


def sign_off_status_note(assessment: ContextAssessment) -> str:
    """For the manager, before they sign off: what will happen to the context's status
    (``services.status_after_sign_off``). No queries: the context is already loaded."""
    context = assessment.context
    current = ContextStatus(context.status).label
    if context.status == ContextStatus.CLOSED:
        return f"{context.name} is closed, so signing off will not change its status."
    new = status_after_sign_off(context, assessment.decision)
    if assessment.decision == ContextAssessmentDecision.CONTEXT_CONFERENCE:
        return (
            f"When you sign it off, {context.name} stays ‘{current}’ until the context "
            "conference decides what happens next."
        )
    if new is None:
        return ""
    because = _BECAUSE.get(assessment.decision, "of the decision")
    if new == context.status:
        return f"When you sign it off, {context.name} stays ‘{current}’, because {because}."
    label = ContextStatus(new).label
    return (
        f"When you sign it off, {context.name} changes from ‘{current}’ to ‘{label}’, "
        f"because {because}."
    )
