"""Strategy meetings (for a child or a context) and referrals to the MARVE panel."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Agency
from casework.subjects import SubjectRecord
from frontdoor.models import Contact


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    CONCLUDED = "concluded", "Concluded"


class StrategyMeeting(SubjectRecord):
    """A strategy meeting or discussion. ``threshold_checklist`` maps each item of
    ``meetings.checklist.THRESHOLD_CHECKLIST`` to the chair's answer and note."""

    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    held_at = models.DateTimeField()
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("why the meeting is being held")
    threshold_checklist = models.JSONField(default=dict, blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    concluded_at = models.DateTimeField(null=True, blank=True)
    # The chair sends the summary and plan within 2 working days (Kingston & Richmond).
    summary_sent_on = models.DateField("date the summary was sent", null=True, blank=True)

    class Meta(SubjectRecord.Meta):
        ordering = ["-held_at"]
        indexes = [
            models.Index(fields=["person", "-held_at"], name="strategy_person_idx"),
            models.Index(fields=["context", "-held_at"], name="strategy_context_idx"),
        ]

    def __str__(self) -> str:
        return f"Strategy meeting on {self.held_at:%d %b %Y}"


class Attendee(models.Model):
    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="attendees")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    attended = models.BooleanField(default=True)

    class Meta:
        ordering = ["agency__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class InformationShared(models.Model):
    """What each agency brought to the meeting."""

    meeting = models.ForeignKey(
        StrategyMeeting, on_delete=models.CASCADE, related_name="information"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()

    class Meta:
        ordering = ["agency__name"]

    def __str__(self) -> str:
        return f"From {self.agency}"


class DecisionKind(models.TextChoices):
    SECTION_47 = "section_47", "Section 47 enquiry"
    MARVE_REFERRAL = "marve_referral", "Refer to the MARVE panel"
    CSE_CONFERENCE = "cse_conference", "CS&E conference"
    CONTEXT_ASSESSMENT = "context_assessment", "Context assessment"
    NO_FURTHER_ACTION = "nfa", "No further action"


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=30, choices=DecisionKind.choices)
    reasons = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind"], name="meeting_decision_once")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class MeetingAction(models.Model):
    """An action agreed at the meeting, owned by any agency."""

    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class MarveReferralType(models.TextChoices):
    """The four referral types of a MARVE/MAVE panel (Lambeth MAVE, domain.md §2.4)."""

    INDIVIDUAL = "individual", "An individual child or young person"
    GROUP = "group", "A group"
    LOCATION = "location", "A location"
    POSSIBLE_PERPETRATOR = "possible_perpetrator", "A possible perpetrator"


class MarveStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    ACCEPTED = "accepted", "Accepted for a panel"
    DECLINED = "declined", "Declined by the panel"
    HEARD = "heard", "Heard at a panel"


class MarveReferral(SubjectRecord):
    """A referral to the MARVE panel, usually from a strategy meeting. The panel itself (agenda,
    hearing, outcome) is built on these."""

    referral_type = models.CharField(max_length=30, choices=MarveReferralType.choices)
    strategy_meeting = models.ForeignKey(
        StrategyMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    what_has_been_tried = models.TextField(blank=True)
    referred_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=MarveStatus.choices, default=MarveStatus.REFERRED
    )
    status_reason = models.TextField(blank=True)

    class Meta(SubjectRecord.Meta):
        ordering = ["-referred_at"]
        indexes = [models.Index(fields=["status", "-referred_at"], name="marve_status_idx")]
        constraints = [
            *SubjectRecord.Meta.constraints,
            # Concluding a meeting refers at most once, however often the button is pressed.
            models.UniqueConstraint(
                fields=["strategy_meeting"],
                condition=models.Q(strategy_meeting__isnull=False),
                name="marve_once_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"MARVE referral {self.referred_at:%d %b %Y}"

    def own_interest(self, user: Any) -> str:
        """Why ``user`` may not decide on this referral ("" if they may): the panel's decision
        is independent of whoever made the referral or chaired the meeting it came from."""
        if user is None or not user.pk:
            return ""
        if self.recorded_by_id == user.pk:
            return (
                "You made this referral, so another panel chair or Contextual Safeguarding lead "
                "must decide on it."
            )
        meeting = self.strategy_meeting
        if meeting is not None and meeting.chair_id == user.pk:
            return (
                "You chaired the strategy meeting this referral came from, so another panel chair "
                "or Contextual Safeguarding lead must decide on it."
            )
        return ""
