"""The partnership's threshold rules, applied to one missing episode and explained in plain words.

``evaluate`` is a pure function of the facts and the rules, so every rule and every boundary is
tested without a database; ``facts_for`` gathers those facts for a saved episode in a fixed
number of queries. A rule that is met only ever *prompts* people to decide (a strategy meeting,
a MARVE referral, or not needed, with a reason): nothing here decides anything.

The stored explanation names the child (only people who may open the child's record see a
prompt) and places (partnership records), but never an adult of concern: those are named at
display time, and only where the viewer may open their record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from contexts.models import Context, ContextStatus
from missing.models import MissingEpisode, ThresholdRule, ThresholdRuleKind
from people.codes import PersonKind

OPEN_CONCERN_STATUSES = frozenset({ContextStatus.UNDER_ASSESSMENT, ContextStatus.ON_PLAN})


@dataclass(frozen=True)
class EpisodeFacts:
    child_name: str
    went_missing_at: dt.datetime
    # When the child's *other* episodes started (never this one, so it is counted exactly once).
    other_episodes_at: Sequence[dt.datetime]
    found_location: Context | None
    adults_of_concern: int


@dataclass(frozen=True)
class MetRule:
    rule: ThresholdRule
    explanation: str


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _day(when: dt.datetime, year: int) -> str:
    local = timezone.localtime(when)
    text = f"{local.day} {local:%b}"
    return text if local.year == year else f"{text} {local.year}"


def episodes_in_window(facts: EpisodeFacts, window_days: int) -> list[dt.datetime]:
    """This episode and the others that started within ``window_days`` before it (inclusive),
    oldest first. Later episodes do not count towards this one."""
    start = facts.went_missing_at - dt.timedelta(days=window_days)
    others = [t for t in facts.other_episodes_at if start <= t <= facts.went_missing_at]
    return sorted([*others, facts.went_missing_at])


def _repeat(facts: EpisodeFacts, rule: ThresholdRule) -> str | None:
    if not rule.episode_count or not rule.window_days:
        return None
    window = episodes_in_window(facts, rule.window_days)
    if len(window) < rule.episode_count:
        return None
    year = timezone.localtime(facts.went_missing_at).year
    days = join_words([_day(t, year) for t in window])
    return (
        f"This is {facts.child_name}'s {ordinal(len(window))} missing episode in "
        f"{rule.window_days} days: {days}."
    )


def _location(facts: EpisodeFacts) -> str | None:
    place = facts.found_location
    if place is None or place.status not in OPEN_CONCERN_STATUSES:
        return None
    status = ContextStatus(place.status).label.lower()
    return f"Found at {place.name}, a location with open concerns ({status})."


def _adult(facts: EpisodeFacts) -> str | None:
    if facts.adults_of_concern < 1:
        return None
    if facts.adults_of_concern == 1:
        return "Found with an adult of concern."
    return f"Found with {facts.adults_of_concern} adults of concern."


def evaluate(facts: EpisodeFacts, rules: Iterable[ThresholdRule]) -> list[MetRule]:
    """The active rules this episode meets, each with a plain explanation of the facts."""
    met = []
    for rule in rules:
        if not rule.is_active:
            continue
        if rule.kind == ThresholdRuleKind.REPEAT_EPISODES:
            explanation = _repeat(facts, rule)
        elif rule.kind == ThresholdRuleKind.FOUND_AT_LOCATION_OF_CONCERN:
            explanation = _location(facts)
        elif rule.kind == ThresholdRuleKind.FOUND_WITH_ADULT_OF_CONCERN:
            explanation = _adult(facts)
        else:
            explanation = None
        if explanation:
            met.append(MetRule(rule, explanation))
    return met


def facts_for(episode: MissingEpisode) -> EpisodeFacts:
    """The facts the rules look at, read in three queries."""
    person = episode.person
    others = list(
        MissingEpisode.objects.filter(person_id=episode.person_id)
        .exclude(pk=episode.pk)
        .values_list("went_missing_at", flat=True)
    )
    location = (
        Context.objects.filter(pk=episode.found_location_id).first()
        if episode.found_location_id
        else None
    )
    adults = episode.found_with.filter(kind=PersonKind.ADULT_OF_CONCERN).count()
    return EpisodeFacts(
        child_name=person.known_as or person.given_name,
        went_missing_at=episode.went_missing_at,
        other_episodes_at=others,
        found_location=location,
        adults_of_concern=adults,
    )


# --- the rules in plain words ------------------------------------------------------------------


def rule_in_words(rule: ThresholdRule) -> str:
    if rule.kind == ThresholdRuleKind.REPEAT_EPISODES:
        return (
            f"{rule.episode_count} or more missing episodes within {rule.window_days} days "
            "(counting the latest one)"
        )
    if rule.kind == ThresholdRuleKind.FOUND_AT_LOCATION_OF_CONCERN:
        return "Found at a location with open concerns (under assessment or on a plan)"
    if rule.kind == ThresholdRuleKind.FOUND_WITH_ADULT_OF_CONCERN:
        return "Found with someone recorded as an adult of concern"
    return str(rule)


def prompts_in_words(rule: ThresholdRule) -> str:
    asks = []
    if rule.prompts_strategy_discussion:
        asks.append("a strategy meeting")
    if rule.prompts_marve_referral:
        asks.append("a referral to MARVE")
    if not asks:
        return "Prompts nothing"
    return "Prompts people to consider " + " and ".join(asks)


def rules_met(episode: MissingEpisode, rules: Iterable[ThresholdRule]) -> list[MetRule]:
    """The rules a saved episode meets (``evaluate`` on ``facts_for``)."""
    return evaluate(facts_for(episode), rules)
