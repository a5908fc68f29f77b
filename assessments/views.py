"""Single assessments and context assessments. Views stay thin: authorise, validate, call a
service, redirect or render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from access.policy import requires
from accounts.models import Team, User
from assessments import selectors, services
from assessments.codes import CinFactor
from assessments.forms import (
    CONTEXT_SECTION_FORMS,
    SINGLE_SECTION_FORMS,
    FindingForm,
    SignOffForm,
    StartForm,
    TriangleForm,
    VersionedForm,
    WeightingAddForm,
    WeightingRankForm,
)
from assessments.models import AssessmentStatus, ContextAssessment, SingleAssessment
from assessments.timescales import timescale_of
from assessments.triangles import TRIANGLES, triangle_for
from contexts.models import Context
from contexts.selectors import context_members, get_context_for_viewer
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.concurrency import EditConflict
from contextsafe.lib.editing import CONFLICT_MESSAGE, save_form
from frontdoor.models import Contact
from people.selectors import get_person_for_viewer

TEAM_PAGE = 25
READ_ONLY = "This assessment can no longer be changed."


def _id(request: AuthenticatedHttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None


def _contact(request: AuthenticatedHttpRequest) -> Contact | None:
    pk = _id(request, "contact")
    return selectors.get_contact_for_viewer(viewer=request.user, pk=pk) if pk else None


def _start_form(request: AuthenticatedHttpRequest) -> StartForm:
    user = request.user
    teams = Team.objects.filter(agency=user.agency, is_active=True).order_by("name")
    leads = (
        User.objects.filter(
            agency=user.agency, is_active=True, role_grants__role__in=services.LEAD_ROLES
        )
        .distinct()
        .order_by("first_name", "last_name")
    )
    own_team = user.teams.filter(agency=user.agency).first()
    return StartForm(
        request.POST or None,
        teams=teams,
        leads=leads,
        initial={"team": own_team, "lead": user},
    )


def _section_page(
    request: AuthenticatedHttpRequest,
    *,
    assessment: SingleAssessment | ContextAssessment,
    title: str,
    build: Callable[[QueryDict | None], VersionedForm],
    save: Callable[[VersionedForm], Any],
    done: str,
    template_context: dict[str, Any],
) -> HttpResponse:
    """Show one section's form; save it through ``save``; on a conflict keep what was typed."""
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        messages.error(request, READ_ONLY)
        return redirect(done)
    form, conflict = build(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        bound = form
        outcome = save_form(form, lambda _: save(bound), rebuild=build)
        if outcome.saved:
            messages.success(request, f"{title} saved.")
            return redirect(done)
        form, conflict = outcome.form, outcome.conflict
    saved_now = _saved_values(conflict, form.section_fields) if conflict is not None else None
    page = {"form": form, "title": title, "conflict": conflict, "saved_now": saved_now}
    return render(
        request, "assessments/section_form.html", page | template_context | {"back": done}
    )


def _saved_values(record: Any, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """What the other editor saved, to show beside what this editor typed."""
    shown = []
    for name in names:
        if not hasattr(record, name):
            continue
        field = record._meta.get_field(name)
        value = getattr(record, name)
        if field.choices:
            value = dict(field.choices).get(value, value)
        if isinstance(value, list):
            value = ", ".join(CinFactor(c).label if c in CinFactor.values else c for c in value)
        shown.append((str(field.verbose_name), str(value or "")))
    return shown


# --- single assessments --------------------------------------------------------------------------


@requires("assessments.add_single_assessments")
def single_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    person_id = _id(request, "person")
    if person_id is None:
        raise Http404
    person = get_person_for_viewer(
        viewer=request.user, pk=person_id, permission="assessments.start_single_assessment"
    )
    contact = _contact(request)
    form = _start_form(request)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.single_assessment_start(
                actor=request.user,
                person=person,
                contact=contact,
                started_on=d["started_on"],
                lead=d["lead"],
                team=d["team"],
            ),
        )
        if outcome.saved:
            messages.success(request, f"Single assessment of {person.display_name} started.")
            return redirect("assessments:single_detail", pk=outcome.result.pk)
    return render(
        request,
        "assessments/start_form.html",
        {"form": form, "person": person, "contact": contact, "kind": "single"},
    )


def _single_page(
    request: AuthenticatedHttpRequest,
    assessment: SingleAssessment,
    *,
    submit_errors: list[tuple[str, str]] | None = None,
    sign_off_form: SignOffForm | None = None,
) -> HttpResponse:
    user = request.user
    areas = selectors.findings_by_area(assessment)
    in_progress = assessment.status == AssessmentStatus.IN_PROGRESS
    can_change = in_progress and user.has_perm("assessments.change_single_assessment", assessment)
    awaiting = assessment.status == AssessmentStatus.AWAITING_SIGN_OFF
    own = user.pk in (assessment.lead_id, assessment.submitted_by_id)
    can_sign_off = awaiting and user.has_perm("assessments.sign_off_single_assessment", assessment)
    page = {
        "assessment": assessment,
        "person": assessment.person,
        "areas": areas,
        "has_findings": any(a.findings for a in areas),
        "factors": [CinFactor(c).label for c in assessment.cin_factors if c in CinFactor.values],
        "timescale": timescale_of(assessment),
        "can_change": can_change,
        "can_sign_off": can_sign_off and not own,
        "own_work": can_sign_off and own,
        "submit_errors": submit_errors,
        "sign_off_form": sign_off_form or SignOffForm.for_assessment(assessment),
        "remaining": _single_links(services.single_submission_problems(assessment), assessment)
        if can_change
        else [],
        "told": "The team managers",
        "text_sections": [
            ("voice", "The child's voice", assessment.child_voice),
            ("strengths", "Strengths", assessment.strengths),
            ("analysis", "Analysis", assessment.analysis),
        ],
    }
    return render(request, "assessments/single_detail.html", page)


def _single_links(problems: dict[str, str], assessment: SingleAssessment) -> list[tuple[str, str]]:
    """Each problem with a link to the section that puts it right."""
    section = {"primary_need": "factors"}
    links = []
    for key, message in problems.items():
        if key == "contextual":
            url = reverse("assessments:single_detail", args=[assessment.pk]) + "#contextual"
        else:
            url = reverse("assessments:single_section", args=[assessment.pk, section.get(key, key)])
        links.append((url, message))
    return links


def _context_links(
    problems: dict[str, str], assessment: ContextAssessment
) -> list[tuple[str, str]]:
    return [
        (reverse("assessments:context_section", args=[assessment.pk, key]), message)
        for key, message in problems.items()
    ]


@requires("assessments.view_assessments")
def single_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_single_assessment_for_viewer(viewer=request.user, pk=pk)
    return _single_page(request, assessment)


def _single_for_change(request: AuthenticatedHttpRequest, pk: int) -> SingleAssessment:
    return selectors.get_single_assessment_for_viewer(
        viewer=request.user, pk=pk, permission="assessments.change_single_assessment"
    )


@requires("assessments.add_single_assessments")
def single_section(request: AuthenticatedHttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SINGLE_SECTION_FORMS:
        raise Http404
    assessment = _single_for_change(request, pk)
    title, form_class = SINGLE_SECTION_FORMS[section]
    initial = form_class.initial_from(assessment)
    return _section_page(
        request,
        assessment=assessment,
        title=title,
        build=lambda data: form_class(data, initial=initial),
        save=lambda form: services.single_assessment_update(
            actor=request.user,
            assessment=assessment,
            expected_version=form.expected_version(),
            **form.values(),
        ),
        done=reverse("assessments:single_detail", args=[pk]) + f"#{section}",
        template_context={"assessment": assessment, "person": assessment.person},
    )


def _finding_page(
    request: AuthenticatedHttpRequest,
    assessment: SingleAssessment,
    *,
    initial: dict[str, Any],
    save: Callable[[FindingForm], Any],
    finding: Any = None,
) -> HttpResponse:
    # "Find context" posts the whole form, so nothing typed is lost: the page comes back with
    # what was typed, the search results offered, and nothing saved. A search by link (?q=)
    # works too.
    searching = request.method == "POST" and "find" in request.POST
    if searching:
        typed = {name: request.POST.get(name, "") for name in FindingForm.section_fields}
        area = typed["area"] or request.GET.get("area", "")
        query = request.POST.get("q", "")
        initial = {**initial, **typed, "version": request.POST.get("version", "")}
    else:
        area = request.GET.get("area") or initial.get("area") or ""
        query = request.GET.get("q", "")
        initial = {**initial, "area": area, "version": assessment.version}
    query = query.strip()[:100]
    own, found = selectors.contexts_to_offer(
        viewer=request.user, assessment=assessment, area=area, query=query
    )
    chosen = request.POST.get("context") or initial.get("context") or ""
    extra = list(Context.objects.filter(pk=int(chosen))) if chosen.isdigit() else []
    offered = [*extra, *own, *(found or [])]
    hint = _context_hint(assessment, area=area, has_own=bool(own), query=query if found else "")

    def build(data: QueryDict | None) -> FindingForm:
        return FindingForm(
            None if searching else data, initial=initial, contexts=offered, context_hint=hint
        )

    return _section_page(
        request,
        assessment=assessment,
        title="Contextual finding",
        build=build,
        save=save,  # type: ignore[arg-type]
        done=reverse("assessments:single_detail", args=[assessment.pk]) + "#contextual",
        template_context={
            "assessment": assessment,
            "person": assessment.person,
            "finding": finding,
            "area": area,
            "query": query,
            "found": found,
        },
    )


def _context_hint(assessment: SingleAssessment, *, area: str, has_own: bool, query: str) -> str:
    """Where the offered contexts come from. ``query`` is given when the search found some."""
    person = assessment.person
    name = person.known_as or person.given_name
    source = f"linked to {name}" + (" or named in the contact" if assessment.contact_id else "")
    if has_own:
        then = f", then those matching ‘{query}’" if query else ""
        return f"Places and groups {source}{then}."
    none = f"No places or groups{' of this kind' if area else ''} are {source}"
    if query:
        return f"{none}. These match ‘{query}’."
    return f"{none} yet. Find one below, or record the finding without linking it."


@requires("assessments.add_single_assessments")
def finding_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = _single_for_change(request, pk)
    return _finding_page(
        request,
        assessment,
        initial={},
        save=lambda form: services.finding_add(
            actor=request.user,
            assessment=assessment,
            expected_version=form.expected_version(),
            **form.values(),
        ),
    )


@requires("assessments.add_single_assessments")
def finding_edit(request: AuthenticatedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    assessment = _single_for_change(request, pk)
    finding = selectors.get_finding(assessment, finding_pk)
    return _finding_page(
        request,
        assessment,
        initial=FindingForm.initial_from(finding),
        finding=finding,
        save=lambda form: services.finding_update(
            actor=request.user,
            finding=finding,
            expected_version=form.expected_version(),
            **form.values(),
        ),
    )


@requires("assessments.add_single_assessments")
@require_POST
def finding_remove(request: AuthenticatedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    assessment = _single_for_change(request, pk)
    finding = selectors.get_finding(assessment, finding_pk)
    _run(
        request,
        lambda version: services.finding_remove(
            actor=request.user, finding=finding, expected_version=version
        ),
        "Finding removed.",
    )
    return redirect(reverse("assessments:single_detail", args=[pk]) + "#contextual")


def _run(request: AuthenticatedHttpRequest, action: Callable[[int], Any], done: str) -> bool:
    """A one-button action (remove, submit): report a conflict or a refusal as a message."""
    raw = request.POST.get("version", "")
    try:
        action(int(raw) if raw.isdigit() else 0)
    except EditConflict:
        messages.error(request, CONFLICT_MESSAGE)
        return False
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, done)
    return True


def _submission_errors(
    error: ValidationError, links: Callable[[dict[str, str]], list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    if not hasattr(error, "error_dict"):
        return [("", m) for m in error.messages]
    return links({key: " ".join(errs) for key, errs in error.message_dict.items()})


@requires("assessments.add_single_assessments")
@require_POST
def single_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = _single_for_change(request, pk)
    raw = request.POST.get("version", "")
    try:
        services.single_assessment_submit(
            actor=request.user,
            assessment=assessment,
            expected_version=int(raw) if raw.isdigit() else 0,
        )
    except EditConflict:
        messages.error(request, CONFLICT_MESSAGE)
        return redirect("assessments:single_detail", pk=pk)
    except ValidationError as error:
        errors = _submission_errors(error, lambda p: _single_links(p, assessment))
        return _single_page(request, assessment, submit_errors=errors)
    messages.success(request, "Submitted for sign-off. The team's managers have been told.")
    return redirect("assessments:single_detail", pk=pk)


def _sign_off(
    request: AuthenticatedHttpRequest,
    decide: Callable[[bool, int, str], Any],
    page: Callable[[SignOffForm], HttpResponse],
    done: str,
) -> HttpResponse:
    """A manager signs off (``decide(True, ...)``) or returns (``decide(False, ...)``)."""
    form = SignOffForm(request.POST)
    if form.is_valid():
        signing = form.cleaned_data["decision"] == "sign_off"
        try:
            outcome = save_form(
                form, lambda d: decide(signing, form.expected_version(), d["comment"])
            )
        except EditConflict:
            messages.error(request, CONFLICT_MESSAGE)
            return redirect(done)
        if outcome.saved:
            messages.success(request, "Signed off." if signing else "Returned with your comment.")
            return redirect(done)
    return page(form)


@requires("assessments.view_team_assessments")
@require_POST
def single_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_single_assessment_for_viewer(
        viewer=request.user, pk=pk, permission="assessments.sign_off_single_assessment"
    )

    def decide(signing: bool, version: int, comment: str) -> SingleAssessment:
        service = services.assessment_sign_off if signing else services.assessment_return
        return service(
            actor=request.user, assessment=assessment, expected_version=version, comment=comment
        )

    return _sign_off(
        request,
        decide,
        lambda form: _single_page(request, assessment, sign_off_form=form),
        reverse("assessments:single_detail", args=[pk]),
    )


# --- context assessments -------------------------------------------------------------------------


@requires("assessments.work_on_assessments")
def context_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    context_id = _id(request, "context")
    if context_id is None:
        raise Http404
    context = get_context_for_viewer(
        viewer=request.user, pk=context_id, permission="assessments.start_context_assessment"
    )
    if context.kind not in TRIANGLES:
        return render(
            request,
            "assessments/refused.html",
            {"context": context, "message": services.ONLINE_REFUSAL},
            status=200,
        )
    contact = _contact(request)
    form = _start_form(request)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.context_assessment_start(
                actor=request.user,
                context=context,
                contact=contact,
                started_on=d["started_on"],
                lead=d["lead"],
                team=d["team"],
            ),
        )
        if outcome.saved:
            messages.success(request, f"Context assessment of {context.name} started.")
            return redirect("assessments:context_detail", pk=outcome.result.pk)
    return render(
        request,
        "assessments/start_form.html",
        {
            "form": form,
            "context": context,
            "contact": contact,
            "kind": "context",
            "triangle": triangle_for(context.kind),
        },
    )


def _context_page(
    request: AuthenticatedHttpRequest,
    assessment: ContextAssessment,
    *,
    submit_errors: list[tuple[str, str]] | None = None,
    sign_off_form: SignOffForm | None = None,
) -> HttpResponse:
    user = request.user
    in_progress = assessment.status == AssessmentStatus.IN_PROGRESS
    can_change = in_progress and user.has_perm("assessments.change_context_assessment", assessment)
    awaiting = assessment.status == AssessmentStatus.AWAITING_SIGN_OFF
    own = user.pk in (assessment.lead_id, assessment.submitted_by_id)
    can_sign_off = awaiting and user.has_perm("assessments.sign_off_context_assessment", assessment)
    triangle = triangle_for(assessment.context.kind)
    page = {
        "assessment": assessment,
        "context": assessment.context,
        "triangle": triangle,
        "sides": list(
            zip(
                triangle.sides,
                (assessment.triangle_first, assessment.triangle_second, assessment.triangle_third),
                strict=True,
            )
        ),
        "prompts": [
            (form_field.label, getattr(assessment, name))
            for name, form_field in CONTEXT_SECTION_FORMS["prompts"][1].base_fields.items()
            if name != "version"
        ],
        "weightings": list(assessment.weightings.select_related("context")),
        "members": context_members(viewer=user, context=assessment.context),
        "timescale": timescale_of(assessment),
        "can_change": can_change,
        "can_sign_off": can_sign_off and not own,
        "own_work": can_sign_off and own,
        "submit_errors": submit_errors,
        "sign_off_form": sign_off_form or SignOffForm.for_assessment(assessment),
        "remaining": _context_links(services.context_submission_problems(assessment), assessment)
        if can_change
        else [],
        "status_note": selectors.sign_off_status_note(assessment) if can_sign_off else "",
        "told": "The team managers and CS leads",
    }
    return render(request, "assessments/context_detail.html", page)


@requires("assessments.view_assessments")
def context_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_context_assessment_for_viewer(viewer=request.user, pk=pk)
    return _context_page(request, assessment)


def _context_for_change(request: AuthenticatedHttpRequest, pk: int) -> ContextAssessment:
    return selectors.get_context_assessment_for_viewer(
        viewer=request.user, pk=pk, permission="assessments.change_context_assessment"
    )


@requires("assessments.work_on_assessments")
def context_section(request: AuthenticatedHttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in CONTEXT_SECTION_FORMS:
        raise Http404
    assessment = _context_for_change(request, pk)
    title, form_class = CONTEXT_SECTION_FORMS[section]
    initial = form_class.initial_from(assessment)
    triangle = triangle_for(assessment.context.kind)

    def build(data: QueryDict | None) -> VersionedForm:
        if form_class is TriangleForm:
            return TriangleForm(data, initial=initial, triangle=triangle)
        return form_class(data, initial=initial)

    return _section_page(
        request,
        assessment=assessment,
        title=triangle.name if section == "triangle" else title,
        build=build,
        save=lambda form: services.context_assessment_update(
            actor=request.user,
            assessment=assessment,
            expected_version=form.expected_version(),
            **form.values(),
        ),
        done=reverse("assessments:context_detail", args=[pk]) + f"#{section}",
        template_context={
            "assessment": assessment,
            "context": assessment.context,
            "triangle": triangle if section == "triangle" else None,
        },
    )


@requires("assessments.work_on_assessments")
def context_weighting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The ranked list of linked contexts: re-rank it, or add a context to it."""
    assessment = _context_for_change(request, pk)
    done = reverse("assessments:context_weighting", args=[pk])
    if assessment.status != AssessmentStatus.IN_PROGRESS:
        messages.error(request, READ_ONLY)
        return redirect("assessments:context_detail", pk=pk)
    weightings = list(assessment.weightings.select_related("context"))
    candidates = selectors.weighting_candidates(assessment=assessment)
    query = request.GET.get("q", "").strip()[:100]
    found = selectors.search_contexts(viewer=request.user, query=query)
    chosen = request.POST.get("context", "")
    extra = list(Context.objects.filter(pk=int(chosen))) if chosen.isdigit() else []
    action = request.POST.get("action", "")
    initial = {"version": assessment.version}

    def build_rank(data: QueryDict | None) -> WeightingRankForm:
        return WeightingRankForm(data, initial=initial, weightings=weightings)

    def build_add(data: QueryDict | None) -> WeightingAddForm:
        offered = [*(c.context for c in candidates), *found, *extra]
        reasons = {c.context.pk: c.reason for c in candidates}
        return WeightingAddForm(data, initial=initial, contexts=offered, reasons=reasons)

    rank_form = build_rank(request.POST if action == "rank" else None)
    add_form = build_add(request.POST if action == "add" else None)
    conflict = False
    if action == "rank" and rank_form.is_valid():
        bound_rank = rank_form
        outcome = save_form(
            rank_form,
            lambda _: services.weighting_rerank(
                actor=request.user,
                assessment=assessment,
                expected_version=bound_rank.expected_version(),
                entries=bound_rank.entries(),
            ),
            rebuild=build_rank,
        )
        if outcome.saved:
            messages.success(request, "Ranking saved.")
            return redirect(done)
        rank_form, conflict = outcome.form, outcome.conflict is not None
    elif action == "add" and add_form.is_valid():
        bound_add = add_form
        outcome_add = save_form(
            add_form,
            lambda d: services.weighting_add(
                actor=request.user,
                assessment=assessment,
                expected_version=bound_add.expected_version(),
                context=bound_add.chosen(),
                rationale=d["rationale"],
            ),
            rebuild=build_add,
        )
        if outcome_add.saved:
            messages.success(request, f"{outcome_add.result.context.name} added to the list.")
            return redirect(done)
        add_form, conflict = outcome_add.form, outcome_add.conflict is not None
    page = {
        "assessment": assessment,
        "context": assessment.context,
        "rank_form": rank_form,
        "add_form": add_form,
        "weightings": weightings,
        "candidates": candidates,
        "found": found if query else None,
        "query": query,
        "conflict": conflict,
        "bound_form": rank_form if action == "rank" else add_form,
    }
    return render(request, "assessments/weighting.html", page)


@requires("assessments.work_on_assessments")
@require_POST
def weighting_remove(request: AuthenticatedHttpRequest, pk: int, weighting_pk: int) -> HttpResponse:
    assessment = _context_for_change(request, pk)
    weighting = selectors.get_weighting(assessment, weighting_pk)
    _run(
        request,
        lambda version: services.weighting_remove(
            actor=request.user, weighting=weighting, expected_version=version
        ),
        f"{weighting.context.name} removed from the list.",
    )
    return redirect("assessments:context_weighting", pk=pk)


@requires("assessments.work_on_assessments")
@require_POST
def context_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = _context_for_change(request, pk)
    raw = request.POST.get("version", "")
    try:
        services.context_assessment_submit(
            actor=request.user,
            assessment=assessment,
            expected_version=int(raw) if raw.isdigit() else 0,
        )
    except EditConflict:
        messages.error(request, CONFLICT_MESSAGE)
        return redirect("assessments:context_detail", pk=pk)
    except ValidationError as error:
        errors = _submission_errors(error, lambda p: _context_links(p, assessment))
        return _context_page(request, assessment, submit_errors=errors)
    messages.success(
        request, "Submitted for sign-off. The team's managers and CS leads have been told."
    )
    return redirect("assessments:context_detail", pk=pk)


@requires("assessments.view_team_assessments")
@require_POST
def context_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_context_assessment_for_viewer(
        viewer=request.user, pk=pk, permission="assessments.sign_off_context_assessment"
    )

    def decide(signing: bool, version: int, comment: str) -> ContextAssessment:
        service = services.assessment_sign_off if signing else services.assessment_return
        return service(
            actor=request.user, assessment=assessment, expected_version=version, comment=comment
        )

    return _sign_off(
        request,
        decide,
        lambda form: _context_page(request, assessment, sign_off_form=form),
        reverse("assessments:context_detail", args=[pk]),
    )


# --- the team's assessments in progress ----------------------------------------------------------


@requires("assessments.view_team_assessments")
def team_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    kind = "context" if request.GET.get("kind") == "context" else "single"
    teams = list(selectors.manager_teams(request.user))
    team_id = _id(request, "team")
    rows: QuerySet[Any] = selectors.team_assessments(
        viewer=request.user, kind=kind, team_ids=[team_id] if team_id else []
    )
    page = Paginator(rows, TEAM_PAGE).get_page(request.GET.get("page"))
    listed = selectors.with_timescales(list(page.object_list), timezone.localdate())
    return render(
        request,
        "assessments/team_queue.html",
        {"page": page, "rows": listed, "kind": kind, "teams": teams, "team_id": team_id},
    )
