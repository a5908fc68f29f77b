"""Plans for children and contexts, their goals, actions and reviews. Views stay thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from access.policy import requires
from audit.services import audit_list_read
from casework.selectors import get_subject_for_viewer, subject_profile_url
from contexts.models import Context
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from events.models import HarmType
from people.models import Person
from plans import selectors, services
from plans.forms import (
    ActionForm,
    CompleteForm,
    GoalForm,
    PlanEndForm,
    PlanForm,
    ReviewForm,
    SessionForm,
)
from plans.models import Action, ActionKind, ActionStatus, Plan, PlanKind


def _plan_context(plan: Plan) -> dict[str, Any]:
    return {
        "plan": plan,
        "subject_name": selectors.subject_name(plan),
        "subject_url": selectors.subject_url(plan),
        "is_context": plan.context_id is not None,
    }


def _editable_plan(request: AuthenticatedHttpRequest, pk: int) -> Plan:
    plan = selectors.get_plan_for_viewer(viewer=request.user, pk=pk, permission="plans.change_plan")
    if not plan.is_active:
        messages.info(request, "This plan has ended. It can no longer be changed.")
        raise _Ended(plan)
    return plan


class _Ended(Exception):
    def __init__(self, plan: Plan) -> None:
        self.plan = plan


def _ended_guard(view: Any) -> Any:
    """Send edits of an ended plan back to the plan's page."""

    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)  # type: ignore[no-any-return]
        except _Ended as ended:
            return redirect("plans:plan_detail", pk=ended.plan.pk)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- plans ------------------------------------------------------------------------------------


@requires("plans.view_plans")
def plan_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    subject = get_subject_for_viewer(
        viewer=request.user,
        person_id=request.GET.get("person", ""),
        context_id=request.GET.get("context", ""),
        permission="plans.add_plan",
    )
    for_context = isinstance(subject, Context)
    form = PlanForm(request.POST or None, for_context=for_context)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.plan_create(
                actor=request.user,
                kind=d["kind"],
                started_on=d["started_on"],
                person=subject if isinstance(subject, Person) else None,
                context=subject if isinstance(subject, Context) else None,
                **{k: d.get(k) for k in services.PLAN_FIELDS if k in form.fields},
            ),
        )
        if outcome.saved:
            messages.success(request, "The plan is saved. Add its goals and actions.")
            return redirect("plans:plan_detail", pk=outcome.result.pk)
    context = {
        "form": form,
        "subject_name": subject.display_name if isinstance(subject, Person) else subject.name,
        "subject_url": subject_profile_url(subject),
        "is_context": for_context,
        "kind_reveals": None if for_context else form.reveal_options("kind"),
        "main_fields": form.main_fields(),
    }
    return render(request, "plans/plan_form.html", context)


@requires("plans.view_plans")
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = selectors.get_plan_for_viewer(viewer=request.user, pk=pk)
    detail = selectors.plan_detail(viewer=request.user, plan=plan)
    can_edit = plan.is_active and request.user.has_perm("plans.change_plan", plan)
    context = _plan_context(plan) | {
        "detail": detail,
        "can_edit": can_edit,
        "can_complete_ids": {
            row.action.pk
            for row in detail.actions
            if row.action.is_open
            and plan.is_active
            and request.user.has_perm("plans.complete_action", row.action)
        },
        "harm_labels": [HarmType(h).label for h in plan.efh_harm_types if h in HarmType.values],
    }
    return render(request, "plans/plan_detail.html", context)


@requires("plans.view_plans")
@_ended_guard
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    for_context = plan.kind == PlanKind.CONTEXT_SAFETY
    initial = {
        "version": plan.version,
        "kind": plan.kind,
        "started_on": plan.started_on,
        **{name: getattr(plan, name) for name in services.PLAN_FIELDS},
    }

    def build(data: Any) -> PlanForm:
        return PlanForm(data, for_context=for_context, editing=True, initial=initial)

    form = build(request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.plan_update(
                actor=request.user,
                plan=plan,
                expected_version=d["version"] or 0,
                started_on=d["started_on"],
                **{k: d.get(k) for k in services.PLAN_FIELDS if k in form.fields},
            ),
            rebuild=build,
        )
        if outcome.saved:
            messages.success(request, "The plan is updated.")
            return redirect("plans:plan_detail", pk=plan.pk)
        form, conflict = outcome.form, outcome.conflict
    context = _plan_context(plan) | {
        "form": form,
        "conflict": conflict,
        "editing": True,
        "kind_reveals": None,
        "main_fields": form.main_fields(plan.kind),
    }
    return render(request, "plans/plan_form.html", context)


@requires("plans.view_plans")
@_ended_guard
def plan_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    initial = {"version": plan.version}
    form = PlanEndForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.plan_end(
                actor=request.user,
                plan=plan,
                expected_version=d["version"] or 0,
                ended_on=d["ended_on"],
                end_reason=d["end_reason"],
            ),
            rebuild=lambda data: PlanEndForm(data, initial=initial),
        )
        if outcome.saved:
            messages.success(request, "The plan has ended.")
            return redirect("plans:plan_detail", pk=plan.pk)
        form, conflict = outcome.form, outcome.conflict
    context = _plan_context(plan) | {"form": form, "conflict": conflict}
    return render(request, "plans/plan_end.html", context)


# --- goals ------------------------------------------------------------------------------------


@requires("plans.view_plans")
@_ended_guard
def goal_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.goal_add(
                actor=request.user, plan=plan, statement=d["statement"], measure=d["measure"]
            ),
        )
        if outcome.saved:
            messages.success(request, "The goal is added.")
            return redirect("plans:plan_detail", pk=plan.pk)
    context = _plan_context(plan) | {"form": form, "conflict": None, "goal": None}
    return render(request, "plans/goal_form.html", context)


@requires("plans.view_plans")
@_ended_guard
def goal_edit(request: AuthenticatedHttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    goal = selectors.get_goal(plan, goal_pk)
    initial = {"version": goal.version, "statement": goal.statement, "measure": goal.measure}
    form = GoalForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.goal_update(
                actor=request.user,
                goal=goal,
                expected_version=d["version"] or 0,
                statement=d["statement"],
                measure=d["measure"],
            ),
            rebuild=lambda data: GoalForm(data, initial=initial),
        )
        if outcome.saved:
            messages.success(request, "The goal is updated.")
            return redirect("plans:plan_detail", pk=plan.pk)
        form, conflict = outcome.form, outcome.conflict
    context = _plan_context(plan) | {"form": form, "conflict": conflict, "goal": goal}
    return render(request, "plans/goal_form.html", context)


# --- actions ----------------------------------------------------------------------------------


def _action_fields(form: ActionForm, data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in services.ACTION_FIELDS if k in form.fields}


@requires("plans.view_plans")
@_ended_guard
def action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    goal = request.GET.get("goal", "")
    initial = {"goal": int(goal)} if goal.isdigit() else {}
    form = ActionForm(request.POST or None, viewer=request.user, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.action_create(
                actor=request.user, plan=plan, **_action_fields(form, d)
            ),
        )
        if outcome.saved:
            messages.success(request, "The action is added.")
            return redirect("plans:plan_detail", pk=plan.pk)
    context = _plan_context(plan) | {
        "form": form,
        "kind_reveals": form.reveal_options("kind"),
        "conflict": None,
        "action": None,
    }
    return render(request, "plans/action_form.html", context)


def _action_initial(action: Action) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": action.version}
    for name in services.ACTION_FIELDS:
        value = getattr(action, name)
        initial[name] = value.pk if hasattr(value, "pk") else value
    return initial


@requires("plans.view_plans")
def action_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action_for_viewer(
        viewer=request.user, pk=pk, permission="plans.change_action"
    )
    plan = action.plan
    if not plan.is_active or action.status == ActionStatus.COMPLETED:
        messages.info(request, "This action can no longer be changed.")
        return redirect("plans:plan_detail", pk=plan.pk)
    initial = _action_initial(action)

    def build(data: Any) -> ActionForm:
        return ActionForm(data, viewer=request.user, plan=plan, editing=True, initial=initial)

    form = build(request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.action_update(
                actor=request.user,
                action=action,
                expected_version=d["version"] or 0,
                **_action_fields(form, d),
            ),
            rebuild=build,
        )
        if outcome.saved:
            messages.success(request, "The action is updated.")
            return redirect("plans:plan_detail", pk=plan.pk)
        form, conflict = outcome.form, outcome.conflict
    if conflict is not None:
        conflict = selectors.get_action_for_viewer(
            viewer=request.user, pk=pk, permission="plans.change_action"
        )
    context = _plan_context(plan) | {
        "form": form,
        "kind_reveals": form.reveal_options("kind"),
        "conflict": conflict,
        "action": action,
    }
    return render(request, "plans/action_form.html", context)


@requires("plans.view_plans")
def action_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The owner (or anyone who may edit the plan) marks an action done, with its evidence.

    An owner who may not open the child's record sees the action and nothing of the child."""
    action = selectors.get_action_for_viewer(
        viewer=request.user, pk=pk, permission="plans.complete_action"
    )
    label, link = selectors.action_subject_label(request.user, action)
    back = link or reverse("plans:my_actions")
    if not action.plan.is_active or not action.is_open:
        messages.info(request, "This action is no longer open.")
        return redirect(back)
    initial = {"version": action.version}
    form = CompleteForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.action_complete(
                actor=request.user,
                action=action,
                expected_version=d["version"] or 0,
                completed_on=d["completed_on"],
                evidence=d["evidence"],
                outcome=d["outcome"],
            ),
            rebuild=lambda data: CompleteForm(data, initial=initial),
        )
        if outcome.saved:
            messages.success(request, "The action is marked as completed.")
            return redirect(back)
        form, conflict = outcome.form, outcome.conflict
    context = {
        "action": action,
        "label": label,
        "link": link,
        "back": back,
        "form": form,
        "conflict": conflict,
    }
    return render(request, "plans/action_complete.html", context)


@requires("plans.view_plans")
def session_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = selectors.get_action_for_viewer(
        viewer=request.user, pk=pk, permission="plans.complete_action"
    )
    if action.kind != ActionKind.INTERVENTION:
        raise Http404
    label, link = selectors.action_subject_label(request.user, action)
    back = link or reverse("plans:my_actions")
    if not action.plan.is_active:
        messages.info(request, "This plan has ended. It can no longer be changed.")
        return redirect(back)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.session_add(
                actor=request.user,
                action=action,
                held_on=d["held_on"],
                attended=d["attended"],
                notes=d["notes"],
            ),
        )
        if outcome.saved:
            messages.success(request, "The session is recorded.")
            return redirect(back)
    context = {"action": action, "label": label, "link": link, "back": back, "form": form}
    return render(request, "plans/session_form.html", context)


# --- reviews ----------------------------------------------------------------------------------


@requires("plans.view_plans")
@_ended_guard
def review_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    goals = list(plan.goals.all())
    form = ReviewForm(
        request.POST or None, goals=goals, for_context=plan.kind == PlanKind.CONTEXT_SAFETY
    )
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.review_add(
                actor=request.user,
                plan=plan,
                held_on=d["held_on"],
                reviewed_by=d["reviewed_by"],
                progress=d["progress"],
                situation=d["situation"],
                decision=d["decision"],
                goal_progress=form.goal_progress(),
                next_review_due=d["next_review_due"],
            ),
        )
        if outcome.saved:
            messages.success(request, "The review is recorded.")
            return redirect("plans:plan_detail", pk=plan.pk)
    context = _plan_context(plan) | {
        "form": form,
        "goal_fields": [form[f"goal_{g.pk}"] for g in goals],
        "due": services.review_due_after(plan, form.initial["held_on"]),
    }
    return render(request, "plans/review_form.html", context)


# --- my actions -------------------------------------------------------------------------------


@requires("plans.view_plans")
def my_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_list_read(
        actor=request.user,
        object_type="plans.action",
        reason="Listed the actions owned by me or my agency",
    )
    rows = selectors.my_actions(viewer=request.user)
    led = selectors.led_overdue_actions(viewer=request.user)
    complete_ids = {
        r.action.pk for r in rows if request.user.has_perm("plans.complete_action", r.action)
    }
    context = {
        "rows": rows,
        "led": led,
        "complete_ids": complete_ids,
        "overdue": sum(1 for r in rows if r.overdue),
    }
    return render(request, "plans/my_actions.html", context)
