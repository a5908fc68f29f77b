"""Key leads, consultations with the Contextual Safeguarding lead, and NRM referrals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Agency, AgencyKind
from casework.subjects import SubjectRecord
from events.models import HarmType
from people.models import Person

# The Home Office lists the First Responder Organisations that may refer to the NRM: police
# forces, local authorities and named parts of the Home Office and the voluntary sector. Of this
# partnership's agency kinds, the police and the local authority's children's social care are
# first responders, and so is youth justice (youth justice services are local authority
# services). Health (outside Northern Ireland), education, housing, community safety, the
# voluntary sector in general and "other" are not: they ask a first responder to refer.
FIRST_RESPONDER_KINDS = frozenset(
    {AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.YOUTH_JUSTICE}
)
# The kinds of exploitation an NRM referral for a child records, from the harm list.
NRM_EXPLOITATION_TYPES = (
    HarmType.CCE,
    HarmType.CSE,
    HarmType.COUNTY_LINES,
    HarmType.TRAFFICKING,
    HarmType.OTHER,
)
NRM_REASONABLE_GROUNDS_WORKING_DAYS = 5
NRM_CONCLUSIVE_GROUNDS_MIN_DAYS = 30
# Devolved panels decide for children more than 100 days from their 18th birthday.
NRM_DEVOLVED_MIN_DAYS_BEFORE_18 = 100


class KeyLeadAllocation(SubjectRecord):
    """The key lead for a child at risk of extra-familial harm, or for a context. Any agency's
    practitioner can be the key lead. Allocations are never edited, only ended, so the history
    stays."""

    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    end_reason = models.TextField(blank=True)

    class Meta(SubjectRecord.Meta):
        ordering = ["-started_on", "-pk"]
        constraints = [
            *SubjectRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True, person__isnull=False),
                name="one_current_key_lead_per_person",
            ),
            models.UniqueConstraint(
                fields=["context"],
                condition=Q(ended_on__isnull=True, context__isnull=False),
                name="one_current_key_lead_per_context",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="key_lead_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["lead", "ended_on"], name="key_lead_mine_idx")]

    def __str__(self) -> str:
        return f"Key lead from {self.started_on:%d %b %Y}"


class ConsultationStatus(models.TextChoices):
    ASKED = "asked", "Waiting for an answer"
    ANSWERED = "answered", "Answered"


class Consultation(SubjectRecord):
    """A practitioner's question to the CS lead about a child or a context, and the answer."""

    question = models.TextField()
    asked_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: any Contextual Safeguarding lead may answer.",
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.ASKED
    )

    class Meta(SubjectRecord.Meta):
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="consultation_status_idx")]

    def __str__(self) -> str:
        return f"Consultation asked {self.created_at:%d %b %Y}"


class NrmDecisionMaker(models.TextChoices):
    HOME_OFFICE = "home_office", "Home Office Single Competent Authority"
    DEVOLVED_PANEL = "devolved_panel", "Devolved local decision-making panel"


class NrmDecision(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


class NrmReferral(models.Model):
    """A National Referral Mechanism referral for a child who may be trafficked.

    Reasonable grounds are due within 5 working days of referral; conclusive grounds come at
    least 30 calendar days after the reasonable-grounds decision (domain.md §2.6).
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField()
    first_responder = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    decision_maker = models.CharField(max_length=20, choices=NrmDecisionMaker.choices)
    exploitation_types = models.JSONField(default=list)
    summary = models.TextField()
    reasonable_grounds_due_on = models.DateField()
    reasonable_grounds = models.CharField(max_length=10, choices=NrmDecision.choices, blank=True)
    reasonable_grounds_on = models.DateField(null=True, blank=True)
    conclusive_grounds = models.CharField(max_length=10, choices=NrmDecision.choices, blank=True)
    conclusive_grounds_on = models.DateField(null=True, blank=True)
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-referred_on"]
        indexes = [models.Index(fields=["person", "-referred_on"], name="nrm_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reasonable_grounds_on__isnull=True)
                | Q(reasonable_grounds_on__gte=F("referred_on")),
                name="nrm_rg_after_referral",
            ),
            models.CheckConstraint(
                condition=Q(conclusive_grounds_on__isnull=True)
                | Q(reasonable_grounds_on__isnull=False),
                name="nrm_cg_after_rg",
            ),
        ]

    def __str__(self) -> str:
        return f"NRM referral {self.referred_on:%d %b %Y}"
