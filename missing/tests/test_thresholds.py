"""Every threshold rule: met, not met at each boundary, inactive, counted once, never duplicated."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from contexts.models import Context
from core.models import Notification
from missing.models import PromptStatus, ThresholdPrompt, ThresholdRule, ThresholdRuleKind
from missing.services import episode_update, thresholds_apply
from missing.tests.conftest import ago, record_episode
from missing.thresholds import (
    EpisodeFacts,
    evaluate,
    facts_for,
    ordinal,
    prompts_in_words,
    rule_in_words,
)
from tests.factories import make_location, make_person

LONDON = zoneinfo.ZoneInfo("Europe/London")
EPISODE_AT = dt.datetime(2026, 11, 24, 21, 30, tzinfo=LONDON)


def repeat_rule(count: int = 3, days: int = 90, *, active: bool = True) -> ThresholdRule:
    return ThresholdRule(
        kind=ThresholdRuleKind.REPEAT_EPISODES,
        episode_count=count,
        window_days=days,
        is_active=active,
    )


def location_rule(*, active: bool = True) -> ThresholdRule:
    return ThresholdRule(kind=ThresholdRuleKind.FOUND_AT_LOCATION_OF_CONCERN, is_active=active)


def adult_rule(*, active: bool = True) -> ThresholdRule:
    return ThresholdRule(kind=ThresholdRuleKind.FOUND_WITH_ADULT_OF_CONCERN, is_active=active)


def facts(
    others: list[dt.datetime] | None = None,
    place: Context | None = None,
    adults: int = 0,
) -> EpisodeFacts:
    return EpisodeFacts(
        child_name="Jay",
        went_missing_at=EPISODE_AT,
        other_episodes_at=others or [],
        found_location=place,
        adults_of_concern=adults,
    )


def days_before(days: float) -> dt.datetime:
    return EPISODE_AT - dt.timedelta(days=days)


# --- repeat episodes ------------------------------------------------------------------------------


def test_the_third_episode_in_90_days_meets_the_rule_and_names_the_dates() -> None:
    sep_12 = dt.datetime(2026, 9, 12, 18, 0, tzinfo=LONDON)
    oct_30 = dt.datetime(2026, 10, 30, 23, 15, tzinfo=LONDON)
    [met] = evaluate(facts([oct_30, sep_12]), [repeat_rule()])
    assert met.explanation == (
        "This is Jay's 3rd missing episode in 90 days: 12 Sep, 30 Oct and 24 Nov."
    )


def test_exactly_the_count_at_the_edge_of_the_window_is_met() -> None:
    assert evaluate(facts([days_before(90), days_before(30)]), [repeat_rule()])


def test_one_day_outside_the_window_is_not_met() -> None:
    assert evaluate(facts([days_before(91), days_before(30)]), [repeat_rule()]) == []


def test_one_episode_short_of_the_count_is_not_met() -> None:
    assert evaluate(facts([days_before(30)]), [repeat_rule()]) == []


def test_later_episodes_do_not_count_towards_an_earlier_one() -> None:
    later = [EPISODE_AT + dt.timedelta(days=3), EPISODE_AT + dt.timedelta(days=5)]
    assert evaluate(facts(later), [repeat_rule()]) == []


def test_an_inactive_rule_is_never_met() -> None:
    assert evaluate(facts([days_before(2), days_before(1)]), [repeat_rule(active=False)]) == []


def test_a_window_reaching_into_last_year_names_the_year() -> None:
    [met] = evaluate(facts([days_before(350), days_before(300)]), [repeat_rule(3, 365)])
    assert "9 Dec 2025" in met.explanation
    assert met.explanation.endswith("and 24 Nov.")


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (111, "111th")],
)  # fmt: skip
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


# --- found at a location with open concerns ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "met"),
    [("under_assessment", True), ("on_plan", True), ("noted", False), ("closed", False)],
)
def test_found_at_a_location_with_open_concerns(status: str, met: bool) -> None:
    place = Context(kind="location", name="Cobbett Street Takeaway", status=status)
    result = evaluate(facts(place=place), [location_rule()])
    assert bool(result) is met
    if met:
        label = {"under_assessment": "under assessment", "on_plan": "on a plan"}[status]
        assert result[0].explanation == (
            f"Found at Cobbett Street Takeaway, a location with open concerns ({label})."
        )


def test_found_nowhere_recorded_or_rule_off_is_not_met() -> None:
    place = Context(kind="location", name="Park", status="under_assessment")
    assert evaluate(facts(), [location_rule()]) == []
    assert evaluate(facts(place=place), [location_rule(active=False)]) == []


# --- found with an adult of concern -----------------------------------------------------------


def test_found_with_an_adult_of_concern() -> None:
    [one] = evaluate(facts(adults=1), [adult_rule()])
    assert one.explanation == "Found with an adult of concern."
    [two] = evaluate(facts(adults=2), [adult_rule()])
    assert two.explanation == "Found with 2 adults of concern."
    assert evaluate(facts(adults=0), [adult_rule()]) == []
    assert evaluate(facts(adults=1), [adult_rule(active=False)]) == []


def test_every_rule_at_once() -> None:
    place = Context(kind="location", name="Takeaway", status="on_plan")
    met = evaluate(
        facts([days_before(10), days_before(5)], place=place, adults=1),
        [repeat_rule(), location_rule(), adult_rule()],
    )
    assert [m.rule.kind for m in met] == [
        "repeat_episodes",
        "found_at_location_of_concern",
        "found_with_adult_of_concern",
    ]


# --- plain words -------------------------------------------------------------------------------


def test_rules_are_explained_in_plain_words() -> None:
    rule = repeat_rule()
    assert rule_in_words(rule).startswith("3 or more missing episodes within 90 days")
    assert "open concerns" in rule_in_words(location_rule())
    assert "adult of concern" in rule_in_words(adult_rule())
    assert prompts_in_words(rule) == (
        "Prompts people to consider a strategy meeting and a referral to MARVE"
    )
    rule.prompts_marve_referral = False
    assert prompts_in_words(rule) == "Prompts people to consider a strategy meeting"


# --- with the database: facts, idempotence, notification --------------------------------------


@pytest.mark.django_db
def test_the_episode_itself_is_counted_once(worker, child) -> None:
    record_episode(worker, child, went_missing_at=ago(days=40))
    second = record_episode(worker, child, went_missing_at=ago(days=2))
    found = facts_for(second)
    assert len(found.other_episodes_at) == 1
    assert not ThresholdPrompt.objects.filter(rule__kind="repeat_episodes").exists()


@pytest.mark.django_db
def test_the_seeded_rules_prompt_on_the_third_episode_and_never_twice(worker, child) -> None:
    record_episode(worker, child, went_missing_at=ago(days=60))
    record_episode(worker, child, went_missing_at=ago(days=30))
    third = record_episode(worker, child, went_missing_at=ago(days=2))
    prompt = ThresholdPrompt.objects.get()
    assert (prompt.episode, prompt.person, prompt.status) == (third, child, PromptStatus.OPEN)
    assert prompt.explanation.startswith("This is Jay's 3rd missing episode in 90 days:")
    assert thresholds_apply(actor=worker, episode=third) == []
    episode_update(
        actor=worker,
        episode=third,
        expected_version=third.version,
        narrative="Came back on his own.",
    )
    assert ThresholdPrompt.objects.count() == 1


@pytest.mark.django_db
def test_a_late_entry_can_make_a_later_episode_the_third(worker, child) -> None:
    record_episode(worker, child, went_missing_at=ago(days=50))
    latest = record_episode(worker, child, went_missing_at=ago(days=2))
    assert not ThresholdPrompt.objects.exists()
    record_episode(worker, child, went_missing_at=ago(days=20))  # recorded late
    assert ThresholdPrompt.objects.get().episode == latest


@pytest.mark.django_db
def test_a_prompt_names_no_adult_of_concern_and_notifies_who_must_decide(
    worker, child, personas
) -> None:
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean", family_name="Marsh")
    place = make_location(worker, name="Cobbett Street Takeaway", status="under_assessment")
    episode = record_episode(worker, child, found_location=place, found_with=[adult])
    prompts = {p.rule.kind: p for p in ThresholdPrompt.objects.select_related("rule")}
    assert set(prompts) == {"found_at_location_of_concern", "found_with_adult_of_concern"}
    assert "Dean" not in prompts["found_with_adult_of_concern"].explanation
    assert "Cobbett Street Takeaway" in prompts["found_at_location_of_concern"].explanation
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"practitioner", "cs_lead"} <= told
    assert "police_practitioner" not in told
    assert not any("Jay" in n.message for n in Notification.objects.all())
    assert all(n.link.startswith("/missing/prompts/") for n in Notification.objects.all())
    assert episode.prompts.count() == 2


@pytest.mark.django_db
def test_a_rule_switched_off_raises_nothing(worker, child) -> None:
    ThresholdRule.objects.filter(kind="found_at_location_of_concern").update(is_active=False)
    place = make_location(worker, name="Takeaway", status="on_plan")
    record_episode(worker, child, found_location=place)
    assert not ThresholdPrompt.objects.exists()
