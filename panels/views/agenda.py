"""The agenda: what goes on it and from where, each item's page, each agency's information,
the level of concern and the decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from access.policy import requires
from accounts.models import STATUTORY_AGENCY_KINDS
from assessments.models import ContextAssessment
from assessments.selectors import get_context_assessment_for_viewer
from audit.services import audit_list_read
from contexts.models import Context
from contexts.selectors import context_list, get_context_for_viewer
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from meetings.models import MarveReferral, StrategyMeeting
from meetings.selectors import get_meeting_for_viewer as get_strategy_meeting_for_viewer
from meetings.selectors import get_referral_for_viewer, marve_rows, subject_label_for
from panels import selectors, services
from panels.forms_meetings import (
    ConcernForm,
    ContributionForm,
    DecisionForm,
    ItemForm,
)
from panels.models import (
    AgendaItem,
    ItemSource,
)
from panels.rules import names_children_to
from panels.views.common import (
    PICK_LIMIT,
    blocks,
    chaired_item,
    chaired_meeting,
    closed_note,
    form_page,
    meeting_caption,
    meeting_url,
    versioned,
)
from people.models import Person
from people.selectors import get_person_for_viewer, person_search


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
    meeting = chaired_meeting(request, pk)
    if (closed := closed_note(request, meeting)) is not None:
        return closed
    chosen = _chosen(request)
    if chosen is None:
        audit_list_read(
            actor=request.user,
            object_type="meetings.marvereferral",
            reason=f"Listed the MARVE referrals waiting, to build the agenda of {meeting}",
        )
        context = {"meeting": meeting, "caption": meeting_caption(meeting)}
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
            return redirect(meeting_url(meeting, f"item-{outcome.result.pk}"))
    elsewhere = None
    if chosen.referral is None:
        elsewhere = services.item_already_scheduled(chosen.person, chosen.context)
    return form_page(
        request,
        form,
        heading=f"Add {chosen.label} to the agenda",
        caption=meeting_caption(meeting),
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
        "entry": blocks(viewer, [item], actions)[0],
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
            return redirect(meeting_url(meeting, f"item-{item.pk}"))
    return form_page(
        request,
        form,
        heading="Add your agency's information",
        caption=f"{selectors.item_label(request.user, item)}: {meeting_caption(meeting)}",
        back=meeting_url(meeting, f"item-{item.pk}"),
        button="Add the information",
        intro=f"Shared as {agency}. Everyone at the meeting reads it unless you say otherwise.",
    )


def _concern_rows(item: AgendaItem) -> list[tuple[str, str]]:
    return [
        ("Level of concern", item.get_concern_level_display() or "Not recorded"),
        ("Reasons", item.concern_reasons or "Not recorded"),
        ("Who agreed it", item.concern_agreed_by or "Not recorded"),
    ]


@requires("panels.view_panels")
def concern_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = chaired_item(request, pk)
    meeting = item.meeting
    if (closed := closed_note(request, meeting)) is not None:
        return closed
    initial = {
        "version": item.version,
        "level": item.concern_level,
        "reasons": item.concern_reasons,
        "agreed_by": item.concern_agreed_by,
    }
    form, conflict, saved = versioned(
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
        return redirect(meeting_url(meeting, f"item-{item.pk}"))
    return form_page(
        request,
        form,
        heading="Level of concern",
        caption=f"{selectors.item_label(request.user, item)}: {meeting_caption(meeting)}",
        back=meeting_url(meeting, f"item-{item.pk}"),
        button="Save the level of concern",
        intro="Record the level the meeting agreed for this item, its reasons and who agreed it.",
        conflict=conflict,
    )


@requires("panels.view_panels")
def item_decision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = chaired_item(request, pk)
    meeting = item.meeting
    if (closed := closed_note(request, meeting)) is not None:
        return closed
    initial = {"version": item.version, "decision": item.decision}
    form, conflict, saved = versioned(
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
        return redirect(meeting_url(meeting, f"item-{item.pk}"))
    return form_page(
        request,
        form,
        heading="Decision",
        caption=f"{selectors.item_label(request.user, item)}: {meeting_caption(meeting)}",
        back=meeting_url(meeting, f"item-{item.pk}"),
        button="Save the decision",
        conflict=conflict,
    )


# --- actions ------------------------------------------------------------------------------------
