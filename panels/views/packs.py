"""The meeting pack and the minutes as PDF files, each for one recipient. Views stay thin:
``panels.pdf`` decides what goes in."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpResponse

from access.policy import requires
from accounts.models import User
from audit.models import AccessAction
from audit.services import audit_record
from contextsafe.http import AuthenticatedHttpRequest
from panels import pdf, selectors
from panels.models import Meeting

Builder = Callable[..., bytes]


def _recipient(request: AuthenticatedHttpRequest, meeting: Meeting) -> User:
    """The viewer themselves or, for the chair, a participant with an account (``?for=``)."""
    wanted = request.GET.get("for", "").strip()
    if not wanted:
        return request.user
    if not wanted.isdigit() or not request.user.has_perm("panels.chair_meeting", meeting):
        raise Http404
    participant = (
        meeting.participants.filter(pk=int(wanted), user__isnull=False)
        .select_related("user__agency")
        .first()
    )
    if participant is None or participant.user is None or not participant.user.is_active:
        raise Http404
    return participant.user


def _export(
    request: AuthenticatedHttpRequest, meeting: Meeting, what: str, build: Builder
) -> HttpResponse:
    recipient = _recipient(request, meeting)
    content = build(meeting=meeting, recipient=recipient, requester=request.user)
    audit_record(
        actor=request.user,
        action=AccessAction.EXPORT,
        obj=meeting,
        reason=f"{what.capitalize()} PDF prepared for {pdf.recipient_line(recipient)}",
        changes={"document": what, "recipient": recipient.pk},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(meeting, what)}"'
    response["Cache-Control"] = "no-store"
    return response


@requires("panels.view_panels")
def meeting_pack(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_viewer(viewer=request.user, pk=pk)
    return _export(request, meeting, "pack", pdf.build_pack)


@requires("panels.view_panels")
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # The chair keeps the meeting once it closes; participants then keep only their actions,
    # which "My work" lists: the rule in panels.view_meeting decides.
    meeting = selectors.get_meeting_for_viewer(viewer=request.user, pk=pk)
    return _export(request, meeting, "minutes", pdf.build_minutes)
