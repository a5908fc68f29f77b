"""Single assessments of a child (with a contextual section) and context assessments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency, Team
from assessments.codes import PrimaryNeed
from contexts.models import Context
from frontdoor.models import Contact
from people.models import Person

SINGLE_ASSESSMENT_WORKING_DAYS = 45


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting manager sign-off"
    COMPLETED = "completed", "Completed"


class SingleAssessmentOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    EARLY_HELP = "early_help", "Step down to early help"
    CHILD_IN_NEED = "child_in_need", "Child in need plan (section 17)"
    SECTION_47 = "section_47", "Strategy discussion and section 47 enquiry"
    CSE_CONFERENCE = "cse_conference", "CS&E conference"
    REFER_MARVE = "refer_marve", "Refer to the MARVE panel"


class Assessment(models.Model):
    """What single and context assessments share: who leads, when it is due, sign-off."""

    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField()
    due_on = models.DateField()
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Who last asked for sign-off: a manager may not sign off (or return) their own work.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    manager_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != AssessmentStatus.COMPLETED and today > self.due_on


class SingleAssessment(Assessment):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The statutory domains.
    developmental_needs = models.TextField("the child's developmental needs", blank=True)
    parenting_capacity = models.TextField(blank=True)
    family_environment = models.TextField("family and environmental factors", blank=True)
    # The contextual section: findings per place, peer group, school and online space live in
    # ``ContextualFinding``; these are the overall voice, strengths and analysis.
    # When the practitioner finds no place, peer group, school or online space affecting the child,
    # they say why here, so an empty contextual section is a recorded judgement, not an omission.
    no_contextual_concerns = models.TextField("why there are no contextual concerns", blank=True)
    child_voice = models.TextField("the child's voice", blank=True)
    strengths = models.TextField(blank=True)
    analysis = models.TextField(blank=True)
    cin_factors = models.JSONField("factors identified at the end of assessment", default=list)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    outcome = models.CharField(max_length=30, choices=SingleAssessmentOutcome.choices, blank=True)
    outcome_reasons = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "-started_on"], name="single_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("started_on")), name="single_due_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Single assessment started {self.started_on:%d %b %Y}"


class ContextualArea(models.TextChoices):
    PLACES = "places", "Places"
    PEERS = "peers", "Peers"
    SCHOOL = "school", "School or college"
    ONLINE = "online", "Online"


class ContextualFinding(models.Model):
    """The contextual section: how one place, peer group, school or online space affects the
    child's safety."""

    assessment = models.ForeignKey(
        SingleAssessment, on_delete=models.CASCADE, related_name="findings"
    )
    area = models.CharField(max_length=20, choices=ContextualArea.choices)
    context = models.ForeignKey(
        Context, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    what_makes_it_unsafe = models.TextField(blank=True)
    what_makes_it_safe = models.TextField(blank=True)
    # When the finding was recorded: the context's chronology shows it as "named in a single
    # assessment".
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["area", "pk"]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.context or 'not linked to a record'}"


class ContextAssessmentDecision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    MONITOR = "monitor", "Monitor"
    CONTEXT_CONFERENCE = "context_conference", "Context conference"
    SAFETY_PLAN = "safety_plan", "Location or context safety plan"


class ContextAssessment(Assessment):
    """A neighbourhood, peer group or school assessment, after the Contextual Safeguarding
    assessment triangles (domain.md §1.4). The three sides' labels depend on the context's kind;
    see ``assessments.triangles``."""

    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="+")
    who_uses_it = models.TextField("who uses the context, and when", blank=True)
    what_happens = models.TextField("what happens there", blank=True)
    guardianship = models.TextField("who has guardianship or influence over it", blank=True)
    what_makes_it_safe = models.TextField(blank=True)
    what_makes_it_unsafe = models.TextField(blank=True)
    young_peoples_views = models.TextField("young people's views", blank=True)
    partners_responsible = models.TextField(blank=True)
    triangle_first = models.TextField(blank=True)
    triangle_second = models.TextField(blank=True)
    triangle_third = models.TextField(blank=True)
    decision = models.CharField(
        max_length=30, choices=ContextAssessmentDecision.choices, blank=True
    )
    decision_reasons = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["context", "-started_on"], name="context_assess_ctx_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("started_on")), name="context_due_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Context assessment started {self.started_on:%d %b %Y}"


class ContextWeighting(models.Model):
    """Context weighting: which linked context must change first (rank 1), and why."""

    assessment = models.ForeignKey(
        ContextAssessment, on_delete=models.CASCADE, related_name="weightings"
    )
    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    rationale = models.TextField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "rank"], name="weighting_rank_once"),
            models.UniqueConstraint(
                fields=["assessment", "context"], name="weighting_context_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.context}"
