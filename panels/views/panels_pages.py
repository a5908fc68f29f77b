"""Panels: the list, a panel's page, its members and its schedule."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from access.policy import requires
from audit.services import audit_list_read
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from meetings.selectors import marve_rows
from panels import selectors, services
from panels.forms_meetings import (
    MemberForm,
    MemberLeaveForm,
    PanelForm,
    ScheduleForm,
)
from panels.models import (
    MeetingStatus,
    Panel,
    PanelMember,
)
from panels.views.common import (
    DEFAULT_TIME,
    form_page,
    meeting_url,
)

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
    return form_page(
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
    return form_page(
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
    return form_page(
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
            return redirect(meeting_url(outcome.result))
    return form_page(
        request,
        form,
        heading="Schedule a meeting",
        caption=panel.name,
        back=reverse("panels:panel_detail", args=[panel.pk]),
        button="Schedule the meeting",
        intro="The date shown follows the panel's schedule. Every current member is invited.",
    )


# --- the meeting page ---------------------------------------------------------------------------
