"""Reads of strategy meetings and MARVE referrals, scoped to the viewer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from access.guard import authorize
from access.predicates import can_view_record_about, does_case_work
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextLink
from frontdoor.models import Contact
from meetings.conclusion import summary_due
from meetings.models import (
    MarveReferral,
    MeetingAction,
    StrategyMeeting,
)
from missing.models import MissingEpisode, PromptStatus, ThresholdPrompt
from people.models import Person
from people.selectors import visible_people

PANEL_ROWS = 5
PANEL_ACTIONS = 10
MISSING_WINDOW_DAYS = 90


def link_to(name: str, *args: Any, query: str = "") -> str:
    """A URL in another app, or "" while that app does not serve it yet."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


# --- scoping ----------------------------------------------------------------------------------


def visible_about_q(viewer: Any) -> Q:
    """The same rule as ``access.predicates.can_view_record_about``, as a filter: the writing
    agency, anyone who may open the person, and every case worker for a context."""
    if not does_case_work.test(viewer) or viewer.agency_id is None:
        return Q(pk__in=[])
    return (
        Q(recording_agency_id=viewer.agency_id)
        | Q(context__isnull=False)
        | Q(person__in=visible_people(viewer))
    )


def visible_meetings(viewer: Any) -> QuerySet[StrategyMeeting]:
    return StrategyMeeting.objects.filter(visible_about_q(viewer))


def visible_referrals(viewer: Any) -> QuerySet[MarveReferral]:
    return MarveReferral.objects.filter(visible_about_q(viewer))


def get_subject_for_viewer(
    *, viewer: Any, person_id: str, context_id: str, permission: str
) -> Person | Context:
    """The child (or other person) or the context named in the query string, if the viewer
    holds ``permission`` on it; otherwise 404."""
    subject: Person | Context | None = None
    if person_id.isdigit():
        subject = (
            Person.objects.select_related("holding_agency")
            .filter(pk=int(person_id), merged_into__isnull=True)
            .first()
        )
    elif context_id.isdigit():
        subject = Context.objects.filter(pk=int(context_id)).first()
    if subject is None:
        raise Http404
    return authorize(viewer, permission, subject)


def get_contact_for_subject(
    *, viewer: Any, contact_id: str, subject: Person | Context
) -> Contact | None:
    """The contact a meeting follows from: about the same subject and visible to the viewer."""
    if not contact_id.isdigit():
        return None
    about: dict[str, Any] = (
        {"person": subject} if isinstance(subject, Person) else {"context": subject}
    )
    contact = Contact.objects.filter(pk=int(contact_id), **about).first()
    if contact is None or not can_view_record_about.test(viewer, contact):
        raise Http404
    return contact


def get_meeting_for_viewer(
    *, viewer: Any, pk: int, permission: str = "meetings.view_meeting"
) -> StrategyMeeting:
    meeting = (
        StrategyMeeting.objects.select_related(
            "person__holding_agency", "context", "chair", "recording_agency", "recorded_by"
        )
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    return authorize(viewer, permission, meeting)


def get_referral_for_viewer(
    *, viewer: Any, pk: int, permission: str = "meetings.view_marve"
) -> MarveReferral:
    referral = (
        MarveReferral.objects.select_related(
            "person__holding_agency",
            "context",
            "recording_agency",
            "recorded_by",
            "strategy_meeting",
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404
    return authorize(viewer, permission, referral)


def prompt_to_settle(
    *, viewer: Any, prompt_id: str, subject: Person | Context
) -> ThresholdPrompt | None:
    """The open threshold prompt about this child, named by the prompt page the viewer came
    from, if the viewer may decide it; otherwise None, and the meeting or referral is made all
    the same. Arranging the meeting (or referring) then records the decision on the prompt."""
    if not prompt_id.isdigit() or not isinstance(subject, Person):
        return None
    prompt = (
        ThresholdPrompt.objects.select_related("person")
        .filter(pk=int(prompt_id), person=subject, status=PromptStatus.OPEN)
        .first()
    )
    if prompt is None or not viewer.has_perm("missing.decide_prompt", prompt):
        return None
    audit_record(actor=viewer, action=AccessAction.VIEW, obj=prompt)
    return prompt


# --- the meeting page -------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingSummary:
    """What the missing-episodes app knows about the child, for the threshold checklist."""

    episodes_in_window: int
    window_days: int
    open_prompts: list[ThresholdPrompt]
    prompts_link: str
    new_episode_link: str


def missing_summary(*, person: Person) -> MissingSummary:
    since = timezone.now() - dt.timedelta(days=MISSING_WINDOW_DAYS)
    count = MissingEpisode.objects.filter(person=person, went_missing_at__gte=since).count()
    prompts = list(
        ThresholdPrompt.objects.filter(person=person, status=PromptStatus.OPEN)
        .select_related("episode")
        .order_by("-raised_at")[:PANEL_ACTIONS]
    )
    return MissingSummary(
        episodes_in_window=count,
        window_days=MISSING_WINDOW_DAYS,
        open_prompts=prompts,
        prompts_link=link_to("missing:prompts"),
        new_episode_link=link_to("missing:episode_create", query=f"person={person.pk}"),
    )


def summary_due_on(meeting: StrategyMeeting) -> dt.date:
    return summary_due(meeting)


@dataclass
class MeetingRecord:
    """Everything the meeting page and the printed record show, read in a fixed few queries."""

    meeting: StrategyMeeting
    attendees: list[Any]
    information: list[Any]
    decisions: list[Any]
    actions: list[MeetingAction]
    referral: MarveReferral | None
    contact: Contact | None
    missing: MissingSummary | None
    child_contexts: list[Context] = field(default_factory=list)


def meeting_record(*, meeting: StrategyMeeting) -> MeetingRecord:
    referral = MarveReferral.objects.filter(strategy_meeting=meeting).first()
    contact = Contact.objects.filter(pk=meeting.contact_id).first() if meeting.contact_id else None
    child_contexts: list[Context] = []
    if meeting.person_id:
        ids = ContextLink.objects.filter(person_id=meeting.person_id).values("context_id")
        child_contexts = list(Context.objects.filter(pk__in=ids).order_by("name")[:20])
    return MeetingRecord(
        meeting=meeting,
        attendees=list(meeting.attendees.select_related("agency")),
        information=list(meeting.information.select_related("agency")),
        decisions=sorted(meeting.decisions.all(), key=lambda d: d.pk),
        actions=list(meeting.actions.select_related("owner_agency")),
        referral=referral,
        contact=contact,
        missing=missing_summary(person=meeting.person) if meeting.person else None,
        child_contexts=child_contexts,
    )


# --- MARVE referrals --------------------------------------------------------------------------


def marve_list(
    *, viewer: Any, status: str = "", referral_type: str = ""
) -> QuerySet[MarveReferral]:
    """Every referral made to the panel (the panel's own list), newest first. Others who may
    open the list (team managers) see only the referrals about records their agency may see."""
    referrals = MarveReferral.objects.select_related(
        "person__holding_agency", "context", "recording_agency", "recorded_by"
    )
    if not viewer.has_perm("meetings.decide_marve"):
        referrals = referrals.filter(visible_about_q(viewer))
    if status:
        referrals = referrals.filter(status=status)
    if referral_type:
        referrals = referrals.filter(referral_type=referral_type)
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="meetings.marvereferral",
        reason=f"Listed MARVE referrals status={status or 'any'} type={referral_type or 'any'}",
    )
    return referrals.order_by("-referred_at", "-pk")


@dataclass(frozen=True)
class MarveRow:
    referral: MarveReferral
    subject_label: str
    subject_link: str
    can_open: bool


def marve_rows(*, viewer: Any, referrals: list[MarveReferral]) -> list[MarveRow]:
    """Name the child only where the viewer may open the child's record (one query)."""
    ids = {r.person_id for r in referrals if r.person_id}
    shown = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    panel = viewer.has_perm("meetings.decide_marve")
    rows = []
    for r in referrals:
        if r.context is not None:
            label, link = r.context.name, reverse("contexts:profile", args=[r.context_id])
        elif r.person_id in shown and r.person is not None:
            label, link = r.person.display_name, reverse("people:profile", args=[r.person_id])
        else:
            holder = r.person.holding_agency.name if r.person else ""
            label, link = f"A person whose record is held by {holder}", ""
        own = r.recording_agency_id == viewer.agency_id
        can_open = panel or own or r.context_id is not None or r.person_id in shown
        rows.append(MarveRow(r, label, link, can_open))
    return rows


def subject_label_for(*, viewer: Any, record: MarveReferral | StrategyMeeting) -> tuple[str, str]:
    """The subject's name and page, or who holds the record if the viewer may not open it."""
    if record.context is not None:
        return record.context.name, reverse("contexts:profile", args=[record.context_id])
    person = record.person
    if person is None:
        return "", ""
    if visible_people(viewer).filter(pk=person.pk).exists():
        return person.display_name, reverse("people:profile", args=[person.pk])
    return f"A person whose record is held by {person.holding_agency.name}", ""


def describe_subject(subject: Person | Context) -> tuple[str, str]:
    """Name and page of a subject the viewer has just been authorised to act on."""
    if isinstance(subject, Person):
        return subject.display_name, reverse("people:profile", args=[subject.pk])
    return subject.name, reverse("contexts:profile", args=[subject.pk])


# --- panels for the person and context pages --------------------------------------------------


@dataclass(frozen=True)
class SubjectPanel:
    meetings: list[StrategyMeeting]
    open_actions: list[MeetingAction]
    referrals: list[MarveReferral]
    can_hold: bool
    can_refer: bool
    can_see_marve_list: bool


def _panel(viewer: Any, subject: Person | Context, about: dict[str, Any]) -> SubjectPanel:
    meetings = list(
        visible_meetings(viewer)
        .filter(**about)
        .select_related("chair")
        .order_by("-held_at")[:PANEL_ROWS]
    )
    actions = list(
        MeetingAction.objects.filter(
            completed_on__isnull=True,
            meeting__in=visible_meetings(viewer).filter(**about),
        )
        .select_related("owner_agency", "meeting")
        .order_by("due_on", "pk")[:PANEL_ACTIONS]
    )
    referrals = list(
        visible_referrals(viewer).filter(**about).order_by("-referred_at")[:PANEL_ROWS]
    )
    return SubjectPanel(
        meetings=meetings,
        open_actions=actions,
        referrals=referrals,
        can_hold=viewer.has_perm("meetings.hold_meeting", subject),
        can_refer=viewer.has_perm("meetings.refer_to_marve", subject),
        can_see_marve_list=viewer.has_perm("meetings.view_marve_list"),
    )


def person_panel(*, viewer: Any, person: Person) -> SubjectPanel:
    return _panel(viewer, person, {"person": person})


def context_panel(*, viewer: Any, context: Context) -> SubjectPanel:
    return _panel(viewer, context, {"context": context})


# --- what happens next ------------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    decision: Any
    links: list[tuple[str, str]]
    note: str = ""


def next_steps(*, record: MeetingRecord, viewer: Any = None) -> list[NextStep]:
    """Where each decision leads, through the other apps' contracted URLs."""
    meeting = record.meeting
    contact = f"&contact={meeting.contact_id}" if meeting.contact_id else ""
    steps = []
    for decision in record.decisions:
        links: list[tuple[str, str]] = []
        note = ""
        if decision.kind == "section_47" and meeting.person_id:
            url = link_to("assessments:single_create", query=f"person={meeting.person_id}{contact}")
            links.append(("Start the single assessment for the section 47 enquiry", url))
        elif decision.kind == "marve_referral" and record.referral is not None:
            url = reverse("meetings:marve_detail", args=[record.referral.pk])
            links.append(("See the MARVE referral", url))
        elif decision.kind == "context_assessment":
            targets = [meeting.context] if meeting.context else record.child_contexts
            for ctx in targets:
                if ctx is None:
                    continue
                url = link_to("assessments:context_create", query=f"context={ctx.pk}{contact}")
                links.append((f"Start a context assessment of {ctx.name}", url))
            if not targets:
                note = "Link the child to the place or group first, from the child's record."
        elif decision.kind == "cse_conference":
            note = "The initial conference is due within 15 working days of this meeting."
            if viewer is not None and viewer.has_perm("panels.add_conference"):
                url = link_to("panels:conference_create", query=f"strategy_meeting={meeting.pk}")
                links.append(("Book the CS&E conference", url))
            else:
                note += " A panel chair or the Contextual Safeguarding lead books it."
        elif decision.kind == "nfa":
            note = "Tell the referrer and the family of the outcome, as agreed at the meeting."
        steps.append(NextStep(decision, [(label, url) for label, url in links if url], note))
    return steps
