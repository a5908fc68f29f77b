"""CS&E conferences: booking, invitations, the views of the young person and family, and the
decision (plan, key lead, review date). Every write checked and audited.

A conference is a ``Meeting`` with one agenda item (its child or context), so attendance,
reports, holding it, minutes and the summary go through ``panels.services`` like any meeting.
Where the statutory route is used the child protection timescales apply (domain.md §2.2):
the initial conference within 15 working days of the strategy discussion, the first review
within 3 months, then at most every 6 months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.urls import reverse
from django.utils import timezone

from access.roles import CASE_WORK_ROLES, Role
from accounts.models import Agency, User
from audit.models import AccessAction
from audit.services import audit_record
from casework.selectors import current_key_lead
from casework.services import key_lead_allocate
from contexts.models import Context, ContextKind
from contextsafe.lib.concurrency import save_versioned
from contextsafe.lib.working_days import add_working_days
from core.services import notify
from meetings.models import StrategyMeeting
from panels import services
from panels.models import (
    FIRST_REVIEW_MONTHS,
    ICPC_WORKING_DAYS,
    LATER_REVIEW_MONTHS,
    OPEN_MEETING_STATUSES,
    AgendaItem,
    ConferenceForm,
    ConferenceStage,
    ItemSource,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Participant,
)
from panels.rules import names_children_to
from panels.selectors import item_label, meetings_for_viewer
from people.codes import PersonKind
from people.models import Person
from plans.models import Plan, PlanKind, PlanStatus, Review, ReviewDecision
from plans.services import add_months, plan_create, review_add

# The plans each form of conference may agree. "" is "no plan": a conference about harm outside
# the family only may decide that a plan is not needed.
NO_PLAN = ""
PLAN_KINDS_BY_FORM: dict[str, tuple[str, ...]] = {
    ConferenceForm.CHILD_BOTH: (PlanKind.CHILD_PROTECTION, PlanKind.CSE_PLAN),
    ConferenceForm.CHILD_EFH: (PlanKind.CSE_PLAN, PlanKind.CHILD_IN_NEED, NO_PLAN),
    ConferenceForm.CONTEXT: (PlanKind.CONTEXT_SAFETY,),
}
NO_PLAN_LABEL = "No plan: the conference agreed a plan is not needed"
# The partnership treats the EFH-only conference as child-protection-equivalent, so both child
# forms follow the statutory timescale for the initial conference.
STATUTORY_FORMS = frozenset({ConferenceForm.CHILD_BOTH, ConferenceForm.CHILD_EFH})
CONTEXT_CONFERENCE_KINDS = frozenset(
    {ContextKind.LOCATION, ContextKind.PEER_GROUP, ContextKind.EDUCATION_SETTING}
)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def plan_kind_choices(form: str) -> list[tuple[str, str]]:
    """The plan types a conference of this form may agree, in the order a chair would offer."""
    labels = dict(PlanKind.choices)
    return [
        (kind, labels[kind] if kind else NO_PLAN_LABEL) for kind in PLAN_KINDS_BY_FORM.get(form, ())
    ]


def review_limit_months(meeting: Meeting) -> int:
    return FIRST_REVIEW_MONTHS if meeting.stage == ConferenceStage.INITIAL else LATER_REVIEW_MONTHS


def conference_day(meeting: Meeting) -> dt.date:
    """The day the conference met: when it was marked held, or its scheduled day."""
    return timezone.localdate(meeting.held_at or meeting.scheduled_for)


def review_latest(meeting: Meeting) -> dt.date:
    """The latest date the plan's next review may be set for."""
    return add_months(conference_day(meeting), review_limit_months(meeting))


def is_late(meeting: Meeting) -> bool:
    """Scheduled after the date it was due by: shown as a warning, never refused, because the
    chair may have a good reason (and must be able to record the conference anyway)."""
    return meeting.due_by is not None and timezone.localdate(meeting.scheduled_for) > meeting.due_by


def subject_item(meeting: Meeting) -> AgendaItem:
    """A conference's one agenda item: the child or context it is about."""
    item = meeting.items.select_related("person", "context", "plan").first()
    if item is None:
        raise ValidationError("This conference has no subject on its agenda")
    return item


@contextmanager
def _renamed(names: dict[str, str]) -> Iterator[None]:
    """Re-raise another app's field errors under this form's field names."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from error


# --- booking ------------------------------------------------------------------------------------


def _check_subject(form: str, person: Person | None, context: Context | None) -> None:
    if form in STATUTORY_FORMS:
        if person is None or context is not None:
            raise ValidationError("A conference about a child needs the child, and no context")
        if person.kind != PersonKind.YOUNG_PERSON:
            raise ValidationError(
                "A CS&E conference about a child is for a young person. "
                f"This record is for: {person.get_kind_display().lower()}."
            )
        if person.merged_into_id is not None:
            raise ValidationError("This record was merged into another. Use the record it joined.")
        return
    if context is None or person is not None:
        raise ValidationError("A context conference needs a place, peer group or school")
    if context.kind not in CONTEXT_CONFERENCE_KINDS:
        raise ValidationError(
            "A context conference is about a place, a peer group or a school, where partners "
            "can change the space, its guardians and the peer dynamics. Hold it for the peer "
            "group that uses this online space instead."
        )


def _same_subject(
    record: StrategyMeeting | Plan, person: Person | None, context: Context | None
) -> bool:
    if person is not None:
        return record.person_id == person.pk
    return context is not None and record.context_id == context.pk


def _check_chair_independent(
    chair: User,
    person: Person | None,
    context: Context | None,
    strategy_meeting: StrategyMeeting | None,
) -> None:
    """An independent chair, as at a child protection conference: a panel chair who is neither
    the key lead for the child or context nor the chair of the strategy discussion that led here."""
    if not chair.is_active or chair.agency_id is None or not (chair.role_set & CASE_WORK_ROLES):
        raise ValidationError({"chair": "The chair must be an active case worker in an agency"})
    if not chair.has_role(Role.PANEL_CHAIR):
        raise ValidationError(
            {"chair": f"{_name(chair)} is not a panel chair: a conference has an independent chair"}
        )
    subject: Person | Context | None = person if person is not None else context
    lead = current_key_lead(subject) if subject is not None else None
    if lead is not None and lead.lead_id == chair.pk:
        whose = "the child's" if person is not None else "the context's"
        raise ValidationError(
            {
                "chair": f"{_name(chair)} is {whose} key lead, so cannot chair independently. "
                "Choose another chair."
            }
        )
    if strategy_meeting is not None and strategy_meeting.chair_id == chair.pk:
        raise ValidationError(
            {
                "chair": f"{_name(chair)} chaired the strategy meeting, so cannot chair the "
                "conference independently. Choose another chair."
            }
        )


def _check_date(scheduled_for: dt.datetime | None, earliest: dt.date | None) -> dt.datetime:
    if scheduled_for is None:
        raise ValidationError({"scheduled_for": "Enter the date and time of the conference"})
    day = timezone.localdate(scheduled_for)
    if day.weekday() >= 5:
        raise ValidationError(
            {
                "scheduled_for": f"{day:%A} {_day(day)} is at a weekend: conferences are never "
                "held at weekends. Choose a weekday."
            }
        )
    if earliest is not None and day < earliest:
        raise ValidationError(
            {"scheduled_for": f"The conference must be on or after {_day(earliest)}"}
        )
    return scheduled_for


def _already_booked(person: Person | None, context: Context | None) -> Meeting | None:
    items = AgendaItem.objects.filter(
        meeting__kind=MeetingKind.CONFERENCE, meeting__status=MeetingStatus.SCHEDULED
    )
    items = items.filter(person=person) if person is not None else items.filter(context=context)
    item = items.select_related("meeting").first()
    return item.meeting if item else None


def _due_by(
    form: str, stage: str, strategy_meeting: StrategyMeeting | None, review_of: Plan | None
) -> dt.date | None:
    if stage == ConferenceStage.REVIEW:
        return review_of.next_review_due if review_of is not None else None
    if form in STATUTORY_FORMS and strategy_meeting is not None:
        return initial_due_by(strategy_meeting)
    return None


def initial_due_by(strategy_meeting: StrategyMeeting) -> dt.date:
    """The statutory route: the initial conference within 15 working days of the strategy
    discussion, bank holidays not counted."""
    held_on = timezone.localdate(strategy_meeting.held_at)
    return add_working_days(held_on, ICPC_WORKING_DAYS)


def _check_review_of(
    form: str, stage: str, review_of: Plan | None, person: Person | None, context: Context | None
) -> None:
    if stage == ConferenceStage.INITIAL:
        if review_of is not None:
            raise ValidationError({"stage": "An initial conference has no plan to review yet"})
        return
    if review_of is None:
        raise ValidationError({"review_of": "Choose the plan the conference reviews"})
    if not _same_subject(review_of, person, context):
        raise ValidationError({"review_of": "Choose a plan for this conference's subject"})
    if review_of.status != PlanStatus.ACTIVE:
        raise ValidationError({"review_of": "This plan has ended: there is nothing to review"})
    if review_of.kind not in PLAN_KINDS_BY_FORM[form]:
        raise ValidationError(
            {
                "review_of": f"A {ConferenceForm(form).label.lower()} cannot review a "
                f"{review_of.get_kind_display().lower()}"
            }
        )


@transaction.atomic
def conference_create(
    *,
    actor: User,
    form: str,
    stage: str,
    scheduled_for: dt.datetime | None,
    chair: User | None,
    reason: str,
    person: Person | None = None,
    context: Context | None = None,
    strategy_meeting: StrategyMeeting | None = None,
    venue: str = "",
    review_of: Plan | None = None,
) -> Meeting:
    """Book a conference about one child or one context, with an independent chair.

    A date after the due-by date is allowed (the page warns): ``is_late`` tells."""
    if not actor.has_perm("panels.add_conference"):
        raise PermissionDenied("Only panel chairs and CS leads book conferences.")
    errors: dict[str, str] = {}
    if form not in ConferenceForm.values:
        errors["form"] = "Choose the kind of conference"
    if stage not in ConferenceStage.values:
        errors["stage"] = "Choose whether this is an initial or a review conference"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the conference is being held"
    if chair is None:
        errors["chair"] = "Choose the conference's independent chair"
    if errors or chair is None:
        raise ValidationError(errors)
    _check_subject(form, person, context)
    if strategy_meeting is not None and not _same_subject(strategy_meeting, person, context):
        raise ValidationError(
            {"strategy_meeting": "The strategy meeting was about someone or somewhere else"}
        )
    _check_review_of(form, stage, review_of, person, context)
    _check_chair_independent(chair, person, context, strategy_meeting)
    earliest = timezone.localdate(strategy_meeting.held_at) if strategy_meeting else None
    scheduled_for = _check_date(scheduled_for, earliest)
    booked = _already_booked(person, context)
    if booked is not None:
        raise ValidationError(
            f"A conference about this is already booked for "
            f"{_day(timezone.localdate(booked.scheduled_for))}"
        )
    agency = services.agency_of(actor)
    meeting = Meeting.objects.create(
        kind=MeetingKind.CONFERENCE,
        form=form,
        stage=stage,
        scheduled_for=scheduled_for,
        venue=(venue or "").strip(),
        chair=chair,
        strategy_meeting=strategy_meeting,
        due_by=_due_by(form, stage, strategy_meeting, review_of),
        recording_agency=agency,
        recorded_by=actor,
    )
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        source=ItemSource.CONFERENCE,
        person=person,
        context=context,
        strategy_meeting=strategy_meeting,
        plan=review_of,
        reason=reason,
        recording_agency=agency,
        recorded_by=actor,
    )
    services.invite_user(meeting, chair, role="Independent chair")
    if actor.pk != chair.pk:
        # Whoever booked it follows it up, so they see it in their conferences.
        services.invite_user(meeting, actor, role="Booked the conference")
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=meeting,
        changes={
            "form": form,
            "stage": stage,
            "scheduled_for": scheduled_for,
            "chair": chair.pk,
            "person": item.person_id,
            "context": item.context_id,
            "strategy_meeting": strategy_meeting.pk if strategy_meeting else None,
            "review_of": review_of.pk if review_of else None,
            "due_by": meeting.due_by,
        },
    )
    if chair.pk != actor.pk:
        notify(
            recipients=[chair],
            message=f"{_name(actor)} has asked you to chair a {meeting.title} on "
            f"{timezone.localtime(scheduled_for):%d %B %Y at %H:%M}.",
            link=reverse("panels:meeting_detail", args=[meeting.pk]),
        )
    return meeting


def _check_conference(meeting: Meeting) -> None:
    if meeting.kind != MeetingKind.CONFERENCE:
        raise ValidationError("This is a panel meeting, not a conference")


def _check_open(meeting: Meeting) -> None:
    if not meeting.is_open:
        raise ValidationError(
            f"This conference is {meeting.get_status_display().lower()}: "
            "it can no longer be changed."
        )


def invite(
    *,
    actor: User,
    meeting: Meeting,
    user: User | None = None,
    agency: Agency | None = None,
    name: str = "",
    role: str = "",
    email: str = "",
) -> Participant:
    """Invite an agency's practitioner (who may then submit a report) or someone without an
    account (a parent, a shop's manager), by name."""
    _check_conference(meeting)
    return services.participant_add(
        actor=actor, meeting=meeting, user=user, agency=agency, name=name, role=role, email=email
    )


# --- before and at the conference ---------------------------------------------------------------


@transaction.atomic
def views_record(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    young_person_views: str,
    family_views: str,
) -> Meeting:
    """The young person's and the family's views, in their words, gathered before or given at
    the conference. They may name children, so only those who hear names record them."""
    _check_conference(meeting)
    if not actor.has_perm("panels.contribute_to_meeting", meeting) or not names_children_to(
        actor, meeting
    ):
        raise PermissionDenied("Only the chair and the statutory agencies record these views.")
    _check_open(meeting)
    young, family = (young_person_views or "").strip(), (family_views or "").strip()
    if not young and not family:
        raise ValidationError(
            {"young_person_views": "Enter the young person's views, the family's, or both"}
        )
    before = {"young": bool(meeting.young_person_views), "family": bool(meeting.family_views)}
    meeting.young_person_views, meeting.family_views = young, family
    save_versioned(
        meeting,
        expected_version=expected_version,
        fields=["young_person_views", "family_views"],
    )
    # The audit trail records that views changed, not the words: they are the family's own.
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=meeting,
        changes={"views": {"before": before, "young": bool(young), "family": bool(family)}},
    )
    return meeting


# --- the decision -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    item: AgendaItem
    plan: Plan | None
    review: Review | None


def _check_decidable(actor: User, meeting: Meeting) -> None:
    _check_conference(meeting)
    if not actor.has_perm("panels.chair_meeting", meeting):
        raise PermissionDenied("Only the conference's chair records its decision.")
    if meeting.status == MeetingStatus.HELD:
        return
    if meeting.status == MeetingStatus.SCHEDULED and meeting.scheduled_for <= timezone.now():
        return
    if meeting.status == MeetingStatus.SCHEDULED:
        raise ValidationError("Record the decision at the conference or after it is held")
    _check_open(meeting)


def _check_review_on(meeting: Meeting, review_on: dt.date | None, errors: dict[str, str]) -> None:
    day, latest = conference_day(meeting), review_latest(meeting)
    which = "first review" if meeting.stage == ConferenceStage.INITIAL else "next review"
    if review_on is None:
        errors["review_on"] = f"Enter the date of the {which}"
    elif review_on <= day:
        errors["review_on"] = f"The {which} must be after the conference"
    elif review_on > latest:
        months = review_limit_months(meeting)
        errors["review_on"] = (
            f"The {which} must be within {months} months of the conference: "
            f"by {_day(latest)} at the latest"
        )


def _allocate_key_lead(
    actor: User, meeting: Meeting, item: AgendaItem, lead: User, on: dt.date
) -> None:
    subject: Person | Context = item.person if item.person is not None else item.context  # type: ignore[assignment]
    current = current_key_lead(subject)
    if current is not None and current.lead_id == lead.pk:
        return
    with _renamed({"lead": "key_lead", "started_on": "key_lead"}):
        key_lead_allocate(
            actor=actor,
            lead=lead,
            started_on=max(on, current.started_on) if current else on,
            reason=f"Agreed at the {meeting.title} on {_day(conference_day(meeting))}",
            expected_current_id=current.pk if current else None,
            person=item.person,
            context=item.context,
        )


@transaction.atomic
def decision_record(
    *,
    actor: User,
    meeting: Meeting,
    expected_version: int,
    plan_kind: str,
    key_lead: User | None,
    review_on: dt.date | None,
    decision: str,
    cp_category: str = "",
    efh_harm_types: Iterable[str] = (),
    progress: str = "",
    situation: str = "",
    review_decision: str = ReviewDecision.CONTINUE,
) -> Decision:
    """The conference's decision: the plan it agreed (or, at a review, what it found), the key
    lead and the date of the next review.

    An initial conference creates the plan; a review conference records a review of the plan it
    was booked for. The review date is within 3 months of an initial conference and 6 months of
    a review one."""
    _check_decidable(actor, meeting)
    item = subject_item(meeting)
    day = conference_day(meeting)
    reviewing = meeting.stage == ConferenceStage.REVIEW
    errors: dict[str, str] = {}
    decision = (decision or "").strip()
    if not decision:
        errors["decision"] = "Enter what the conference decided"
    if reviewing:
        plan_kind = item.plan.kind if item.plan is not None else ""
        if review_decision not in ReviewDecision.values:
            errors["review_decision"] = "Choose the review's decision"
        if not (progress or "").strip():
            errors["progress"] = "Describe the progress since the plan started or was last reviewed"
        if not (situation or "").strip():
            errors["situation"] = (
                "Describe the place's or group's situation now"
                if item.context_id
                else "Describe the child's situation now"
            )
    elif plan_kind not in PLAN_KINDS_BY_FORM[meeting.form]:
        errors["plan_kind"] = "Choose a plan this kind of conference can agree"
    continuing = plan_kind != NO_PLAN and (
        not reviewing or review_decision == ReviewDecision.CONTINUE
    )
    if continuing:
        _check_review_on(meeting, review_on, errors)
        if key_lead is None:
            errors["key_lead"] = "Choose the key lead for the plan"
        elif key_lead.pk == meeting.chair_id:
            errors["key_lead"] = (
                "The chair stays independent of the plan: choose someone else as key lead"
            )
    if errors:
        raise ValidationError(errors)
    # Bumping the conference's version first means a second chair's decision, made from the same
    # page, stops here rather than creating a second plan.
    save_versioned(meeting, expected_version=expected_version, fields=[])
    plan, review = _decide_plan(
        actor,
        meeting,
        item,
        plan_kind=plan_kind,
        review_on=review_on if continuing else None,
        cp_category=cp_category,
        efh_harm_types=list(efh_harm_types),
        progress=progress,
        situation=situation,
        review_decision=review_decision,
    )
    if continuing and key_lead is not None:
        _allocate_key_lead(actor, meeting, item, key_lead, day)
    item.plan, item.decision, item.discussed = plan, decision, True
    save_versioned(item, expected_version=item.version, fields=["plan", "decision", "discussed"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=item,
        changes={
            "decision": decision,
            "plan_kind": plan_kind,
            "plan": plan.pk if plan else None,
            "review": review.pk if review else None,
            "key_lead": key_lead.pk if key_lead and continuing else None,
            "review_on": review_on if continuing else None,
        },
    )
    return Decision(item=item, plan=plan, review=review)


def _decide_plan(
    actor: User,
    meeting: Meeting,
    item: AgendaItem,
    *,
    plan_kind: str,
    review_on: dt.date | None,
    cp_category: str,
    efh_harm_types: list[str],
    progress: str,
    situation: str,
    review_decision: str,
) -> tuple[Plan | None, Review | None]:
    day = conference_day(meeting)
    if meeting.stage == ConferenceStage.REVIEW:
        if item.plan is None:
            raise ValidationError("This review conference has no plan to review")
        with _renamed({"next_review_due": "review_on", "decision": "review_decision"}):
            review = review_add(
                actor=actor,
                plan=item.plan,
                held_on=day,
                reviewed_by=f"{meeting.title} chaired by {_name(meeting.chair)}",
                progress=progress,
                situation=situation,
                decision=review_decision,
                next_review_due=review_on,
            )
        return Plan.objects.get(pk=item.plan.pk), review
    if plan_kind == NO_PLAN:
        return None, None
    with _renamed({"next_review_due": "review_on", "kind": "plan_kind"}):
        plan = plan_create(
            actor=actor,
            kind=plan_kind,
            started_on=day,
            person=item.person,
            context=item.context,
            cp_category=cp_category,
            efh_harm_types=efh_harm_types,
            next_review_due=review_on,
            agreed_at_description=f"{meeting.title}, {_day(day)}",
        )
    return plan, None


# --- reading, as one viewer may see it -----------------------------------------------------------


@dataclass(frozen=True)
class ConferenceRow:
    meeting: Meeting
    label: str
    late: bool
    overdue: bool


def conferences_for_viewer(viewer: User, today: dt.date | None = None) -> list[ConferenceRow]:
    """Conferences the viewer chairs, or is invited to while they are open; open ones first,
    soonest first. Children are named only where the viewer may hear their names."""
    today = today or timezone.localdate()
    open_first = Case(
        When(status__in=OPEN_MEETING_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    meetings = (
        meetings_for_viewer(viewer)
        .filter(kind=MeetingKind.CONFERENCE)
        .prefetch_related(
            Prefetch("items", queryset=AgendaItem.objects.select_related("person", "context"))
        )
        .annotate(open_first=open_first)
        .order_by("open_first", "scheduled_for", "pk")
    )
    rows = []
    for meeting in meetings:
        items = list(meeting.items.all())
        rows.append(
            ConferenceRow(
                meeting=meeting,
                label=item_label(viewer, items[0]) if items else "",
                late=is_late(meeting),
                overdue=meeting.status == MeetingStatus.SCHEDULED
                and meeting.due_by is not None
                and meeting.due_by < today,
            )
        )
    return rows
