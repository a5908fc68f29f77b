"""Strategy meetings recorded section by section, and MARVE referrals. Views stay thin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from access.policy import requires
from contexts.models import Context
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.concurrency import EditConflict
from contextsafe.lib.editing import CONFLICT_MESSAGE, save_form
from meetings import selectors, services
from meetings.checklist import checklist_for, harm_source
from meetings.conclusion import attendance_warnings, conclusion_problems
from meetings.forms import (
    ActionForm,
    AttendeeForm,
    ChecklistForm,
    ConcludeForm,
    DecisionForm,
    InformationForm,
    MarveDecisionForm,
    MarveFilterForm,
    MarveForm,
    MeetingForm,
    SummarySentForm,
)
from meetings.models import (
    Attendee,
    DecisionKind,
    InformationShared,
    MarveReferral,
    MarveStatus,
    MeetingAction,
    MeetingDecision,
    MeetingStatus,
    StrategyMeeting,
)
from missing.models import PromptStatus
from missing.services import prompt_decide
from people.models import Person

MARVE_PAGE = 25


def _subject_query(request: AuthenticatedHttpRequest) -> tuple[str, str]:
    return request.GET.get("person", ""), request.GET.get("context", "")


def _day(moment: Any) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y")


def _detail(meeting: StrategyMeeting, anchor: str = "") -> HttpResponse:
    url = reverse("meetings:strategy_detail", args=[meeting.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


NOTE_KEY = "meetings.section_note"
# Sections that are still on the page after they are saved: their confirmation is shown in the
# section, where the page lands, not in a banner at the top that the person has scrolled past.
NOTED_SECTIONS = frozenset({"attendee", "information", "checklist", "decision", "action"})


def _noted(
    request: AuthenticatedHttpRequest,
    meeting: StrategyMeeting,
    section: str,
    text: str,
    *,
    error: bool = False,
) -> HttpResponse:
    """Go back to the section, saying beside it what happened."""
    if section not in NOTED_SECTIONS:
        (messages.error if error else messages.success)(request, text)
        return _detail(meeting)
    request.session[NOTE_KEY] = {
        "meeting": meeting.pk,
        "section": section,
        "text": text,
        "error": error,
    }
    return _detail(meeting, section)


def _take_note(request: AuthenticatedHttpRequest, meeting: StrategyMeeting) -> dict[str, Any]:
    """The note left by the last save of a section of this meeting, shown once."""
    note = request.session.get(NOTE_KEY)
    if not isinstance(note, dict) or note.get("meeting") != meeting.pk:
        return {}
    del request.session[NOTE_KEY]
    return note


def _rebuild(make: Callable[[QueryDict | None], forms.Form], prefix: str) -> Callable[..., Any]:
    """After a conflict ``save_form`` puts the latest version under "version"; a prefixed form
    reads it from "<prefix>-version"."""

    def rebuild(data: QueryDict) -> forms.Form:
        data[f"{prefix}-version"] = str(data["version"])
        return make(data)

    return rebuild


# --- the meeting ------------------------------------------------------------------------------


@requires("meetings.start_meeting")
def strategy_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    person_id, context_id = _subject_query(request)
    subject = selectors.get_subject_for_viewer(
        viewer=request.user,
        person_id=person_id,
        context_id=context_id,
        permission="meetings.hold_meeting",
    )
    contact = selectors.get_contact_for_subject(
        viewer=request.user, contact_id=request.GET.get("contact", ""), subject=subject
    )
    prompt = selectors.prompt_to_settle(
        viewer=request.user, prompt_id=request.GET.get("prompt", ""), subject=subject
    )
    form = MeetingForm(
        request.POST or None,
        actor=request.user,
        initial={"chair": request.user.pk, "reason": prompt.explanation if prompt else ""},
    )

    def arrange(data: dict[str, Any]) -> StrategyMeeting:
        # Both or neither: a meeting arranged from a prompt settles the prompt.
        with transaction.atomic():
            meeting = services.meeting_create(
                actor=request.user,
                subject=subject,
                contact=contact,
                held_at=form.held_at(),
                chair=data["chair"],
                reason=data["reason"],
            )
            if prompt is not None:
                prompt_decide(
                    actor=request.user,
                    prompt=prompt,
                    status=PromptStatus.STRATEGY_ARRANGED,
                    reason=f"Strategy meeting arranged for {_day(meeting.held_at)}",
                )
        return meeting

    if request.method == "POST" and form.is_valid():
        outcome = save_form(form, arrange)
        if outcome.saved:
            settled = " The threshold prompt is recorded as decided." if prompt else ""
            messages.success(
                request, f"Strategy meeting arranged.{settled} Record it section by section."
            )
            return _detail(outcome.result)
    context = {
        "form": form,
        "subject": selectors.describe_subject(subject),
        "contact": contact,
        "prompt": prompt,
        "creating": True,
    }
    return render(request, "meetings/strategy_form.html", context)


@requires("meetings.start_meeting")
def strategy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_viewer(
        viewer=request.user, pk=pk, permission="meetings.record_meeting"
    )
    if meeting.status == MeetingStatus.CONCLUDED:
        messages.info(request, services.CONCLUDED_MESSAGE)
        return _detail(meeting)
    held = timezone.localtime(meeting.held_at)
    initial = {
        "held_on": held.date(),
        "held_time": f"{held:%H:%M}",
        "chair": meeting.chair_id,
        "reason": meeting.reason,
        "version": meeting.version,
    }
    form = MeetingForm(request.POST or None, actor=request.user, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.meeting_update(
                actor=request.user,
                meeting=meeting,
                expected_version=form.expected_version(),
                held_at=form.held_at(),
                chair=d["chair"],
                reason=d["reason"],
            ),
            rebuild=lambda data: MeetingForm(data, actor=request.user, initial=initial),
        )
        if outcome.saved:
            messages.success(request, "Meeting details saved.")
            return _detail(meeting)
        form, conflict = outcome.form, outcome.conflict
    context = {
        "form": form,
        "subject": selectors.describe_subject(meeting.subject),
        "meeting": meeting,
        "conflict": conflict,
        "creating": False,
    }
    return render(request, "meetings/strategy_form.html", context)


def _page_context(
    request: AuthenticatedHttpRequest, meeting: StrategyMeeting, bound: dict[str, forms.Form]
) -> dict[str, Any]:
    record = selectors.meeting_record(meeting=meeting)
    can_record = request.user.has_perm("meetings.record_meeting", meeting)
    editable = can_record and meeting.status == MeetingStatus.PLANNED
    items = checklist_for(about_context=meeting.is_about_context)
    version = {"version": meeting.version}
    kinds = {d.kind for d in record.decisions}
    refers = DecisionKind.MARVE_REFERRAL in kinds

    def form(name: str, make: Callable[[], forms.Form]) -> forms.Form:
        return bound.get(name) or make()

    answers = meeting.threshold_checklist or {}
    prompts = record.missing.open_prompts if record.missing else []
    return {
        # Every prompt is about the meeting's child, so one check answers for them all.
        "can_open_prompts": bool(prompts)
        and request.user.has_perm("missing.view_prompt", prompts[0]),
        "error_form": next(iter(bound.values()), None),
        "refers": refers,
        "contact_link": selectors.link_to("frontdoor:contact_detail", meeting.contact_id)
        if meeting.contact_id
        else "",
        "meeting": meeting,
        "record": record,
        "subject": selectors.subject_label_for(viewer=request.user, record=meeting),
        "can_record": can_record,
        "editable": editable,
        "items": items,
        "answers": [(i, answers.get(i.code) or {}) for i in items],
        "harm_source": "" if meeting.is_about_context else harm_source(answers),
        "problems": conclusion_problems(
            meeting=meeting,
            attendees=record.attendees,
            decisions=record.decisions,
            now=timezone.now(),
        ),
        "warnings": attendance_warnings(record.attendees),
        "summary_due_on": selectors.summary_due_on(meeting),
        "today": timezone.localdate(),
        "next_steps": selectors.next_steps(record=record, viewer=request.user),
        "attendee_form": form("attendee", lambda: AttendeeForm(prefix="attendee", initial=version)),
        "information_form": form(
            "information", lambda: InformationForm(prefix="information", initial=version)
        ),
        "checklist_form": form(
            "checklist",
            lambda: ChecklistForm(
                prefix="checklist",
                items=items,
                initial=ChecklistForm.initial_from(answers) | version,
            ),
        ),
        "decision_form": form(
            "decision",
            lambda: DecisionForm(
                prefix="decision", about_context=meeting.is_about_context, initial=version
            ),
        ),
        "action_form": form("action", lambda: ActionForm(prefix="action", initial=version)),
        "conclude_form": form(
            "conclude",
            lambda: ConcludeForm(
                prefix="conclude",
                refers_to_marve=refers,
                initial=version | {"summary": meeting.summary},
            ),
        ),
        "sent_form": form(
            "sent",
            lambda: SummarySentForm(
                prefix="sent", initial=version | {"sent_on": timezone.localdate()}
            ),
        ),
    }


@requires("meetings.view_meetings")
def strategy_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_viewer(viewer=request.user, pk=pk)
    context = _page_context(request, meeting, {}) | {"note": _take_note(request, meeting)}
    return render(request, "meetings/strategy_detail.html", context)


@requires("meetings.view_meetings")
def strategy_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The meeting record to print and send: no forms, nothing else on the page."""
    meeting = selectors.get_meeting_for_viewer(viewer=request.user, pk=pk)
    return render(request, "meetings/strategy_record.html", _page_context(request, meeting, {}))


def _section(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    name: str,
    make: Callable[[StrategyMeeting, QueryDict | None], forms.Form],
    save: Callable[[StrategyMeeting, forms.Form, dict[str, Any]], Any],
    done: str | Callable[[Any], str],
) -> HttpResponse:
    """Save one section of the meeting record; on an error show the whole page again with the
    section's form as typed."""
    meeting = selectors.get_meeting_for_viewer(
        viewer=request.user, pk=pk, permission="meetings.record_meeting"
    )
    if request.method != "POST":
        return _detail(meeting, name)
    form = make(meeting, request.POST)
    if form.is_valid():
        outcome = save_form(
            form,
            lambda d: save(meeting, form, d),
            rebuild=_rebuild(lambda data: make(meeting, data), name),
        )
        if outcome.saved:
            text = done(outcome.result) if callable(done) else done
            return _noted(request, meeting, name, text)
        form = outcome.form
    context = _page_context(request, meeting, {name: form})
    return render(request, "meetings/strategy_detail.html", context)


def _version(form: forms.Form) -> int:
    return int(form.cleaned_data.get("version") or 0)


@requires("meetings.start_meeting")
def attendee_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _section(
        request,
        pk,
        name="attendee",
        make=lambda m, data: AttendeeForm(data, prefix="attendee"),
        save=lambda m, f, d: services.attendee_add(
            actor=request.user,
            meeting=m,
            expected_version=_version(f),
            agency=d["agency"],
            name=d["name"],
            role=d["role"],
            attended=d["attended"] == "yes",
        ),
        done="Attendee added.",
    )


@requires("meetings.start_meeting")
def information_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _section(
        request,
        pk,
        name="information",
        make=lambda m, data: InformationForm(data, prefix="information"),
        save=lambda m, f, d: services.information_add(
            actor=request.user,
            meeting=m,
            expected_version=_version(f),
            agency=d["agency"],
            summary=d["summary"],
        ),
        done="Information recorded.",
    )


@requires("meetings.start_meeting")
def checklist_save(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def make(meeting: StrategyMeeting, data: QueryDict | None) -> forms.Form:
        items = checklist_for(about_context=meeting.is_about_context)
        return ChecklistForm(data, prefix="checklist", items=items)

    return _section(
        request,
        pk,
        name="checklist",
        make=make,
        save=lambda m, f, d: services.checklist_save(
            actor=request.user,
            meeting=m,
            expected_version=_version(f),
            answers=f.answers(),  # type: ignore[attr-defined]
        ),
        done="Threshold checklist saved.",
    )


@requires("meetings.start_meeting")
def decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _section(
        request,
        pk,
        name="decision",
        make=lambda m, data: DecisionForm(
            data, prefix="decision", about_context=m.is_about_context
        ),
        save=lambda m, f, d: services.decision_add(
            actor=request.user,
            meeting=m,
            expected_version=_version(f),
            kind=d["kind"],
            reasons=d["reasons"],
        ),
        done="Decision recorded.",
    )


@requires("meetings.start_meeting")
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _section(
        request,
        pk,
        name="action",
        make=lambda m, data: ActionForm(data, prefix="action"),
        save=lambda m, f, d: services.action_add(
            actor=request.user,
            meeting=m,
            expected_version=_version(f),
            description=d["description"],
            owner_agency=d["owner_agency"],
            owner_name=d["owner_name"],
            due_on=d["due_on"],
        ),
        done="Action added.",
    )


@requires("meetings.start_meeting")
def conclude(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def make(meeting: StrategyMeeting, data: QueryDict | None) -> forms.Form:
        refers = meeting.decisions.filter(kind=DecisionKind.MARVE_REFERRAL).exists()
        return ConcludeForm(data, prefix="conclude", refers_to_marve=refers)

    def save(meeting: StrategyMeeting, form: forms.Form, data: dict[str, Any]) -> Any:
        return services.meeting_conclude(
            actor=request.user,
            meeting=meeting,
            expected_version=_version(form),
            summary=data.get("summary", ""),
            what_has_been_tried=data.get("what_has_been_tried", ""),
        )

    def done(result: tuple[StrategyMeeting, MarveReferral | None]) -> str:
        # One confirmation: the page itself shows that the meeting is concluded and what follows.
        referred = " A referral to the MARVE panel has been made." if result[1] else ""
        return f"Meeting concluded.{referred}"

    return _section(request, pk, name="conclude", make=make, save=save, done=done)


@requires("meetings.start_meeting")
def summary_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _section(
        request,
        pk,
        name="sent",
        make=lambda m, data: SummarySentForm(data, prefix="sent"),
        save=lambda m, f, d: services.meeting_summary_sent(
            actor=request.user, meeting=m, expected_version=_version(f), sent_on=d["sent_on"]
        ),
        done="Recorded that the summary was sent.",
    )


REMOVABLE: dict[str, tuple[type[Any], Callable[..., None], str]] = {
    "attendee": (Attendee, services.attendee_remove, "attendee"),
    "information": (InformationShared, services.information_remove, "item"),
    "decision": (MeetingDecision, services.decision_remove, "decision"),
    "action": (MeetingAction, services.action_remove, "action"),
}


@requires("meetings.start_meeting")
@require_POST
def section_remove(
    request: AuthenticatedHttpRequest, pk: int, section: str, item_pk: int
) -> HttpResponse:
    meeting = selectors.get_meeting_for_viewer(
        viewer=request.user, pk=pk, permission="meetings.record_meeting"
    )
    if section not in REMOVABLE:
        raise Http404
    model, remove, argument = REMOVABLE[section]
    item = get_object_or_404(model, pk=item_pk, meeting=meeting)
    version = request.POST.get("version", "")
    try:
        remove(
            actor=request.user,
            meeting=meeting,
            expected_version=int(version) if version.isdigit() else 0,
            **{argument: item},
        )
    except EditConflict:
        return _noted(request, meeting, section, CONFLICT_MESSAGE, error=True)
    except ValidationError as error:
        return _noted(request, meeting, section, " ".join(error.messages), error=True)
    return _noted(request, meeting, section, "Removed.")


@requires("meetings.start_meeting")
@require_POST
def action_complete(request: AuthenticatedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_viewer(
        viewer=request.user, pk=pk, permission="meetings.record_meeting"
    )
    action = get_object_or_404(MeetingAction, pk=action_pk, meeting=meeting)
    action.meeting = meeting
    try:
        services.action_complete(actor=request.user, action=action)
    except ValidationError as error:
        return _noted(request, meeting, "action", " ".join(error.messages), error=True)
    return _noted(request, meeting, "action", "Action marked as completed.")


# --- MARVE referrals --------------------------------------------------------------------------


@requires("meetings.make_marve_referral")
def marve_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    person_id, context_id = _subject_query(request)
    subject = selectors.get_subject_for_viewer(
        viewer=request.user,
        person_id=person_id,
        context_id=context_id,
        permission="meetings.refer_to_marve",
    )
    meeting = None
    meeting_id = request.GET.get("meeting", "")
    if meeting_id.isdigit():
        meeting = selectors.get_meeting_for_viewer(viewer=request.user, pk=int(meeting_id))
        if meeting.subject != subject:
            raise Http404
    decision = (
        meeting.decisions.filter(kind=DecisionKind.MARVE_REFERRAL).first() if meeting else None
    )
    prompt = selectors.prompt_to_settle(
        viewer=request.user, prompt_id=request.GET.get("prompt", ""), subject=subject
    )
    form = MarveForm(
        request.POST or None,
        types=services.referral_types_for(subject),
        initial={
            "referral_type": services.default_referral_type(subject),
            "reason": decision.reasons if decision else (prompt.explanation if prompt else ""),
        },
    )

    def refer(data: dict[str, Any]) -> MarveReferral:
        # Both or neither: a referral made from a prompt settles the prompt.
        with transaction.atomic():
            referral = services.marve_referral_create(
                actor=request.user,
                subject=subject,
                referral_type=data["referral_type"],
                reason=data["reason"],
                what_has_been_tried=data["what_has_been_tried"],
                meeting=meeting,
            )
            if prompt is not None:
                prompt_decide(
                    actor=request.user,
                    prompt=prompt,
                    status=PromptStatus.MARVE_REFERRED,
                    reason=f"Referred to MARVE on {_day(referral.referred_at)}",
                )
        return referral

    if request.method == "POST" and form.is_valid():
        outcome = save_form(form, refer)
        if outcome.saved:
            settled = " The threshold prompt is recorded as decided." if prompt else ""
            messages.success(request, f"Referral made to the MARVE panel.{settled}")
            return redirect("meetings:marve_detail", pk=outcome.result.pk)
    about: dict[str, Any] = (
        {"person": subject} if isinstance(subject, Person) else {"context": subject}
    )
    open_referrals = list(
        selectors.visible_referrals(request.user)
        .filter(status__in=[MarveStatus.REFERRED, MarveStatus.ACCEPTED], **about)
        .order_by("-referred_at")[:5]
    )
    context = {
        "form": form,
        "subject": selectors.describe_subject(subject),
        "meeting": meeting,
        "prompt": prompt,
        "open_referrals": open_referrals,
    }
    return render(request, "meetings/marve_form.html", context)


def _marve_page(
    request: AuthenticatedHttpRequest,
    referral: MarveReferral,
    form: forms.Form | None = None,
) -> dict[str, Any]:
    user = request.user
    return {
        "referral": referral,
        "subject": selectors.subject_label_for(viewer=user, record=referral),
        "subject_is_context": isinstance(referral.subject, Context),
        # A panel member from another agency sees that a referral exists and its status, but the
        # reasons describe the child, so they follow the child's record.
        "can_read_reasons": user.has_perm("meetings.read_marve_reasons", referral),
        "can_decide": user.has_perm("meetings.decide_marve", referral),
        # A panel member who made the referral (or chaired its meeting) is told why they
        # cannot decide on it, rather than just not seeing the form.
        "own_interest": referral.own_interest(user)
        if user.has_perm("meetings.decide_marve")
        else "",
        "can_open_meeting": referral.strategy_meeting is not None
        and request.user.has_perm("meetings.view_meeting", referral.strategy_meeting),
        "form": form or MarveDecisionForm(initial={"version": referral.version}),
    }


@requires("meetings.view_meetings")
def marve_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_referral_for_viewer(viewer=request.user, pk=pk)
    return render(request, "meetings/marve_detail.html", _marve_page(request, referral))


MARVE_MOVES: dict[str, tuple[Callable[..., MarveReferral], str]] = {
    "accept": (services.marve_referral_accept, "Referral accepted for a panel."),
    "decline": (services.marve_referral_decline, "Referral declined."),
    "heard": (services.marve_referral_mark_heard, "Referral marked as heard at a panel."),
}


@requires("meetings.decide_marve")
@require_POST
def marve_decide(request: AuthenticatedHttpRequest, pk: int, decision: str) -> HttpResponse:
    # The route's gate already asked for a panel role; the service refuses, with the reason, a
    # panel member who made the referral or chaired the meeting it came from.
    referral = selectors.get_referral_for_viewer(viewer=request.user, pk=pk)
    move, done = MARVE_MOVES[decision]
    form = MarveDecisionForm(request.POST)
    if form.is_valid():
        outcome = save_form(
            form,
            lambda d: move(
                actor=request.user,
                referral=referral,
                expected_version=form.expected_version(),
                reason=d["reason"],
            ),
            rebuild=lambda data: MarveDecisionForm(data),
        )
        if outcome.saved:
            messages.success(request, done)
            return redirect("meetings:marve_detail", pk=referral.pk)
        form = outcome.form
    context = _marve_page(request, referral, form)
    return render(request, "meetings/marve_detail.html", context)


@requires("meetings.view_marve_list")
def marve_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MarveFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    referrals = selectors.marve_list(
        viewer=request.user,
        status=data.get("status", ""),
        referral_type=data.get("referral_type", ""),
    )
    page = Paginator(referrals, MARVE_PAGE).get_page(request.GET.get("page"))
    rows = selectors.marve_rows(viewer=request.user, referrals=list(page))
    context = {"form": form, "page": page, "rows": rows}
    return render(request, "meetings/marve_list.html", context)
