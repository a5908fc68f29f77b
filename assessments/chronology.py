"""Assessment entries for the person's and the context's chronologies.

A single assessment appears on the child's chronology (started, submitted, signed off). The
contexts its findings link to show "Named in a single assessment" — naming the child, and saying
what was found, only to a viewer who may open the child's record (or whose agency wrote the
assessment). A context assessment appears on its context's chronology. A fixed number of queries
per source; at most ``LIMIT`` entries each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse

from assessments.codes import CinFactor
from assessments.models import Assessment, ContextAssessment, ContextualFinding, SingleAssessment
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
from people.models import Person
from people.selectors import visible_people

SINGLE = ("single_assessment", "Single assessment")
CONTEXT = ("context_assessment", "Context assessment")


def _window(f: ChronologyFilter) -> Q:
    """Assessments with any of their three dates inside the filter's dates."""
    if not (f.date_from or f.date_to):
        return Q()
    found = Q()
    for column in ("created_at", "submitted_at", "signed_off_at"):
        inside = Q()
        if f.date_from:
            inside &= Q(**{f"{column}__gte": start_of(f.date_from)})
        if f.date_to:
            inside &= Q(**{f"{column}__lt": start_of(f.date_to + dt.timedelta(days=1))})
        found |= inside
    return found


def _name(user: Any) -> str:
    return user.get_full_name() or user.username if user is not None else ""


def _milestones(
    assessment: Assessment, kind: tuple[str, str], subject: str, link: str, signed_off_body: str
) -> list[ChronologyEntry]:
    label = kind[1]
    common = {
        "entry_type": kind[0],
        "type_label": label,
        "agency": assessment.recording_agency.name,
        "link": link,
    }
    started = assessment.started_on
    entries = [
        ChronologyEntry(
            when=assessment.created_at,
            title=f"{label} started{subject}",
            body=f"Started {started.day} {started:%B %Y}, led by {_name(assessment.lead)} "
            f"({assessment.team.name}). Due {assessment.due_on.day} {assessment.due_on:%B %Y}.",
            **common,  # type: ignore[arg-type]
        )
    ]
    if assessment.submitted_at:
        entries.append(
            ChronologyEntry(
                when=assessment.submitted_at,
                title=f"{label} submitted for sign-off{subject}",
                byline=_name(assessment.submitted_by),
                **common,  # type: ignore[arg-type]
            )
        )
    if assessment.signed_off_at:
        entries.append(
            ChronologyEntry(
                when=assessment.signed_off_at,
                title=f"{label} signed off{subject}",
                body=signed_off_body,
                byline=_name(assessment.signed_off_by),
                **common,  # type: ignore[arg-type]
            )
        )
    return entries


def _limited(entries: list[ChronologyEntry], f: ChronologyFilter) -> list[ChronologyEntry]:
    kept = [e for e in entries if in_window(e.when, f)]
    kept.sort(key=lambda e: e.when, reverse=True)
    return kept[:LIMIT]


_RELATED = ("recording_agency", "lead", "team", "submitted_by", "signed_off_by")


def _single_signed_off(assessment: SingleAssessment) -> str:
    factors = ", ".join(CinFactor(c).label for c in assessment.cin_factors if c in CinFactor.values)
    parts = [
        f"Outcome: {assessment.get_outcome_display()}." if assessment.outcome else "",
        f"Factors identified: {factors}." if factors else "",
        f"Primary need: {assessment.get_primary_need_display()}."
        if assessment.primary_need
        else "",
    ]
    return " ".join(p for p in parts if p)


def for_person(viewer: Any, person: Person, f: ChronologyFilter) -> list[ChronologyEntry]:
    if not wants(f, SINGLE[0]) or not viewer.has_perm("assessments.view_assessments"):
        return []
    rows = SingleAssessment.objects.filter(person=person).filter(_window(f))
    if not visible_people(viewer).filter(pk=person.pk).exists():
        rows = rows.filter(recording_agency_id=viewer.agency_id)
    if f.agency_id:
        rows = rows.filter(recording_agency_id=f.agency_id)
    entries = []
    for a in rows.select_related(*_RELATED).order_by("-created_at")[:LIMIT]:
        link = reverse("assessments:single_detail", args=[a.pk])
        entries += _milestones(a, SINGLE, "", link, _single_signed_off(a))
    return _limited(entries, f)


def _context_assessment_entries(context: Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    rows = ContextAssessment.objects.filter(context=context).filter(_window(f))
    if f.agency_id:
        rows = rows.filter(recording_agency_id=f.agency_id)
    entries = []
    for a in rows.select_related(*_RELATED).order_by("-created_at")[:LIMIT]:
        link = reverse("assessments:context_detail", args=[a.pk])
        decision = (
            f"Decision: {a.get_decision_display()}. {a.decision_reasons}" if a.decision else ""
        )
        entries += _milestones(a, CONTEXT, "", link, decision)
    return entries


def _finding_entries(viewer: Any, context: Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    findings = ContextualFinding.objects.filter(context=context)
    if f.agency_id:
        findings = findings.filter(assessment__recording_agency_id=f.agency_id)
    if f.date_from:
        findings = findings.filter(created_at__gte=start_of(f.date_from))
    if f.date_to:
        findings = findings.filter(created_at__lt=start_of(f.date_to + dt.timedelta(days=1)))
    rows = list(
        findings.select_related("assessment__person", "assessment__recording_agency").order_by(
            "-created_at"
        )[:LIMIT]
    )
    ids = {r.assessment.person_id for r in rows}
    shown = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    entries = []
    for finding in rows:
        assessment = finding.assessment
        area = finding.get_area_display().lower()
        common: dict[str, Any] = {
            "when": finding.created_at,
            "entry_type": SINGLE[0],
            "type_label": "Named in a single assessment",
            "agency": assessment.recording_agency.name,
        }
        if assessment.person_id in shown or assessment.recording_agency_id == viewer.agency_id:
            body = "\n".join(
                p
                for p in (
                    f"What makes it unsafe: {finding.what_makes_it_unsafe}"
                    if finding.what_makes_it_unsafe
                    else "",
                    f"What makes it safe: {finding.what_makes_it_safe}"
                    if finding.what_makes_it_safe
                    else "",
                )
                if p
            )
            entries.append(
                ChronologyEntry(
                    title=f"Named in the single assessment of {assessment.person.display_name} "
                    f"({area})",
                    body=body,
                    link=reverse("assessments:single_detail", args=[assessment.pk]),
                    **common,
                )
            )
        else:
            entries.append(
                ChronologyEntry(
                    title="Named in a single assessment",
                    body=f"The single assessment of a child whose record your agency cannot "
                    f"open records how this {area} context affects the child's safety.",
                    **common,
                )
            )
    return entries


def for_context(viewer: Any, context: Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    if not viewer.has_perm("assessments.view_assessments"):
        return []
    entries: list[ChronologyEntry] = []
    if wants(f, CONTEXT[0]):
        entries += _context_assessment_entries(context, f)
    if wants(f, SINGLE[0]):
        entries += _finding_entries(viewer, context, f)
    return _limited(entries, f)


SOURCE = ChronologySource(
    name="assessments",
    entry_types=(SINGLE, CONTEXT),
    for_person=for_person,
    for_context=for_context,
)
