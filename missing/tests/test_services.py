"""Recording episodes, interviews, decisions and rules: each rule with its clear message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AccessAction, AccessEvent
from casework.models import KeyLeadAllocation
from contextsafe.lib.concurrency import EditConflict
from core.models import Notification
from events.models import Event
from missing.models import MissingEpisode, PromptStatus, ThresholdPrompt, ThresholdRule
from missing.services import (
    episode_update,
    interview_record,
    prompt_decide,
    threshold_rule_update,
)
from missing.tests.conftest import ago, record_episode
from people.models import RecordShare
from tests.factories import UserFactory, make_location, make_person

pytestmark = pytest.mark.django_db


# --- episodes -----------------------------------------------------------------------------------


def test_an_episode_is_recorded_and_audited(worker, child) -> None:
    episode = record_episode(worker, child, returned_at=None, police_reference="TV-123")
    assert episode.recording_agency == worker.agency
    assert episode.returned_at is None
    audit = AccessEvent.objects.get(
        action=AccessAction.CREATE, object_type="missing.missingepisode"
    )
    assert audit.object_id == str(episode.pk)
    assert audit.changes["new"]["police_reference"] == "TV-123"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"went_missing_at": ago(hours=-2)}, "went_missing_at", "must not be in the future"),
        (
            {"went_missing_at": ago(hours=5), "reported_at": ago(hours=6)},
            "reported_at",
            "same as or after the time they went missing",
        ),
        (
            {"went_missing_at": ago(hours=5), "returned_at": ago(hours=6)},
            "returned_at",
            "must be after the time they went missing",
        ),
        ({"returned_at": ago(hours=-3)}, "returned_at", "must not be in the future"),
        (
            {"returned_at": None, "safe_and_well_check_at": ago(hours=1)},
            "safe_and_well_check_at",
            "Enter when they returned",
        ),
        (
            {"went_missing_at": ago(hours=10), "returned_at": ago(hours=2),
             "safe_and_well_check_at": ago(hours=3)},
            "safe_and_well_check_at",
            "must be after they returned",
        ),
        ({"reported_by": "  "}, "reported_by", "Enter who reported them missing"),
        ({"police_risk_level": "extreme"}, "police_risk_level", "Choose the police risk level"),
    ],
)  # fmt: skip
def test_bad_episodes_are_refused_with_a_clear_message(
    worker, child, change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        record_episode(worker, child, **change)
    assert message in " ".join(caught.value.message_dict[field])
    assert not MissingEpisode.objects.exists()


def test_a_child_cannot_be_recorded_as_being_with_themself(worker, child) -> None:
    with pytest.raises(ValidationError, match="cannot be recorded as being with themself"):
        record_episode(worker, child, found_with=[child])


def test_the_found_location_must_be_a_location(worker, child) -> None:
    group = make_location(worker, kind="peer_group", name="Older boys", location_type="")
    with pytest.raises(ValidationError, match="is a peer group, not a location"):
        record_episode(worker, child, found_location=group)


def test_where_they_were_found_needs_their_return(worker, child) -> None:
    place = make_location(worker)
    with pytest.raises(ValidationError, match="Enter when they returned or were found"):
        record_episode(worker, child, returned_at=None, found_location=place)


def test_only_young_people_have_missing_episodes(worker) -> None:
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean")
    with pytest.raises(ValidationError, match="recorded for young people"):
        record_episode(worker, adult)


def test_people_the_recorder_cannot_open_cannot_be_chosen(worker, child, personas) -> None:
    hidden = make_person(personas["police_practitioner"], given_name="Hidden")
    with pytest.raises(ValidationError, match="Choose people from the list"):
        record_episode(worker, child, found_with=[hidden])


def test_a_child_missing_now_cannot_start_another_episode(worker, child) -> None:
    record_episode(worker, child, went_missing_at=ago(hours=10), returned_at=None)
    with pytest.raises(ValidationError, match="still recorded as missing from"):
        record_episode(worker, child, went_missing_at=ago(hours=2), returned_at=None)


def test_episodes_of_one_child_cannot_overlap(worker, child) -> None:
    record_episode(worker, child, went_missing_at=ago(days=5), returned_at=ago(days=3))
    with pytest.raises(ValidationError, match="This overlaps Jay's episode from"):
        record_episode(worker, child, went_missing_at=ago(days=4), returned_at=ago(days=2))
    # An earlier, closed episode recorded late is fine while the child is missing now.
    record_episode(worker, child, went_missing_at=ago(hours=5), returned_at=None)
    record_episode(worker, child, went_missing_at=ago(days=20), returned_at=ago(days=19))
    assert MissingEpisode.objects.count() == 3


def test_recording_the_return_with_a_place_puts_it_on_the_place_chronology(worker, child) -> None:
    place = make_location(worker, name="Cobbett Street Takeaway")
    episode = record_episode(worker, child, went_missing_at=ago(days=1), returned_at=None)
    assert not Event.objects.exists()
    returned = ago(hours=2)
    episode = episode_update(
        actor=worker,
        episode=episode,
        expected_version=1,
        returned_at=returned,
        found_location=place,
        found_description="Back room",
    )
    event = Event.objects.get()
    assert (event.kind, event.location, event.occurred_at) == ("missing_found", place, returned)
    assert event.harm_types == ["missing"]
    assert list(event.participants.values_list("person", "role")) == [(child.pk, "harmed")]
    assert "Recorded from a missing episode" in event.narrative
    assert "Jay" not in event.narrative and "Kowalski" not in event.narrative
    assert episode.found_event == event
    # Saving again writes no second event.
    episode_update(actor=worker, episode=episode, expected_version=2, narrative="More detail")
    assert Event.objects.count() == 1


def test_the_found_location_is_fixed_once_it_is_on_the_place_chronology(worker, child) -> None:
    first, second = make_location(worker, name="Takeaway"), make_location(worker, name="Park")
    episode = record_episode(worker, child, found_location=first)
    with pytest.raises(ValidationError, match="already on the chronology of Takeaway"):
        episode_update(actor=worker, episode=episode, expected_version=1, found_location=second)
    episode.refresh_from_db()
    assert episode.found_location == first
    assert Event.objects.count() == 1


def test_a_concurrent_edit_is_a_conflict_not_an_overwrite(worker, child) -> None:
    episode = record_episode(worker, child)
    stale = MissingEpisode.objects.get(pk=episode.pk)
    episode_update(actor=worker, episode=episode, expected_version=1, narrative="First")
    with pytest.raises(EditConflict):
        episode_update(actor=worker, episode=stale, expected_version=1, narrative="Second")
    episode.refresh_from_db()
    assert episode.narrative == "First"


def test_an_update_is_audited_with_old_and_new_values(worker, child) -> None:
    episode = record_episode(worker, child, returned_at=None)
    when = ago(hours=1)
    episode_update(actor=worker, episode=episode, expected_version=1, returned_at=when)
    audit = AccessEvent.objects.get(action=AccessAction.CHANGE, object_id=str(episode.pk))
    assert audit.changes["returned_at"]["old"] == ""
    assert audit.changes["returned_at"]["new"] == str(when)


def test_the_key_lead_is_told_when_a_threshold_is_met(worker, child) -> None:
    lead = UserFactory.create(agency=worker.agency, roles=["practitioner"])
    KeyLeadAllocation.objects.create(
        person=child,
        lead=lead,
        lead_agency=worker.agency,
        started_on=timezone.localdate(),
        recording_agency=worker.agency,
        recorded_by=worker,
    )
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean")
    record_episode(worker, child, found_with=[adult])
    assert Notification.objects.filter(recipient=lead).count() == 1


# --- return home interviews -------------------------------------------------------------------


def interview(worker, episode, **fields: Any):
    values: dict[str, Any] = {
        "expected_version": None,
        "offered_at": episode.returned_at + dt.timedelta(hours=1),
        "offered_by": "Sam Okoro, return interview service",
    }
    values.update(fields)
    return interview_record(actor=worker, episode=episode, **values)


def test_an_interview_is_offered_then_completed_with_findings(worker, child) -> None:
    episode = record_episode(worker, child, went_missing_at=ago(days=2), returned_at=ago(days=1))
    offered = interview(worker, episode)
    assert offered.accepted is None
    done = interview(
        worker,
        episode,
        expected_version=offered.version,
        completed_at=ago(hours=3),
        conducted_by="Sam Okoro",
        conducting_agency=worker.agency,
        child_account="Went to a friend's flat.",
        push_pull_factors="Arguments at home; older boys pay for food.",
    )
    assert done.accepted is True  # an interview that happened was accepted
    assert done.version == 2
    actions = list(
        AccessEvent.objects.filter(object_type="missing.returnhomeinterview")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [AccessAction.CREATE, AccessAction.CHANGE]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"offered_at": "before"}, "offered_at", "must be offered after Jay returned"),
        ({"offered_at": "future"}, "offered_at", "must not be in the future"),
        ({"accepted": False}, "declined_reason", "Say why the interview was declined"),
        (
            {"accepted": False, "declined_reason": "Did not want to", "completed_at": "later"},
            "accepted",
            "cannot have been completed",
        ),
        ({"completed_at": "before"}, "completed_at", "completed after it was offered"),
        ({"completed_at": "later"}, "conducted_by", "Enter who conducted the interview"),
    ],
)
def test_bad_interviews_are_refused_with_a_clear_message(
    worker, child, change: dict[str, Any], field: str, message: str
) -> None:
    episode = record_episode(worker, child, went_missing_at=ago(days=3), returned_at=ago(days=2))
    returned = episode.returned_at
    assert returned is not None
    times = {
        "before": returned - dt.timedelta(hours=1),
        "future": timezone.now() + dt.timedelta(days=1),
        "later": returned + dt.timedelta(hours=5),
    }
    fields = {k: times.get(v, v) if isinstance(v, str) and k.endswith("_at") else v
              for k, v in change.items()}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        interview(worker, episode, **fields)
    assert message in " ".join(caught.value.message_dict[field])


def test_no_interview_before_the_child_returns(worker, child) -> None:
    episode = record_episode(worker, child, returned_at=None)
    with pytest.raises(ValidationError, match="Record when Jay returned"):
        interview_record(
            actor=worker, episode=episode, expected_version=None, offered_at=ago(hours=1)
        )


def test_two_people_saving_an_interview_do_not_overwrite_each_other(worker, child) -> None:
    episode = record_episode(worker, child, went_missing_at=ago(days=2), returned_at=ago(days=1))
    stale = MissingEpisode.objects.get(pk=episode.pk)
    interview(worker, episode)
    with pytest.raises(ValidationError, match="Someone else recorded this interview"):
        interview(worker, stale)  # opened before the first save: believes there is none
    current = MissingEpisode.objects.get(pk=episode.pk)
    first = interview(worker, current, expected_version=1, offered_by="Changed once")
    with pytest.raises(EditConflict):
        interview(worker, current, expected_version=1, offered_by="Changed twice")
    assert first.version == 2


# --- decisions on prompts -----------------------------------------------------------------------


@pytest.fixture
def prompt(worker, child) -> ThresholdPrompt:
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean")
    record_episode(worker, child, found_with=[adult])
    return ThresholdPrompt.objects.get()


def test_not_needed_needs_a_reason(worker, prompt) -> None:
    with pytest.raises(ValidationError, match="Explain why a strategy meeting"):
        prompt_decide(actor=worker, prompt=prompt, status="not_needed", reason="  ")
    with pytest.raises(ValidationError, match="Choose what was decided"):
        prompt_decide(actor=worker, prompt=prompt, status="open")
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.OPEN


def test_a_decision_is_recorded_once_with_who_and_when(worker, prompt, personas) -> None:
    decided = prompt_decide(
        actor=worker, prompt=prompt, status="marve_referred", reason="Referral sent"
    )
    prompt.refresh_from_db()
    assert (prompt.status, prompt.decided_by, prompt.decision_reason) == (
        "marve_referred",
        worker,
        "Referral sent",
    )
    assert prompt.decided_at is not None and decided.decided_at is not None
    assert AccessEvent.objects.filter(
        action=AccessAction.CHANGE, object_type="missing.thresholdprompt"
    ).exists()
    with pytest.raises(ValidationError, match="already decided by"):
        prompt_decide(actor=personas["cs_lead"], prompt=prompt, status="not_needed", reason="No")


# --- rules ------------------------------------------------------------------------------------


@pytest.fixture
def repeat_rule() -> ThresholdRule:
    return ThresholdRule.objects.get(kind="repeat_episodes")


def change_rule(actor, rule, **fields: Any) -> ThresholdRule:
    values: dict[str, Any] = {
        "expected_version": rule.version,
        "is_active": True,
        "prompts_strategy_discussion": True,
        "prompts_marve_referral": True,
        "episode_count": 3,
        "window_days": 90,
    }
    values.update(fields)
    return threshold_rule_update(actor=actor, rule=rule, **values)


def test_a_cs_lead_changes_a_rule_and_it_is_audited(personas, repeat_rule) -> None:
    rule = change_rule(personas["cs_lead"], repeat_rule, episode_count=2, window_days=60)
    rule.refresh_from_db()
    assert (rule.episode_count, rule.window_days, rule.version) == (2, 60, 2)
    assert rule.updated_by == personas["cs_lead"]
    audit = AccessEvent.objects.get(object_type="missing.thresholdrule")
    assert audit.changes["episode_count"] == {"old": "3", "new": "2"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"episode_count": 1}, "episode_count", "2 or more"),
        ({"window_days": 0}, "window_days", "between 1 and 365"),
        ({"window_days": 400}, "window_days", "between 1 and 365"),
        (
            {"prompts_strategy_discussion": False, "prompts_marve_referral": False},
            "prompts_strategy_discussion",
            "Choose what the rule prompts",
        ),
    ],
)
def test_bad_rules_are_refused(personas, repeat_rule, fields, field, message) -> None:
    with pytest.raises(ValidationError) as caught:
        change_rule(personas["cs_lead"], repeat_rule, **fields)
    assert message in " ".join(caught.value.message_dict[field])


def test_a_rule_switched_off_may_prompt_nothing(personas, repeat_rule) -> None:
    rule = change_rule(
        personas["administrator"],
        repeat_rule,
        is_active=False,
        prompts_strategy_discussion=False,
        prompts_marve_referral=False,
    )
    assert not rule.is_active


def test_two_people_changing_a_rule_conflict(personas, repeat_rule) -> None:
    stale = ThresholdRule.objects.get(pk=repeat_rule.pk)
    change_rule(personas["cs_lead"], repeat_rule, episode_count=4)
    with pytest.raises(EditConflict):
        change_rule(personas["administrator"], stale, episode_count=5, expected_version=1)
    repeat_rule.refresh_from_db()
    assert repeat_rule.episode_count == 4


def test_other_agencies_with_a_share_can_record(worker, child, personas) -> None:
    officer = personas["police_practitioner"]
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    episode = record_episode(officer, child)
    assert episode.recording_agency == officer.agency


def test_an_edit_keeps_people_the_editor_cannot_open(worker, child, personas) -> None:
    officer = personas["police_practitioner"]
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean")
    friend = make_person(worker, given_name="Kai")
    RecordShare.objects.create(person=friend, agency=officer.agency, route="shared")
    episode = record_episode(worker, child, found_with=[adult])
    officer = type(officer).objects.get(pk=officer.pk)
    episode_update(actor=officer, episode=episode, expected_version=1, found_with=[friend])
    assert set(episode.found_with.all()) == {adult, friend}
    episode_update(actor=officer, episode=episode, expected_version=2, narrative="Unchanged")
    assert set(episode.found_with.all()) == {adult, friend}
    episode_update(actor=worker, episode=episode, expected_version=3, found_with=[])
    assert not episode.found_with.exists()
