"""Reads of missing episodes, interviews and threshold prompts, scoped to the viewer.

An episode is seen by whoever may open the child's record, and always by the agency that wrote
it (``access.predicates.can_view_record_about``). Single records go through
``access.guard.authorize``, which audits the view (or the refusal) and answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.guard import authorize
from access.roles import CASE_WORK_ROLES, Role
from accounts.models import User
from casework.models import KeyLeadAllocation
from contexts.models import Context
from missing.models import (
    MissingEpisode,
    PromptStatus,
    ReturnHomeInterview,
    ThresholdPrompt,
    ThresholdRule,
)
from missing.timescales import InterviewTiming, interview_timing
from people.models import Person, RecordShare
from people.selectors import associations_for_viewer, person_search, visible_people

PANEL_MONTHS = 12
PICK_LIMIT = 20
UNNAMED = "A person whose record your agency cannot open"


def _year_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=365 * PANEL_MONTHS // 12)


def visible_episodes(viewer: Any) -> QuerySet[MissingEpisode]:
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return MissingEpisode.objects.none()
    return MissingEpisode.objects.filter(
        Q(recording_agency_id=viewer.agency_id) | Q(person__in=visible_people(viewer))
    )


def get_episode_for_viewer(
    *, viewer: Any, pk: int, permission: str = "missing.view_episode"
) -> MissingEpisode:
    episode = (
        MissingEpisode.objects.select_related(
            "person",
            "found_location",
            "recording_agency",
            "recorded_by",
            "interview__conducting_agency",
            "interview__recorded_by",
        )
        .prefetch_related(
            "found_with",
            Prefetch(
                "prompts",
                queryset=ThresholdPrompt.objects.select_related("rule", "decided_by__agency"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise Http404
    return authorize(viewer, permission, episode)


def interview_of(episode: MissingEpisode) -> ReturnHomeInterview | None:
    try:
        return episode.interview
    except ReturnHomeInterview.DoesNotExist:
        return None


def get_prompt_for_viewer(
    *, viewer: Any, pk: int, permission: str = "missing.view_prompt"
) -> ThresholdPrompt:
    prompt = (
        ThresholdPrompt.objects.select_related(
            "rule", "person", "episode__found_location", "decided_by__agency"
        )
        .filter(pk=pk)
        .first()
    )
    if prompt is None:
        raise Http404
    return authorize(viewer, permission, prompt)


@dataclass(frozen=True)
class PersonShown:
    """Someone named on an episode: ``person`` is None where the viewer may not open them."""

    person: Person | None
    label: str
    kind: str
    kind_label: str


def found_with_for_viewer(*, viewer: Any, episode: MissingEpisode) -> list[PersonShown]:
    people = list(episode.found_with.all())
    shown = set(
        visible_people(viewer).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    return [
        PersonShown(p, p.display_name, p.kind, p.get_kind_display())
        if p.pk in shown
        else PersonShown(None, UNNAMED, p.kind, p.get_kind_display())
        for p in people
    ]


def found_with_candidates(
    *, viewer: Any, person: Person, query: str = "", chosen: list[int] | None = None
) -> list[Person]:
    """People the recorder may pick as "who they were with": the child's associations, people
    already chosen and search results — only those the viewer may open, never the child."""
    picked: dict[int, Person] = {}
    for view in associations_for_viewer(viewer=viewer, person=person):
        if view.other is not None:
            picked.setdefault(view.other.pk, view.other)
    if chosen:
        for other in visible_people(viewer).filter(pk__in=chosen):
            picked.setdefault(other.pk, other)
    if query:
        for hit in person_search(viewer=viewer, name=query, limit=PICK_LIMIT):
            if hit.visible:
                picked.setdefault(hit.person.pk, hit.person)
    picked.pop(person.pk, None)
    return list(picked.values())


def pickable_people(*, viewer: Any, ids: list[int]) -> list[Person]:
    return list(visible_people(viewer).filter(pk__in=ids))


# --- lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InterviewRow:
    episode: MissingEpisode
    timing: InterviewTiming


def outstanding_interviews(*, viewer: Any) -> QuerySet[MissingEpisode]:
    """Episodes whose child has returned and whose interview is neither completed nor declined,
    oldest return first (the most overdue at the top)."""
    return (
        visible_episodes(viewer)
        .filter(returned_at__isnull=False)
        .filter(
            Q(interview__isnull=True)
            | Q(interview__completed_at__isnull=True)
            & (Q(interview__accepted__isnull=True) | Q(interview__accepted=True))
        )
        .select_related("person", "interview", "recording_agency")
        .order_by("returned_at", "pk")
    )


def interview_rows(episodes: list[MissingEpisode]) -> list[InterviewRow]:
    now = timezone.now()
    return [InterviewRow(e, interview_timing(e, interview_of(e), now=now)) for e in episodes]


def prompt_episodes(*, person: Person) -> dict[int, int]:
    """Each of the child's threshold prompts and its episode (one query): compared before and
    after a save, it shows which prompts the save raised."""
    return dict(ThresholdPrompt.objects.filter(person=person).values_list("pk", "episode_id"))


def open_prompts(*, viewer: Any) -> QuerySet[ThresholdPrompt]:
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return ThresholdPrompt.objects.none()
    return (
        ThresholdPrompt.objects.filter(status=PromptStatus.OPEN, person__in=visible_people(viewer))
        .select_related("person", "rule", "episode")
        .order_by("raised_at", "pk")
    )


def threshold_rules() -> list[ThresholdRule]:
    return list(ThresholdRule.objects.select_related("updated_by").order_by("pk"))


def get_rule(*, pk: int) -> ThresholdRule:
    rule = ThresholdRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


# --- who is told when a threshold is met ------------------------------------------------------


def threshold_recipients(*, person: Person, actor: User) -> list[User]:
    """The recorder, the child's current key lead and the CS leads of the agencies that may open
    the child's record. (The key lead's allocation belongs to casework; this only reads it.)"""
    now = timezone.now()
    agencies = (
        RecordShare.objects.filter(person=person, user__isnull=True)
        .exclude(route=RecordShare.Route.BREAK_GLASS)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values("agency_id")
    )
    leads = User.objects.filter(
        role_grants__role=Role.CS_LEAD, is_active=True, agency_id__in=agencies
    ).distinct()
    recipients: dict[int, User] = {actor.pk: actor}
    for lead in leads:
        recipients.setdefault(lead.pk, lead)
    key_lead = (
        KeyLeadAllocation.objects.filter(person=person, ended_on__isnull=True)
        .select_related("lead")
        .first()
    )
    if key_lead is not None and key_lead.lead.is_active:
        recipients.setdefault(key_lead.lead_id, key_lead.lead)
    return list(recipients.values())


# --- panels for the person and context pages ----------------------------------------------------


@dataclass
class PersonPanel:
    episodes: list[MissingEpisode]
    count: int
    open_episode: MissingEpisode | None
    interviews_due: list[InterviewRow]
    open_prompts: int
    can_record: bool
    timings: dict[int, InterviewTiming] = field(default_factory=dict)


def person_panel(*, viewer: Any, person: Person) -> PersonPanel:
    """Episodes in the last 12 months, any open episode, interviews due, open prompts.
    Three queries whatever the history."""
    since = _year_ago()
    rows = list(
        visible_episodes(viewer)
        .filter(person=person)
        .filter(Q(went_missing_at__gte=since) | Q(returned_at__isnull=True))
        .select_related("interview")
        .order_by("-went_missing_at")
    )
    recent = [e for e in rows if e.went_missing_at >= since]
    open_episode = next((e for e in rows if e.returned_at is None), None)
    timed = interview_rows([e for e in rows if e.returned_at is not None])
    # The panel sits on the child's page, which only people who may open the record reach.
    prompts = ThresholdPrompt.objects.filter(person=person, status=PromptStatus.OPEN).count()
    return PersonPanel(
        episodes=recent,
        count=len(recent),
        open_episode=open_episode,
        interviews_due=[r for r in timed if r.timing.is_outstanding],
        open_prompts=prompts,
        can_record=viewer.has_perm("missing.add_episode", person),
        timings={r.episode.pk: r.timing for r in timed},
    )


@dataclass
class FoundHere:
    person: Person
    latest: MissingEpisode
    times: int


@dataclass
class ContextPanel:
    found: list[FoundHere]
    hidden_count: int  # children found here whose records the viewer may not open

    @property
    def total(self) -> int:
        return len(self.found) + self.hidden_count


def context_panel(*, viewer: Any, context: Context) -> ContextPanel:
    """Children found here after going missing in the last 12 months, newest first: named only
    where the viewer may open their record, otherwise only counted. Two queries."""
    episodes = list(
        MissingEpisode.objects.filter(found_location=context, returned_at__gte=_year_ago())
        .select_related("person")
        .order_by("-returned_at", "-pk")
    )
    shown = set(
        visible_people(viewer)
        .filter(pk__in={e.person_id for e in episodes})
        .values_list("pk", flat=True)
    )
    children: dict[int, FoundHere] = {}
    for episode in episodes:
        if episode.person_id in children:
            children[episode.person_id].times += 1
        else:
            children[episode.person_id] = FoundHere(episode.person, episode, 1)
    found = [c for pk, c in children.items() if pk in shown]
    return ContextPanel(found=found, hidden_count=len(children) - len(found))
