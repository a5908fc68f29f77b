"""CS&E conferences: booking one, the list, the views of the young person and family, and the
decision. What a conference shares with a panel meeting (agenda, reports, attendance, holding
it, minutes) is on the meeting's own pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone

from access.policy import requires
from casework.selectors import subject_profile_url
from contexts.models import Context
from contexts.selectors import get_context_for_viewer
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from meetings.models import StrategyMeeting
from meetings.selectors import get_meeting_for_viewer as get_strategy_meeting_for_viewer
from panels import conferences
from panels.forms_conferences import ConferenceCreateForm, DecisionForm, ViewsForm
from panels.models import ConferenceForm, ConferenceStage, Meeting
from panels.rules import names_children_to
from panels.selectors import get_meeting_for_viewer, item_label, item_subject_url
from people.models import Person
from people.selectors import get_person_for_viewer
from plans.models import Plan, PlanStatus

Subject = Person | Context


def _digits(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _booking_subject(
    request: AuthenticatedHttpRequest,
) -> tuple[Subject, StrategyMeeting | None]:
    """The child or context from ``?person=``, ``?context=`` or ``?strategy_meeting=``, each
    read only if the viewer may open it."""
    viewer = request.user
    strategy_id = _digits(request.GET.get("strategy_meeting", ""))
    if strategy_id is not None:
        strategy = get_strategy_meeting_for_viewer(viewer=viewer, pk=strategy_id)
        subject = strategy.person if strategy.person is not None else strategy.context
        if subject is None:
            raise Http404
        return subject, strategy
    person_id = _digits(request.GET.get("person", ""))
    context_id = _digits(request.GET.get("context", ""))
    if person_id is not None and context_id is None:
        return get_person_for_viewer(viewer=viewer, pk=person_id), None
    if context_id is not None and person_id is None:
        return get_context_for_viewer(viewer=viewer, pk=context_id), None
    raise Http404


def _plans_to_review(viewer: Any, subject: Subject) -> QuerySet[Plan]:
    plans = Plan.objects.filter(status=PlanStatus.ACTIVE)
    if isinstance(subject, Person):
        plans = plans.filter(person=subject)
    else:
        plans = plans.filter(context=subject)
    visible = [plan.pk for plan in plans if viewer.has_perm("plans.view_plan", plan)]
    return Plan.objects.filter(pk__in=visible).order_by("-started_on")


def _subject_name(subject: Subject) -> str:
    return str(subject.display_name) if isinstance(subject, Person) else subject.name


def _conference(request: AuthenticatedHttpRequest, pk: int, permission: str) -> Meeting:
    meeting = get_meeting_for_viewer(viewer=request.user, pk=pk, permission=permission)
    if not meeting.is_conference:
        raise Http404
    return meeting


def _page_context(request: AuthenticatedHttpRequest, meeting: Meeting) -> dict[str, Any]:
    item = conferences.subject_item(meeting)
    return {
        "meeting": meeting,
        "item": item,
        "subject_label": item_label(request.user, item),
        "subject_url": item_subject_url(request.user, item),
    }


@requires("panels.add_conference")
def conference_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    subject, strategy = _booking_subject(request)
    for_context = isinstance(subject, Context)
    plans = _plans_to_review(request.user, subject)
    reason = strategy.reason if strategy is not None and not for_context else ""
    form = ConferenceCreateForm(
        request.POST or None,
        for_context=for_context,
        plans=plans,
        initial={"reason": reason, "stage": ConferenceStage.INITIAL},
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: conferences.conference_create(
                actor=request.user,
                form=d["form"],
                stage=d["stage"],
                scheduled_for=form.scheduled_for(),
                chair=d["chair"],
                reason=d["reason"],
                person=subject if isinstance(subject, Person) else None,
                context=subject if isinstance(subject, Context) else None,
                strategy_meeting=strategy,
                venue=d["venue"],
                review_of=d.get("review_of"),
            ),
        )
        if outcome.saved:
            meeting: Meeting = outcome.result
            if meeting.chair_id == request.user.pk:
                messages.success(request, "The conference is booked. Invite the agencies.")
            else:
                messages.success(
                    request,
                    f"The conference is booked. {meeting.chair.get_full_name()}, its independent "
                    "chair, invites the agencies.",
                )
            if conferences.is_late(meeting) and meeting.due_by is not None:
                messages.warning(
                    request,
                    f"The conference is later than it should be: it was due by "
                    f"{meeting.due_by.day} {meeting.due_by:%B %Y}. Record why in its minutes.",
                )
            return redirect("panels:meeting_detail", pk=meeting.pk)
    due_hint = None
    if strategy is not None and not for_context:
        due_hint = conferences.initial_due_by(strategy)
    context = {
        "form": form,
        "subject_name": _subject_name(subject),
        "subject_url": subject_profile_url(subject),
        "is_context": for_context,
        "strategy": strategy,
        "due_hint": due_hint,
        "forms": ConferenceForm,
    }
    return render(request, "panels/conferences/create.html", context)


@requires("panels.view_panels")
def conference_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = conferences.conferences_for_viewer(request.user)
    context = {
        "rows": rows,
        "today": timezone.localdate(),
        "can_book": request.user.has_perm("panels.add_conference"),
    }
    return render(request, "panels/conferences/list.html", context)


@requires("panels.view_panels")
def conference_views(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _conference(request, pk, "panels.contribute_to_meeting")
    if not names_children_to(request.user, meeting):
        # Views may name the child: partners outside the statutory agencies never get them.
        raise Http404
    initial = {
        "version": meeting.version,
        "young_person_views": meeting.young_person_views,
        "family_views": meeting.family_views,
    }

    def build(data: QueryDict | None) -> ViewsForm:
        return ViewsForm(data, initial=initial)

    form = build(request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: conferences.views_record(
                actor=request.user,
                meeting=meeting,
                expected_version=form.expected_version(),
                young_person_views=d["young_person_views"],
                family_views=d["family_views"],
            ),
            rebuild=build,
        )
        if outcome.saved:
            messages.success(request, "The views are saved.")
            return redirect("panels:meeting_detail", pk=meeting.pk)
        form, conflict = outcome.form, outcome.conflict
    context = _page_context(request, meeting) | {"form": form, "conflict": conflict}
    return render(request, "panels/conferences/views.html", context)


@requires("panels.view_panels")
def conference_decision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _conference(request, pk, "panels.chair_meeting")
    page = _page_context(request, meeting)
    if page["item"].decision:
        messages.info(request, "The conference's decision is already recorded.")
        return redirect("panels:meeting_detail", pk=meeting.pk)
    initial = {"version": meeting.version}

    def build(data: QueryDict | None) -> DecisionForm:
        return DecisionForm(data, meeting=meeting, initial=initial)

    form = build(request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: conferences.decision_record(
                actor=request.user,
                meeting=meeting,
                expected_version=form.expected_version(),
                plan_kind=d.get("plan_kind", ""),
                key_lead=d.get("key_lead"),
                review_on=d.get("review_on"),
                decision=d["decision"],
                cp_category=d.get("cp_category", ""),
                efh_harm_types=d.get("efh_harm_types", []),
                progress=d.get("progress", ""),
                situation=d.get("situation", ""),
                review_decision=d.get("review_decision") or "continue",
            ),
            rebuild=build,
        )
        if outcome.saved:
            decision: conferences.Decision = outcome.result
            if decision.plan is not None and meeting.stage == ConferenceStage.INITIAL:
                messages.success(request, "The decision is recorded. Add the plan's goals.")
                return redirect("plans:plan_detail", pk=decision.plan.pk)
            messages.success(request, "The decision is recorded.")
            return redirect("panels:meeting_detail", pk=meeting.pk)
        form, conflict = outcome.form, outcome.conflict
    context = page | {
        "form": form,
        "conflict": conflict,
        "review_latest": conferences.review_latest(meeting),
        "review_months": conferences.review_limit_months(meeting),
        "reviewing": meeting.stage == ConferenceStage.REVIEW,
    }
    return render(request, "panels/conferences/decision.html", context)
