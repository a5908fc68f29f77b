"""Holding and recording strategy meetings, concluding them, and referring to the MARVE panel.

A meeting is recorded section by section. Every change to a section checks and bumps the
meeting's version, so two people recording the same meeting never overwrite each other; after
the meeting is concluded it is read-only, except that actions can still be marked completed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from access.roles import CASE_WORK_ROLES, Role
from accounts.models import Agency, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextKind
from contextsafe.lib.concurrency import save_versioned
from core.services import notify
from frontdoor.models import Contact
from meetings.checklist import Answer, checklist_for
from meetings.conclusion import conclusion_problems, summary_due
from meetings.models import (
    Attendee,
    DecisionKind,
    InformationShared,
    MarveReferral,
    MarveReferralType,
    MarveStatus,
    MeetingAction,
    MeetingDecision,
    MeetingStatus,
    StrategyMeeting,
)
from people.codes import PersonKind
from people.models import Person

CONCLUDED_MESSAGE = (
    "This meeting has been concluded, so its record can no longer be changed. You can still mark "
    "actions as completed."
)
NOTE_LIMIT = 2000


# --- helpers ----------------------------------------------------------------------------------


def _ensure_open(meeting: StrategyMeeting) -> None:
    if meeting.status == MeetingStatus.CONCLUDED:
        raise ValidationError(CONCLUDED_MESSAGE)


def _touch(
    meeting: StrategyMeeting, expected_version: int, fields: list[str] | None = None
) -> None:
    """Check nobody else changed the meeting since the form was opened, and bump its version."""
    save_versioned(meeting, expected_version=expected_version, fields=fields or [])


def _required(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _check_chair(chair: User) -> None:
    if not chair.is_active or not (chair.role_set & CASE_WORK_ROLES):
        raise ValidationError({"chair": "Choose a chair who works on cases in ContextSafe"})


def _check_agency(agency: Agency, field: str) -> None:
    if not agency.is_active:
        raise ValidationError({field: f"{agency} is no longer active. Choose another agency."})


def _subject_fields(subject: Person | Context) -> dict[str, Any]:
    if isinstance(subject, Person):
        return {"person": subject, "context": None}
    return {"person": None, "context": subject}


def _check_contact(contact: Contact | None, subject: Person | Context) -> None:
    if contact is None:
        return
    same = (
        contact.person_id == subject.pk
        if isinstance(subject, Person)
        else contact.context_id == subject.pk
    )
    if not same:
        raise ValidationError({"contact": "The contact is about someone or somewhere else"})


# --- the meeting ------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    subject: Person | Context,
    held_at: dt.datetime,
    chair: User,
    reason: str,
    contact: Contact | None = None,
) -> StrategyMeeting:
    _check_chair(chair)
    _check_contact(contact, subject)
    meeting = StrategyMeeting(
        **_subject_fields(subject),
        contact=contact,
        held_at=held_at,
        chair=chair,
        reason=_required(reason, "reason", "Say why the meeting is being held"),
        recording_agency=actor.agency,
        recorded_by=actor,
    )
    meeting.save()
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=meeting,
        changes={
            "person": meeting.person_id,
            "context": meeting.context_id,
            "contact": meeting.contact_id,
            "held_at": held_at,
            "chair": chair.pk,
        },
    )
    if chair.pk != actor.pk:
        notify(
            recipients=[chair],
            message=f"{actor.get_full_name()} has asked you to chair a strategy meeting on "
            f"{timezone.localtime(held_at):%d %B %Y at %H:%M}.",
            link=reverse("meetings:strategy_detail", args=[meeting.pk]),
        )
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: StrategyMeeting,
    expected_version: int,
    held_at: dt.datetime,
    chair: User,
    reason: str,
) -> StrategyMeeting:
    _ensure_open(meeting)
    _check_chair(chair)
    before = {"held_at": meeting.held_at, "chair": meeting.chair_id, "reason": meeting.reason}
    meeting.held_at = held_at
    meeting.chair = chair
    meeting.reason = _required(reason, "reason", "Say why the meeting is being held")
    _touch(meeting, expected_version, ["held_at", "chair", "reason"])
    after = {"held_at": held_at, "chair": chair.pk, "reason": meeting.reason}
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return meeting


# --- sections ---------------------------------------------------------------------------------


@transaction.atomic
def attendee_add(
    *,
    actor: User,
    meeting: StrategyMeeting,
    expected_version: int,
    agency: Agency,
    name: str,
    role: str = "",
    attended: bool = True,
) -> Attendee:
    _ensure_open(meeting)
    _check_agency(agency, "agency")
    name = _required(name, "name", "Enter the attendee's name")
    if meeting.attendees.filter(agency=agency, name__iexact=name).exists():
        raise ValidationError({"name": f"{name} from {agency} is already listed"})
    _touch(meeting, expected_version)
    attendee = Attendee.objects.create(
        meeting=meeting, agency=agency, name=name, role=role.strip(), attended=attended
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"attendee_added": {"agency": agency.pk, "name": name, "attended": attended}},
    )
    return attendee


def _remove_item(
    actor: User,
    meeting: StrategyMeeting,
    expected_version: int,
    item: models.Model,
    what: str,
    details: dict[str, Any],
) -> None:
    """Take one row out of an open meeting's section; the audit keeps what it said."""
    _ensure_open(meeting)
    _touch(meeting, expected_version)
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=meeting, changes={what: details})
    item.delete()


@transaction.atomic
def attendee_remove(
    *, actor: User, meeting: StrategyMeeting, expected_version: int, attendee: Attendee
) -> None:
    _remove_item(
        actor,
        meeting,
        expected_version,
        attendee,
        "attendee_removed",
        {"agency": attendee.agency_id, "name": attendee.name},
    )


@transaction.atomic
def information_add(
    *,
    actor: User,
    meeting: StrategyMeeting,
    expected_version: int,
    agency: Agency,
    summary: str,
) -> InformationShared:
    _ensure_open(meeting)
    _check_agency(agency, "agency")
    text = _required(summary, "summary", "Enter what the agency shared")
    _touch(meeting, expected_version)
    item = InformationShared.objects.create(meeting=meeting, agency=agency, summary=text)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"information_added": {"agency": agency.pk, "summary": text}},
    )
    return item


@transaction.atomic
def information_remove(
    *, actor: User, meeting: StrategyMeeting, expected_version: int, item: InformationShared
) -> None:
    _remove_item(
        actor,
        meeting,
        expected_version,
        item,
        "information_removed",
        {"agency": item.agency_id, "summary": item.summary},
    )


@transaction.atomic
def checklist_save(
    *,
    actor: User,
    meeting: StrategyMeeting,
    expected_version: int,
    answers: Mapping[str, tuple[str, str]],
) -> StrategyMeeting:
    """Save the chair's answers (code -> (answer, note)). Questions may be left for later;
    the meeting cannot be concluded until each has an answer."""
    _ensure_open(meeting)
    items = checklist_for(about_context=meeting.is_about_context)
    codes = {i.code for i in items}
    if set(answers) - codes:
        raise ValidationError("The checklist has changed. Reload the page and answer it again.")
    saved: dict[str, dict[str, str]] = {}
    for code, (answer, note) in answers.items():
        if answer and answer not in Answer.values:
            raise ValidationError({code: "Choose yes, no or not known"})
        if len(note) > NOTE_LIMIT:
            raise ValidationError({f"{code}_note": f"Keep the note under {NOTE_LIMIT} characters"})
        if answer or note.strip():
            saved[code] = {"answer": answer, "note": note.strip()}
    before = meeting.threshold_checklist
    meeting.threshold_checklist = saved
    _touch(meeting, expected_version, ["threshold_checklist"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"threshold_checklist": [before, saved]},
    )
    return meeting


@transaction.atomic
def decision_add(
    *,
    actor: User,
    meeting: StrategyMeeting,
    expected_version: int,
    kind: str,
    reasons: str,
) -> MeetingDecision:
    _ensure_open(meeting)
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": "Choose a decision from the list"})
    text = _required(reasons, "reasons", "Give the reasons for this decision")
    label = DecisionKind(kind).label
    if meeting.is_about_context and kind == DecisionKind.SECTION_47:
        raise ValidationError(
            {
                "kind": "A section 47 enquiry is about a child. Hold a strategy meeting for each "
                "child who may be suffering significant harm."
            }
        )
    kinds = set(meeting.decisions.values_list("kind", flat=True))
    if kind in kinds:
        raise ValidationError(
            {"kind": f"‘{label}’ is already recorded. Remove it first to change the reasons."}
        )
    if kind == DecisionKind.NO_FURTHER_ACTION and kinds:
        raise ValidationError(
            {"kind": "No further action cannot be recorded alongside other decisions"}
        )
    if DecisionKind.NO_FURTHER_ACTION in kinds:
        raise ValidationError(
            {"kind": "No further action is already recorded. Remove it before adding another."}
        )
    _touch(meeting, expected_version)
    decision = MeetingDecision.objects.create(meeting=meeting, kind=kind, reasons=text)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"decision_added": {"kind": kind, "reasons": text}},
    )
    return decision


@transaction.atomic
def decision_remove(
    *, actor: User, meeting: StrategyMeeting, expected_version: int, decision: MeetingDecision
) -> None:
    _remove_item(
        actor,
        meeting,
        expected_version,
        decision,
        "decision_removed",
        {"kind": decision.kind, "reasons": decision.reasons},
    )


@transaction.atomic
def action_add(
    *,
    actor: User,
    meeting: StrategyMeeting,
    expected_version: int,
    description: str,
    owner_agency: Agency,
    due_on: dt.date,
    owner_name: str = "",
) -> MeetingAction:
    _ensure_open(meeting)
    _check_agency(owner_agency, "owner_agency")
    text = _required(description, "description", "Describe the action")
    if due_on < timezone.localdate(meeting.held_at):
        raise ValidationError({"due_on": "The due date must be on or after the meeting date"})
    _touch(meeting, expected_version)
    action = MeetingAction.objects.create(
        meeting=meeting,
        description=text,
        owner_agency=owner_agency,
        owner_name=owner_name.strip(),
        due_on=due_on,
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={
            "action_added": {
                "description": text,
                "owner_agency": owner_agency.pk,
                "owner_name": action.owner_name,
                "due_on": due_on,
            }
        },
    )
    return action


@transaction.atomic
def action_remove(
    *, actor: User, meeting: StrategyMeeting, expected_version: int, action: MeetingAction
) -> None:
    _remove_item(
        actor,
        meeting,
        expected_version,
        action,
        "action_removed",
        {"description": action.description, "due_on": action.due_on},
    )


@transaction.atomic
def action_complete(
    *, actor: User, action: MeetingAction, completed_on: dt.date | None = None
) -> MeetingAction:
    """Allowed after the meeting is concluded: the plan carries on after the meeting."""
    day = completed_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"completed_on": "The completion date cannot be in the future"})
    # Only the first completion counts; a second click (or a colleague) changes nothing.
    updated = MeetingAction.objects.filter(pk=action.pk, completed_on__isnull=True).update(
        completed_on=day
    )
    if not updated:
        raise ValidationError("This action has already been marked as completed")
    action.completed_on = day
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=action.meeting,
        changes={"action_completed": {"action": action.pk, "completed_on": day}},
    )
    return action


# --- concluding -------------------------------------------------------------------------------


@transaction.atomic
def meeting_conclude(
    *,
    actor: User,
    meeting: StrategyMeeting,
    expected_version: int,
    summary: str = "",
    what_has_been_tried: str = "",
) -> tuple[StrategyMeeting, MarveReferral | None]:
    """Close the record. A decision to refer to MARVE makes the referral, once."""
    # Lock the row so two people pressing "conclude" at once are serialised, not doubled.
    fresh = StrategyMeeting.objects.select_for_update().get(pk=meeting.pk)
    _ensure_open(fresh)
    decisions = list(meeting.decisions.all())
    attendees = list(meeting.attendees.select_related("agency"))
    meeting.threshold_checklist = fresh.threshold_checklist
    meeting.held_at = fresh.held_at
    problems = conclusion_problems(
        meeting=meeting, attendees=attendees, decisions=decisions, now=timezone.now()
    )
    if problems:
        raise ValidationError(problems)
    meeting.status = MeetingStatus.CONCLUDED
    meeting.concluded_at = timezone.now()
    meeting.summary = summary.strip()
    _touch(meeting, expected_version, ["status", "concluded_at", "summary"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={
            "status": [MeetingStatus.PLANNED, MeetingStatus.CONCLUDED],
            "decisions": sorted(d.kind for d in decisions),
        },
    )
    if meeting.chair_id != actor.pk:
        notify(
            recipients=[meeting.chair],
            message=f"{actor.get_full_name()} concluded the strategy meeting you chaired on "
            f"{timezone.localtime(meeting.held_at):%d %B %Y}. The summary is due by "
            f"{summary_due(meeting):%d %B %Y}.",
            link=reverse("meetings:strategy_detail", args=[meeting.pk]),
        )
    referral = None
    marve = next((d for d in decisions if d.kind == DecisionKind.MARVE_REFERRAL), None)
    if marve is not None:
        referral = MarveReferral.objects.filter(strategy_meeting=meeting).first()
        if referral is None:
            referral = _marve_create(
                actor=actor,
                subject=meeting.subject,
                referral_type=default_referral_type(meeting.subject),
                reason=marve.reasons,
                what_has_been_tried=what_has_been_tried,
                meeting=meeting,
            )
    return meeting, referral


@transaction.atomic
def meeting_summary_sent(
    *, actor: User, meeting: StrategyMeeting, expected_version: int, sent_on: dt.date
) -> StrategyMeeting:
    if meeting.status != MeetingStatus.CONCLUDED:
        raise ValidationError(
            {"sent_on": "Conclude the meeting before recording that its summary was sent"}
        )
    if meeting.summary_sent_on is not None:
        raise ValidationError({"sent_on": "The summary has already been recorded as sent"})
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": "The date the summary was sent cannot be in the future"})
    if sent_on < timezone.localdate(meeting.held_at):
        raise ValidationError({"sent_on": "The summary cannot be sent before the meeting"})
    meeting.summary_sent_on = sent_on
    _touch(meeting, expected_version, ["summary_sent_on"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"summary_sent_on": [None, sent_on]},
    )
    return meeting


# --- MARVE referrals --------------------------------------------------------------------------


def default_referral_type(subject: Person | Context) -> str:
    if isinstance(subject, Context):
        if subject.kind == ContextKind.PEER_GROUP:
            return MarveReferralType.GROUP
        return MarveReferralType.LOCATION
    if subject.kind == PersonKind.ADULT_OF_CONCERN:
        return MarveReferralType.POSSIBLE_PERPETRATOR
    return MarveReferralType.INDIVIDUAL


def referral_types_for(subject: Person | Context) -> list[str]:
    if isinstance(subject, Context):
        return [MarveReferralType.LOCATION, MarveReferralType.GROUP]
    return [MarveReferralType.INDIVIDUAL, MarveReferralType.POSSIBLE_PERPETRATOR]


def _panel_members(exclude: User) -> Any:
    return (
        User.objects.filter(role_grants__role__in=[Role.CS_LEAD, Role.PANEL_CHAIR], is_active=True)
        .exclude(pk=exclude.pk)
        .distinct()
    )


def _marve_create(
    *,
    actor: User,
    subject: Person | Context,
    referral_type: str,
    reason: str,
    what_has_been_tried: str,
    meeting: StrategyMeeting | None,
) -> MarveReferral:
    if referral_type not in referral_types_for(subject):
        allowed = " or ".join(
            MarveReferralType(t).label.lower() for t in referral_types_for(subject)
        )
        raise ValidationError({"referral_type": f"Choose {allowed}"})
    text = _required(reason, "reason", "Say why you are referring to the MARVE panel")
    if meeting is not None:
        if meeting.subject != subject:
            raise ValidationError({"meeting": "The strategy meeting is about someone else"})
        if MarveReferral.objects.filter(strategy_meeting=meeting).exists():
            raise ValidationError(
                {"meeting": "A MARVE referral has already been made from this meeting"}
            )
    referral = MarveReferral(
        **_subject_fields(subject),
        referral_type=referral_type,
        strategy_meeting=meeting,
        reason=text,
        what_has_been_tried=what_has_been_tried.strip(),
        recording_agency=actor.agency,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError as clash:
        raise ValidationError(
            {"meeting": "A MARVE referral has already been made from this meeting"}
        ) from clash
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=referral,
        changes={
            "person": referral.person_id,
            "context": referral.context_id,
            "referral_type": referral_type,
            "strategy_meeting": meeting.pk if meeting else None,
        },
    )
    # The message names no child: not every CS lead or panel chair may open the child's record.
    notify(
        recipients=_panel_members(actor),
        message=f"New MARVE referral ({MarveReferralType(referral_type).label.lower()}) from "
        f"{actor.agency}.",
        link=reverse("meetings:marve_detail", args=[referral.pk]),
    )
    return referral


@transaction.atomic
def marve_referral_create(
    *,
    actor: User,
    subject: Person | Context,
    referral_type: str,
    reason: str,
    what_has_been_tried: str = "",
    meeting: StrategyMeeting | None = None,
) -> MarveReferral:
    return _marve_create(
        actor=actor,
        subject=subject,
        referral_type=referral_type,
        reason=reason,
        what_has_been_tried=what_has_been_tried,
        meeting=meeting,
    )


def _marve_move(
    *,
    actor: User,
    referral: MarveReferral,
    expected_version: int,
    allowed_from: set[str],
    to: str,
    reason: str,
    refused: str,
) -> MarveReferral:
    if referral.status not in allowed_from:
        raise ValidationError(refused)
    own = referral.own_interest(actor)
    if own:
        raise ValidationError(own)
    before = referral.status
    referral.status = to
    referral.status_reason = reason.strip()
    save_versioned(referral, expected_version=expected_version, fields=["status", "status_reason"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=referral,
        changes={"status": [before, to], "status_reason": referral.status_reason},
    )
    notify(
        recipients=[referral.recorded_by],
        message=f"Your MARVE referral is now: {MarveStatus(to).label.lower()}.",
        link=reverse("meetings:marve_detail", args=[referral.pk]),
    )
    return referral


@transaction.atomic
def marve_referral_accept(
    *, actor: User, referral: MarveReferral, expected_version: int, reason: str = ""
) -> MarveReferral:
    return _marve_move(
        actor=actor,
        referral=referral,
        expected_version=expected_version,
        allowed_from={MarveStatus.REFERRED},
        to=MarveStatus.ACCEPTED,
        reason=reason,
        refused="Only a referral waiting for a decision can be accepted",
    )


@transaction.atomic
def marve_referral_decline(
    *, actor: User, referral: MarveReferral, expected_version: int, reason: str
) -> MarveReferral:
    _required(reason, "reason", "Say why the panel is declining the referral")
    return _marve_move(
        actor=actor,
        referral=referral,
        expected_version=expected_version,
        allowed_from={MarveStatus.REFERRED},
        to=MarveStatus.DECLINED,
        reason=reason,
        refused="Only a referral waiting for a decision can be declined",
    )


@transaction.atomic
def marve_referral_mark_heard(
    *, actor: User, referral: MarveReferral, expected_version: int, reason: str = ""
) -> MarveReferral:
    return _marve_move(
        actor=actor,
        referral=referral,
        expected_version=expected_version,
        allowed_from={MarveStatus.ACCEPTED},
        to=MarveStatus.HEARD,
        reason=reason,
        refused="Accept the referral for a panel before marking it heard",
    )
