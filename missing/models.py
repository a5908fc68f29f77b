"""Missing episodes, return home interviews, and the partnership's threshold rules."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Agency
from contexts.models import Context
from events.models import Event
from people.models import Person

RETURN_INTERVIEW_HOURS = 72


class EpisodeType(models.TextChoices):
    """As the SSD ``ssd_missing`` type: M missing, A away without authorisation."""

    MISSING = "M", "Missing"
    AWAY = "A", "Away from placement without authorisation"


class PoliceRiskLevel(models.TextChoices):
    """The police continuum of risk (College of Policing APP)."""

    NO_APPARENT_RISK = "no_apparent_risk", "No apparent risk (absent)"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    NOT_KNOWN = "not_known", "Not known"


class MissingEpisode(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    episode_type = models.CharField(max_length=1, choices=EpisodeType.choices)
    went_missing_at = models.DateTimeField()
    reported_at = models.DateTimeField()
    reported_by = models.CharField("reported by (person or service)", max_length=200)
    police_reference = models.CharField(max_length=50, blank=True)
    police_risk_level = models.CharField(
        max_length=20, choices=PoliceRiskLevel.choices, default=PoliceRiskLevel.NOT_KNOWN
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    found_location = models.ForeignKey(
        Context, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    found_description = models.CharField("where the child was found", max_length=300, blank=True)
    found_with = models.ManyToManyField(Person, blank=True, related_name="+")
    found_with_description = models.TextField("who the child was with", blank=True)
    safe_and_well_check_at = models.DateTimeField(null=True, blank=True)
    narrative = models.TextField(blank=True)
    # The "found after going missing" event written at the found location, so the place's own
    # chronology (and later its maps) shows it. Set once; never written twice for one episode.
    found_event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-went_missing_at"]
        indexes = [models.Index(fields=["person", "-went_missing_at"], name="missing_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("went_missing_at")),
                name="missing_returns_after_going",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_episode_type_display()} from {self.went_missing_at:%d %b %Y %H:%M}"

    @property
    def duration(self) -> dt.timedelta | None:
        if self.returned_at is None:
            return None
        # Python subtracts two times in the same zone by the wall clock: compare in UTC instead.
        return self.returned_at.astimezone(dt.UTC) - self.went_missing_at.astimezone(dt.UTC)

    @property
    def interview_due_at(self) -> dt.datetime | None:
        if self.returned_at is None:
            return None
        # In UTC, so that 72 hours are 72 real hours across a change of the clocks.
        return self.returned_at.astimezone(dt.UTC) + dt.timedelta(hours=RETURN_INTERVIEW_HOURS)


class ReturnHomeInterview(models.Model):
    """The independent return home interview, offered on return and due within 72 hours."""

    episode = models.OneToOneField(
        MissingEpisode, on_delete=models.CASCADE, related_name="interview"
    )
    offered_at = models.DateTimeField()
    offered_by = models.CharField("who offered it", max_length=200, blank=True)
    accepted = models.BooleanField(null=True)
    declined_reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    conducted_by = models.CharField(max_length=200, blank=True)
    conducting_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    child_account = models.TextField("what the child said", blank=True)
    push_pull_factors = models.TextField("push and pull factors", blank=True)
    places_and_people = models.TextField("places and people the child mentioned", blank=True)
    actions = models.TextField("what will happen next", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Return home interview offered {self.offered_at:%d %b %Y}"

    @property
    def completed_in_time(self) -> bool | None:
        due = self.episode.interview_due_at
        if self.completed_at is None or due is None:
            return None
        return self.completed_at <= due


class ThresholdRuleKind(models.TextChoices):
    REPEAT_EPISODES = "repeat_episodes", "Repeated episodes within a period"
    FOUND_AT_LOCATION_OF_CONCERN = (
        "found_at_location_of_concern",
        "Found at a location with open concerns",
    )
    FOUND_WITH_ADULT_OF_CONCERN = "found_with_adult_of_concern", "Found with an adult of concern"


class ThresholdRule(models.Model):
    """A rule the partnership sets: when it is met, the service prompts people to consider a
    strategy meeting and a MARVE referral. It never decides anything itself.

    ``prompts_strategy_discussion`` keeps its stored name; the service calls it a strategy
    meeting everywhere people read it."""

    kind = models.CharField(max_length=40, choices=ThresholdRuleKind.choices)
    episode_count = models.PositiveSmallIntegerField(null=True, blank=True)
    window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    prompts_strategy_discussion = models.BooleanField(default=True)
    prompts_marve_referral = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="repeat_episodes")
                | (Q(episode_count__gte=2) & Q(window_days__gte=1)),
                name="repeat_rule_needs_count_and_window",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class PromptStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    STRATEGY_ARRANGED = "strategy_arranged", "Strategy meeting arranged"
    MARVE_REFERRED = "marve_referred", "Referred to MARVE"
    NOT_NEEDED = "not_needed", "Considered: not needed"


class ThresholdPrompt(models.Model):
    """A rule was met by an episode. Someone must decide what to do, and say why."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.CASCADE, related_name="prompts")
    rule = models.ForeignKey(ThresholdRule, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    explanation = models.TextField()
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=30, choices=PromptStatus.choices, default=PromptStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "rule"], name="one_prompt_per_rule_episode")
        ]
        indexes = [models.Index(fields=["person", "status"], name="prompt_person_idx")]

    def __str__(self) -> str:
        return self.explanation
