"""Actions a meeting agrees outside a plan: adding one, its page for the owner, completing it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from access.policy import requires
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from panels import selectors, services
from panels.forms_meetings import (
    ActionCompleteForm,
    ActionForm,
)
from panels.models import (
    PanelAction,
    PanelActionStatus,
)
from panels.views.common import (
    chaired_meeting,
    closed_note,
    form_page,
    meeting_caption,
    meeting_url,
)


@requires("panels.view_panels")
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = chaired_meeting(request, pk)
    if (closed := closed_note(request, meeting)) is not None:
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
            return redirect(meeting_url(meeting, f"item-{item.pk}" if item else "actions"))
    return form_page(
        request,
        form,
        heading="Add a strategic action" if meeting.is_strategic else "Add an action",
        caption=meeting_caption(meeting),
        back=meeting_url(meeting),
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
        "meeting_url": meeting_url(meeting)
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
    return form_page(
        request,
        form,
        heading="Complete the action",
        caption=meeting_caption(action.meeting),
        back=back,
        button="Mark as done",
        intro=action.description,
        conflict=conflict,
    )
