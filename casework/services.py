"""Key leads, consultations with the CS lead, and NRM referrals: every write, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from access.roles import CASE_WORK_ROLES, Role
from accounts.models import Agency, User
from audit.models import AccessAction
from audit.services import audit_record
from casework.models import (
    FIRST_RESPONDER_KINDS,
    NRM_CONCLUSIVE_GROUNDS_MIN_DAYS,
    NRM_DEVOLVED_MIN_DAYS_BEFORE_18,
    NRM_EXPLOITATION_TYPES,
    NRM_REASONABLE_GROUNDS_WORKING_DAYS,
    Consultation,
    ConsultationStatus,
    KeyLeadAllocation,
    NrmDecision,
    NrmDecisionMaker,
    NrmReferral,
)
from casework.timescales import day_text
from contexts.models import Context
from contextsafe.lib.concurrency import save_versioned
from contextsafe.lib.working_days import add_working_days
from core.services import notify
from people.codes import Flag, PersonKind
from people.models import Person, PersonName
from people.services import person_update, record_share


def _agency_of(user: User) -> Agency:
    if user.agency is None:
        raise ValidationError("Your account has no agency, so you cannot change case records.")
    return user.agency


def _one_subject(person: Person | None, context: Context | None) -> None:
    if (person is None) == (context is None):
        raise ValidationError("Choose either a person or a context.")


def _not_in_future(day: dt.date, field: str, what: str = "The date") -> None:
    if day > timezone.localdate():
        raise ValidationError({field: f"{what} must be today or in the past"})


def _subject_name(person: Person | None, context: Context | None) -> str:
    # Notifications never name a child: the link goes through the record's own checks.
    return "a child" if person is not None else str(context)


def _subject_link(person: Person | None, context: Context | None) -> str:
    if person is not None:
        return reverse("people:profile", args=[person.pk])
    return reverse("contexts:profile", args=[context.pk]) if context is not None else ""


def _name(user: User) -> str:
    return user.get_full_name() or user.username


# --- key leads --------------------------------------------------------------------------------


def _check_lead(lead: User) -> Agency:
    if not lead.is_active or not (lead.role_set & CASE_WORK_ROLES) or lead.agency is None:
        raise ValidationError(
            {"lead": "Choose a key lead who does case work and whose account is active"}
        )
    return lead.agency


def _current_allocation(person: Person | None, context: Context | None) -> KeyLeadAllocation | None:
    # Locked, so that two managers changing the lead at once cannot both end the same one.
    allocations = KeyLeadAllocation.objects.select_for_update().filter(ended_on__isnull=True)
    if person is not None:
        return allocations.filter(person=person).first()
    return allocations.filter(context=context).first()


def _check_replacement(
    current: KeyLeadAllocation | None, expected_current_id: int | None, lead: User, start: dt.date
) -> None:
    if (current.pk if current else None) != expected_current_id:
        now = f"it is now {_name(current.lead)}" if current else "there is now no key lead"
        raise ValidationError(
            f"The key lead changed while you were working: {now}. Check, then allocate again."
        )
    if current is None:
        return
    if current.lead_id == lead.pk:
        raise ValidationError({"lead": f"{_name(lead)} is already the key lead"})
    if start < current.started_on:
        raise ValidationError(
            {
                "started_on": (
                    f"The start date must be on or after {day_text(current.started_on)}, "
                    "when the current key lead started"
                )
            }
        )


def _end(allocation: KeyLeadAllocation, *, on: dt.date, reason: str, version: int) -> None:
    allocation.ended_on, allocation.end_reason = on, reason
    save_versioned(allocation, expected_version=version, fields=["ended_on", "end_reason"])


@transaction.atomic
def key_lead_allocate(
    *,
    actor: User,
    lead: User,
    started_on: dt.date,
    reason: str,
    expected_current_id: int | None,
    person: Person | None = None,
    context: Context | None = None,
    end_reason: str = "",
) -> KeyLeadAllocation:
    """Make ``lead`` the key lead from ``started_on``, ending the current lead that day.

    ``expected_current_id`` is the allocation the manager saw as current (None: no lead), so a
    change made by someone else in the meantime is refused, never silently replaced.
    """
    _one_subject(person, context)
    agency = _agency_of(actor)
    if person is not None and person.kind != PersonKind.YOUNG_PERSON:
        raise ValidationError(
            "A key lead is for a young person at risk of harm outside the family. "
            f"This record is for: {person.get_kind_display().lower()}."
        )
    lead_agency = _check_lead(lead)
    _not_in_future(started_on, "started_on", "The start date")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this person is the key lead"})
    current = _current_allocation(person, context)
    _check_replacement(current, expected_current_id, lead, started_on)
    if current is not None:
        ending = end_reason.strip() or f"Key lead passed to {_name(lead)} ({lead_agency})"
        _end(current, on=started_on, reason=ending, version=current.version)
        audit_record(
            actor=actor,
            action=AccessAction.CHANGE,
            obj=current,
            changes={"ended_on": started_on, "end_reason": ending},
        )
    allocation = KeyLeadAllocation(
        person=person,
        context=context,
        lead=lead,
        lead_agency=lead_agency,
        started_on=started_on,
        reason=reason.strip(),
        recording_agency=agency,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as clash:
        raise ValidationError(
            "Someone else allocated a key lead at the same moment. Check, then allocate again."
        ) from clash
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=allocation,
        changes={
            "subject": _subject_name(person, context),
            "lead": _name(lead),
            "lead_agency": lead_agency.name,
            "started_on": started_on,
            "replaces": current.pk if current else None,
        },
    )
    if person is not None:
        record_share(
            actor=actor,
            person=person,
            agency=lead_agency,
            reason=f"Key lead for {person.display_name}: {_name(lead)}",
        )
    _tell_leads(allocation, current, person, context)
    return allocation


def _tell_leads(
    new: KeyLeadAllocation,
    old: KeyLeadAllocation | None,
    person: Person | None,
    context: Context | None,
) -> None:
    name, link = _subject_name(person, context), _subject_link(person, context)
    notify(
        recipients=[new.lead],
        message=f"You are now the key lead for {name}, from {day_text(new.started_on)}.",
        link=link,
    )
    if old is not None and old.lead_id != new.lead_id:
        notify(
            recipients=[old.lead],
            message=f"You are no longer the key lead for {name}: {_name(new.lead)} takes over.",
            link=link,
        )


@transaction.atomic
def key_lead_end(
    *,
    actor: User,
    allocation: KeyLeadAllocation,
    expected_version: int,
    ended_on: dt.date,
    end_reason: str,
) -> KeyLeadAllocation:
    """End an allocation without a successor (the child's plan closed, the context is safe)."""
    if allocation.ended_on is not None:
        raise ValidationError("This key lead allocation has already ended.")
    if ended_on < allocation.started_on:
        raise ValidationError(
            {
                "ended_on": (
                    f"The end date must be on or after {day_text(allocation.started_on)}, "
                    "when this key lead started"
                )
            }
        )
    _not_in_future(ended_on, "ended_on", "The end date")
    if not end_reason.strip():
        raise ValidationError({"end_reason": "Say why the key lead is ending"})
    _end(allocation, on=ended_on, reason=end_reason.strip(), version=expected_version)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=allocation,
        changes={"ended_on": ended_on, "end_reason": end_reason.strip()},
    )
    person = allocation.person if allocation.person_id else None
    context = allocation.context if allocation.context_id else None
    notify(
        recipients=[allocation.lead],
        message=f"You are no longer the key lead for {_subject_name(person, context)}.",
        link=_subject_link(person, context),
    )
    return allocation


# --- consultations with the CS lead -----------------------------------------------------------


def _cs_leads() -> Iterable[User]:
    return User.objects.filter(role_grants__role=Role.CS_LEAD, is_active=True).distinct()


@transaction.atomic
def consultation_ask(
    *,
    actor: User,
    question: str,
    person: Person | None = None,
    context: Context | None = None,
    asked_of: User | None = None,
) -> Consultation:
    _one_subject(person, context)
    agency = _agency_of(actor)
    if not question.strip():
        raise ValidationError({"question": "Enter your question for the CS lead"})
    if asked_of is not None and not (asked_of.is_active and asked_of.has_role(Role.CS_LEAD)):
        raise ValidationError(
            {"asked_of": "Choose a Contextual Safeguarding lead from the list, or anyone"}
        )
    consultation = Consultation.objects.create(
        person=person,
        context=context,
        question=question.strip(),
        asked_of=asked_of,
        recording_agency=agency,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=consultation,
        changes={
            "subject": _subject_name(person, context),
            "asked_of": _name(asked_of) if asked_of else "any CS lead",
            "question": consultation.question,
        },
    )
    # The notification names no child: it reaches CS leads whose agency may not hold the record.
    about = "a child" if person is not None else str(context)
    notify(
        recipients=[asked_of] if asked_of else [u for u in _cs_leads() if u.pk != actor.pk],
        message=f"{_name(actor)} ({agency}) asks for a consultation about {about}.",
        link=reverse("casework:consultation_detail", args=[consultation.pk]),
    )
    return consultation


@transaction.atomic
def consultation_answer(
    *, actor: User, consultation: Consultation, expected_version: int, answer: str
) -> Consultation:
    if not actor.has_role(Role.CS_LEAD):
        raise ValidationError("Only a Contextual Safeguarding lead can answer a consultation.")
    if consultation.status == ConsultationStatus.ANSWERED:
        raise ValidationError("This consultation has already been answered, so it cannot change.")
    if not answer.strip():
        raise ValidationError({"answer": "Enter your answer"})
    consultation.answer = answer.strip()
    consultation.answered_by = actor
    consultation.answered_at = timezone.now()
    consultation.status = ConsultationStatus.ANSWERED
    save_versioned(
        consultation,
        expected_version=expected_version,
        fields=["answer", "answered_by", "answered_at", "status"],
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=consultation,
        changes={"status": ConsultationStatus.ANSWERED, "answer": consultation.answer},
    )
    notify(
        recipients=[consultation.recorded_by],
        message=f"{_name(actor)} answered your question to the CS lead.",
        link=reverse("casework:consultation_detail", args=[consultation.pk]),
    )
    return consultation


# --- National Referral Mechanism --------------------------------------------------------------


def _eighteenth_birthday(born: dt.date) -> dt.date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return dt.date(born.year + 18, 3, 1)


def _check_referral(
    person: Person,
    referred_on: dt.date,
    first_responder: Agency,
    decision_maker: str,
    exploitation_types: list[str],
    summary: str,
) -> None:
    if person.kind != PersonKind.YOUNG_PERSON:
        raise ValidationError("Record NRM referrals here for children (young people) only.")
    _not_in_future(referred_on, "referred_on", "The referral date")
    if first_responder.kind not in FIRST_RESPONDER_KINDS or not first_responder.is_active:
        raise ValidationError(
            {
                "first_responder": "Choose a first responder: the police, children's social care "
                "or youth justice"
            }
        )
    if decision_maker not in NrmDecisionMaker.values:
        raise ValidationError({"decision_maker": "Choose who makes the decisions"})
    if decision_maker == NrmDecisionMaker.DEVOLVED_PANEL and person.date_of_birth:
        cutoff = _eighteenth_birthday(person.date_of_birth) - dt.timedelta(
            days=NRM_DEVOLVED_MIN_DAYS_BEFORE_18
        )
        if referred_on >= cutoff:
            raise ValidationError(
                {
                    "decision_maker": "Devolved panels decide only for children more than 100 days "
                    "from their 18th birthday. Choose the Home Office Single Competent Authority."
                }
            )
    allowed = {str(t) for t in NRM_EXPLOITATION_TYPES}
    if not exploitation_types or not set(exploitation_types) <= allowed:
        raise ValidationError({"exploitation_types": "Choose at least one kind of exploitation"})
    if not summary.strip():
        raise ValidationError({"summary": "Summarise why the child may be a victim"})


def _flag_nrm(actor: User, person: Person) -> None:
    """Set the NRM flag through the people app, which owns the record and audits the change."""
    fresh = Person.objects.get(pk=person.pk)
    if Flag.NRM_REFERRAL in fresh.flags:
        return
    aliases = fresh.names.filter(kind=PersonName.Kind.ALIAS).values_list("name", flat=True)
    person_update(
        actor=actor,
        person=fresh,
        expected_version=fresh.version,
        aliases=list(aliases),
        flags=sorted({*fresh.flags, Flag.NRM_REFERRAL.value}),
    )
    person.flags, person.version = fresh.flags, fresh.version


@transaction.atomic
def nrm_refer(
    *,
    actor: User,
    person: Person,
    referred_on: dt.date,
    first_responder: Agency,
    decision_maker: str,
    exploitation_types: Iterable[str],
    summary: str,
) -> NrmReferral:
    agency = _agency_of(actor)
    types = sorted(set(exploitation_types))
    _check_referral(person, referred_on, first_responder, decision_maker, types, summary)
    referral = NrmReferral.objects.create(
        person=person,
        referred_on=referred_on,
        first_responder=first_responder,
        decision_maker=decision_maker,
        exploitation_types=types,
        summary=summary.strip(),
        reasonable_grounds_due_on=add_working_days(
            referred_on, NRM_REASONABLE_GROUNDS_WORKING_DAYS
        ),
        recording_agency=agency,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=referral,
        changes={
            "person": person.pk,
            "referred_on": referred_on,
            "first_responder": first_responder.name,
            "decision_maker": decision_maker,
            "exploitation_types": types,
            "reasonable_grounds_due_on": referral.reasonable_grounds_due_on,
        },
    )
    _flag_nrm(actor, person)
    return referral


def _check_decision(referral: NrmReferral, decision: str, decided_on: dt.date) -> None:
    if decision not in NrmDecision.values:
        raise ValidationError({"decision": "Choose positive or negative"})
    _not_in_future(decided_on, "decided_on", "The decision date")
    if decided_on < referral.referred_on:
        raise ValidationError(
            {
                "decided_on": (
                    "The decision date must be on or after the referral date, "
                    f"{day_text(referral.referred_on)}"
                )
            }
        )


def _save_decision(
    actor: User, referral: NrmReferral, expected_version: int, fields: dict[str, object]
) -> NrmReferral:
    for name, value in fields.items():
        setattr(referral, name, value)
    save_versioned(referral, expected_version=expected_version, fields=list(fields))
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=referral, changes=fields)
    return referral


@transaction.atomic
def nrm_record_reasonable_grounds(
    *,
    actor: User,
    referral: NrmReferral,
    expected_version: int,
    decision: str,
    decided_on: dt.date,
) -> NrmReferral:
    if referral.reasonable_grounds:
        raise ValidationError("The reasonable-grounds decision is already recorded.")
    _check_decision(referral, decision, decided_on)
    return _save_decision(
        actor,
        referral,
        expected_version,
        {"reasonable_grounds": decision, "reasonable_grounds_on": decided_on},
    )


@transaction.atomic
def nrm_record_conclusive_grounds(
    *,
    actor: User,
    referral: NrmReferral,
    expected_version: int,
    decision: str,
    decided_on: dt.date,
) -> NrmReferral:
    rg_on = referral.reasonable_grounds_on
    if not referral.reasonable_grounds or rg_on is None:
        raise ValidationError("Record the reasonable-grounds decision first.")
    if referral.reasonable_grounds == NrmDecision.NEGATIVE:
        raise ValidationError(
            "The reasonable-grounds decision was negative, which ends the referral: there is no "
            "conclusive-grounds decision to record."
        )
    if referral.conclusive_grounds:
        raise ValidationError("The conclusive-grounds decision is already recorded.")
    _check_decision(referral, decision, decided_on)
    earliest = rg_on + dt.timedelta(days=NRM_CONCLUSIVE_GROUNDS_MIN_DAYS)
    if decided_on < earliest:
        raise ValidationError(
            {
                "decided_on": (
                    f"The conclusive-grounds decision cannot be dated before {day_text(earliest)}"
                    f": it comes at least 30 calendar days after the reasonable-grounds decision "
                    f"on {day_text(rg_on)}"
                )
            }
        )
    return _save_decision(
        actor,
        referral,
        expected_version,
        {"conclusive_grounds": decision, "conclusive_grounds_on": decided_on},
    )
