"""A panel meeting's page, who is invited and who came, and the meeting's life: held, minutes,
summary sent, or cancelled."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from access.policy import requires
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from contextsafe.lib.working_days import add_working_days
from panels import selectors, services
from panels.forms_meetings import (
    AttendanceForm,
    CancelForm,
    CloseForm,
    HoldForm,
    MinutesForm,
    ParticipantForm,
)
from panels.models import (
    SUMMARY_WORKING_DAYS,
    Meeting,
)
from panels.trends import default_period, mace_figures
from panels.views.common import (
    blocks,
    chaired_meeting,
    closed_note,
    form_page,
    meeting_caption,
    meeting_edit,
    meeting_url,
    pack_routes,
)


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
        "entries": blocks(viewer, items, actions),
        "meeting_actions": [a for a in actions if a.item_id is None],
        "participants": list(meeting.participants.select_related("agency", "user")),
        "can_chair": can_chair,
        "can_change": can_chair and meeting.is_open,
        "can_contribute": bool(viewer.has_perm("panels.contribute_to_meeting", meeting)),
        "pack_routes": pack_routes(),
        "figures": None,
    } | _summary_status(meeting)
    if meeting.is_strategic:
        start, end = default_period(timezone.localdate(meeting.scheduled_for))
        context["figures"] = mace_figures(start, end)
    return render(request, "panels/meetings/meeting_detail.html", context)


@requires("panels.view_panels")
def participant_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = chaired_meeting(request, pk)
    if (closed := closed_note(request, meeting)) is not None:
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
            return redirect(meeting_url(meeting, "participants"))
    return form_page(
        request,
        form,
        heading="Invite someone",
        caption=meeting_caption(meeting),
        back=meeting_url(meeting),
        button="Invite them",
        intro="Invite someone with an account from any agency, or record a person without "
        "an account by name.",
    )


@requires("panels.view_panels")
def attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = chaired_meeting(request, pk)
    if (closed := closed_note(request, meeting)) is not None:
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
            return redirect(meeting_url(meeting, "participants"))
    return form_page(
        request,
        form,
        heading="Who attended",
        caption=meeting_caption(meeting),
        back=meeting_url(meeting),
        button="Save attendance",
    )


# --- the agenda ---------------------------------------------------------------------------------


# --- the meeting's life -------------------------------------------------------------------------


@requires("panels.view_panels")
def meeting_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = chaired_meeting(request, pk)
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
            return redirect(meeting_url(meeting))
        form = outcome.form
        if outcome.conflict is not None:
            conflict = [("Status", outcome.conflict.get_status_display())]  # type: ignore[attr-defined]
    return form_page(
        request,
        form,
        heading="Mark the meeting as held",
        caption=meeting_caption(meeting),
        back=meeting_url(meeting),
        button="Mark as held",
        intro=f"The summary and minutes go to the participants within {SUMMARY_WORKING_DAYS} "
        "working days of the meeting. Items with a decision are marked as heard.",
        conflict=conflict,
    )


@requires("panels.view_panels")
def minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = chaired_meeting(request, pk)
    initial = {"version": meeting.version, "minutes": meeting.minutes}
    form, conflict, saved = meeting_edit(
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
        return redirect(meeting_url(meeting))
    return form_page(
        request,
        form,
        heading="Minutes",
        caption=meeting_caption(meeting),
        back=meeting_url(meeting),
        button="Save the minutes",
        conflict=conflict,
    )


@requires("panels.view_panels")
def meeting_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = chaired_meeting(request, pk)
    initial = {"version": meeting.version}
    form, conflict, saved = meeting_edit(
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
        return redirect(meeting_url(meeting))
    due = meeting.summary_due_by
    if due is None and meeting.held_at is not None:
        due = add_working_days(timezone.localdate(meeting.held_at), SUMMARY_WORKING_DAYS)
    return form_page(
        request,
        form,
        heading="Send the summary and close the meeting",
        caption=meeting_caption(meeting),
        back=meeting_url(meeting),
        button="Close the meeting",
        intro="Once closed, participants no longer see the agenda: each keeps only the actions "
        "they own.",
        conflict=conflict,
        extra={"due": due, "late": meeting.summary_overdue(timezone.localdate())},
    )


@requires("panels.view_panels")
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = chaired_meeting(request, pk)
    initial = {"version": meeting.version}
    form, conflict, saved = meeting_edit(
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
        return redirect(meeting_url(meeting))
    return form_page(
        request,
        form,
        heading="Cancel the meeting",
        caption=meeting_caption(meeting),
        back=meeting_url(meeting),
        button="Cancel the meeting",
        conflict=conflict,
    )
