"""Key leads, consultations with the CS lead, and NRM referrals. Views stay thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from access.policy import requires
from audit.models import AccessAction
from audit.services import audit_list_read, audit_record
from casework import selectors, services
from casework.forms import (
    AnswerForm,
    ConsultationForm,
    KeyLeadEndForm,
    KeyLeadForm,
    LeadSearchForm,
    NrmDecisionForm,
    NrmReferralForm,
)
from casework.models import ConsultationStatus, NrmDecision, NrmReferral
from casework.selectors import Subject
from casework.timescales import conclusive_grounds_earliest, nrm_status
from contexts.models import Context
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from events.models import HarmType
from people.models import Person
from people.selectors import get_person_for_viewer

PAGE_SIZE = 50


def _subject(request: AuthenticatedHttpRequest, permission: str) -> Subject:
    return selectors.get_subject_for_viewer(
        viewer=request.user,
        person_id=request.GET.get("person", ""),
        context_id=request.GET.get("context", ""),
        permission=permission,
    )


def _subject_kwargs(subject: Subject) -> dict[str, Any]:
    if isinstance(subject, Person):
        return {"person": subject}
    return {"context": subject}


def _subject_context(subject: Subject) -> dict[str, Any]:
    return {
        "subject": subject,
        "subject_name": subject.display_name if isinstance(subject, Person) else subject.name,
        "subject_url": selectors.subject_profile_url(subject),
        "subject_query": selectors.subject_query(subject),
        "is_context": isinstance(subject, Context),
    }


def _history_url(subject: Subject) -> str:
    return reverse("casework:keylead_history") + "?" + selectors.subject_query(subject)


def _refuse_unless(request: AuthenticatedHttpRequest, permission: str, obj: Any) -> None:
    """For a POST on a page the viewer may read: refuse (audited, 404) without the permission."""
    if not request.user.has_perm(permission, obj):
        audit_record(
            actor=request.user, action=AccessAction.PERMISSION_DENIED, obj=obj, reason=permission
        )
        raise Http404


# --- key leads --------------------------------------------------------------------------------


@requires("casework.manage_key_leads")
def keylead_allocate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search for the key lead (any agency), choose them, then give the start date and reason."""
    subject = _subject(request, "casework.allocate_key_lead")
    current = selectors.current_key_lead(subject)
    search = LeadSearchForm(request.GET)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    lead = selectors.get_lead(request.POST.get("lead") or request.GET.get("lead", ""))
    candidates = (
        selectors.lead_candidates(viewer=request.user, query=query)
        if query and lead is None
        else None
    )
    form = KeyLeadForm(
        request.POST or None, replacing=current is not None, initial={"lead": lead and lead.pk}
    )
    if request.method == "POST" and form.is_valid():
        if lead is None:
            form.add_error(None, "Choose the key lead")
        else:
            chosen, seen = lead, request.POST.get("current", "")
            outcome = save_form(
                form,
                lambda d: services.key_lead_allocate(
                    actor=request.user,
                    lead=chosen,
                    started_on=d["started_on"],
                    reason=d["reason"],
                    end_reason=d.get("end_reason", ""),
                    expected_current_id=int(seen) if seen.isdigit() else None,
                    **_subject_kwargs(subject),
                ),
            )
            if outcome.saved:
                messages.success(request, f"{chosen.get_full_name()} is now the key lead.")
                return redirect(_history_url(subject))
    context = _subject_context(subject) | {
        "current": current,
        "search": search,
        "query": query,
        "candidates": candidates,
        "lead": lead,
        "form": form,
    }
    return render(request, "casework/keylead_allocate.html", context)


@requires("casework.view_casework")
def keylead_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    subject = _subject(request, "casework.view_key_leads")
    history = selectors.key_lead_history(subject)
    current = next((a for a in history if a.ended_on is None), None)
    context = _subject_context(subject) | {
        "history": history,
        "current": current,
        "can_allocate": request.user.has_perm("casework.allocate_key_lead", subject)
        and not (isinstance(subject, Person) and subject.kind != "young_person"),
        "can_end": current is not None and request.user.has_perm("casework.end_key_lead", current),
    }
    return render(request, "casework/keylead_history.html", context)


@requires("casework.manage_key_leads")
def keylead_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    allocation = selectors.get_allocation_for_viewer(
        viewer=request.user, pk=pk, permission="casework.allocate_key_lead"
    )
    subject: Subject = allocation.person or allocation.context  # type: ignore[assignment]
    if allocation.ended_on is not None:
        messages.info(request, "This key lead allocation has already ended.")
        return redirect(_history_url(subject))
    initial = {"version": allocation.version}
    form = KeyLeadEndForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.key_lead_end(
                actor=request.user,
                allocation=allocation,
                expected_version=d["version"] or 0,
                ended_on=d["ended_on"],
                end_reason=d["end_reason"],
            ),
            rebuild=lambda data: KeyLeadEndForm(data, initial=initial),
        )
        if outcome.saved:
            messages.success(request, "The key lead allocation has ended.")
            return redirect(_history_url(subject))
        form, conflict = outcome.form, outcome.conflict
    context = _subject_context(subject) | {
        "allocation": allocation,
        "form": form,
        "conflict": conflict,
    }
    return render(request, "casework/keylead_end.html", context)


@requires("casework.view_casework")
def my_caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
    caseload = selectors.my_caseload(viewer=request.user)
    return render(request, "casework/my_caseload.html", {"caseload": caseload})


# --- consultations ----------------------------------------------------------------------------


@requires("casework.view_casework")
def consultation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    subject = _subject(request, "casework.ask_consultation")
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.consultation_ask(
                actor=request.user,
                question=d["question"],
                asked_of=d["asked_of"],
                **_subject_kwargs(subject),
            ),
        )
        if outcome.saved:
            messages.success(request, "Your question has gone to the CS lead.")
            return redirect("casework:consultation_detail", pk=outcome.result.pk)
    context = _subject_context(subject) | {"form": form}
    return render(request, "casework/consultation_form.html", context)


@requires("casework.answer_consultations")
def consultation_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_list_read(
        actor=request.user,
        object_type="casework.consultation",
        reason="Listed consultations waiting for an answer",
    )
    rows = selectors.consultation_queue(viewer=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "casework/consultation_queue.html", {"page": page})


@requires("casework.view_casework")
def consultation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = selectors.get_consultation_for_viewer(viewer=request.user, pk=pk)
    is_open = consultation.status == ConsultationStatus.ASKED
    can_answer = is_open and request.user.has_perm("casework.answer_consultation", consultation)
    initial = {"version": consultation.version}
    form = AnswerForm(request.POST or None, initial=initial) if can_answer else None
    conflict = None
    if request.method == "POST":
        _refuse_unless(request, "casework.answer_consultation", consultation)
        if not is_open:
            messages.info(request, "This consultation has already been answered.")
            return redirect("casework:consultation_detail", pk=pk)
        if form is not None and form.is_valid():
            outcome = save_form(
                form,
                lambda d: services.consultation_answer(
                    actor=request.user,
                    consultation=consultation,
                    expected_version=d["version"] or 0,
                    answer=d["answer"],
                ),
                rebuild=lambda data: AnswerForm(data, initial=initial),
            )
            if outcome.saved:
                messages.success(request, "Your answer is saved and the practitioner told.")
                return redirect("casework:consultation_detail", pk=pk)
            form, conflict = outcome.form, outcome.conflict
    shown = selectors.people_shown(request.user, [consultation])
    name, link = selectors.subject_label(consultation, shown)
    context = {
        "consultation": consultation,
        "subject_name": name,
        "subject_url": link,
        "form": form,
        "conflict": conflict,
    }
    return render(request, "casework/consultation_detail.html", context)


# --- NRM referrals ----------------------------------------------------------------------------


@requires("casework.refer_to_nrm")
def nrm_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    person_id = request.GET.get("person", "")
    if not person_id.isdigit():
        raise Http404
    person = get_person_for_viewer(
        viewer=request.user, pk=int(person_id), permission="casework.add_nrm_referral"
    )
    form = NrmReferralForm(request.POST or None, agency=request.user.agency)
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.nrm_refer(
                actor=request.user,
                person=person,
                referred_on=d["referred_on"],
                first_responder=d["first_responder"],
                decision_maker=d["decision_maker"],
                exploitation_types=d["exploitation_types"],
                summary=d["summary"],
            ),
        )
        if outcome.saved:
            messages.success(request, "NRM referral recorded.")
            return redirect("casework:nrm_detail", pk=outcome.result.pk)
    return render(request, "casework/nrm_form.html", {"person": person, "form": form})


def _stage(referral: NrmReferral) -> str:
    """The decision to record next: "reasonable", "conclusive", or "" when there is none."""
    if not referral.reasonable_grounds:
        return "reasonable"
    if referral.reasonable_grounds == NrmDecision.POSITIVE and not referral.conclusive_grounds:
        return "conclusive"
    return ""


@requires("casework.view_casework")
def nrm_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_nrm_referral_for_viewer(
        viewer=request.user, pk=pk, permission="casework.view_nrm_referral"
    )
    context = {
        "referral": referral,
        "status": nrm_status(referral, timezone.localdate()),
        "stage": _stage(referral),
        "earliest_cg": conclusive_grounds_earliest(referral),
        "exploitation": [
            HarmType(t).label for t in referral.exploitation_types if t in HarmType.values
        ],
        "can_decide": bool(_stage(referral))
        and request.user.has_perm("casework.decide_nrm_referral", referral),
        "can_open_person": request.user.has_perm("people.view_person", referral.person),
    }
    return render(request, "casework/nrm_detail.html", context)


@requires("casework.refer_to_nrm")
def nrm_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = selectors.get_nrm_referral_for_viewer(
        viewer=request.user, pk=pk, permission="casework.decide_nrm_referral"
    )
    stage = _stage(referral)
    if not stage:
        messages.info(
            request,
            "The reasonable-grounds decision was negative, which ends the referral: there is no "
            "conclusive-grounds decision to record."
            if referral.reasonable_grounds == NrmDecision.NEGATIVE
            else "Both decisions are recorded.",
        )
        return redirect("casework:nrm_detail", pk=pk)
    label = "Reasonable-grounds" if stage == "reasonable" else "Conclusive-grounds"
    record = (
        services.nrm_record_reasonable_grounds
        if stage == "reasonable"
        else services.nrm_record_conclusive_grounds
    )
    initial = {"version": referral.version}
    form = NrmDecisionForm(request.POST or None, initial=initial, stage_label=label)
    conflict = None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: record(
                actor=request.user,
                referral=referral,
                expected_version=d["version"] or 0,
                decision=d["decision"],
                decided_on=d["decided_on"],
            ),
            rebuild=lambda data: NrmDecisionForm(data, initial=initial, stage_label=label),
        )
        if outcome.saved:
            messages.success(request, f"{label} decision recorded.")
            return redirect("casework:nrm_detail", pk=pk)
        form, conflict = outcome.form, outcome.conflict
    context = {
        "referral": referral,
        "stage": stage,
        "label": label,
        "earliest_cg": conclusive_grounds_earliest(referral),
        "form": form,
        "conflict": conflict,
    }
    return render(request, "casework/nrm_decide.html", context)


@requires("casework.view_nrm_list")
def nrm_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_list_read(
        actor=request.user, object_type="casework.nrmreferral", reason="Listed open NRM referrals"
    )
    rows = selectors.open_nrm_referrals(viewer=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = sum(1 for row in rows if row.status.overdue)
    return render(request, "casework/nrm_list.html", {"page": page, "overdue": overdue})
