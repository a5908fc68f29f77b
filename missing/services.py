"""Every change to missing episodes, return home interviews, threshold prompts and rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Agency, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextKind
from contextsafe.lib.concurrency import save_versioned
from core.services import notify
from events.models import EventKind, HarmType, ParticipantRole
from events.services import event_record
from missing import selectors
from missing.models import (
    EpisodeType,
    MissingEpisode,
    PoliceRiskLevel,
    PromptStatus,
    ReturnHomeInterview,
    ThresholdPrompt,
    ThresholdRule,
    ThresholdRuleKind,
)
from missing.thresholds import rule_in_words, rules_met
from missing.timescales import short_time
from people.codes import PersonKind
from people.models import Person
from people.selectors import visible_people

# A clock a few minutes fast on a phone should not stop someone recording what just happened.
CLOCK_SLACK = dt.timedelta(minutes=5)
MAX_WINDOW_DAYS = 365

EPISODE_FIELDS = [
    "episode_type",
    "went_missing_at",
    "reported_at",
    "reported_by",
    "police_reference",
    "police_risk_level",
    "returned_at",
    "found_location",
    "found_description",
    "found_with_description",
    "safe_and_well_check_at",
    "narrative",
]
INTERVIEW_FIELDS = [
    "offered_at",
    "offered_by",
    "accepted",
    "declined_reason",
    "completed_at",
    "conducted_by",
    "conducting_agency",
    "child_account",
    "push_pull_factors",
    "places_and_people",
    "actions",
]


def _name(person: Person) -> str:
    return person.known_as or person.given_name


REPORTED_BEFORE_MISSING = (
    "The time reported must be the same as or after the time they went missing"
)
RETURNED_BEFORE_MISSING = "The time they returned must be after the time they went missing"


def _not_future(when: dt.datetime | None, field: str, what: str) -> None:
    if when is not None and when > timezone.now() + CLOCK_SLACK:
        raise ValidationError({field: f"{what} must not be in the future"})


def _snapshot(obj: Any, fields: list[str]) -> dict[str, str]:
    return {name: "" if getattr(obj, name) is None else str(getattr(obj, name)) for name in fields}


def _changes(before: dict[str, str], after: dict[str, str]) -> dict[str, Any]:
    return {
        k: {"old": before.get(k, ""), "new": after[k]} for k in after if before.get(k) != after[k]
    }


# --- episodes ---------------------------------------------------------------------------------


def _check_episode(
    *,
    episode: MissingEpisode,
    found_with: list[Person],
    actor: User,
) -> None:
    """Every rule an episode must meet, each with the message the recorder sees."""
    person = episode.person
    if person.kind != PersonKind.YOUNG_PERSON:
        raise ValidationError(
            f"Missing episodes are recorded for young people. {person.display_name} is recorded "
            f"as: {person.get_kind_display().lower()}."
        )
    if episode.episode_type not in EpisodeType.values:
        raise ValidationError({"episode_type": "Choose missing or away without authorisation"})
    if episode.police_risk_level not in PoliceRiskLevel.values:
        raise ValidationError({"police_risk_level": "Choose the police risk level"})
    if not episode.reported_by.strip():
        raise ValidationError({"reported_by": "Enter who reported them missing"})
    _not_future(episode.went_missing_at, "went_missing_at", "The time they went missing")
    _not_future(episode.reported_at, "reported_at", "The time they were reported missing")
    if episode.reported_at < episode.went_missing_at:
        raise ValidationError({"reported_at": REPORTED_BEFORE_MISSING})
    _check_return(episode)
    _check_found(episode, found_with, actor)


def _check_return(episode: MissingEpisode) -> None:
    returned = episode.returned_at
    _not_future(returned, "returned_at", "The time they returned")
    if returned is not None and returned < episode.went_missing_at:
        raise ValidationError({"returned_at": RETURNED_BEFORE_MISSING})
    check = episode.safe_and_well_check_at
    if check is None:
        return
    if returned is None:
        raise ValidationError(
            {"safe_and_well_check_at": "Enter when they returned before the safe and well check"}
        )
    _not_future(check, "safe_and_well_check_at", "The safe and well check")
    if check < returned:
        raise ValidationError(
            {"safe_and_well_check_at": "The safe and well check must be after they returned"}
        )


def _check_found(episode: MissingEpisode, found_with: list[Person], actor: User) -> None:
    place: Context | None = episode.found_location
    if place is not None:
        if place.kind != ContextKind.LOCATION:
            raise ValidationError(
                {
                    "found_location": f"{place.name} is a {place.get_kind_display().lower()}, "
                    "not a location. Choose a location, or describe the place instead."
                }
            )
        if episode.returned_at is None:
            raise ValidationError(
                {"found_location": "Enter when they returned or were found, to say where"}
            )
    if any(p.pk == episode.person_id for p in found_with):
        raise ValidationError(
            {
                "found_with": f"{episode.person.display_name} cannot be recorded as being with "
                "themself. Choose the other people they were with."
            }
        )
    ids = {p.pk for p in found_with}
    if ids and visible_people(actor).filter(pk__in=ids).count() != len(ids):
        raise ValidationError({"found_with": "Choose people from the list"})


def _check_no_overlap(episode: MissingEpisode) -> None:
    """A child is missing once at a time: episodes of one child must not overlap, and an open
    episode must be closed (their return recorded) before another starts."""
    others = MissingEpisode.objects.filter(person_id=episode.person_id).filter(
        Q(returned_at__isnull=True) | Q(returned_at__gt=episode.went_missing_at)
    )
    if episode.returned_at is not None:
        others = others.filter(went_missing_at__lt=episode.returned_at)
    if episode.pk:
        others = others.exclude(pk=episode.pk)
    clash = others.order_by("went_missing_at").first()
    if clash is None:
        return
    name = _name(episode.person)
    if clash.returned_at is None:
        raise ValidationError(
            f"{name} is still recorded as missing from {short_time(clash.went_missing_at)}. "
            "Record when they returned on that episode first."
        )
    raise ValidationError(
        f"This overlaps {name}'s episode from {short_time(clash.went_missing_at)} to "
        f"{short_time(clash.returned_at)}. Check the times, or change that episode instead."
    )


def _record_found_event(*, actor: User, episode: MissingEpisode) -> None:
    """Put "found after going missing" on the found location's chronology, once.

    The narrative names nobody: events at a location are seen by every case worker, and the
    child is shown only to those who may open their record.
    """
    place = episode.found_location
    event = episode.found_event
    if event is not None:
        if place is None or event.location_id != place.pk:
            raise ValidationError(
                {
                    "found_location": "Where they were found is already on the chronology of "
                    f"{event.location}. It cannot be changed here: ask a Contextual "
                    "Safeguarding lead to correct it."
                }
            )
        return
    if place is None or episode.returned_at is None:
        return
    duration = episode.duration
    hours = int(duration.total_seconds() // 3600) if duration else 0
    narrative = (
        f"Recorded from a missing episode ({episode.get_episode_type_display().lower()}): a young "
        f"person was found here after {hours} hour{'s' if hours != 1 else ''}. "
        f"Police risk level: {episode.get_police_risk_level_display().lower()}."
    )
    episode.found_event = event_record(
        actor=actor,
        kind=EventKind.MISSING_FOUND,
        occurred_at=episode.returned_at,
        narrative=narrative,
        participants=[(episode.person, ParticipantRole.HARMED)],
        harm_types=[HarmType.MISSING],
        location=place,
        place_description=episode.found_description,
    )
    MissingEpisode.objects.filter(pk=episode.pk).update(found_event=episode.found_event)


@transaction.atomic
def episode_create(
    *,
    actor: User,
    person: Person,
    episode_type: str,
    went_missing_at: dt.datetime,
    reported_at: dt.datetime,
    reported_by: str,
    police_reference: str = "",
    police_risk_level: str = PoliceRiskLevel.NOT_KNOWN,
    returned_at: dt.datetime | None = None,
    found_location: Context | None = None,
    found_description: str = "",
    found_with: Iterable[Person] = (),
    found_with_description: str = "",
    safe_and_well_check_at: dt.datetime | None = None,
    narrative: str = "",
) -> MissingEpisode:
    if actor.agency is None:
        raise ValidationError("Your account has no agency, so you cannot record episodes.")
    episode = MissingEpisode(
        person=person,
        episode_type=episode_type,
        went_missing_at=went_missing_at,
        reported_at=reported_at,
        reported_by=reported_by.strip(),
        police_reference=police_reference.strip(),
        police_risk_level=police_risk_level,
        returned_at=returned_at,
        found_location=found_location,
        found_description=found_description.strip(),
        found_with_description=found_with_description.strip(),
        safe_and_well_check_at=safe_and_well_check_at,
        narrative=narrative.strip(),
        recording_agency=actor.agency,
        recorded_by=actor,
    )
    people = list(found_with)
    _check_episode(episode=episode, found_with=people, actor=actor)
    _check_no_overlap(episode)
    episode.full_clean(exclude=["recorded_by", "found_with", "found_event"])
    episode.save()
    episode.found_with.set(people)
    _record_found_event(actor=actor, episode=episode)
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=episode,
        changes={
            "new": _snapshot(episode, EPISODE_FIELDS),
            "person": person.pk,
            "found_with": sorted(p.pk for p in people),
        },
    )
    thresholds_apply(actor=actor, episode=episode)
    return episode


@transaction.atomic
def episode_update(
    *,
    actor: User,
    episode: MissingEpisode,
    expected_version: int,
    found_with: Iterable[Person] | None = None,
    **fields: Any,
) -> MissingEpisode:
    """Correct an episode, or record the child's return, where they were found and with whom.

    ``found_with`` (None: unchanged) is who the actor chose from the people they may open;
    people already recorded whom the actor cannot see are kept, never silently dropped.
    """
    before = _snapshot(episode, EPISODE_FIELDS)
    existing = list(episode.found_with.all())
    before_with = sorted(p.pk for p in existing)
    for name, value in fields.items():
        if name not in EPISODE_FIELDS:
            raise TypeError(f"episode_update does not change {name}")
        setattr(episode, name, value.strip() if isinstance(value, str) else value)
    chosen = existing if found_with is None else list(found_with)
    kept = [] if found_with is None else _hidden_from(actor, existing)
    _check_episode(
        episode=episode, found_with=chosen if found_with is not None else [], actor=actor
    )
    _check_no_overlap(episode)
    episode.full_clean(exclude=["recorded_by", "found_with", "found_event"])
    save_versioned(episode, expected_version=expected_version, fields=list(fields))
    people = [*chosen, *kept]
    episode.found_with.set(people)
    _record_found_event(actor=actor, episode=episode)
    changes = _changes(before, _snapshot(episode, EPISODE_FIELDS))
    after_with = sorted(p.pk for p in people)
    if after_with != before_with:
        changes["found_with"] = {"old": before_with, "new": after_with}
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=episode, changes=changes)
    thresholds_apply(actor=actor, episode=episode)
    return episode


def _hidden_from(actor: User, people: list[Person]) -> list[Person]:
    if not people:
        return []
    seen = set(
        visible_people(actor).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    return [p for p in people if p.pk not in seen]


# --- thresholds -------------------------------------------------------------------------------


def _episodes_to_check(episode: MissingEpisode, rules: list[ThresholdRule]) -> list[MissingEpisode]:
    """This episode, and the child's later episodes a repeat window could now reach: an episode
    recorded late can make a later one the third in 90 days."""
    windows = [r.window_days or 0 for r in rules if r.kind == ThresholdRuleKind.REPEAT_EPISODES]
    if not windows:
        return [episode]
    later = (
        MissingEpisode.objects.filter(
            person_id=episode.person_id,
            went_missing_at__gt=episode.went_missing_at,
            went_missing_at__lte=episode.went_missing_at + dt.timedelta(days=max(windows)),
        )
        .exclude(pk=episode.pk)
        .select_related("person")
    )
    return [episode, *later]


def _raise_prompt(
    episode: MissingEpisode, rule: ThresholdRule, explanation: str
) -> ThresholdPrompt | None:
    """Create the prompt unless one exists; the unique constraint settles a race."""
    try:
        with transaction.atomic():
            return ThresholdPrompt.objects.create(
                episode=episode, rule=rule, person_id=episode.person_id, explanation=explanation
            )
    except IntegrityError:
        return None


@transaction.atomic
def thresholds_apply(*, actor: User, episode: MissingEpisode) -> list[ThresholdPrompt]:
    """Raise a prompt for each active rule newly met, and tell the people who must decide.

    Re-running it changes nothing: one prompt per rule per episode, ever.
    """
    rules = list(ThresholdRule.objects.filter(is_active=True).order_by("pk"))
    raised: list[ThresholdPrompt] = []
    for checked in _episodes_to_check(episode, rules):
        existing = set(checked.prompts.values_list("rule_id", flat=True))
        for met in rules_met(checked, [r for r in rules if r.pk not in existing]):
            prompt = _raise_prompt(checked, met.rule, met.explanation)
            if prompt is not None:
                raised.append(prompt)
    for prompt in raised:
        audit_record(
            actor=actor,
            action=AccessAction.CREATE,
            obj=prompt,
            changes={"rule": prompt.rule.kind, "episode": prompt.episode_id},
        )
    if raised:
        _notify_prompts(actor=actor, episode=episode, prompts=raised)
    return raised


def _notify_prompts(
    *, actor: User, episode: MissingEpisode, prompts: list[ThresholdPrompt]
) -> None:
    # The message names no child: a key lead may be in an agency that cannot open the record.
    recipients = selectors.threshold_recipients(person=episode.person, actor=actor)
    for prompt in prompts:
        notify(
            recipients=recipients,
            message=(
                f"A missing-episode threshold was met ({rule_in_words(prompt.rule)}). "
                "Someone needs to decide whether a strategy meeting or MARVE referral is needed."
            ),
            link=reverse("missing:prompt_detail", args=[prompt.pk]),
        )


DECISIONS = (PromptStatus.STRATEGY_ARRANGED, PromptStatus.MARVE_REFERRED, PromptStatus.NOT_NEEDED)


@transaction.atomic
def prompt_decide(
    *, actor: User, prompt: ThresholdPrompt, status: str, reason: str = ""
) -> ThresholdPrompt:
    """Record what a person decided. Only an open prompt can be decided, once."""
    if status not in DECISIONS:
        raise ValidationError({"status": "Choose what was decided"})
    reason = reason.strip()
    if status == PromptStatus.NOT_NEEDED and not reason:
        raise ValidationError(
            {"reason": "Explain why a strategy meeting or MARVE referral is not needed"}
        )
    now = timezone.now()
    # The status check and the write are one UPDATE, so two people cannot both decide.
    updated = ThresholdPrompt.objects.filter(pk=prompt.pk, status=PromptStatus.OPEN).update(
        status=status, decided_by=actor, decided_at=now, decision_reason=reason
    )
    if updated != 1:
        current = ThresholdPrompt.objects.select_related("decided_by").get(pk=prompt.pk)
        who = current.decided_by.get_full_name() if current.decided_by else "someone"
        when = short_time(current.decided_at) if current.decided_at else ""
        raise ValidationError(
            f"This prompt was already decided by {who} on {when}: "
            f"{current.get_status_display()}. Nothing you chose has been saved."
        )
    prompt.status, prompt.decided_by, prompt.decided_at = status, actor, now
    prompt.decision_reason = reason
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=prompt,
        changes={"status": {"old": PromptStatus.OPEN, "new": status}, "reason": reason},
    )
    return prompt


# --- return home interviews -----------------------------------------------------------------------


def _check_interview(interview: ReturnHomeInterview, episode: MissingEpisode) -> None:
    name = _name(episode.person)
    returned = episode.returned_at
    if returned is None:
        raise ValidationError(
            f"Record when {name} returned before recording the return home interview."
        )
    if interview.offered_at < returned:
        raise ValidationError(
            {
                "offered_at": f"The interview must be offered after {name} returned "
                f"({short_time(returned)})"
            }
        )
    _not_future(interview.offered_at, "offered_at", "The time it was offered")
    if interview.accepted is False and not interview.declined_reason:
        raise ValidationError({"declined_reason": "Say why the interview was declined"})
    completed = interview.completed_at
    if completed is None:
        return
    if interview.accepted is False:
        raise ValidationError(
            {"accepted": "The interview was declined, so it cannot have been completed"}
        )
    if completed < interview.offered_at:
        raise ValidationError(
            {"completed_at": "The interview must be completed after it was offered"}
        )
    _not_future(completed, "completed_at", "The time it was completed")
    if not interview.conducted_by:
        raise ValidationError({"conducted_by": "Enter who conducted the interview"})


@transaction.atomic
def interview_record(
    *,
    actor: User,
    episode: MissingEpisode,
    expected_version: int | None,
    offered_at: dt.datetime,
    offered_by: str = "",
    accepted: bool | None = None,
    declined_reason: str = "",
    completed_at: dt.datetime | None = None,
    conducted_by: str = "",
    conducting_agency: Agency | None = None,
    child_account: str = "",
    push_pull_factors: str = "",
    places_and_people: str = "",
    actions: str = "",
) -> ReturnHomeInterview:
    """Record the offer, the answer and (when it happened) the interview and its findings.

    ``expected_version`` is None the first time; after that it guards against overwriting
    someone else's save.
    """
    interview = selectors.interview_of(episode)
    creating = interview is None
    if interview is None:
        interview = ReturnHomeInterview(episode=episode, recorded_by=actor)
    before = {} if creating else _snapshot(interview, INTERVIEW_FIELDS)
    if completed_at is not None and accepted is None:
        accepted = True  # an interview that happened was accepted
    values: dict[str, Any] = {
        "offered_at": offered_at,
        "offered_by": offered_by.strip(),
        "accepted": accepted,
        "declined_reason": declined_reason.strip() if accepted is False else "",
        "completed_at": completed_at,
        "conducted_by": conducted_by.strip(),
        "conducting_agency": conducting_agency,
        "child_account": child_account.strip(),
        "push_pull_factors": push_pull_factors.strip(),
        "places_and_people": places_and_people.strip(),
        "actions": actions.strip(),
    }
    for name, value in values.items():
        setattr(interview, name, value)
    _check_interview(interview, episode)
    # "accepted" may be None (not known yet), which the model field calls blank.
    interview.full_clean(exclude=["episode", "recorded_by", "accepted"])
    if creating:
        if ReturnHomeInterview.objects.filter(episode=episode).exists():
            raise _interview_conflict()
        interview.save()
    else:
        _save_interview(interview, expected_version)
    audit_record(
        actor=actor,
        action=AccessAction.CREATE if creating else AccessAction.CHANGE,
        obj=interview,
        changes=_changes(before, _snapshot(interview, INTERVIEW_FIELDS)),
    )
    episode.interview = interview
    return interview


def _interview_conflict() -> ValidationError:
    return ValidationError(
        "Someone else recorded this interview while you were typing. Nothing you typed has been "
        "lost: check the current details, then save again."
    )


def _save_interview(interview: ReturnHomeInterview, expected_version: int | None) -> None:
    if expected_version is None:
        raise _interview_conflict()
    save_versioned(interview, expected_version=expected_version, fields=INTERVIEW_FIELDS)


# --- the partnership's rules ------------------------------------------------------------------


@transaction.atomic
def threshold_rule_update(
    *,
    actor: User,
    rule: ThresholdRule,
    expected_version: int,
    is_active: bool,
    prompts_strategy_discussion: bool,
    prompts_marve_referral: bool,
    episode_count: int | None = None,
    window_days: int | None = None,
) -> ThresholdRule:
    if rule.kind == ThresholdRuleKind.REPEAT_EPISODES:
        if episode_count is None or episode_count < 2:
            raise ValidationError({"episode_count": "The number of episodes must be 2 or more"})
        if window_days is None or not 1 <= window_days <= MAX_WINDOW_DAYS:
            raise ValidationError(
                {"window_days": f"The period must be between 1 and {MAX_WINDOW_DAYS} days"}
            )
    else:
        episode_count = window_days = None
    if is_active and not (prompts_strategy_discussion or prompts_marve_referral):
        raise ValidationError(
            {
                "prompts_strategy_discussion": "Choose what the rule prompts: a strategy "
                "meeting, a MARVE referral, or both. To stop the rule, turn it off."
            }
        )
    fields = {
        "is_active": is_active,
        "prompts_strategy_discussion": prompts_strategy_discussion,
        "prompts_marve_referral": prompts_marve_referral,
        "episode_count": episode_count,
        "window_days": window_days,
        "updated_by": actor,
        "updated_at": timezone.now(),
    }
    watched = [k for k in fields if k not in {"updated_by", "updated_at"}]
    before = _snapshot(rule, watched)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean(exclude=["updated_by"])
    save_versioned(rule, expected_version=expected_version, fields=list(fields))
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=rule,
        changes=_changes(before, _snapshot(rule, watched)),
    )
    return rule
