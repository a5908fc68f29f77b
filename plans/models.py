"""Plans for a child or for a context, with goals, actions owned by any partner, and reviews.

A child's plan (child protection, child looked after, child in need, CS&E) or a context safety
plan for a location, peer group or education setting. Context plans follow the Contextual
Outcomes Framework (domain.md §1.4): goals for the context, worded as positives → the responses
(actions, including disruption and interventions) → how we will know. A later conference or
panel app records where a plan was agreed; until then ``agreed_at_description`` says so in words.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Agency
from casework.subjects import SubjectRecord
from contexts.models import Context
from people.models import Person

# A notice or order that ends within this many days is flagged before it lapses, so the owner can
# apply to extend or renew it. Not a setting: the same warning everywhere.
LAPSE_WARNING_DAYS = 14


class PlanKind(models.TextChoices):
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    CHILD_LOOKED_AFTER = "child_looked_after", "Child looked after plan"
    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    CSE_PLAN = "cse_plan", "CS&E plan"
    CONTEXT_SAFETY = "context_safety", "Context safety plan"


CHILD_PLAN_KINDS = frozenset(
    {
        PlanKind.CHILD_PROTECTION,
        PlanKind.CHILD_LOOKED_AFTER,
        PlanKind.CHILD_IN_NEED,
        PlanKind.CSE_PLAN,
    }
)


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class CpCategory(models.TextChoices):
    """The statutory child protection categories (CIN census). There is no extra-familial one."""

    NEG = "NEG", "Neglect"
    PHY = "PHY", "Physical abuse"
    SAB = "SAB", "Sexual abuse"
    EMO = "EMO", "Emotional abuse"
    MUL = "MUL", "Multiple categories"


class GoalStatus(models.TextChoices):
    NOT_YET = "not_yet", "Not yet"
    PARTLY = "partly", "Partly"
    ACHIEVED = "achieved", "Achieved"


class ActionKind(models.TextChoices):
    TASK = "task", "Task"
    DISRUPTION = "disruption", "Disruption"
    INTERVENTION = "intervention", "Intervention"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class DisruptionTool(models.TextChoices):
    """The Home Office child exploitation disruption toolkit's tools (domain.md §2.7)."""

    CAWN = "cawn", "Child Abduction Warning Notice"
    CPN = "cpn", "Community Protection Notice"
    PSPO = "pspo", "Public Spaces Protection Order"
    CLOSURE_NOTICE = "closure_notice", "Closure notice"
    CLOSURE_ORDER = "closure_order", "Closure order"
    LICENCE_REVIEW = "licence_review", "Licence review"
    SRO = "sro", "Sexual Risk Order"
    STRO = "stro", "Slavery and Trafficking Risk Order"
    STPO = "stpo", "Slavery and Trafficking Prevention Order"
    HOTEL_REQUEST = "hotel_request", "Hotel guest information request"
    TARGETED_PATROLS = "targeted_patrols", "Targeted patrols"
    GANG_INJUNCTION = "gang_injunction", "Gang injunction"
    OTHER = "other", "Other"


class Programme(models.TextChoices):
    MENTORING = "mentoring", "Mentoring"
    PARENTING_SUPPORT = "parenting_support", "Parenting support group"
    DETACHED_YOUTH_WORK = "detached_youth_work", "Detached youth work"
    DIVERSION = "diversion", "Diversion"
    OTHER = "other", "Other"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue the plan"
    STEP_DOWN = "step_down", "Step down"
    END = "end", "End the plan"


class Plan(SubjectRecord):
    kind = models.CharField(max_length=30, choices=PlanKind.choices)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    cp_category = models.CharField(max_length=3, choices=CpCategory.choices, blank=True)
    # CS&E plans: the harm outside the family in its own terms (events.models.HarmType values).
    efh_harm_types = models.JSONField(default=list, blank=True)
    # Child plans: places to avoid, safe routes, trusted adults, what to do if approached.
    extra_familial_safety = models.TextField(blank=True)
    review_interval_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    # Where the plan was agreed, in words, until a conference or panel record can be linked.
    agreed_at_description = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(SubjectRecord.Meta):
        ordering = ["-started_on", "-pk"]
        constraints = [
            *SubjectRecord.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(kind=PlanKind.CHILD_PROTECTION) & Q(cp_category__in=CpCategory.values))
                | (~Q(kind=PlanKind.CHILD_PROTECTION) & Q(cp_category="")),
                name="plan_cp_category_only_for_cp",
                violation_error_message=(
                    "A child protection plan needs its category; other plans have none"
                ),
            ),
            models.CheckConstraint(
                condition=(Q(kind=PlanKind.CONTEXT_SAFETY) & Q(context__isnull=False))
                | (~Q(kind=PlanKind.CONTEXT_SAFETY) & Q(person__isnull=False)),
                name="plan_kind_fits_subject",
            ),
            models.CheckConstraint(
                condition=(Q(status=PlanStatus.ACTIVE) & Q(ended_on__isnull=True))
                | (
                    Q(status=PlanStatus.ENDED)
                    & Q(ended_on__isnull=False)
                    & Q(ended_on__gte=F("started_on"))
                ),
                name="plan_ended_has_end_date",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="plan_person_idx"),
            models.Index(fields=["context", "status"], name="plan_context_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on:%d %b %Y}"

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE

    @property
    def is_child_plan(self) -> bool:
        return self.kind in CHILD_PLAN_KINDS

    def review_overdue(self, today: dt.date) -> bool:
        return self.is_active and self.next_review_due is not None and self.next_review_due < today


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    statement = models.TextField()
    measure = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.NOT_YET)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"Goal {self.position}"


class Action(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    kind = models.CharField(max_length=15, choices=ActionKind.choices, default=ActionKind.TASK)
    description = models.TextField()
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A partner outside the partnership's agencies: "Licensing team, Brackenmoor Council".
    owner_partner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=15, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    # Disruption
    tool = models.CharField(max_length=20, choices=DisruptionTool.choices, blank=True)
    legal_basis = models.CharField(max_length=300, blank=True)
    target_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_context = models.ForeignKey(
        Context, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_description = models.CharField(max_length=300, blank=True)
    served_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    # Intervention
    programme = models.CharField(max_length=25, choices=Programme.choices, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    participant_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    participant_description = models.CharField(max_length=200, blank=True)
    outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_agency__isnull=False)
                | Q(owner_user__isnull=False)
                | ~Q(owner_partner=""),
                name="action_has_an_owner",
                violation_error_message="Say who owns the action",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.COMPLETED)
                | (Q(completed_on__isnull=False) & ~Q(evidence="")),
                name="action_completed_with_evidence",
                violation_error_message="A completed action needs its date and evidence",
            ),
            models.CheckConstraint(
                condition=(Q(kind=ActionKind.DISRUPTION) & ~Q(tool=""))
                | (~Q(kind=ActionKind.DISRUPTION) & Q(tool="")),
                name="action_tool_only_for_disruption",
            ),
            models.CheckConstraint(
                condition=(Q(kind=ActionKind.INTERVENTION) & ~Q(programme=""))
                | (~Q(kind=ActionKind.INTERVENTION) & Q(programme="")),
                name="action_programme_only_for_intervention",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(served_on__isnull=True)
                | Q(expires_on__gte=F("served_on")),
                name="action_expires_after_served",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_user", "status"], name="action_owner_user_idx"),
            models.Index(fields=["owner_agency", "status"], name="action_owner_agency_idx"),
            models.Index(fields=["status", "due_on"], name="action_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} action"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    def lapse_state(self, today: dt.date) -> str:
        """ "lapsed", "lapsing" (within LAPSE_WARNING_DAYS) or "" for a disruption's notice."""
        if self.kind != ActionKind.DISRUPTION or self.expires_on is None:
            return ""
        if self.status == ActionStatus.CANCELLED:
            return ""
        if self.expires_on < today:
            return "lapsed"
        if self.expires_on <= today + dt.timedelta(days=LAPSE_WARNING_DAYS):
            return "lapsing"
        return ""

    @property
    def owner_label(self) -> str:
        names = []
        if self.owner_user_id:
            user = self.owner_user
            names.append(str(user.get_full_name() or user.username) if user else "")
        if self.owner_agency_id:
            names.append(str(self.owner_agency))
        if self.owner_partner:
            names.append(self.owner_partner)
        return ", ".join(n for n in names if n)


class InterventionSession(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    attended = models.BooleanField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Session on {self.held_on:%d %b %Y}"


class Review(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    reviewed_by = models.CharField(
        max_length=300, help_text="Who reviewed the plan: the conference, panel or core group"
    )
    progress = models.TextField()
    situation = models.TextField()
    # {goal id (as text): GoalStatus value} as the review found them.
    goal_progress = models.JSONField(default=dict, blank=True)
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    next_review_due = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision=ReviewDecision.CONTINUE, next_review_due__isnull=False)
                | ~Q(decision=ReviewDecision.CONTINUE),
                name="review_continue_has_next_date",
            )
        ]

    def __str__(self) -> str:
        return f"Review on {self.held_on:%d %b %Y}"
