"""Missing episodes, return home interviews, threshold prompts and rules. Views stay thin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from access.policy import requires
from audit.services import audit_list_read
from contexts.models import Context, ContextKind
from contexts.selectors import context_list, get_context_for_viewer
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from missing import selectors, services
from missing.forms import EpisodeForm, InterviewForm, PromptDecisionForm, ThresholdRuleForm
from missing.models import MissingEpisode, PromptStatus, ThresholdPrompt, ThresholdRuleKind
from missing.thresholds import prompts_in_words, rule_in_words
from missing.timescales import duration_words, interview_timing
from people.codes import PersonKind
from people.models import Person
from people.selectors import get_person_for_viewer

LIST_PAGE = 50
EPISODE_FIELDS = (
    "episode_type",
    "went_missing_at",
    "reported_at",
    "reported_by",
    "police_reference",
    "police_risk_level",
    "returned_at",
    "found_description",
    "found_with_description",
    "safe_and_well_check_at",
    "narrative",
)


def meeting_link(name: str, prompt: ThresholdPrompt) -> str:
    """A link into the meetings app, naming the prompt so that arranging the meeting (or making
    the referral) there also records the decision here. If the meetings page does not exist the
    link is left out rather than breaking this page."""
    try:
        return f"{reverse(name)}?person={prompt.person_id}&prompt={prompt.pk}"
    except NoReverseMatch:
        return ""


# --- episodes -----------------------------------------------------------------------------------


def _chosen_location(request: AuthenticatedHttpRequest, raw: object) -> Context | None:
    value = str(raw or "")
    if not value.isdigit() or not Context.objects.filter(pk=int(value)).exists():
        return None
    return get_context_for_viewer(viewer=request.user, pk=int(value))


@dataclass
class Pickers:
    """What the place and people searches inside the episode form found or chose."""

    candidates: list[Person]
    location: Context | None
    places: list[Context] | None
    place_query: str
    people_query: str


def _form_action(data: QueryDict | None) -> str:
    """Which button was pressed: "save", or a search or pick that only re-shows the form."""
    if data is None:
        return ""
    action = str(data.get("action", "save"))
    picked = str(data.get("pick_place", ""))
    if picked:
        data["found_location"], action = picked, "pick_place"
    if action == "clear_place":
        data["found_location"] = ""
    return action


def _pickers(
    request: AuthenticatedHttpRequest,
    person: Person,
    data: QueryDict | None,
    initial: dict[str, Any],
    action: str,
) -> Pickers:
    if data is not None:
        chosen = [int(v) for v in data.getlist("found_with") if v.isdigit()]
        location_raw = data.get("found_location")
    else:
        chosen = [int(v) for v in initial.get("found_with", [])]
        location_raw = initial.get("found_location")
    people_query = (data.get("people_query", "") if data else "").strip()[:100]
    place_query = (data.get("place", "") if data else "").strip()[:100]
    places = None
    if action == "find_place" and place_query:
        found = context_list(viewer=request.user, query=place_query, kind=ContextKind.LOCATION)
        places = list(found[: selectors.PICK_LIMIT])
    candidates = selectors.found_with_candidates(
        viewer=request.user,
        person=person,
        query=people_query if action == "find_people" else "",
        chosen=chosen,
    )
    location = _chosen_location(request, location_raw)
    return Pickers(candidates, location, places, place_query, people_query)


def _episode_page(
    request: AuthenticatedHttpRequest, *, person: Person, episode: MissingEpisode | None
) -> HttpResponse:
    """One form for recording an episode and, now or later, the child's return.

    The place and people searches are buttons inside the same form, so nothing typed is lost
    while the recorder looks someone or somewhere up.
    """
    initial = EpisodeForm.initial_for(episode) if episode else {}
    data: QueryDict | None = request.POST.copy() if request.method == "POST" else None
    action = _form_action(data)
    searching = action not in {"", "save"}
    pick = _pickers(request, person, data, initial, action)

    def build(values: QueryDict | None) -> EpisodeForm:
        return EpisodeForm(values, initial=initial, candidates=pick.candidates, searching=searching)

    form, conflict = build(data), None
    if data is not None and not searching and form.is_valid():
        if form.cleaned_data["found_location"] and pick.location is None:
            form.add_error("found_location", "Choose a location from the search results")
        else:
            before = selectors.prompt_episodes(person=person)
            outcome = save_form(
                form,
                lambda d: _save_episode(request, person, episode, d, pick.location, form),
                rebuild=build,
            )
            if outcome.saved:
                raised = selectors.prompt_episodes(person=person).items() - before.items()
                saved = _saved_message(outcome.result, creating=not episode)
                messages.success(request, _with_prompts(saved, outcome.result, dict(raised)))
                return redirect("missing:episode_detail", pk=outcome.result.pk)
            form, conflict = outcome.form, outcome.conflict
    context = {
        "form": form,
        "person": person,
        "episode": episode,
        "location": pick.location,
        "places": pick.places,
        "place_query": pick.place_query,
        "people_query": pick.people_query,
        "searched_people": action == "find_people",
        "hidden_with": _hidden_count(request, episode),
        "conflict": conflict,
    }
    return render(request, "missing/episode_form.html", context)


def _hidden_count(request: AuthenticatedHttpRequest, episode: MissingEpisode | None) -> int:
    if episode is None:
        return 0
    shown = selectors.found_with_for_viewer(viewer=request.user, episode=episode)
    return sum(1 for s in shown if s.person is None)


def _save_episode(
    request: AuthenticatedHttpRequest,
    person: Person,
    episode: MissingEpisode | None,
    data: dict[str, Any],
    location: Context | None,
    form: EpisodeForm,
) -> MissingEpisode:
    fields = {k: data[k] for k in EPISODE_FIELDS} | {"found_location": location}
    found_with = selectors.pickable_people(viewer=request.user, ids=form.found_with_ids())
    if episode is None:
        return services.episode_create(
            actor=request.user, person=person, found_with=found_with, **fields
        )
    return services.episode_update(
        actor=request.user,
        episode=episode,
        expected_version=data["version"] or 0,
        found_with=found_with,
        **fields,
    )


def _saved_message(episode: MissingEpisode, *, creating: bool) -> str:
    if episode.returned_at is None:
        return "Missing episode recorded. The child is shown as missing now."
    if episode.found_event_id and creating:
        return "Missing episode recorded, and added to the chronology of the place they were found."
    return "Missing episode recorded." if creating else "Missing episode updated."


def _with_prompts(saved: str, episode: MissingEpisode, raised: dict[int, int]) -> str:
    """Say when saving met a threshold rule, with a link to the prompt, so it is not missed.

    ``raised`` maps each new prompt to its episode: a late-recorded episode can make a later
    one meet a repeat rule, and that prompt is not on this episode's page."""
    if not raised:
        return saved
    if all(episode_id == episode.pk for episode_id in raised.values()):
        url = reverse("missing:episode_detail", args=[episode.pk]) + "#prompts"
        return format_html(
            '{} A threshold rule was met: <a class="govuk-notification-banner__link" href="{}">'
            "see the prompt below</a>.",
            saved,
            url,
        )
    url = reverse("missing:prompt_detail", args=[min(raised)])
    return format_html(
        "{} A threshold rule was met by another of the child's episodes: "
        '<a class="govuk-notification-banner__link" href="{}">decide now</a>.',
        saved,
        url,
    )


@requires("missing.access")
def episode_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    person_id = request.GET.get("person", "")
    if not person_id.isdigit():
        messages.info(
            request, "Find the child first, then record the missing episode from their page."
        )
        return redirect("people:search")
    person = get_person_for_viewer(
        viewer=request.user, pk=int(person_id), permission="missing.add_episode"
    )
    return _episode_page(request, person=person, episode=None)


@requires("missing.access")
def episode_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    episode = selectors.get_episode_for_viewer(
        viewer=request.user, pk=pk, permission="missing.change_episode"
    )
    return _episode_page(request, person=episode.person, episode=episode)


@requires("missing.access")
def episode_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    episode = selectors.get_episode_for_viewer(viewer=request.user, pk=pk)
    interview = selectors.interview_of(episode)
    user = request.user
    prompts = list(episode.prompts.all())
    context = {
        "episode": episode,
        "person": episode.person,
        "interview": interview,
        "timing": interview_timing(episode, interview),
        "duration": duration_words(episode.duration),
        "found_with": selectors.found_with_for_viewer(viewer=user, episode=episode),
        "prompts": prompts,
        "any_open_prompt": any(p.status == PromptStatus.OPEN for p in prompts),
        "can_change": user.has_perm("missing.change_episode", episode),
        "can_interview": user.has_perm("missing.record_interview", episode),
        "can_open_person": user.has_perm("people.view_person", episode.person),
    }
    return render(request, "missing/episode_detail.html", context)


# --- return home interviews -------------------------------------------------------------------


@requires("missing.access")
def interview_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    episode = selectors.get_episode_for_viewer(
        viewer=request.user, pk=pk, permission="missing.record_interview"
    )
    interview = selectors.interview_of(episode)
    initial = InterviewForm.initial_for(interview)
    form, conflict = InterviewForm(request.POST or None, initial=initial), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.interview_record(
                actor=request.user,
                episode=episode,
                expected_version=d["version"] if interview is not None else None,
                **{k: d[k] for k in services.INTERVIEW_FIELDS},
            ),
            rebuild=lambda data: InterviewForm(data, initial=initial),
        )
        if outcome.saved:
            messages.success(request, "Return home interview saved.")
            return redirect("missing:episode_detail", pk=episode.pk)
        form, conflict = outcome.form, outcome.conflict
    context = {
        "form": form,
        "episode": episode,
        "person": episode.person,
        "interview": interview,
        "timing": interview_timing(episode, interview),
        "conflict": conflict,
    }
    return render(request, "missing/interview_form.html", context)


@requires("missing.view_interview_list")
def interviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_list_read(
        actor=request.user,
        object_type="missing.returnhomeinterview",
        reason="Listed return home interviews due",
    )
    page = Paginator(selectors.outstanding_interviews(viewer=request.user), LIST_PAGE).get_page(
        request.GET.get("page")
    )
    rows = selectors.interview_rows(list(page.object_list))
    return render(request, "missing/interviews.html", {"page": page, "rows": rows})


# --- threshold prompts --------------------------------------------------------------------------


@requires("missing.view_prompt_list")
def prompts(request: AuthenticatedHttpRequest) -> HttpResponse:
    audit_list_read(
        actor=request.user,
        object_type="missing.thresholdprompt",
        reason="Listed open threshold prompts",
    )
    page = Paginator(selectors.open_prompts(viewer=request.user), LIST_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "missing/prompts.html", {"page": page})


@requires("missing.access")
def prompt_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The explanation and the three choices. The decision is a person's, never the system's."""
    deciding = request.method == "POST"
    prompt = selectors.get_prompt_for_viewer(
        viewer=request.user,
        pk=pk,
        permission="missing.decide_prompt" if deciding else "missing.view_prompt",
    )
    can_decide = request.user.has_perm("missing.decide_prompt", prompt)
    form = PromptDecisionForm(request.POST or None)
    if deciding and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.prompt_decide(
                actor=request.user, prompt=prompt, status=d["status"], reason=d["reason"]
            ),
        )
        if outcome.saved:
            messages.success(request, f"Decision recorded: {prompt.get_status_display()}.")
            return redirect("missing:prompt_detail", pk=prompt.pk)
    episode = prompt.episode
    context = {
        "prompt": prompt,
        "person": prompt.person,
        "episode": episode,
        "form": form,
        "can_decide": can_decide and prompt.status == PromptStatus.OPEN,
        "rule_words": rule_in_words(prompt.rule),
        "prompt_words": prompts_in_words(prompt.rule),
        "adults": [
            shown
            for shown in selectors.found_with_for_viewer(viewer=request.user, episode=episode)
            if shown.kind == PersonKind.ADULT_OF_CONCERN
        ],
        "strategy_link": meeting_link("meetings:strategy_create", prompt),
        "marve_link": meeting_link("meetings:marve_create", prompt),
    }
    return render(request, "missing/prompt_detail.html", context)


# --- the partnership's threshold rules ----------------------------------------------------------


@requires("missing.view_rules")
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = [(r, rule_in_words(r), prompts_in_words(r)) for r in selectors.threshold_rules()]
    can_change = request.user.has_perm("missing.change_rules")
    return render(request, "missing/rules.html", {"rows": rows, "can_change": can_change})


@requires("missing.change_rules")
def rule_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = selectors.get_rule(pk=pk)
    counts = rule.kind == ThresholdRuleKind.REPEAT_EPISODES
    initial = {
        "is_active": rule.is_active,
        "episode_count": rule.episode_count,
        "window_days": rule.window_days,
        "prompts_strategy_discussion": rule.prompts_strategy_discussion,
        "prompts_marve_referral": rule.prompts_marve_referral,
        "version": rule.version,
    }

    def build(data: QueryDict | None) -> ThresholdRuleForm:
        return ThresholdRuleForm(data, initial=initial, counts_episodes=counts)

    form, conflict = build(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        outcome = save_form(
            form,
            lambda d: services.threshold_rule_update(
                actor=request.user,
                rule=rule,
                expected_version=d["version"] or 0,
                is_active=d["is_active"],
                prompts_strategy_discussion=d["prompts_strategy_discussion"],
                prompts_marve_referral=d["prompts_marve_referral"],
                episode_count=d.get("episode_count"),
                window_days=d.get("window_days"),
            ),
            rebuild=build,
        )
        if outcome.saved:
            messages.success(request, f"Rule saved: {rule_in_words(rule)}.")
            return redirect("missing:rules")
        form, conflict = outcome.form, outcome.conflict
    context = {"form": form, "rule": rule, "words": rule_in_words(rule), "conflict": conflict}
    return render(request, "missing/rule_form.html", context)
