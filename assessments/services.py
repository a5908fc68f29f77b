"""Every change to single assessments and context assessments: one use case each, audited.

Optimistic locking: every change names the version of the assessment the editor opened. The
contextual findings and the context weighting list are parts of their assessment, so changing them
moves the assessment's version too; two people editing the same assessment can never silently
overwrite each other (``contextsafe.lib.concurrency``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from accounts.models import Agency, Team, User
from assessments.codes import CinFactor, PrimaryNeed
from assessments.models import (
    SINGLE_ASSESSMENT_WORKING_DAYS,
    Assessment,
    AssessmentStatus,
    ContextAssessment,
    ContextAssessmentDecision,
    ContextualArea,
    ContextualFinding,
    ContextWeighting,
    SingleAssessment,
    SingleAssessmentOutcome,
)
from assessments.timescales import CONTEXT_ASSESSMENT_WORKING_DAYS, due_date
from assessments.triangles import ASSESSABLE_KINDS
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextKind, ContextStatus
from contexts.services import context_update
from contextsafe.lib.concurrency import EditConflict, save_versioned
from core.services import notify
from frontdoor.models import Contact, ContactContext, ContactPerson
from people.codes import PersonKind
from people.models import Person

NO_FACTORS = CinFactor.NONE.value
LEAD_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER, Role.CS_LEAD})

# The statutory domains and the rest of a single assessment, section by section: each section is
# saved on its own.
SINGLE_SECTIONS: dict[str, tuple[str, ...]] = {
    "domains": ("developmental_needs", "parenting_capacity", "family_environment"),
    "voice": ("child_voice",),
    "strengths": ("strengths",),
    "contextual": ("no_contextual_concerns",),
    "analysis": ("analysis",),
    "outcome": ("outcome", "outcome_reasons"),
    "factors": ("cin_factors", "primary_need"),
}
CONTEXT_SECTIONS: dict[str, tuple[str, ...]] = {
    "prompts": (
        "who_uses_it",
        "what_happens",
        "guardianship",
        "what_makes_it_safe",
        "what_makes_it_unsafe",
        "young_peoples_views",
        "partners_responsible",
    ),
    "triangle": ("triangle_first", "triangle_second", "triangle_third"),
    "decision": ("decision", "decision_reasons"),
}
SINGLE_FIELDS = frozenset(f for fields in SINGLE_SECTIONS.values() for f in fields)
CONTEXT_FIELDS = frozenset(f for fields in CONTEXT_SECTIONS.values() for f in fields)

# Which kind of context record a finding in each area may link to.
AREA_KINDS: dict[str, str] = {
    ContextualArea.PLACES: ContextKind.LOCATION,
    ContextualArea.PEERS: ContextKind.PEER_GROUP,
    ContextualArea.SCHOOL: ContextKind.EDUCATION_SETTING,
    ContextualArea.ONLINE: ContextKind.ONLINE_SPACE,
}

ONLINE_REFUSAL = (
    "Online spaces are not assessed with a context assessment: the published Contextual "
    "Safeguarding assessment triangles cover neighbourhoods and places, peer groups and schools. "
    "Record what is happening in this online space on the chronology, and assess it as part of "
    "the single assessments of the children who use it (the online part of the contextual "
    "section), or assess the peer group that uses it."
)


# --- shared rules -------------------------------------------------------------------------------


def _check_editable(assessment: Assessment) -> None:
    if assessment.status == AssessmentStatus.COMPLETED:
        raise ValidationError("This assessment has been signed off. It can no longer be changed.")
    if assessment.status == AssessmentStatus.AWAITING_SIGN_OFF:
        raise ValidationError(
            "This assessment is waiting for a manager's sign-off, so it cannot be changed. "
            "A manager can return it to you if it needs more work."
        )


def _check_start(*, actor: User, started_on: dt.date, lead: User, team: Team) -> None:
    errors: dict[str, str] = {}
    if started_on > timezone.localdate():
        errors["started_on"] = "The start date must be today or in the past"
    if actor.agency_id is None or team.agency_id != actor.agency_id or not team.is_active:
        errors["team"] = "Choose one of your agency's teams"
    if not lead.is_active or lead.agency_id != actor.agency_id or not (lead.role_set & LEAD_ROLES):
        errors["lead"] = (
            "Choose a practitioner, team manager or CS lead in your agency to lead the assessment"
        )
    if errors:
        raise ValidationError(errors)


def _agency_of(actor: User) -> Agency:
    if actor.agency is None:
        raise ValidationError("Your account has no agency, so you cannot start an assessment.")
    return actor.agency


def _touch(assessment: Assessment, expected_version: int, fields: Iterable[str] = ()) -> None:
    """Save ``fields`` and move the version on, or raise EditConflict."""
    save_versioned(assessment, expected_version=expected_version, fields=list(fields))


def _text_changes(before: dict[str, Any], assessment: Assessment) -> dict[str, Any]:
    return {
        name: {"old": old, "new": getattr(assessment, name)}
        for name, old in before.items()
        if old != getattr(assessment, name)
    }


def _managers(team_id: int, roles: Iterable[str], *, but: User) -> list[User]:
    return list(
        User.objects.filter(teams__id=team_id, is_active=True, role_grants__role__in=list(roles))
        .exclude(pk=but.pk)
        .distinct()
    )


def _detail_link(assessment: Assessment) -> str:
    if isinstance(assessment, SingleAssessment):
        return reverse("assessments:single_detail", args=[assessment.pk])
    return reverse("assessments:context_detail", args=[assessment.pk])


def _kind_name(assessment: Assessment) -> str:
    return "single assessment" if isinstance(assessment, SingleAssessment) else "context assessment"


# --- single assessments --------------------------------------------------------------------------


def _check_contact_names_person(contact: Contact, person: Person) -> None:
    if contact.person_id == person.pk:
        return
    if ContactPerson.objects.filter(contact=contact, person=person).exists():
        return
    raise ValidationError(
        f"Contact {contact.pk} is not about {person.display_name} and does not name them. "
        "Start the assessment from the right contact, or without one."
    )


@transaction.atomic
def single_assessment_start(
    *,
    actor: User,
    person: Person,
    started_on: dt.date,
    lead: User,
    team: Team,
    contact: Contact | None = None,
) -> SingleAssessment:
    if person.kind != PersonKind.YOUNG_PERSON:
        raise ValidationError(
            "A single assessment is an assessment of a child. This record is for "
            f"{person.get_kind_display().lower()}s."
        )
    if person.merged_into_id:
        raise ValidationError("This record was merged into another. Assess the child there.")
    _check_start(actor=actor, started_on=started_on, lead=lead, team=team)
    if contact is not None:
        _check_contact_names_person(contact, person)
    open_one = (
        SingleAssessment.objects.filter(person=person)
        .exclude(status=AssessmentStatus.COMPLETED)
        .first()
    )
    if open_one is not None:
        raise ValidationError(
            f"{person.display_name} already has a single assessment that is not finished "
            f"(started {open_one.started_on.day} {open_one.started_on:%B %Y}). Continue that one."
        )
    assessment = SingleAssessment.objects.create(
        person=person,
        contact=contact,
        started_on=started_on,
        due_on=due_date(started_on, SINGLE_ASSESSMENT_WORKING_DAYS),
        lead=lead,
        team=team,
        recording_agency=_agency_of(actor),
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=assessment,
        changes={
            "person": person.pk,
            "contact": contact.pk if contact else None,
            "started_on": started_on,
            "due_on": assessment.due_on,
            "lead": lead.pk,
            "team": team.pk,
        },
    )
    if lead.pk != actor.pk:
        notify(
            recipients=[lead],
            message="You are the lead for a new single assessment of a child.",
            link=_detail_link(assessment),
        )
    return assessment


def _check_factors(factors: list[str]) -> None:
    if set(factors) - set(CinFactor.values):
        raise ValidationError({"cin_factors": "Choose factors from the list"})
    if NO_FACTORS in factors and len(factors) > 1:
        raise ValidationError(
            {
                "cin_factors": "‘21 No factors identified’ cannot be combined with other "
                "factors. Untick 21, or untick the other factors."
            }
        )


def _check_single_fields(assessment: SingleAssessment, fields: Mapping[str, Any]) -> None:
    if "cin_factors" in fields:
        _check_factors(list(fields["cin_factors"]))
    if fields.get("primary_need") and fields["primary_need"] not in PrimaryNeed.values:
        raise ValidationError({"primary_need": "Choose the primary need from the list"})
    if fields.get("outcome") and fields["outcome"] not in SingleAssessmentOutcome.values:
        raise ValidationError({"outcome": "Choose the outcome from the list"})
    if fields.get("no_contextual_concerns") and assessment.findings.exists():
        raise ValidationError(
            {
                "no_contextual_concerns": "You have recorded contextual findings. Remove them "
                "before recording that there are no contextual concerns."
            }
        )


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list | tuple):
        return sorted(set(value), key=_factor_order)
    return value


def _factor_order(code: str) -> int:
    values = list(CinFactor.values)
    return values.index(code) if code in values else len(values)


@transaction.atomic
def single_assessment_update(
    *, actor: User, assessment: SingleAssessment, expected_version: int, **fields: Any
) -> SingleAssessment:
    unknown = set(fields) - SINGLE_FIELDS
    if unknown:
        raise TypeError(f"single_assessment_update does not change {', '.join(sorted(unknown))}")
    _check_editable(assessment)
    cleaned = {name: _clean_value(value) for name, value in fields.items()}
    _check_single_fields(assessment, cleaned)
    before = {name: getattr(assessment, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(assessment, name, value)
    _touch(assessment, expected_version, cleaned)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes=_text_changes(before, assessment),
    )
    return assessment


def _check_finding(
    assessment: SingleAssessment, area: str, context: Context | None, unsafe: str, safe: str
) -> None:
    if area not in ContextualArea.values:
        raise ValidationError({"area": "Choose the area: places, peers, school or online"})
    if context is not None and context.kind != AREA_KINDS[area]:
        wanted = ContextKind(AREA_KINDS[area]).label.lower()
        raise ValidationError(
            {"context": f"{context.name} is not a {wanted}. Link a {wanted} to this area."}
        )
    if not unsafe.strip() and not safe.strip():
        raise ValidationError(
            {"what_makes_it_unsafe": "Say what makes this context unsafe, safe, or both"}
        )
    if assessment.no_contextual_concerns:
        raise ValidationError(
            "This assessment records that there are no contextual concerns. Clear that reason "
            "in the contextual section before adding a finding."
        )


@transaction.atomic
def finding_add(
    *,
    actor: User,
    assessment: SingleAssessment,
    expected_version: int,
    area: str,
    context: Context | None = None,
    what_makes_it_unsafe: str = "",
    what_makes_it_safe: str = "",
) -> ContextualFinding:
    _check_editable(assessment)
    _check_finding(assessment, area, context, what_makes_it_unsafe, what_makes_it_safe)
    _touch(assessment, expected_version)
    finding = ContextualFinding.objects.create(
        assessment=assessment,
        area=area,
        context=context,
        what_makes_it_unsafe=what_makes_it_unsafe.strip(),
        what_makes_it_safe=what_makes_it_safe.strip(),
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={
            "finding_added": {
                "id": finding.pk,
                "area": area,
                "context": context.pk if context else None,
                "what_makes_it_unsafe": finding.what_makes_it_unsafe,
                "what_makes_it_safe": finding.what_makes_it_safe,
            }
        },
    )
    return finding


@transaction.atomic
def finding_update(
    *,
    actor: User,
    finding: ContextualFinding,
    expected_version: int,
    area: str,
    context: Context | None,
    what_makes_it_unsafe: str,
    what_makes_it_safe: str,
) -> ContextualFinding:
    assessment = finding.assessment
    _check_editable(assessment)
    _check_finding(assessment, area, context, what_makes_it_unsafe, what_makes_it_safe)
    _touch(assessment, expected_version)
    before = {
        "area": finding.area,
        "context": finding.context_id,
        "what_makes_it_unsafe": finding.what_makes_it_unsafe,
        "what_makes_it_safe": finding.what_makes_it_safe,
    }
    finding.area = area
    finding.context = context
    finding.what_makes_it_unsafe = what_makes_it_unsafe.strip()
    finding.what_makes_it_safe = what_makes_it_safe.strip()
    finding.save(update_fields=["area", "context", "what_makes_it_unsafe", "what_makes_it_safe"])
    after = {**before, "area": area, "context": context.pk if context else None}
    after["what_makes_it_unsafe"] = finding.what_makes_it_unsafe
    after["what_makes_it_safe"] = finding.what_makes_it_safe
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={
            "finding_changed": finding.pk,
            **{k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]},
        },
    )
    return finding


@transaction.atomic
def finding_remove(*, actor: User, finding: ContextualFinding, expected_version: int) -> None:
    assessment = finding.assessment
    _check_editable(assessment)
    _touch(assessment, expected_version)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={
            "finding_removed": {
                "id": finding.pk,
                "area": finding.area,
                "context": finding.context_id,
                "what_makes_it_unsafe": finding.what_makes_it_unsafe,
                "what_makes_it_safe": finding.what_makes_it_safe,
            }
        },
    )
    finding.delete()


def single_submission_problems(assessment: SingleAssessment) -> dict[str, str]:
    """What must be done before a manager can sign the assessment off, by section."""
    problems: dict[str, str] = {}
    if not assessment.findings.exists() and not assessment.no_contextual_concerns:
        problems["contextual"] = (
            "Record at least one contextual finding (a place, peer group, school or online "
            "space), or say why there are no contextual concerns"
        )
    if not assessment.outcome:
        problems["outcome"] = "Choose the outcome of the assessment"
    elif not assessment.outcome_reasons:
        problems["outcome"] = "Give the reasons for the outcome"
    if not assessment.cin_factors:
        problems["factors"] = (
            "Choose the factors identified at the end of the assessment, or "
            "‘21 No factors identified’"
        )
    if not assessment.primary_need:
        problems["primary_need"] = "Choose the primary need"
    return problems


@transaction.atomic
def single_assessment_submit(
    *, actor: User, assessment: SingleAssessment, expected_version: int
) -> SingleAssessment:
    _check_editable(assessment)
    problems = single_submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    return _submit(actor=actor, assessment=assessment, expected_version=expected_version)


# --- context assessments -------------------------------------------------------------------------


def _check_contact_names_context(contact: Contact, context: Context) -> None:
    if contact.context_id == context.pk:
        return
    if ContactContext.objects.filter(contact=contact, context=context).exists():
        return
    raise ValidationError(
        f"Contact {contact.pk} is not about {context.name} and does not mention it. "
        "Start the assessment from the right contact, or without one."
    )


# A context nobody is working on: starting an assessment puts it under assessment. A context
# already on a plan stays on it: the plan is still in force while it is reassessed.
_AT_REST = (ContextStatus.NOTED, ContextStatus.CLOSED)

# The context's status once its assessment is signed off, by decision. A context conference is
# still to come, so the context stays as it is (under assessment, or on the plan it was already
# on) until the conference decides.
STATUS_AFTER_SIGN_OFF: dict[str, str | None] = {
    ContextAssessmentDecision.SAFETY_PLAN: ContextStatus.ON_PLAN,
    ContextAssessmentDecision.NO_FURTHER_ACTION: ContextStatus.NOTED,
    ContextAssessmentDecision.MONITOR: ContextStatus.NOTED,
    ContextAssessmentDecision.CONTEXT_CONFERENCE: None,
}


def status_after_sign_off(context: Context, decision: str) -> str | None:
    """The status signing off gives the context, or None if it stays as it is. A closed context
    stays closed: someone closed it on purpose while it was being assessed."""
    if context.status == ContextStatus.CLOSED:
        return None
    return STATUS_AFTER_SIGN_OFF.get(decision)


def _set_context_status(
    *, actor: User, context: Context, status: Callable[[Context], str | None], then: str
) -> None:
    """Through the contexts app's own service, never by writing the record here. ``status``
    chooses the new status from the context as it is now (None: leave it); ``then`` says what to
    do once the record is complete, if it is missing details the contexts app requires."""
    fresh = Context.objects.select_for_update().get(pk=context.pk)
    new = status(fresh)
    if new is None or new == fresh.status:
        return
    try:
        context_update(actor=actor, context=fresh, expected_version=fresh.version, status=new)
    except ValidationError as error:
        raise ValidationError(
            f"The record for {fresh.name} is missing details ({'; '.join(error.messages)}). "
            f"Complete the context record, then {then}."
        ) from error
    context.status = new
    context.version = fresh.version


def _mark_under_assessment(*, actor: User, context: Context) -> None:
    _set_context_status(
        actor=actor,
        context=context,
        status=lambda c: ContextStatus.UNDER_ASSESSMENT if c.status in _AT_REST else None,
        then="start the assessment",
    )


@transaction.atomic
def context_assessment_start(
    *,
    actor: User,
    context: Context,
    started_on: dt.date,
    lead: User,
    team: Team,
    contact: Contact | None = None,
) -> ContextAssessment:
    if context.kind not in ASSESSABLE_KINDS:
        raise ValidationError(ONLINE_REFUSAL)
    _check_start(actor=actor, started_on=started_on, lead=lead, team=team)
    if contact is not None:
        _check_contact_names_context(contact, context)
    open_one = (
        ContextAssessment.objects.filter(context=context)
        .exclude(status=AssessmentStatus.COMPLETED)
        .first()
    )
    if open_one is not None:
        raise ValidationError(
            f"{context.name} already has a context assessment that is not finished "
            f"(started {open_one.started_on.day} {open_one.started_on:%B %Y}). Continue that one."
        )
    assessment = ContextAssessment.objects.create(
        context=context,
        contact=contact,
        started_on=started_on,
        due_on=due_date(started_on, CONTEXT_ASSESSMENT_WORKING_DAYS),
        lead=lead,
        team=team,
        recording_agency=_agency_of(actor),
    )
    _mark_under_assessment(actor=actor, context=context)
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=assessment,
        changes={
            "context": context.pk,
            "contact": contact.pk if contact else None,
            "started_on": started_on,
            "due_on": assessment.due_on,
            "lead": lead.pk,
            "team": team.pk,
        },
    )
    if lead.pk != actor.pk:
        notify(
            recipients=[lead],
            message=f"You are the lead for a context assessment of {context.name}.",
            link=_detail_link(assessment),
        )
    return assessment


@transaction.atomic
def context_assessment_update(
    *, actor: User, assessment: ContextAssessment, expected_version: int, **fields: Any
) -> ContextAssessment:
    unknown = set(fields) - CONTEXT_FIELDS
    if unknown:
        raise TypeError(f"context_assessment_update does not change {', '.join(sorted(unknown))}")
    _check_editable(assessment)
    cleaned = {name: _clean_value(value) for name, value in fields.items()}
    if cleaned.get("decision") and cleaned["decision"] not in ContextAssessmentDecision.values:
        raise ValidationError({"decision": "Choose the decision from the list"})
    before = {name: getattr(assessment, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(assessment, name, value)
    _touch(assessment, expected_version, cleaned)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes=_text_changes(before, assessment),
    )
    return assessment


def _renumber(assessment: ContextAssessment, order: list[int]) -> None:
    """Give the weightings in ``order`` ranks 1, 2, 3 ...

    Ranks are unique per assessment and the database checks that row by row, so first move every
    rank out of the way, then set the final ones.
    """
    rows = ContextWeighting.objects.filter(assessment=assessment)
    rows.update(rank=F("rank") + 10000)
    for rank, pk in enumerate(order, start=1):
        rows.filter(pk=pk).update(rank=rank)


@transaction.atomic
def weighting_add(
    *,
    actor: User,
    assessment: ContextAssessment,
    expected_version: int,
    context: Context,
    rationale: str,
) -> ContextWeighting:
    _check_editable(assessment)
    if not rationale.strip():
        raise ValidationError(
            {"rationale": "Say why this context is ranked here: what must change, and why"}
        )
    if assessment.weightings.filter(context=context).exists():
        raise ValidationError(
            {"context": f"{context.name} is already in the ranked list. Change its rank instead."}
        )
    _touch(assessment, expected_version)
    top = assessment.weightings.aggregate(top=Max("rank"))["top"] or 0
    weighting = ContextWeighting.objects.create(
        assessment=assessment, context=context, rank=top + 1, rationale=rationale.strip()
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={
            "weighting_added": {
                "context": context.pk,
                "rank": weighting.rank,
                "rationale": weighting.rationale,
            }
        },
    )
    return weighting


@transaction.atomic
def weighting_rerank(
    *,
    actor: User,
    assessment: ContextAssessment,
    expected_version: int,
    entries: Mapping[int, tuple[int, str]],
) -> list[ContextWeighting]:
    """Set every weighting's rank and rationale at once: ``entries`` maps a weighting's id to its
    new (rank, rationale). Ranks must differ; gaps close up (1, 3, 7 become 1, 2, 3)."""
    _check_editable(assessment)
    current = {w.pk: w for w in assessment.weightings.select_related("context")}
    if set(entries) != set(current):
        # Someone added or removed a context since the list was opened.
        raise EditConflict(ContextAssessment.objects.get(pk=assessment.pk))
    errors: dict[str, str] = {}
    by_rank: dict[int, list[int]] = {}
    for pk, (rank, rationale) in entries.items():
        if rank < 1:
            errors[f"rank_{pk}"] = "Enter a rank of 1 or more"
        by_rank.setdefault(rank, []).append(pk)
        if not rationale.strip():
            errors[f"rationale_{pk}"] = (
                f"Say why {current[pk].context.name} is ranked here: what must change, and why"
            )
    for rank, pks in by_rank.items():
        if len(pks) > 1:
            for pk in pks:
                errors[f"rank_{pk}"] = (
                    f"Give each context its own rank: {rank} is given to {len(pks)} contexts"
                )
    if errors:
        raise ValidationError(errors)
    _touch(assessment, expected_version)
    before = {w.pk: (w.rank, w.rationale) for w in current.values()}
    order = sorted(entries, key=lambda pk: entries[pk][0])
    _renumber(assessment, order)
    for pk, (_, rationale) in entries.items():
        if rationale.strip() != current[pk].rationale:
            ContextWeighting.objects.filter(pk=pk).update(rationale=rationale.strip())
    after = {w.pk: (w.rank, w.rationale) for w in assessment.weightings.all()}
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={
            "weighting": {
                str(current[pk].context_id): {"old": before[pk], "new": after[pk]}
                for pk in before
                if before[pk] != after[pk]
            }
        },
    )
    return list(assessment.weightings.select_related("context"))


@transaction.atomic
def weighting_remove(*, actor: User, weighting: ContextWeighting, expected_version: int) -> None:
    assessment = weighting.assessment
    _check_editable(assessment)
    _touch(assessment, expected_version)
    removed = {
        "context": weighting.context_id,
        "rank": weighting.rank,
        "rationale": weighting.rationale,
    }
    weighting.delete()
    _renumber(assessment, list(assessment.weightings.order_by("rank").values_list("pk", flat=True)))
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={"weighting_removed": removed},
    )


def context_submission_problems(assessment: ContextAssessment) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not (assessment.triangle_first and assessment.triangle_second and assessment.triangle_third):
        problems["triangle"] = "Complete all three sides of the assessment triangle"
    if not assessment.decision:
        problems["decision"] = "Choose the decision"
    elif not assessment.decision_reasons:
        problems["decision"] = "Give the reasons for the decision"
    return problems


@transaction.atomic
def context_assessment_submit(
    *, actor: User, assessment: ContextAssessment, expected_version: int
) -> ContextAssessment:
    _check_editable(assessment)
    problems = context_submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    return _submit(actor=actor, assessment=assessment, expected_version=expected_version)


# --- submission and sign-off (both kinds) --------------------------------------------------------

# Both kinds go through the same submission and sign-off path.
A = TypeVar("A", SingleAssessment, ContextAssessment)


def _submit(*, actor: User, assessment: A, expected_version: int) -> A:
    assessment.status = AssessmentStatus.AWAITING_SIGN_OFF
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = actor
    _touch(assessment, expected_version, ["status", "submitted_at", "submitted_by"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={"status": {"old": AssessmentStatus.IN_PROGRESS, "new": assessment.status}},
    )
    roles = [Role.TEAM_MANAGER]
    if isinstance(assessment, ContextAssessment):
        roles.append(Role.CS_LEAD)
    notify(
        recipients=_managers(assessment.team_id, roles, but=actor),
        message=f"A {_kind_name(assessment)} is waiting for your sign-off.",
        link=_detail_link(assessment),
    )
    return assessment


def _check_sign_off(actor: User, assessment: Assessment, verb: str) -> None:
    if assessment.status != AssessmentStatus.AWAITING_SIGN_OFF:
        raise ValidationError(f"Only an assessment waiting for sign-off can be {verb}.")
    if actor.pk in (assessment.lead_id, assessment.submitted_by_id):
        raise ValidationError(
            f"You led or submitted this assessment, so it cannot be {verb} by you. "
            "Another manager must do it."
        )


def _tell_the_lead(actor: User, assessment: Assessment, message: str) -> None:
    recipients = {assessment.lead_id, assessment.submitted_by_id} - {None, actor.pk}
    notify(
        recipients=User.objects.filter(pk__in=recipients),
        message=message,
        link=_detail_link(assessment),
    )


@transaction.atomic
def assessment_sign_off(
    *, actor: User, assessment: A, expected_version: int, comment: str = ""
) -> A:
    _check_sign_off(actor, assessment, "signed off")
    if isinstance(assessment, ContextAssessment):
        # First, so that if the context record refuses the change nothing here has moved yet.
        _settle_context(actor, assessment)
    assessment.status = AssessmentStatus.COMPLETED
    assessment.signed_off_by = actor
    assessment.signed_off_at = timezone.now()
    assessment.manager_comment = comment.strip()
    _touch(
        assessment,
        expected_version,
        ["status", "signed_off_by", "signed_off_at", "manager_comment"],
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={
            "status": {"old": AssessmentStatus.AWAITING_SIGN_OFF, "new": assessment.status},
            "manager_comment": assessment.manager_comment,
        },
    )
    _tell_the_lead(actor, assessment, f"Your {_kind_name(assessment)} has been signed off.")
    return assessment


def _settle_context(actor: User, assessment: ContextAssessment) -> None:
    """The signed-off decision sets the context's status: the context lists and the
    missing-episode threshold rule ("found at a location with open concerns") read it."""
    _set_context_status(
        actor=actor,
        context=assessment.context,
        status=lambda c: status_after_sign_off(c, assessment.decision),
        then="sign it off",
    )


@transaction.atomic
def assessment_return(*, actor: User, assessment: A, expected_version: int, comment: str) -> A:
    if not comment.strip():
        raise ValidationError({"comment": "Say what needs to change before you can sign it off"})
    _check_sign_off(actor, assessment, "returned")
    assessment.status = AssessmentStatus.IN_PROGRESS
    assessment.manager_comment = comment.strip()
    _touch(assessment, expected_version, ["status", "manager_comment"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=assessment,
        changes={
            "status": {"old": AssessmentStatus.AWAITING_SIGN_OFF, "new": assessment.status},
            "manager_comment": assessment.manager_comment,
        },
    )
    _tell_the_lead(
        actor,
        assessment,
        f"Your {_kind_name(assessment)} was returned: {assessment.manager_comment}",
    )
    return assessment
