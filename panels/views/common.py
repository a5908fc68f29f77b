"""What the panel and meeting pages share: finding the meeting or item as its chair, the
form page, captions, and saving an edit that may conflict with someone else's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from contextsafe.forms import GovukForm
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from panels import selectors
from panels.models import AgendaItem, Contribution, Meeting, PanelAction
from panels.rules import names_children_to

PICK_LIMIT = 20
DEFAULT_TIME = "10:00"


def meeting_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("panels:meeting_detail", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


def pack_routes() -> bool:
    """The pack and minutes PDFs come from another part of the app; link them once they exist."""
    try:
        reverse("panels:meeting_pack", args=[1])
        reverse("panels:meeting_minutes", args=[1])
    except NoReverseMatch:
        return False
    return True


def chaired_meeting(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    return selectors.get_meeting_for_viewer(
        viewer=request.user, pk=pk, permission="panels.chair_meeting"
    )


def chaired_item(request: AuthenticatedHttpRequest, pk: int) -> AgendaItem:
    item = selectors.get_item_for_viewer(viewer=request.user, pk=pk)
    chaired_meeting(request, item.meeting_id)
    return item


def closed_note(request: AuthenticatedHttpRequest, meeting: Meeting) -> HttpResponse | None:
    """Changes to a closed or cancelled meeting go back to its page, saying why."""
    if meeting.is_open:
        return None
    messages.info(
        request,
        f"This meeting is {meeting.get_status_display().lower()}: it can no longer be changed.",
    )
    return redirect(meeting_url(meeting))


def form_page(
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


def meeting_caption(meeting: Meeting) -> str:
    return f"{meeting.title}, {timezone.localtime(meeting.scheduled_for):%-d %B %Y}"


def versioned(
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


def meeting_edit(
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


@dataclass(frozen=True)
class ItemBlock:
    item: AgendaItem
    label: str
    subject_url: str
    contributions: list[Contribution]
    actions: list[PanelAction]
    plan_url: str = ""


def blocks(viewer: Any, items: list[AgendaItem], actions: list[PanelAction]) -> list[ItemBlock]:
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
