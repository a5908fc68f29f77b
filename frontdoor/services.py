"""Every change at the front door: contacts sent, information-sharing decisions, screening,
approval, telling the referrer, and the partnership's timescales and screening teams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from accounts.models import Team, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context
from core.services import notify
from events.models import HarmType
from frontdoor.models import (
    ApprovalStatus,
    Contact,
    ContactChannel,
    ContactContext,
    ContactPerson,
    ContactPersonRole,
    ContactStatus,
    LawfulBasis,
    ResponseTimescale,
    ScreeningDecision,
    ScreeningOutcome,
    ScreeningTeam,
    SharingDecision,
    Urgency,
)
from people.codes import PersonKind
from people.models import Person
from people.services import record_share

NO_SCREENING_TEAM = (
    "No team is set up to screen contacts, so this contact cannot be sent yet. Nothing you typed "
    "has been lost. Ask an administrator to choose the screening team on the timescales page, or "
    "phone the front door."
)
MAX_TIMESCALE_HOURS = 24 * 14
# Outcomes whose next step is work for a team: the screener says which team takes it on.
NEEDS_TEAM = {
    ScreeningOutcome.EARLY_HELP,
    ScreeningOutcome.SINGLE_ASSESSMENT,
    ScreeningOutcome.STRATEGY_DISCUSSION,
    ScreeningOutcome.CONTEXT_RESPONSE,
}


# --- routing and timescales -------------------------------------------------------------------


def default_screening_team() -> Team:
    screening = (
        ScreeningTeam.objects.select_related("team__agency")
        .filter(is_default=True, team__is_active=True)
        .first()
    )
    if screening is None:
        raise ValidationError(NO_SCREENING_TEAM)
    return screening.team


def respond_by(*, urgency: str, received_at: dt.datetime) -> dt.datetime:
    """When the front door must decide: the partnership's hours for this urgency. Clock hours,
    not working days: a child at risk tonight cannot wait for Monday."""
    timescale = ResponseTimescale.objects.filter(urgency=urgency).first()
    if timescale is None:
        raise ValidationError({"urgency": "Choose how urgent this is"})
    return received_at + dt.timedelta(hours=timescale.hours)


# --- sending a contact ------------------------------------------------------------------------


def _check_subject(person: Person | None, context: Context | None) -> None:
    if (person is None) == (context is None):
        raise ValidationError(
            "Choose who or what this contact is about: one child or young person, or one place, "
            "group, school or online space."
        )
    if person is not None and person.merged_into_id:
        raise ValidationError(
            "That record was merged into another. Search again and choose the record that stayed."
        )
    if person is not None and person.kind != PersonKind.YOUNG_PERSON:
        raise ValidationError(
            "A contact is about a child or young person, or about a context. The person you chose "
            "is not recorded as a young person: name them under 'Other people' instead."
        )


def _check_people(
    subject: Person | None, people: Sequence[tuple[Person, str]]
) -> list[tuple[Person, str]]:
    seen: set[int] = {subject.pk} if subject else set()
    for person, role in people:
        if role not in ContactPersonRole.values:
            raise ValidationError({"people": "Choose a role for each person named"})
        if person.pk in seen:
            raise ValidationError(
                {
                    "people": "A person is named twice, or is also the child the contact is about. "
                    "Name each person once."
                }
            )
        seen.add(person.pk)
    return list(people)


def _check_contexts(
    subject: Context | None, contexts: Sequence[tuple[Context, str]]
) -> list[tuple[Context, str]]:
    seen: set[int] = {subject.pk} if subject else set()
    for context, _note in contexts:
        if context.pk in seen:
            raise ValidationError(
                {"contexts": f"{context} is linked twice, or is also what the contact is about."}
            )
        seen.add(context.pk)
    return list(contexts)


def _referrer(actor: User, channel: str, details: dict[str, str]) -> dict[str, Any]:
    """Online, the signed-in user is the referrer and is told the outcome on their home page.
    Otherwise the front door types in the caller's details."""
    cleaned = {k: (details.get(k) or "").strip() for k in REFERRER_FIELDS}
    if channel == ContactChannel.ONLINE:
        return {
            "referrer_user": actor,
            "referrer_name": actor.get_full_name() or actor.username,
            "referrer_role": cleaned["referrer_role"] or actor.job_title,
            "referrer_organisation": cleaned["referrer_organisation"]
            or (actor.agency.name if actor.agency else ""),
            "referrer_phone": cleaned["referrer_phone"],
            "referrer_email": cleaned["referrer_email"] or actor.email,
        }
    if not cleaned["referrer_name"]:
        raise ValidationError({"referrer_name": "Enter the name of the person making the referral"})
    if not (cleaned["referrer_phone"] or cleaned["referrer_email"]):
        raise ValidationError(
            {
                "referrer_phone": "Enter a phone number or email address, so the referrer can be "
                "told the outcome"
            }
        )
    return {"referrer_user": None, **cleaned}


REFERRER_FIELDS = (
    "referrer_name",
    "referrer_role",
    "referrer_organisation",
    "referrer_phone",
    "referrer_email",
)


@transaction.atomic
def contact_submit(
    *,
    actor: User,
    channel: str,
    referral_source: str,
    what_happened: str,
    harm_source: str,
    lawful_basis: str,
    urgency: str,
    person: Person | None = None,
    context: Context | None = None,
    referrer: dict[str, str] | None = None,
    lawful_basis_notes: str = "",
    where: str = "",
    with_whom: str = "",
    online: str = "",
    school: str = "",
    harm_indicators: Iterable[str] = (),
    child_views: str = "",
    family_views: str = "",
    people: Sequence[tuple[Person, str]] = (),
    contexts: Sequence[tuple[Context, str]] = (),
    received_at: dt.datetime | None = None,
) -> Contact:
    """Send a contact to the front door.

    The child's record (and any other child named) is shared with the screening team's agency,
    because screening needs it; the referrer gains no access to a record held elsewhere. The
    lawful basis for that sharing is recorded as the first information-sharing decision.
    """
    if actor.agency is None:
        raise ValidationError("Your account has no agency, so you cannot send a contact.")
    _check_subject(person, context)
    named = _check_people(person, people)
    linked = _check_contexts(context, contexts)
    indicators = sorted(set(harm_indicators))
    if set(indicators) - set(HarmType.values):
        raise ValidationError({"harm_indicators": "Choose harm indicators from the list"})
    if lawful_basis != LawfulBasis.CONSENT and not lawful_basis_notes.strip():
        raise ValidationError(
            {
                "lawful_basis_notes": "Say why you are sharing without consent, and whether the "
                "child or family know"
            }
        )
    if not what_happened.strip():
        raise ValidationError({"what_happened": "Say what happened or what you are worried about"})
    team = default_screening_team()
    received = received_at or timezone.now()
    contact = Contact(
        person=person,
        context=context,
        recording_agency=actor.agency,
        recorded_by=actor,
        received_at=received,
        channel=channel,
        **_referrer(actor, channel, referrer or {}),
        referral_source=referral_source,
        what_happened=what_happened.strip(),
        where=where.strip(),
        with_whom=with_whom.strip(),
        online=online.strip(),
        school=school.strip(),
        harm_indicators=indicators,
        harm_source=harm_source,
        child_views=child_views.strip(),
        family_views=family_views.strip(),
        lawful_basis=lawful_basis,
        lawful_basis_notes=lawful_basis_notes.strip(),
        urgency=urgency,
        respond_by=respond_by(urgency=urgency, received_at=received),
        receiving_team=team,
    )
    contact.full_clean(exclude=["recorded_by", "referrer_user", "receiving_team"])
    contact.save()
    ContactPerson.objects.bulk_create(
        ContactPerson(contact=contact, person=p, role=role) for p, role in named
    )
    ContactContext.objects.bulk_create(
        ContactContext(contact=contact, context=c, note=note.strip()[:500]) for c, note in linked
    )
    _share_with_screening(actor, contact, team, [p for p, role in named if role == "child"])
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=contact,
        changes={
            "subject": f"person {person.pk}" if person else f"context {context.pk}",  # type: ignore[union-attr]
            "urgency": urgency,
            "channel": channel,
            "receiving_team": team.pk,
            "people": {str(p.pk): role for p, role in named},
            "contexts": [c.pk for c, _ in linked],
            "lawful_basis": lawful_basis,
        },
    )
    if urgency == Urgency.IMMEDIATE:
        notify(
            recipients=team.members.filter(is_active=True),
            message=f"Immediate contact {contact.pk}: decision due within hours.",
            link=reverse("frontdoor:contact_detail", args=[contact.pk]),
        )
    return contact


def _share_with_screening(
    actor: User, contact: Contact, team: Team, other_children: list[Person]
) -> None:
    reason = f"Contact {contact.pk} sent to the front door"
    children = ([contact.person] if contact.person else []) + other_children
    for child in children:
        record_share(actor=actor, person=child, agency=team.agency, reason=reason)
    decision = SharingDecision.objects.create(
        contact=contact,
        shared=True,
        information=(
            "This contact"
            + (", and the record of each child it names," if children else "")
            + " for screening"
        ),
        shared_with=str(team),
        reason=contact.lawful_basis_notes or contact.get_lawful_basis_display(),
        lawful_basis=contact.lawful_basis,
        decided_by=actor,
        decided_at=contact.received_at,
    )
    audit_record(actor=actor, action=AccessAction.CREATE, obj=decision)


@transaction.atomic
def sharing_decision_record(
    *,
    actor: User,
    contact: Contact,
    shared: bool,
    information: str,
    shared_with: str,
    reason: str,
    lawful_basis: str = "",
) -> SharingDecision:
    """Record a decision to share, or not to share: the golden rules ask for both, with reasons."""
    if not information.strip():
        raise ValidationError({"information": "Say what information this decision is about"})
    if not shared_with.strip():
        raise ValidationError(
            {"shared_with": "Say who the information was, or was not, shared with"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the decision"})
    if shared and not lawful_basis:
        raise ValidationError({"lawful_basis": "Choose the lawful basis for sharing"})
    decision = SharingDecision(
        contact=contact,
        shared=shared,
        information=information.strip(),
        shared_with=shared_with.strip(),
        reason=reason.strip(),
        lawful_basis=lawful_basis if shared else "",
        decided_by=actor,
    )
    decision.full_clean(exclude=["decided_by", "contact"])
    decision.save()
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=decision,
        changes={"contact": contact.pk, "shared": shared, "shared_with": decision.shared_with},
    )
    return decision


# --- screening --------------------------------------------------------------------------------


def _move(contact: Contact, *, expected: str, **fields: Any) -> None:
    """Change the contact's status only if nobody else moved it first (one UPDATE ... WHERE)."""
    updated = Contact.objects.filter(pk=contact.pk, status=expected).update(
        version=F("version") + 1, **fields
    )
    if updated != 1:
        current = Contact.objects.get(pk=contact.pk)
        raise ValidationError(
            "Someone else changed this contact while you had it open: it is now "
            f"'{current.get_status_display().lower()}'. Nothing has been saved; look at the "
            "contact again before you carry on."
        )
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.version += 1


@transaction.atomic
def screening_start(*, actor: User, contact: Contact) -> Contact:
    """Pick up a contact. Two screeners pressing at once: only the first gets it."""
    if contact.status != ContactStatus.AWAITING_SCREENING:
        who = f" by {contact.screener}" if contact.screener_id else ""
        raise ValidationError(f"This contact is already being screened{who}.")
    _move(
        contact,
        expected=ContactStatus.AWAITING_SCREENING,
        status=ContactStatus.IN_SCREENING,
        screener=actor,
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=contact,
        changes={"status": {"old": "awaiting_screening", "new": "in_screening"}},
    )
    return contact


def outcome_problem(contact: Contact, outcome: str, *, linked_contexts: int) -> str:
    """Why an outcome does not fit this contact's subject, in words a screener can act on."""
    if outcome == ScreeningOutcome.SINGLE_ASSESSMENT and contact.is_about_context:
        return (
            "A single assessment is of a child, and this contact is about a context. Choose a "
            "context response or a strategy discussion, or record a contact about the child."
        )
    if (
        outcome == ScreeningOutcome.CONTEXT_RESPONSE
        and not contact.is_about_context
        and not linked_contexts
    ):
        return (
            "A context response needs a place, group, school or online space, and this contact "
            "links none. Choose another outcome, or record a contact about the context."
        )
    return ""


def allowed_outcomes(contact: Contact, *, linked_contexts: int) -> list[tuple[str, str]]:
    return [
        (value, label)
        for value, label in ScreeningOutcome.choices
        if not outcome_problem(contact, value, linked_contexts=linked_contexts)
    ]


@transaction.atomic
def screening_decide(
    *,
    actor: User,
    contact: Contact,
    outcome: str,
    reasons: str,
    allocated_team: Team | None = None,
    consulted_cs_lead: bool = False,
) -> ScreeningDecision:
    """The screener's decision, which waits for a manager's approval."""
    if contact.status != ContactStatus.IN_SCREENING:
        raise ValidationError(
            "Start screening this contact before you record a decision."
            if contact.status == ContactStatus.AWAITING_SCREENING
            else "This contact already has a decision waiting for approval or approved."
        )
    if contact.screener_id != actor.pk:
        raise ValidationError(
            f"{contact.screener} is screening this contact, so they record the decision."
        )
    if outcome not in ScreeningOutcome.values:
        raise ValidationError({"outcome": "Choose the outcome"})
    problem = outcome_problem(contact, outcome, linked_contexts=contact.contexts.count())
    if problem:
        raise ValidationError({"outcome": problem})
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the decision"})
    if outcome in NEEDS_TEAM and allocated_team is None:
        raise ValidationError({"allocated_team": "Choose the team that will take this on"})
    decision = ScreeningDecision.objects.create(
        contact=contact,
        outcome=outcome,
        reasons=reasons.strip(),
        allocated_team=allocated_team,
        consulted_cs_lead=consulted_cs_lead,
        decided_by=actor,
    )
    _move(contact, expected=ContactStatus.IN_SCREENING, status=ContactStatus.AWAITING_APPROVAL)
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=decision,
        changes={
            "contact": contact.pk,
            "outcome": outcome,
            "allocated_team": allocated_team.pk if allocated_team else None,
            "consulted_cs_lead": consulted_cs_lead,
        },
    )
    approvers = User.objects.filter(
        teams=contact.receiving_team,
        role_grants__role__in=[Role.TEAM_MANAGER, Role.CS_LEAD],
        is_active=True,
    ).exclude(pk=actor.pk)
    notify(
        recipients=approvers.distinct(),
        message=f"A screening decision on contact {contact.pk} is waiting for your approval.",
        link=reverse("frontdoor:decision_review", args=[contact.pk]),
    )
    return decision


def _check_approver(actor: User, decision: ScreeningDecision) -> None:
    if decision.approval != ApprovalStatus.PENDING:
        raise ValidationError("This decision has already been approved or returned.")
    if decision.decided_by_id == actor.pk:
        raise ValidationError(
            "You made this decision, so another team manager or CS lead must approve it."
        )
    if not actor.role_set & {Role.TEAM_MANAGER, Role.CS_LEAD}:
        raise ValidationError("Only a team manager or CS lead can approve a screening decision.")


def _settle(decision: ScreeningDecision, actor: User, approval: str, comment: str) -> None:
    """Approve or return, only if nobody else did first."""
    now = timezone.now()
    updated = ScreeningDecision.objects.filter(
        pk=decision.pk, approval=ApprovalStatus.PENDING
    ).update(approval=approval, approved_by=actor, approved_at=now, manager_comment=comment)
    if updated != 1:
        raise ValidationError("Another manager dealt with this decision while you had it open.")
    decision.approval, decision.approved_by, decision.approved_at = approval, actor, now
    decision.manager_comment = comment


@transaction.atomic
def screening_approve(
    *, actor: User, decision: ScreeningDecision, comment: str = ""
) -> ScreeningDecision:
    """Approve: the contact is decided and the referrer is told (on their home page if they
    have an account; otherwise the front door tells them and records it)."""
    _check_approver(actor, decision)
    contact = decision.contact
    _settle(decision, actor, ApprovalStatus.APPROVED, comment.strip())
    fields: dict[str, Any] = {"status": ContactStatus.DECIDED}
    if contact.referrer_user_id:
        fields["outcome_sent_at"] = timezone.now()
    _move(contact, expected=ContactStatus.AWAITING_APPROVAL, **fields)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=decision,
        changes={"approval": {"old": "pending", "new": "approved"}, "contact": contact.pk},
    )
    link = reverse("frontdoor:contact_detail", args=[contact.pk])
    outcome = decision.get_outcome_display()
    if contact.referrer_user is not None:
        notify(
            recipients=[contact.referrer_user],
            message=f"Your contact {contact.pk} has been screened. Outcome: {outcome}.",
            link=link,
        )
    notify(
        recipients=[decision.decided_by],
        message=f"Your decision on contact {contact.pk} ({outcome}) was approved.",
        link=link,
    )
    _tell_allocated_team(actor, decision, outcome, link)
    return decision


def _tell_allocated_team(actor: User, decision: ScreeningDecision, outcome: str, link: str) -> None:
    """The team now holding the work hears of it on their home page. The message names no child
    (notifications are listed where anyone passing a screen may read them); the contact page,
    behind its access check, says who and carries the next step."""
    team = decision.allocated_team
    if team is None:
        return
    # The approver did it and the screener is told above: neither needs telling twice.
    members = team.members.filter(is_active=True).exclude(pk__in=[actor.pk, decision.decided_by_id])
    notify(
        recipients=members,
        message=f"A contact has been allocated to your team: {outcome}.",
        link=link,
    )


@transaction.atomic
def screening_return(
    *, actor: User, decision: ScreeningDecision, comment: str
) -> ScreeningDecision:
    """Send the decision back with a comment. It stays on record; the screener decides again."""
    _check_approver(actor, decision)
    if not comment.strip():
        raise ValidationError({"comment": "Say why you are returning the decision"})
    contact = decision.contact
    _settle(decision, actor, ApprovalStatus.RETURNED, comment.strip())
    _move(contact, expected=ContactStatus.AWAITING_APPROVAL, status=ContactStatus.IN_SCREENING)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=decision,
        changes={"approval": {"old": "pending", "new": "returned"}, "contact": contact.pk},
        reason=comment.strip(),
    )
    notify(
        recipients=[decision.decided_by],
        message=f"Your decision on contact {contact.pk} was returned: {comment.strip()[:120]}",
        link=reverse("frontdoor:decision_create", args=[contact.pk]),
    )
    return decision


@transaction.atomic
def referrer_told(*, actor: User, contact: Contact) -> Contact:
    """The front door told a referrer without an account (by phone or email) of the outcome."""
    if contact.status != ContactStatus.DECIDED:
        raise ValidationError("The referrer can be told once the decision is approved.")
    if contact.outcome_sent_at is not None:
        raise ValidationError("The referrer has already been told the outcome.")
    now = timezone.now()
    _move(contact, expected=ContactStatus.DECIDED, outcome_sent_at=now)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=contact,
        changes={"outcome_sent_at": now.isoformat()},
    )
    return contact


# --- the partnership's settings ---------------------------------------------------------------


@transaction.atomic
def timescales_set(*, actor: User, hours: dict[str, int]) -> list[ResponseTimescale]:
    """Change the hours per urgency. Contacts already sent keep the deadline they were given."""
    changed: dict[str, dict[str, int]] = {}
    saved = []
    for urgency in Urgency.values:
        value = hours.get(urgency)
        if value is None or not 1 <= value <= MAX_TIMESCALE_HOURS:
            raise ValidationError(
                {urgency: f"Enter a whole number of hours from 1 to {MAX_TIMESCALE_HOURS}"}
            )
        timescale, _ = ResponseTimescale.objects.get_or_create(
            urgency=urgency, defaults={"hours": value}
        )
        if timescale.hours != value:
            changed[urgency] = {"old": timescale.hours, "new": value}
            timescale.hours, timescale.updated_by = value, actor
            timescale.updated_at = timezone.now()
            timescale.save(update_fields=["hours", "updated_by", "updated_at"])
        saved.append(timescale)
    if changed:
        audit_record(
            actor=actor,
            action=AccessAction.CHANGE,
            object_type="frontdoor.responsetimescale",
            object_label="Response timescales",
            changes=changed,
        )
    return saved


@transaction.atomic
def screening_teams_set(*, actor: User | None, teams: Iterable[Team], default: Team) -> None:
    """Say which teams screen contacts, and which one new contacts go to."""
    chosen = {t.pk: t for t in teams}
    if default.pk not in chosen:
        raise ValidationError(
            {"default_team": "The team new contacts go to must be one of the screening teams"}
        )
    if not default.is_active:
        raise ValidationError({"default_team": "Choose a team that is still active"})
    before = {s.team_id: s.is_default for s in ScreeningTeam.objects.all()}
    ScreeningTeam.objects.exclude(team_id__in=chosen).delete()
    # Clear the old default first: at most one default may exist at any moment.
    ScreeningTeam.objects.exclude(team_id=default.pk).update(is_default=False)
    now = timezone.now()
    for pk in chosen:
        ScreeningTeam.objects.update_or_create(
            team_id=pk,
            defaults={"is_default": pk == default.pk, "updated_by": actor, "updated_at": now},
        )
    after = {pk: pk == default.pk for pk in chosen}
    if before != after:
        audit_record(
            actor=actor,
            action=AccessAction.CHANGE,
            object_type="frontdoor.screeningteam",
            object_label="Screening teams",
            changes={
                "old": {str(k): v for k, v in before.items()},
                "new": {str(k): v for k, v in after.items()},
            },
        )


@transaction.atomic
def front_door_settings_set(
    *, actor: User, hours: dict[str, int], teams: Iterable[Team], default: Team
) -> None:
    """The timescales page saves both or neither."""
    timescales_set(actor=actor, hours=hours)
    screening_teams_set(actor=actor, teams=teams, default=default)
