"""Panels (MARVE, MACE, others) and their meetings. Views stay thin: the rules are in
``panels.rules``, the writes in ``panels.services``, the reads in ``panels.selectors``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from access.policy import requires
from accounts.models import STATUTORY_AGENCY_KINDS
from assessments.models import ContextAssessment
from assessments.selectors import get_context_assessment_for_viewer
from audit.services import audit_list_read
from contexts.models import Context
from contexts.selectors import context_list, get_context_for_viewer
from contextsafe.forms import GovukForm
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from contextsafe.lib.working_days import add_working_days
from meetings.models import MarveReferral, StrategyMeeting
from meetings.selectors import get_meeting_for_viewer as get_strategy_meeting_for_viewer
from meetings.selectors import get_referral_for_viewer, marve_rows, subject_label_for
from panels import selectors, services
from panels.forms_meetings import (
    ActionCompleteForm,
    ActionForm,
    AttendanceForm,
    CancelForm,
    CloseForm,
    ConcernForm,
    ContributionForm,
    DecisionForm,
    HoldForm,
    ItemForm,
    MemberForm,
    MemberLeaveForm,
    MinutesForm,
    PanelForm,
    ParticipantForm,
    ScheduleForm,
)
from panels.models import (
    SUMMARY_WORKING_DAYS,
    AgendaItem,
    Contribution,
    ItemSource,
    Meeting,
    MeetingStatus,
    Panel,
    PanelAction,
    PanelActionStatus,
    PanelMember,
)
from panels.rules import names_children_to
from panels.trends import default_period, mace_figures
from people.models import Person
from people.selectors import get_person_for_viewer, person_search

PICK_LIMIT = 20
DEFAULT_TIME = "10:00"


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("panels:meeting_detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def _pack_routes() -> bool:
    """The pack and minutes PDFs come from another part of the app; link them once they exist."""
    try:
        reverse("panels:meeting_pack", args=[1])
        reverse("panels:meeting_minutes", args=[1])
    except NoReverseMatch:
        return False
    return True


def _chaired_meeting(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    return selectors.get_meeting_for_viewer(
        viewer=request.user, pk=pk, permission="panels.chair_meeting"
    )


def _chaired_item(request: AuthenticatedHttpRequest, pk: int) -> AgendaItem:
    item = selectors.get_item_for_viewer(viewer=request.user, pk=pk)
    _chaired_meeting(request, item.meeting_id)
    return item


def _closed_note(request: AuthenticatedHttpRequest, meeting: Meeting) -> HttpResponse | None:
    """Changes to a closed or cancelled meeting go back to its page, saying why."""
    if meeting.is_open:
        return None
    messages.info(
        request,
        f"This meeting is {meeting.get_status_display().lower()}: it can no longer be changed.",
    )
    return redirect(_meeting_url(meeting))


def _form_page(
    request: AuthenticatedHttpRequest,
    form: GovukForm,
    *,
    heading: str,
    caption: str,
    back: str,
    button: str,
    intro: str = "",
    conflict: list[tuple[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "heading": heading,
        "caption": caption,
        "back": back,
        "button": button,
        "intro": intro,
        "conflict": conflict,
    } | (extra or {})
    return render(request, "panels/meetings/form_page.html", context)


def _meeting_caption(meeting: Meeting) -> str:
    return f"{meeting.title}, {timezone.localtime(meeting.scheduled_for):%-d %B %Y}"


# --- panels -------------------------------------------------------------------------------------


@requires("panels.view_panels")
def panel_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_list_read(
        actor=request.user,
        object_type="panels.meeting",
        reason="Listed my panels, my meetings and the MARVE referrals waiting",
    )
    meetings = list(selectors.meetings_for_viewer(request.user).order_by("scheduled_for"))
    referrals = []
    if request.user.has_perm("panels.add_panel"):
        waiting = list(selectors.referrals_waiting(request.user)[:50])
        referrals = marve_rows(viewer=request.user, referrals=waiting)
    context = {
        "panels": list(selectors.panels_for_viewer(request.user)),
        "open_meetings": [m for m in meetings if m.is_open],
        "past_meetings": [m for m in meetings if not m.is_open][::-1],
        "referrals": referrals,
        "can_add_panel": request.user.has_perm("panels.add_panel"),
        "today": timezone.localdate(),
    }
    return render(request, "panels/meetings/panel_list.html", context)


@requires("panels.add_panel")
def panel_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PanelForm(request.POST or None, initial={"chair": request.user.pk})
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.panel_create(
                actor=request.user,
                name=d["name"],
                kind=d["kind"],
                frequency=d["frequency"],
                chair=d["chair"],
                purpose=d["purpose"],
            ),
        )
        if outcome.saved:
            messages.success(request, "The panel is set up. Add its members.")
            return redirect("panels:panel_detail", pk=outcome.result.pk)
    return _form_page(
        request,
        form,
        heading="Set up a panel",
        caption="Panels",
        back=reverse("panels:panel_list"),
        button="Set up the panel",
    )


@dataclass(frozen=True)
class AgencyMembers:
    agency: str
    members: list[PanelMember]


def _members_by_agency(panel: Panel) -> list[AgencyMembers]:
    current = panel.members.filter(left_on__isnull=True).select_related("user__agency")
    groups: dict[str, list[PanelMember]] = {}
    for member in current:
        groups.setdefault(str(member.user.agency or "No agency"), []).append(member)
    return [AgencyMembers(name, members) for name, members in sorted(groups.items())]


@requires("panels.view_panels")
def panel_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    panel = selectors.get_panel_for_viewer(viewer=request.user, pk=pk)
    meetings = list(panel.meetings.select_related("chair").order_by("scheduled_for"))
    now = timezone.now()
    upcoming = [m for m in meetings if m.status == MeetingStatus.SCHEDULED]
    context = {
        "panel": panel,
        "agencies": _members_by_agency(panel),
        "next_date": services.next_meeting_date(panel, timezone.localdate()),
        "upcoming": upcoming,
        "past": [m for m in reversed(meetings) if m not in upcoming],
        "can_change": request.user.has_perm("panels.change_panel", panel),
        "now": now,
    }
    return render(request, "panels/meetings/panel_detail.html", context)


@requires("panels.view_panels")
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    panel = selectors.get_panel_for_viewer(
        viewer=request.user, pk=pk, permission="panels.change_panel"
    )
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.panel_member_add(
                actor=request.user, panel=panel, user=d["user"], role=d["role"]
            ),
        )
        if outcome.saved:
            name = outcome.result.user.get_full_name()
            messages.success(request, f"{name} is a member, invited to the meetings to come.")
            return redirect("panels:panel_detail", pk=panel.pk)
    return _form_page(
        request,
        form,
        heading="Add a member",
        caption=panel.name,
        back=reverse("panels:panel_detail", args=[panel.pk]),
        button="Add the member",
        intro="Members are invited to every meeting of the panel that is still to come.",
    )


@requires("panels.view_panels")
def member_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(PanelMember.objects.select_related("user"), pk=pk)
    panel = selectors.get_panel_for_viewer(
        viewer=request.user, pk=member.panel_id, permission="panels.change_panel"
    )
    form = MemberLeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.panel_member_remove(
                actor=request.user, member=member, left_on=d["left_on"]
            ),
        )
        if outcome.saved:
            messages.success(request, f"{member.user.get_full_name()} has left the panel.")
            return redirect("panels:panel_detail", pk=panel.pk)
    return _form_page(
        request,
        form,
        heading=f"{member.user.get_full_name()} leaves the panel",
        caption=panel.name,
        back=reverse("panels:panel_detail", args=[panel.pk]),
        button="Confirm they have left",
        intro="They stay on the meetings they were invited to; they are not invited to new ones.",
    )


@requires("panels.view_panels")
def meeting_schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    panel = selectors.get_panel_for_viewer(
        viewer=request.user, pk=pk, permission="panels.change_panel"
    )
    initial = {
        "meets_on": services.next_meeting_date(panel, timezone.localdate()),
        "meets_time": DEFAULT_TIME,
        "chair": panel.chair_id,
    }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.meeting_schedule(
                actor=request.user,
                panel=panel,
                scheduled_for=form.scheduled_for(),
                venue=d["venue"],
                chair=d["chair"],
            ),
        )
        if outcome.saved:
            messages.success(request, "The meeting is scheduled and the members are invited.")
            return redirect(_meeting_url(outcome.result))
    return _form_page(
        request,
        form,
        heading="Schedule a meeting",
        caption=panel.name,
        back=reverse("panels:panel_detail", args=[panel.pk]),
        button="Schedule the meeting",
        intro="The date shown follows the panel's schedule. Every current member is invited.",
    )


# --- the meeting page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemBlock:
    item: AgendaItem
    label: str
    subject_url: str
    contributions: list[Contribution]
    actions: list[PanelAction]
    plan_url: str = ""


def _blocks(viewer: Any, items: list[AgendaItem], actions: list[PanelAction]) -> list[ItemBlock]:
    by_item: dict[int, list[PanelAction]] = {}
    for action in actions:
        if action.item_id is not None:
            by_item.setdefault(action.item_id, []).append(action)
    return [
        ItemBlock(
            item=item,
            label=selectors.item_label(viewer, item),
            subject_url=selectors.item_subject_url(viewer, item)
            if names_children_to(viewer, item.meeting)
            else "",
            contributions=selectors.contributions_for_viewer(viewer, item),
            actions=by_item.get(item.pk, []),
            plan_url=reverse("plans:plan_detail", args=[item.plan_id])
            if item.plan is not None and viewer.has_perm("plans.view_plan", item.plan)
            else "",
        )
        for item in items
    ]


def _summary_status(meeting: Meeting) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "summary_late": meeting.summary_overdue(today)
        or (
            meeting.summary_sent_on is not None
            and meeting.summary_due_by is not None
            and meeting.summary_sent_on > meeting.summary_due_by
        ),
        "today": today,
    }


@requires("panels.view_panels")
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_viewer(viewer=request.user, pk=pk)
    viewer = request.user
    items = selectors.items_for_viewer(viewer, meeting)
    actions = selectors.actions_for_viewer(viewer, meeting)
    can_chair = bool(viewer.has_perm("panels.chair_meeting", meeting))
    context: dict[str, Any] = {
        "meeting": meeting,
        "items": items,
        "entries": _blocks(viewer, items, actions),
        "meeting_actions": [a for a in actions if a.item_id is None],
        "participants": list(meeting.participants.select_related("agency", "user")),
        "can_chair": can_chair,
        "can_change": can_chair and meeting.is_open,
        "can_contribute": bool(viewer.has_perm("panels.contribute_to_meeting", meeting)),
        "pack_routes": _pack_routes(),
        "figures": None,
    } | _summary_status(meeting)
    if meeting.is_strategic:
        start, end = default_period(timezone.localdate(meeting.scheduled_for))
        context["figures"] = mace_figures(start, end)
    return render(request, "panels/meetings/meeting_detail.html", context)


@requires("panels.view_panels")
def participant_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _chaired_meeting(request, pk)
    if (closed := _closed_note(request, meeting)) is not None:
        return closed
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.participant_add(
                actor=request.user,
                meeting=meeting,
                user=d["user"],
                agency=d["agency"],
                name=d["name"],
                role=d["role"],
                email=d["email"],
            ),
        )
        if outcome.saved:
            messages.success(request, f"{outcome.result.name} is invited.")
            return redirect(_meeting_url(meeting, "participants"))
    return _form_page(
        request,
        form,
        heading="Invite someone",
        caption=_meeting_caption(meeting),
        back=_meeting_url(meeting),
        button="Invite them",
        intro="Invite someone with an account from any agency, or record a person without "
        "an account by name.",
    )


@requires("panels.view_panels")
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _chaired_meeting(request, pk)
    if (closed := _closed_note(request, meeting)) is not None:
        return closed
    participants = list(meeting.participants.select_related("agency"))
    form = AttendanceForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.attendance_record(
                actor=request.user, meeting=meeting, statuses=form.statuses()
            ),
        )
        if outcome.saved:
            messages.success(request, "Attendance is recorded.")
            return redirect(_meeting_url(meeting, "participants"))
    return _form_page(
        request,
        form,
        heading="Who attended",
        caption=_meeting_caption(meeting),
        back=_meeting_url(meeting),
        button="Save attendance",
    )


# --- the agenda ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chosen:
    person: Person | None = None
    context: Context | None = None
    referral: MarveReferral | None = None
    strategy_meeting: StrategyMeeting | None = None
    context_assessment: ContextAssessment | None = None
    label: str = ""
    query: str = ""

    @property
    def source(self) -> str:
        if self.strategy_meeting is not None:
            return ItemSource.STRATEGY_MEETING
        if self.context_assessment is not None:
            return ItemSource.CONTEXT_ASSESSMENT
        return ItemSource.CHAIR

    @property
    def links(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in (
                ("strategy_meeting", self.strategy_meeting),
                ("context_assessment", self.context_assessment),
            )
            if value is not None
        }

    @property
    def suggested_reason(self) -> str:
        if self.referral is not None:
            return self.referral.reason
        if self.strategy_meeting is not None:
            return self.strategy_meeting.summary or self.strategy_meeting.reason
        if self.context_assessment is not None:
            return self.context_assessment.decision_reasons
        return ""


def _chosen(request: AuthenticatedHttpRequest) -> Chosen | None:
    """The referral, child or context picked for the agenda, checked against the viewer."""
    get = request.GET
    viewer = request.user
    if get.get("referral", "").isdigit():
        pk = int(get["referral"])
        if not selectors.referrals_waiting(viewer).filter(pk=pk).exists():
            raise Http404
        referral = get_referral_for_viewer(viewer=viewer, pk=pk)
        row = marve_rows(viewer=viewer, referrals=[referral])[0]
        return Chosen(referral=referral, label=row.subject_label, query=f"referral={pk}")
    if get.get("strategy_meeting", "").isdigit():
        strategy = get_strategy_meeting_for_viewer(viewer=viewer, pk=int(get["strategy_meeting"]))
        label, _ = subject_label_for(viewer=viewer, record=strategy)
        return Chosen(
            person=strategy.person,
            context=strategy.context,
            strategy_meeting=strategy,
            label=label,
            query=f"strategy_meeting={strategy.pk}",
        )
    if get.get("context_assessment", "").isdigit():
        assessment = get_context_assessment_for_viewer(
            viewer=viewer, pk=int(get["context_assessment"])
        )
        return Chosen(
            context=assessment.context,
            context_assessment=assessment,
            label=assessment.context.name,
            query=f"context_assessment={assessment.pk}",
        )
    if get.get("person", "").isdigit():
        person = get_person_for_viewer(viewer=viewer, pk=int(get["person"]))
        return Chosen(person=person, label=person.display_name, query=f"person={person.pk}")
    if get.get("context", "").isdigit():
        context = get_context_for_viewer(viewer=viewer, pk=int(get["context"]))
        return Chosen(context=context, label=context.name, query=f"context={context.pk}")
    return None


def _item_search(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The three ways onto the agenda: a MARVE referral waiting, a child, a place or group."""
    viewer = request.user
    name = request.GET.get("name", "").strip()[:100]
    place = request.GET.get("place", "").strip()[:100]
    waiting = list(selectors.referrals_waiting(viewer)[:50])
    hits = None
    if name:
        hits = [h for h in person_search(viewer=viewer, name=name, limit=PICK_LIMIT) if h.visible]
    return {
        "referrals": marve_rows(viewer=viewer, referrals=waiting),
        "name": name,
        "place": place,
        "hits": hits,
        "places": list(context_list(viewer=viewer, query=place)[:PICK_LIMIT]) if place else None,
        "strategy_meetings": selectors.strategy_meetings_to_hear(viewer),
        "context_assessments": selectors.context_assessments_to_hear(viewer),
    }


@requires("panels.view_panels")
def item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _chaired_meeting(request, pk)
    if (closed := _closed_note(request, meeting)) is not None:
        return closed
    chosen = _chosen(request)
    if chosen is None:
        audit_list_read(
            actor=request.user,
            object_type="meetings.marvereferral",
            reason=f"Listed the MARVE referrals waiting, to build the agenda of {meeting}",
        )
        context = {"meeting": meeting, "caption": _meeting_caption(meeting)}
        return render(request, "panels/meetings/item_choose.html", context | _item_search(request))
    initial = {"reason": chosen.suggested_reason}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.item_add(
                actor=request.user,
                meeting=meeting,
                reason=d["reason"],
                person=chosen.person,
                context=chosen.context,
                marve_referral=chosen.referral,
                source=chosen.source,
                **chosen.links,
            ),
        )
        if outcome.saved:
            messages.success(request, f"{chosen.label} is on the agenda.")
            return redirect(_meeting_url(meeting, f"item-{outcome.result.pk}"))
    elsewhere = None
    if chosen.referral is None:
        elsewhere = services.item_already_scheduled(chosen.person, chosen.context)
    return _form_page(
        request,
        form,
        heading=f"Add {chosen.label} to the agenda",
        caption=_meeting_caption(meeting),
        back=reverse("panels:item_add", args=[meeting.pk]),
        button="Add to the agenda",
        intro="From a MARVE referral: the referral is accepted for this meeting."
        if chosen.referral
        else "",
        extra={
            "elsewhere": elsewhere if elsewhere and elsewhere.pk != meeting.pk else None,
            "action_query": chosen.query,
        },
    )


@requires("panels.view_panels")
def item_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_item_for_viewer(viewer=request.user, pk=pk)
    meeting = item.meeting
    viewer = request.user
    sees_meeting = bool(viewer.has_perm("panels.view_meeting", meeting))
    actions = [a for a in selectors.actions_for_viewer(viewer, meeting) if a.item_id == item.pk]
    context = {
        "meeting": meeting,
        "entry": _blocks(viewer, [item], actions)[0],
        "sees_meeting": sees_meeting,
        "can_change": meeting.is_open and viewer.has_perm("panels.chair_meeting", meeting),
        "can_contribute": bool(viewer.has_perm("panels.contribute_to_meeting", meeting)),
        "today": timezone.localdate(),
    }
    return render(request, "panels/meetings/item_detail.html", context)


@requires("panels.view_panels")
def contribution_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.get_item_for_viewer(viewer=request.user, pk=pk)
    meeting = selectors.get_meeting_for_viewer(
        viewer=request.user, pk=item.meeting_id, permission="panels.contribute_to_meeting"
    )
    agency = request.user.agency
    statutory = agency is not None and agency.kind in STATUTORY_AGENCY_KINDS
    may_write_statutory = statutory and names_children_to(request.user, meeting)
    form = ContributionForm(request.POST or None, may_write_statutory=may_write_statutory)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.contribution_add(
                actor=request.user, item=item, text=d["text"], audience=d["audience"]
            ),
        )
        if outcome.saved:
            messages.success(request, "Your agency's information is added.")
            return redirect(_meeting_url(meeting, f"item-{item.pk}"))
    return _form_page(
        request,
        form,
        heading="Add your agency's information",
        caption=f"{selectors.item_label(request.user, item)}: {_meeting_caption(meeting)}",
        back=_meeting_url(meeting, f"item-{item.pk}"),
        button="Add the information",
        intro=f"Shared as {agency}. Everyone at the meeting reads it unless you say otherwise.",
    )


def _versioned(
    request: AuthenticatedHttpRequest,
    item: AgendaItem,
    make: Callable[[Any], GovukForm],
    save: Callable[[dict[str, Any]], Any],
    conflict_rows: Callable[[AgendaItem], list[tuple[str, str]]],
) -> tuple[GovukForm, list[tuple[str, str]] | None, bool]:
    """Save an edit of the item made against the version the chair loaded; on a clash, keep
    what they typed and show what the other person saved."""
    form = make(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return form, None, False
    outcome = save_form(form, save, rebuild=make)
    if outcome.saved:
        return form, None, True
    current = outcome.conflict
    rows = conflict_rows(current) if isinstance(current, AgendaItem) else None
    return outcome.form, rows, False


def _concern_rows(item: AgendaItem) -> list[tuple[str, str]]:
    return [
        ("Level of concern", item.get_concern_level_display() or "Not recorded"),
        ("Reasons", item.concern_reasons or "Not recorded"),
        ("Who agreed it", item.concern_agreed_by or "Not recorded"),
    ]


@requires("panels.view_panels")
def concern_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _chaired_item(request, pk)
    meeting = item.meeting
    if (closed := _closed_note(request, meeting)) is not None:
        return closed
    initial = {
        "version": item.version,
        "level": item.concern_level,
        "reasons": item.concern_reasons,
        "agreed_by": item.concern_agreed_by,
    }
    form, conflict, saved = _versioned(
        request,
        item,
        lambda data: ConcernForm(data, initial=initial),
        lambda d: services.concern_record(
            actor=request.user,
            item=item,
            expected_version=d["version"] or 0,
            level=d["level"],
            reasons=d["reasons"],
            agreed_by=d["agreed_by"],
        ),
        _concern_rows,
    )
    if saved:
        messages.success(request, "The level of concern is recorded.")
        return redirect(_meeting_url(meeting, f"item-{item.pk}"))
    return _form_page(
        request,
        form,
        heading="Level of concern",
        caption=f"{selectors.item_label(request.user, item)}: {_meeting_caption(meeting)}",
        back=_meeting_url(meeting, f"item-{item.pk}"),
        button="Save the level of concern",
        intro="Record the level the meeting agreed for this item, its reasons and who agreed it.",
        conflict=conflict,
    )


@requires("panels.view_panels")
def item_decision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _chaired_item(request, pk)
    meeting = item.meeting
    if (closed := _closed_note(request, meeting)) is not None:
        return closed
    initial = {"version": item.version, "decision": item.decision}
    form, conflict, saved = _versioned(
        request,
        item,
        lambda data: DecisionForm(data, initial=initial),
        lambda d: services.item_decision_record(
            actor=request.user,
            item=item,
            expected_version=d["version"] or 0,
            decision=d["decision"],
        ),
        lambda current: [("Decision", current.decision or "Not recorded")],
    )
    if saved:
        messages.success(request, "The decision is recorded and the item marked as discussed.")
        return redirect(_meeting_url(meeting, f"item-{item.pk}"))
    return _form_page(
        request,
        form,
        heading="Decision",
        caption=f"{selectors.item_label(request.user, item)}: {_meeting_caption(meeting)}",
        back=_meeting_url(meeting, f"item-{item.pk}"),
        button="Save the decision",
        conflict=conflict,
    )


# --- actions ------------------------------------------------------------------------------------


@requires("panels.view_panels")
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _chaired_meeting(request, pk)
    if (closed := _closed_note(request, meeting)) is not None:
        return closed
    items = selectors.items_for_viewer(request.user, meeting)
    labelled = [(item, selectors.item_label(request.user, item)) for item in items]
    chosen = request.GET.get("item", "")
    initial = {"item": int(chosen)} if chosen.isdigit() else {}
    form = ActionForm(
        request.POST or None, items=labelled, strategic=meeting.is_strategic, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.panel_action_add(
                actor=request.user,
                meeting=meeting,
                item=d["item"],
                description=d["description"],
                owner_agency=d["owner_agency"],
                owner_user=d["owner_user"],
                due_on=d["due_on"],
            ),
        )
        if outcome.saved:
            messages.success(request, "The action is recorded and its owner told.")
            item = outcome.result.item
            return redirect(_meeting_url(meeting, f"item-{item.pk}" if item else "actions"))
    return _form_page(
        request,
        form,
        heading="Add a strategic action" if meeting.is_strategic else "Add an action",
        caption=_meeting_caption(meeting),
        back=_meeting_url(meeting),
        button="Add the action",
        intro="Actions on a child's or a place's plan belong on the plan. Record here what the "
        "meeting agreed outside any plan.",
    )


def _action_context(request: AuthenticatedHttpRequest, action: PanelAction) -> dict[str, Any]:
    """The owner sees the action and the meeting; the child only if they may open the item."""
    item = action.item
    may_see_item = item is not None and request.user.has_perm("panels.view_item", item)
    meeting = action.meeting
    return {
        "action": action,
        "meeting": meeting,
        "item_label": selectors.item_label(request.user, item)
        if item is not None and may_see_item
        else "",
        "item_url": reverse("panels:item_detail", args=[item.pk])
        if item is not None and may_see_item
        else "",
        "meeting_url": _meeting_url(meeting)
        if request.user.has_perm("panels.view_meeting", meeting)
        else "",
        "overdue": action.is_overdue(timezone.localdate()),
    }


@requires("panels.view_panels")
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_panel_action_for_viewer(viewer=request.user, pk=pk)
    context = _action_context(request, action) | {
        "can_complete": action.status == PanelActionStatus.OPEN
        and request.user.has_perm("panels.complete_panel_action", action),
    }
    return render(request, "panels/meetings/action_detail.html", context)


@requires("panels.view_panels")
def action_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_panel_action_for_viewer(
        viewer=request.user, pk=pk, permission="panels.complete_panel_action"
    )
    back = reverse("panels:action_detail", args=[action.pk])
    if action.status != PanelActionStatus.OPEN:
        messages.info(request, "This action is no longer open.")
        return redirect(back)
    initial = {"version": action.version}

    def make(data: Any) -> ActionCompleteForm:
        return ActionCompleteForm(data, initial=initial)

    form = make(request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.panel_action_complete(
                actor=request.user,
                action=action,
                expected_version=d["version"] or 0,
                completed_on=d["completed_on"],
                evidence=d["evidence"],
            ),
            rebuild=make,
        )
        if outcome.saved:
            messages.success(request, "The action is marked as done.")
            return redirect(back)
        form = outcome.form
        current = outcome.conflict
        if isinstance(current, PanelAction):
            conflict = [
                ("Status", current.get_status_display()),
                ("Evidence", current.completion_evidence or "None recorded"),
            ]
    return _form_page(
        request,
        form,
        heading="Complete the action",
        caption=_meeting_caption(action.meeting),
        back=back,
        button="Mark as done",
        intro=action.description,
        conflict=conflict,
    )


# --- the meeting's life -------------------------------------------------------------------------


def _meeting_edit(
    request: AuthenticatedHttpRequest,
    meeting: Meeting,
    make: Callable[[Any], GovukForm],
    save: Callable[[dict[str, Any]], Any],
) -> tuple[GovukForm, list[tuple[str, str]] | None, bool]:
    form = make(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return form, None, False
    outcome = save_form(form, save, rebuild=make)
    if outcome.saved:
        return form, None, True
    current = outcome.conflict
    rows = None
    if isinstance(current, Meeting):
        rows = [("Status", current.get_status_display())]
        if current.minutes:
            rows.append(("Minutes", current.minutes))
    return outcome.form, rows, False


@requires("panels.view_panels")
def meeting_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _chaired_meeting(request, pk)
    local = timezone.localtime(min(meeting.scheduled_for, timezone.now()))
    initial = {"version": meeting.version, "held_on": local.date(), "held_time": f"{local:%H:%M}"}

    def make(data: Any) -> HoldForm:
        return HoldForm(data, initial=initial)

    form = make(request.POST or None)

    def save(d: dict[str, Any]) -> Meeting:
        return services.meeting_hold(
            actor=request.user,
            meeting=meeting,
            expected_version=d["version"] or 0,
            held_at=form.held_at(),
        )

    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(form, save, rebuild=make)
        if outcome.saved:
            due = outcome.result.summary_due_by
            messages.success(
                request,
                f"The meeting is marked as held. Send the summary and minutes by {due:%-d %B %Y}.",
            )
            return redirect(_meeting_url(meeting))
        form = outcome.form
        if outcome.conflict is not None:
            conflict = [("Status", outcome.conflict.get_status_display())]  # type: ignore[attr-defined]
    return _form_page(
        request,
        form,
        heading="Mark the meeting as held",
        caption=_meeting_caption(meeting),
        back=_meeting_url(meeting),
        button="Mark as held",
        intro=f"The summary and minutes go to the participants within {SUMMARY_WORKING_DAYS} "
        "working days of the meeting. Items with a decision are marked as heard.",
        conflict=conflict,
    )


@requires("panels.view_panels")
def minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _chaired_meeting(request, pk)
    initial = {"version": meeting.version, "minutes": meeting.minutes}
    form, conflict, saved = _meeting_edit(
        request,
        meeting,
        lambda data: MinutesForm(data, initial=initial),
        lambda d: services.minutes_save(
            actor=request.user,
            meeting=meeting,
            expected_version=d["version"] or 0,
            minutes=d["minutes"],
        ),
    )
    if saved:
        messages.success(request, "The minutes are saved.")
        return redirect(_meeting_url(meeting))
    return _form_page(
        request,
        form,
        heading="Minutes",
        caption=_meeting_caption(meeting),
        back=_meeting_url(meeting),
        button="Save the minutes",
        conflict=conflict,
    )


@requires("panels.view_panels")
def meeting_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _chaired_meeting(request, pk)
    initial = {"version": meeting.version}
    form, conflict, saved = _meeting_edit(
        request,
        meeting,
        lambda data: CloseForm(data, initial=initial),
        lambda d: services.meeting_close(
            actor=request.user,
            meeting=meeting,
            expected_version=d["version"] or 0,
            summary_sent_on=d["summary_sent_on"],
        ),
    )
    if saved:
        messages.success(
            request,
            "The meeting is closed. Participants keep only the actions they own.",
        )
        return redirect(_meeting_url(meeting))
    due = meeting.summary_due_by
    if due is None and meeting.held_at is not None:
        due = add_working_days(timezone.localdate(meeting.held_at), SUMMARY_WORKING_DAYS)
    return _form_page(
        request,
        form,
        heading="Send the summary and close the meeting",
        caption=_meeting_caption(meeting),
        back=_meeting_url(meeting),
        button="Close the meeting",
        intro="Once closed, participants no longer see the agenda: each keeps only the actions "
        "they own.",
        conflict=conflict,
        extra={"due": due, "late": meeting.summary_overdue(timezone.localdate())},
    )


@requires("panels.view_panels")
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _chaired_meeting(request, pk)
    initial = {"version": meeting.version}
    form, conflict, saved = _meeting_edit(
        request,
        meeting,
        lambda data: CancelForm(data, initial=initial),
        lambda d: services.meeting_cancel(
            actor=request.user,
            meeting=meeting,
            expected_version=d["version"] or 0,
            reason=d["reason"],
        ),
    )
    if saved:
        messages.success(request, "The meeting is cancelled.")
        return redirect(_meeting_url(meeting))
    return _form_page(
        request,
        form,
        heading="Cancel the meeting",
        caption=_meeting_caption(meeting),
        back=_meeting_url(meeting),
        button="Cancel the meeting",
        conflict=conflict,
    )
