"""Panels and their meetings: every write checked and audited.

Shared by panel meetings and conferences (``panels.conferences`` adds what only a conference
does). Edits of a meeting or an agenda item are optimistic: each carries the version the editor
loaded, and a save over someone else's change raises ``EditConflict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from access.roles import CASE_WORK_ROLES
from accounts.models import Agency, User
from accounts.tasks import send_email_task
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context
from contextsafe.lib.concurrency import save_versioned
from contextsafe.lib.working_days import add_working_days
from core.services import notify
from meetings.models import MarveReferral, MarveStatus
from panels.models import (
    FREQUENCY_DAYS,
    SUMMARY_WORKING_DAYS,
    AgendaItem,
    AttendanceStatus,
    ConcernLevel,
    Contribution,
    ContributionAudience,
    ItemSource,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Panel,
    PanelAction,
    PanelActionStatus,
    PanelKind,
    PanelMember,
    Participant,
)
from panels.rules import names_children_to
from people.models import Person


def _required(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def agency_of(user: User) -> Agency:
    if user.agency_id is None:
        raise ValidationError("Your account is not linked to an agency, so it cannot record this.")
    return user.agency  # type: ignore[return-value]


def _check_case_worker(user: User | None, field: str, what: str) -> None:
    if user is None:
        return
    if not user.is_active or not (user.role_set & CASE_WORK_ROLES) or user.agency_id is None:
        raise ValidationError({field: f"{what} must be an active case worker in an agency"})


def _check_chair(actor: User, meeting: Meeting) -> None:
    if not actor.has_perm("panels.chair_meeting", meeting):
        raise PermissionDenied("Only the meeting's chair can record this.")


def _check_open(meeting: Meeting) -> None:
    if not meeting.is_open:
        raise ValidationError(
            f"This meeting is {meeting.get_status_display().lower()}: it can no longer be changed."
        )


# --- panels -------------------------------------------------------------------------------------


@transaction.atomic
def panel_create(
    *,
    actor: User,
    name: str,
    kind: str,
    frequency: str,
    chair: User,
    purpose: str = "",
) -> Panel:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter the panel's name"
    elif Panel.objects.filter(name__iexact=name).exists():
        errors["name"] = "A panel with this name already exists"
    if kind not in PanelKind.values:
        errors["kind"] = "Select the kind of panel"
    if frequency not in FREQUENCY_DAYS and frequency != "as_needed":
        errors["frequency"] = "Select how often the panel meets"
    if errors:
        raise ValidationError(errors)
    _check_case_worker(chair, "chair", "The chair")
    panel = Panel.objects.create(
        name=name, kind=kind, frequency=frequency, chair=chair, purpose=(purpose or "").strip()
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=panel,
        changes={"name": name, "kind": kind, "frequency": frequency, "chair": chair.pk},
    )
    panel_member_add(actor=actor, panel=panel, user=chair, role="Chair")
    return panel


@transaction.atomic
def panel_member_add(*, actor: User, panel: Panel, user: User, role: str = "") -> PanelMember:
    _check_case_worker(user, "user", "A panel member")
    if panel.members.filter(user=user, left_on__isnull=True).exists():
        raise ValidationError({"user": f"{user.get_full_name()} is already a member"})
    member = PanelMember.objects.create(panel=panel, user=user, role=(role or "").strip())
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=panel,
        changes={"member_added": user.pk, "role": member.role},
    )
    # A new member joins the meetings still to come.
    for meeting in panel.meetings.filter(status=MeetingStatus.SCHEDULED):
        invite_user(meeting, user, role=member.role)
    return member


@transaction.atomic
def panel_member_remove(*, actor: User, member: PanelMember, left_on: dt.date) -> PanelMember:
    if member.left_on is not None:
        raise ValidationError("This member has already left the panel")
    if member.user_id == member.panel.chair_id:
        raise ValidationError("Choose a new chair before the chair leaves the panel")
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=member.panel,
        changes={"member_left": member.user_id, "left_on": left_on},
    )
    return member


def next_meeting_date(panel: Panel, today: dt.date) -> dt.date | None:
    """The date the panel's schedule puts its next meeting on: its cycle after the last
    meeting, or today if it has never met. None for panels that meet when needed."""
    days = FREQUENCY_DAYS.get(panel.frequency)  # type: ignore[call-overload]
    if days is None:
        return None
    last = panel.meetings.exclude(status=MeetingStatus.CANCELLED).aggregate(
        last=Max("scheduled_for")
    )["last"]
    if last is None:
        return today
    return max(today, timezone.localdate(last) + dt.timedelta(days=days))


# --- meetings -----------------------------------------------------------------------------------


def invite_user(meeting: Meeting, user: User, *, role: str = "") -> Participant:
    participant, _ = Participant.objects.get_or_create(
        meeting=meeting,
        user=user,
        defaults={
            "agency_id": user.agency_id,
            "name": user.get_full_name() or user.get_username(),
            "role": role,
            "email": user.email,
        },
    )
    return participant


def _meeting_link(meeting: Meeting) -> str:
    return reverse("panels:meeting_detail", args=[meeting.pk])


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    panel: Panel,
    scheduled_for: dt.datetime,
    venue: str = "",
    chair: User | None = None,
) -> Meeting:
    """Schedule a panel meeting and invite the panel's current members."""
    if not actor.has_perm("panels.change_panel", panel):
        raise PermissionDenied("Only the panel's chair can schedule its meetings.")
    if not panel.active:
        raise ValidationError("This panel no longer meets")
    chair = chair or panel.chair
    _check_case_worker(chair, "chair", "The chair")
    meeting = Meeting.objects.create(
        kind=MeetingKind.PANEL,
        panel=panel,
        scheduled_for=scheduled_for,
        venue=(venue or "").strip(),
        chair=chair,
        recording_agency=agency_of(actor),
        recorded_by=actor,
    )
    invite_user(meeting, chair, role="Chair")
    members = panel.members.filter(left_on__isnull=True).select_related("user")
    for member in members:
        invite_user(meeting, member.user, role=member.role)
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=meeting,
        changes={"panel": panel.pk, "scheduled_for": scheduled_for, "chair": chair.pk},
    )
    notify(
        recipients=[m.user for m in members if m.user_id != actor.pk],
        email=True,
        message=f"{panel.name} meets on {timezone.localtime(scheduled_for):%-d %B %Y at %H:%M}.",
        link=_meeting_link(meeting),
    )
    return meeting


@transaction.atomic
def participant_add(
    *,
    actor: User,
    meeting: Meeting,
    user: User | None = None,
    agency: Agency | None = None,
    name: str = "",
    role: str = "",
    email: str = "",
) -> Participant:
    """Invite someone: a user (who then sees the agenda while the meeting is open), or a person
    without an account, recorded by name (a shop's manager, a parent)."""
    _check_chair(actor, meeting)
    _check_open(meeting)
    if user is not None:
        if not user.is_active or user.agency_id is None:
            raise ValidationError({"user": "Invite an active user who belongs to an agency"})
        if meeting.participants.filter(user=user).exists():
            raise ValidationError({"user": f"{user.get_full_name()} is already invited"})
        participant = invite_user(meeting, user, role=(role or "").strip())
    else:
        name = _required(name, "name", "Enter the name of the person you are inviting")
        participant = Participant.objects.create(
            meeting=meeting,
            agency=agency,
            name=name,
            role=(role or "").strip(),
            email=(email or "").strip(),
        )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"invited": participant.name, "user": participant.user_id},
    )
    if participant.user is None and participant.email:
        _email_invitation(meeting, participant)
    if participant.user is not None and participant.user_id != actor.pk:
        notify(
            recipients=[participant.user],
            email=True,
            message=f"You are invited to a meeting: {meeting.title}, "
            f"{timezone.localtime(meeting.scheduled_for):%-d %B %Y at %H:%M}.",
            link=_meeting_link(meeting),
        )
    return participant


def _email_invitation(meeting: Meeting, participant: Participant) -> None:
    """An invitation for someone without an account (a shop's manager, a parent). It names the
    meeting, never a child: the email leaves the system."""
    when = timezone.localtime(meeting.scheduled_for)
    chair = meeting.chair.get_full_name() or meeting.chair.get_username()
    body = (
        f"Dear {participant.name},\n\n"
        f"You are invited to a meeting: {meeting.title}, on {when:%A %-d %B %Y at %H:%M}"
        f"{', at ' + meeting.venue if meeting.venue else ''}.\n\n"
        f"The meeting is chaired by {chair}, who will contact you about what it will discuss "
        "and how you can take part.\n"
    )
    subject = f"Invitation: {meeting.title}, {when:%-d %B %Y}"
    address = participant.email
    transaction.on_commit(lambda: send_email_task.enqueue(subject, body, [address]))


@transaction.atomic
def attendance_record(
    *, actor: User, meeting: Meeting, statuses: Mapping[int, str]
) -> list[Participant]:
    """Record who came: ``statuses`` maps participant ids to an attendance status."""
    _check_chair(actor, meeting)
    _check_open(meeting)
    participants = {p.pk: p for p in meeting.participants.all()}
    unknown = set(statuses) - set(participants)
    if unknown:
        raise ValidationError("Some of these people are not invited to this meeting")
    changed: dict[str, str] = {}
    for pk, status in statuses.items():
        if status not in AttendanceStatus.values:
            raise ValidationError({f"status_{pk}": "Select whether they attended"})
        participant = participants[pk]
        if participant.status != status:
            participant.status = status
            participant.save(update_fields=["status"])
            changed[participant.name] = status
    if changed:
        audit_record(
            actor=actor, action=AccessAction.CHANGE, obj=meeting, changes={"attendance": changed}
        )
    return list(participants.values())


# --- agenda -------------------------------------------------------------------------------------


def _next_position(meeting: Meeting) -> int:
    top = meeting.items.aggregate(top=Max("position"))["top"]
    return 1 if top is None else top + 1


@transaction.atomic
def item_add(
    *,
    actor: User,
    meeting: Meeting,
    reason: str,
    source: str = ItemSource.CHAIR,
    person: Person | None = None,
    context: Context | None = None,
    marve_referral: MarveReferral | None = None,
    **links: Any,
) -> AgendaItem:
    """Put a child or a context on the agenda. From a MARVE referral, the referral's subject is
    the item's and the referral is accepted for this panel."""
    _check_chair(actor, meeting)
    _check_open(meeting)
    if meeting.kind == MeetingKind.CONFERENCE and meeting.items.exists():
        raise ValidationError("A conference discusses one child or one context")
    if marve_referral is not None:
        if marve_referral.status not in (MarveStatus.REFERRED, MarveStatus.ACCEPTED):
            raise ValidationError("This referral has already been decided or heard")
        person, context = marve_referral.person, marve_referral.context
        source = ItemSource.MARVE_REFERRAL
    if (person is None) == (context is None):
        raise ValidationError("Choose one child or one context for the item")
    if source not in ItemSource.values:
        raise ValidationError({"source": "Say where the item came from"})
    reason = _required(reason, "reason", "Say why this is on the agenda")
    duplicate = (
        meeting.items.filter(person=person) if person else meeting.items.filter(context=context)
    )
    if duplicate.exists():
        raise ValidationError("This is already on the agenda")
    unknown = set(links) - {"strategy_meeting", "context_assessment"}
    if unknown:
        raise TypeError(f"Unknown links: {sorted(unknown)}")
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=_next_position(meeting),
        source=source,
        person=person,
        context=context,
        marve_referral=marve_referral,
        reason=reason,
        recording_agency=agency_of(actor),
        recorded_by=actor,
        **links,
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=item,
        changes={"meeting": meeting.pk, "source": source, "reason": reason},
    )
    if marve_referral is not None and marve_referral.status == MarveStatus.REFERRED:
        from meetings.services import marve_referral_accept

        marve_referral_accept(
            actor=actor,
            referral=marve_referral,
            expected_version=marve_referral.version,
            reason=f"On the agenda of {meeting}",
        )
    return item


@transaction.atomic
def item_remove(*, actor: User, item: AgendaItem, reason: str) -> None:
    meeting = item.meeting
    _check_chair(actor, meeting)
    _check_open(meeting)
    if meeting.kind == MeetingKind.CONFERENCE:
        raise ValidationError("A conference's subject cannot be removed: cancel the conference")
    reason = _required(reason, "reason", "Say why the item is coming off the agenda")
    if item.contributions.exists() or item.actions.exists() or item.concern_level:
        raise ValidationError(
            "Information has been recorded against this item, so it stays on the agenda"
        )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        reason=reason,
        changes={"item_removed": item.pk, "person": item.person_id, "context": item.context_id},
    )
    item.delete()


def item_already_scheduled(person: Person | None, context: Context | None) -> Meeting | None:
    """The open meeting that already has this child or context on its agenda, if any."""
    items = AgendaItem.objects.filter(meeting__status__in=[MeetingStatus.SCHEDULED])
    items = items.filter(person=person) if person is not None else items.filter(context=context)
    item = items.select_related("meeting").first()
    return item.meeting if item else None


@transaction.atomic
def contribution_add(
    *, actor: User, item: AgendaItem, text: str, audience: str = ContributionAudience.EVERYONE
) -> Contribution:
    """One agency's information for an item: a report before a conference, or what it shares at
    the panel. At a context conference a partner outside the statutory agencies cannot write
    for the statutory agencies only — they have no children's names to share."""
    meeting = item.meeting
    if not actor.has_perm("panels.contribute_to_meeting", meeting):
        raise PermissionDenied("Only the meeting's participants can add information.")
    text = _required(text, "text", "Enter the information your agency is sharing")
    if audience not in ContributionAudience.values:
        raise ValidationError({"audience": "Select who may read this"})
    if audience == ContributionAudience.STATUTORY and not names_children_to(actor, meeting):
        raise ValidationError(
            {"audience": "Your agency does not hear children's names at this conference"}
        )
    contribution = Contribution.objects.create(
        item=item, agency=agency_of(actor), author=actor, text=text, audience=audience
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=item,
        changes={"contribution": contribution.pk, "agency": contribution.agency_id},
    )
    return contribution


@transaction.atomic
def concern_record(
    *,
    actor: User,
    item: AgendaItem,
    expected_version: int,
    level: str,
    reasons: str,
    agreed_by: str,
) -> AgendaItem:
    """The partnership's professional judgement of the level of concern — a human judgement,
    with its reasons and who agreed it."""
    _check_chair(actor, item.meeting)
    _check_open(item.meeting)
    errors: dict[str, str] = {}
    if level not in ConcernLevel.values:
        errors["level"] = "Select the level of concern the meeting agreed"
    if not (reasons or "").strip():
        errors["reasons"] = "Give the reasons for the level of concern"
    if not (agreed_by or "").strip():
        errors["agreed_by"] = "Say who agreed it"
    if errors:
        raise ValidationError(errors)
    before = item.concern_level
    item.concern_level = level
    item.concern_reasons = reasons.strip()
    item.concern_agreed_by = agreed_by.strip()
    item.concern_recorded_by = actor
    save_versioned(
        item,
        expected_version=expected_version,
        fields=["concern_level", "concern_reasons", "concern_agreed_by", "concern_recorded_by"],
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=item,
        changes={"concern_level": [before, level], "concern_reasons": item.concern_reasons},
    )
    return item


@transaction.atomic
def item_decision_record(
    *, actor: User, item: AgendaItem, expected_version: int, decision: str
) -> AgendaItem:
    _check_chair(actor, item.meeting)
    _check_open(item.meeting)
    item.decision = _required(decision, "decision", "Enter what the meeting decided")
    item.discussed = True
    save_versioned(item, expected_version=expected_version, fields=["decision", "discussed"])
    audit_record(
        actor=actor, action=AccessAction.CHANGE, obj=item, changes={"decision": item.decision}
    )
    return item


# --- actions ------------------------------------------------------------------------------------


@transaction.atomic
def panel_action_add(
    *,
    actor: User,
    meeting: Meeting,
    description: str,
    owner_agency: Agency | None,
    due_on: dt.date | None,
    owner_user: User | None = None,
    item: AgendaItem | None = None,
) -> PanelAction:
    """An action agreed at the meeting: for an item, or (``item`` empty) for the partnership."""
    _check_chair(actor, meeting)
    _check_open(meeting)
    errors: dict[str, str] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = "Say what will be done"
    if owner_user is not None:
        if owner_agency is not None and owner_user.agency_id != owner_agency.pk:
            errors["owner_user"] = "The named person must work for the owning agency"
        owner_agency = owner_user.agency
    if owner_agency is None:
        errors["owner_agency"] = "Select the agency that owns the action"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on < timezone.localdate(meeting.scheduled_for):
        errors["due_on"] = "The due date must be on or after the meeting"
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = "Choose an item on this meeting's agenda"
    if errors or owner_agency is None or due_on is None:
        raise ValidationError(errors)
    action = PanelAction.objects.create(
        meeting=meeting,
        item=item,
        description=description,
        owner_agency=owner_agency,
        owner_user=owner_user,
        due_on=due_on,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=action,
        changes={
            "meeting": meeting.pk,
            "item": item.pk if item else None,
            "owner_agency": action.owner_agency_id,
            "owner_user": action.owner_user_id,
            "due_on": due_on,
        },
    )
    owners = [owner_user] if owner_user is not None else []
    if owners and owner_user is not None and owner_user.pk != actor.pk:
        notify(
            recipients=owners,
            message=f"{meeting.title} gave you an action due {due_on:%d %B %Y}.",
            link=reverse("panels:action_detail", args=[action.pk]),
        )
    return action


@transaction.atomic
def panel_action_complete(
    *,
    actor: User,
    action: PanelAction,
    expected_version: int,
    completed_on: dt.date | None,
    evidence: str,
) -> PanelAction:
    if not actor.has_perm("panels.complete_panel_action", action):
        raise PermissionDenied("Only the action's owner or the meeting's chair can complete it.")
    if action.status != PanelActionStatus.OPEN:
        raise ValidationError("This action is already closed")
    errors: dict[str, str] = {}
    if completed_on is None:
        errors["completed_on"] = "Enter the date the action was completed"
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "The completion date must be today or in the past"
    if not (evidence or "").strip():
        errors["evidence"] = "Say what was done, as evidence the action is complete"
    if errors:
        raise ValidationError(errors)
    action.status = PanelActionStatus.DONE
    action.completed_on = completed_on
    action.completion_evidence = evidence.strip()
    save_versioned(
        action,
        expected_version=expected_version,
        fields=["status", "completed_on", "completion_evidence"],
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=action,
        changes={"status": PanelActionStatus.DONE, "completed_on": completed_on},
    )
    return action


# --- the meeting's life -------------------------------------------------------------------------


@transaction.atomic
def meeting_hold(
    *, actor: User, meeting: Meeting, expected_version: int, held_at: dt.datetime | None = None
) -> Meeting:
    """Mark the meeting as held: the chair now has 2 working days to send the summary."""
    _check_chair(actor, meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError("Only a scheduled meeting can be marked as held")
    held_at = held_at or timezone.now()
    if held_at > timezone.now():
        raise ValidationError({"held_at": "A meeting cannot be held in the future"})
    meeting.status = MeetingStatus.HELD
    meeting.held_at = held_at
    meeting.summary_due_by = add_working_days(timezone.localdate(held_at), SUMMARY_WORKING_DAYS)
    save_versioned(
        meeting, expected_version=expected_version, fields=["status", "held_at", "summary_due_by"]
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"status": MeetingStatus.HELD, "held_at": held_at},
    )
    for item in meeting.items.select_related("marve_referral"):
        referral = item.marve_referral
        if item.discussed and referral is not None and referral.status == MarveStatus.ACCEPTED:
            from meetings.services import marve_referral_mark_heard

            marve_referral_mark_heard(
                actor=actor,
                referral=referral,
                expected_version=referral.version,
                reason=f"Heard at {meeting}",
            )
    return meeting


@transaction.atomic
def minutes_save(*, actor: User, meeting: Meeting, expected_version: int, minutes: str) -> Meeting:
    _check_chair(actor, meeting)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError("Minutes are written after the meeting is held and before it closes")
    meeting.minutes = _required(minutes, "minutes", "Enter the minutes")
    save_versioned(meeting, expected_version=expected_version, fields=["minutes"])
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=meeting, changes={"minutes": True})
    return meeting


@transaction.atomic
def meeting_close(
    *, actor: User, meeting: Meeting, expected_version: int, summary_sent_on: dt.date
) -> Meeting:
    """The summary and minutes have gone to the participants: the meeting closes, and its
    participants keep only the actions they own."""
    _check_chair(actor, meeting)
    if meeting.status != MeetingStatus.HELD:
        raise ValidationError("Mark the meeting as held before sending its summary")
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": "Write the minutes before sending the summary"})
    held_on = timezone.localdate(meeting.held_at) if meeting.held_at else None
    if held_on is not None and summary_sent_on < held_on:
        raise ValidationError({"summary_sent_on": "The summary is sent after the meeting"})
    if summary_sent_on > timezone.localdate():
        raise ValidationError({"summary_sent_on": "The date must be today or in the past"})
    meeting.status = MeetingStatus.CLOSED
    meeting.summary_sent_on = summary_sent_on
    save_versioned(meeting, expected_version=expected_version, fields=["status", "summary_sent_on"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"status": MeetingStatus.CLOSED, "summary_sent_on": summary_sent_on},
    )
    notify(
        recipients=[
            p.user
            for p in meeting.participants.select_related("user")
            if p.user is not None and p.user_id != actor.pk
        ],
        message=f"The summary of {meeting} has been sent.",
        link=_meeting_link(meeting),
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, expected_version: int, reason: str) -> Meeting:
    _check_chair(actor, meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError("Only a scheduled meeting can be cancelled")
    meeting.cancelled_reason = _required(reason, "reason", "Say why the meeting is cancelled")
    meeting.status = MeetingStatus.CANCELLED
    save_versioned(
        meeting, expected_version=expected_version, fields=["status", "cancelled_reason"]
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        reason=meeting.cancelled_reason,
        changes={"status": MeetingStatus.CANCELLED},
    )
    return meeting
