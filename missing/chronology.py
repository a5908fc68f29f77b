"""Missing episodes, return home interviews and threshold prompts on the child's chronology.

The found location's chronology already shows the "found after going missing" event the episode
wrote there, so this source adds nothing to context chronologies.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from events.chronology import (
    LIMIT,
    ChronologyEntry,
    ChronologyFilter,
    ChronologySource,
    dated,
    wants,
)
from missing.models import (
    EpisodeType,
    MissingEpisode,
    PromptStatus,
    ReturnHomeInterview,
    ThresholdPrompt,
)
from missing.selectors import UNNAMED, visible_episodes
from missing.timescales import interview_timing
from people.models import Person
from people.selectors import visible_people

EPISODE = "missing_episode"
INTERVIEW = "return_interview"
PROMPT = "threshold_prompt"
ENTRY_TYPES = (
    (EPISODE, "Missing episode"),
    (INTERVIEW, "Return home interview"),
    (PROMPT, "Threshold prompt"),
)


def _by_agency(qs: QuerySet[Any], column: str, f: ChronologyFilter) -> QuerySet[Any]:
    return qs.filter(**{column: f.agency_id}) if f.agency_id else qs


def _episode_entries(viewer: Any, person: Person, f: ChronologyFilter) -> list[ChronologyEntry]:
    base = _by_agency(
        visible_episodes(viewer).filter(person=person), "recording_agency_id", f
    ).select_related("recording_agency", "recorded_by")
    went = list(dated(base, "went_missing_at", f).order_by("-went_missing_at")[:LIMIT])
    back = list(
        dated(base.filter(returned_at__isnull=False), "returned_at", f)
        .prefetch_related("found_with")
        .order_by("-returned_at")[:LIMIT]
    )
    ids = {p.pk for e in back for p in e.found_with.all()}
    shown = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    entries = [_went_entry(e) for e in went]
    entries += [_back_entry(e, shown) for e in back]
    return entries


WENT_TITLES: dict[str, str] = {
    EpisodeType.MISSING: "Reported missing",
    EpisodeType.AWAY: "Reported away without authorisation",
}


def _went_entry(episode: MissingEpisode) -> ChronologyEntry:
    facts = [f"Reported by {episode.reported_by}."]
    if episode.police_reference:
        facts.append(f"Police reference {episode.police_reference}.")
    facts.append(f"Police risk level: {episode.get_police_risk_level_display().lower()}.")
    return ChronologyEntry(
        when=episode.went_missing_at,
        entry_type=EPISODE,
        type_label="Missing episode",
        title=WENT_TITLES.get(episode.episode_type, "Reported missing"),
        body=" ".join(facts),
        agency=episode.recording_agency.name,
        byline=episode.recorded_by.get_full_name(),
        tags=["Going missing"],
        link=reverse("missing:episode_detail", args=[episode.pk]),
    )


def _back_entry(episode: MissingEpisode, shown: set[int]) -> ChronologyEntry:
    # A recorded place has its own "found after going missing" event beside this entry.
    place = "" if episode.found_event_id else episode.found_description
    people = [
        (
            p.display_name if p.pk in shown else UNNAMED,
            "Was with them",
            reverse("people:profile", args=[p.pk]) if p.pk in shown else "",
        )
        for p in episode.found_with.all()
    ]
    return ChronologyEntry(
        when=episode.returned_at,  # type: ignore[arg-type]
        entry_type=EPISODE,
        type_label="Missing episode",
        title="Returned after going missing" + (f": found at {place}" if place else ""),
        body=episode.narrative,
        agency=episode.recording_agency.name,
        byline=episode.recorded_by.get_full_name(),
        people=people,
        link=reverse("missing:episode_detail", args=[episode.pk]),
    )


def _interview_entries(viewer: Any, person: Person, f: ChronologyFilter) -> list[ChronologyEntry]:
    interviews = ReturnHomeInterview.objects.filter(
        episode__in=visible_episodes(viewer).filter(person=person)
    ).select_related("episode__recording_agency", "recorded_by", "conducting_agency")
    if f.agency_id:
        interviews = interviews.filter(
            Q(conducting_agency_id=f.agency_id)
            | Q(conducting_agency__isnull=True, episode__recording_agency_id=f.agency_id)
        )
    # An interview is dated by when it happened, or when it was offered if it has not.
    done = dated(interviews.filter(completed_at__isnull=False), "completed_at", f)
    offered = dated(interviews.filter(completed_at__isnull=True), "offered_at", f)
    rows = list(done.order_by("-completed_at")[:LIMIT]) + list(
        offered.order_by("-offered_at")[:LIMIT]
    )
    return [_interview_entry(i) for i in rows]


def _interview_entry(interview: ReturnHomeInterview) -> ChronologyEntry:
    episode = interview.episode
    timing = interview_timing(episode, interview)
    if interview.completed_at:
        title = f"Return home interview completed: {timing.label.lower()}"
        body = "\n".join(
            f"{label}: {value}"
            for label, value in (
                ("What the child said", interview.child_account),
                ("Push and pull factors", interview.push_pull_factors),
                ("Places and people mentioned", interview.places_and_people),
                ("What happens next", interview.actions),
            )
            if value
        )
    elif interview.accepted is False:
        title = "Return home interview offered and declined"
        body = interview.declined_reason
    else:
        title = "Return home interview offered"
        body = f"Offered by {interview.offered_by}." if interview.offered_by else ""
    agency = interview.conducting_agency or episode.recording_agency
    return ChronologyEntry(
        when=interview.completed_at or interview.offered_at,
        entry_type=INTERVIEW,
        type_label="Return home interview",
        title=title,
        body=body,
        agency=agency.name,
        byline=interview.conducted_by or interview.recorded_by.get_full_name(),
        link=reverse("missing:episode_detail", args=[episode.pk]),
    )


def _prompt_entries(viewer: Any, person: Person, f: ChronologyFilter) -> list[ChronologyEntry]:
    prompts = ThresholdPrompt.objects.filter(
        person=person, episode__in=visible_episodes(viewer)
    ).select_related("episode__recording_agency", "decided_by__agency", "rule")
    raised = dated(_by_agency(prompts, "episode__recording_agency_id", f), "raised_at", f).order_by(
        "-raised_at"
    )[:LIMIT]
    decided = dated(
        _by_agency(prompts.exclude(status=PromptStatus.OPEN), "decided_by__agency_id", f),
        "decided_at",
        f,
    ).order_by("-decided_at")[:LIMIT]
    entries = [
        ChronologyEntry(
            when=p.raised_at,
            entry_type=PROMPT,
            type_label="Threshold prompt",
            title="Threshold met: a decision is needed",
            body=p.explanation,
            agency=p.episode.recording_agency.name,
            link=reverse("missing:prompt_detail", args=[p.pk]),
        )
        for p in raised
    ]
    entries += [_decision_entry(p) for p in decided]
    return entries


def _decision_entry(prompt: ThresholdPrompt) -> ChronologyEntry:
    who = prompt.decided_by
    return ChronologyEntry(
        when=prompt.decided_at,  # type: ignore[arg-type]
        entry_type=PROMPT,
        type_label="Threshold prompt",
        title=f"Threshold prompt decided: {prompt.get_status_display()}",
        body=prompt.decision_reason,
        agency=who.agency.name if who and who.agency else "",
        byline=who.get_full_name() if who else "",
        link=reverse("missing:prompt_detail", args=[prompt.pk]),
    )


def for_person(viewer: Any, person: Person, filters: ChronologyFilter) -> list[ChronologyEntry]:
    entries: list[ChronologyEntry] = []
    if wants(filters, EPISODE):
        entries += _episode_entries(viewer, person, filters)
    if wants(filters, INTERVIEW):
        entries += _interview_entries(viewer, person, filters)
    if wants(filters, PROMPT):
        entries += _prompt_entries(viewer, person, filters)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:LIMIT]


SOURCE = ChronologySource(name="missing", entry_types=ENTRY_TYPES, for_person=for_person)
