"""Panels (MARVE, MACE, any other the partnership defines), their meetings, and CS&E conferences.

A panel meeting and a conference are both a ``Meeting``: a date, a chair, participants invited
by agency, an agenda, minutes. A panel meeting's agenda holds many children and contexts; a
conference's agenda holds exactly one — the child or context the conference is about. Each
agency's information (shared at a panel, or a report submitted before a conference) is a
``Contribution`` to one agenda item. The level of concern is the partnership's professional
judgement, recorded with its reasons and who agreed it — never computed.

Who may see what (``panels.rules``): participants see the items on their meeting's agenda while
the meeting is open, and afterwards only the actions they own. A context conference names no
children to participants outside the statutory agencies.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import STATUTORY_AGENCY_KINDS, Agency
from casework.subjects import SubjectRecord


class PanelKind(models.TextChoices):
    MARVE = "marve", "MARVE (operational: named children, groups, places, adults of concern)"
    MACE = "mace", "MACE (strategic: issues and trends)"
    OTHER = "other", "Another multi-agency panel"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    AS_NEEDED = "as_needed", "When needed"


FREQUENCY_DAYS = {
    Frequency.WEEKLY: 7,
    Frequency.FORTNIGHTLY: 14,
    Frequency.MONTHLY: 28,
    Frequency.QUARTERLY: 91,
}


class Panel(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=PanelKind.choices)
    purpose = models.TextField(blank=True)
    frequency = models.CharField(max_length=15, choices=Frequency.choices)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_strategic(self) -> bool:
        return self.kind == PanelKind.MACE


class PanelMember(models.Model):
    """A standing member of a panel, who is invited to each of its meetings."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=200, blank=True)
    joined_on = models.DateField(default=dt.date.today)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["user__agency__name", "user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "user"],
                condition=Q(left_on__isnull=True),
                name="panel_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.panel}"


class MeetingKind(models.TextChoices):
    PANEL = "panel", "Panel meeting"
    CONFERENCE = "conference", "CS&E conference"


class ConferenceForm(models.TextChoices):
    """The three uses of the Kingston & Richmond CS&E conference (domain.md §2.3), the third
    widened to peer groups and schools as context conferences are (§1.4)."""

    CHILD_BOTH = (
        "child_both",
        "A child at risk inside and outside the family (child protection conference)",
    )
    CHILD_EFH = "child_efh", "A child at risk of extra-familial harm only"
    CONTEXT = "context", "A place, peer group or school (context conference)"


class ConferenceStage(models.TextChoices):
    INITIAL = "initial", "Initial conference"
    REVIEW = "review", "Review conference"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held — minutes to send"
    CLOSED = "closed", "Closed — minutes sent"
    CANCELLED = "cancelled", "Cancelled"


OPEN_MEETING_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.HELD)

# Child protection timescales where the statutory route is used (domain.md §2.2).
ICPC_WORKING_DAYS = 15
FIRST_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
# "The summary and plan are sent within 2 working days" (Kingston & Richmond).
SUMMARY_WORKING_DAYS = 2


class Meeting(models.Model):
    kind = models.CharField(max_length=12, choices=MeetingKind.choices)
    panel = models.ForeignKey(
        Panel, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    scheduled_for = models.DateTimeField()
    venue = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # Conferences only.
    form = models.CharField(max_length=12, choices=ConferenceForm.choices, blank=True)
    stage = models.CharField(max_length=10, choices=ConferenceStage.choices, blank=True)
    strategy_meeting = models.ForeignKey(
        "meetings.StrategyMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The latest date the conference may be held (initial: 15 working days after the strategy
    # discussion; review: the plan's review date). Empty where no timescale applies.
    due_by = models.DateField(null=True, blank=True)
    young_person_views = models.TextField("the young person's views", blank=True)
    family_views = models.TextField("the family's views", blank=True)
    # After the meeting.
    held_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(blank=True)
    summary_due_by = models.DateField(null=True, blank=True)
    summary_sent_on = models.DateField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-scheduled_for", "-pk"]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="meeting_status_idx"),
            models.Index(fields=["panel", "-scheduled_for"], name="meeting_panel_idx"),
            models.Index(fields=["chair", "status"], name="meeting_chair_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=MeetingKind.PANEL) & Q(panel__isnull=False) & Q(form=""))
                | (
                    Q(kind=MeetingKind.CONFERENCE)
                    & Q(panel__isnull=True)
                    & ~Q(form="")
                    & ~Q(stage="")
                ),
                name="meeting_kind_fields",
                violation_error_message=(
                    "A panel meeting belongs to a panel; a conference has a form and a stage"
                ),
            ),
            models.CheckConstraint(
                condition=Q(held_at__isnull=True)
                | Q(status__in=[MeetingStatus.HELD, MeetingStatus.CLOSED]),
                name="meeting_held_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} on {self.scheduled_for:%d %b %Y}"

    @property
    def title(self) -> str:
        if self.kind == MeetingKind.PANEL and self.panel is not None:
            return self.panel.name
        if self.form == ConferenceForm.CONTEXT:
            return (
                "Context conference"
                if self.stage == ConferenceStage.INITIAL
                else ("Context review conference")
            )
        stage = "review " if self.stage == ConferenceStage.REVIEW else ""
        return f"CS&E {stage}conference"

    @property
    def is_conference(self) -> bool:
        return self.kind == MeetingKind.CONFERENCE

    @property
    def is_context_conference(self) -> bool:
        return self.form == ConferenceForm.CONTEXT

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEETING_STATUSES

    @property
    def is_strategic(self) -> bool:
        return self.panel is not None and self.panel.is_strategic

    def summary_overdue(self, today: dt.date) -> bool:
        return (
            self.summary_sent_on is None
            and self.summary_due_by is not None
            and self.summary_due_by < today
        )


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Did not attend"


class Participant(models.Model):
    """Someone invited to a meeting, and whether they came. A participant with a user account
    sees the meeting's agenda while the meeting is open; one without (a shop's manager, a
    parent) is recorded by name only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="participant_user_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})" if self.agency_id else self.name

    @property
    def is_statutory(self) -> bool:
        """Statutory agencies may hear children's names at a context conference."""
        return self.agency is not None and self.agency.kind in STATUTORY_AGENCY_KINDS


class ItemSource(models.TextChoices):
    MARVE_REFERRAL = "marve_referral", "MARVE referral"
    STRATEGY_MEETING = "strategy_meeting", "Strategy meeting"
    CONTEXT_ASSESSMENT = "context_assessment", "Context assessment"
    CHAIR = "chair", "Added by the chair"
    CONFERENCE = "conference", "The conference's subject"


class ConcernLevel(models.TextChoices):
    """The partnership's professional judgement, agreed at the meeting."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class AgendaItem(SubjectRecord):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=20, choices=ItemSource.choices)
    marve_referral = models.ForeignKey(
        "meetings.MarveReferral", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    strategy_meeting = models.ForeignKey(
        "meetings.StrategyMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    context_assessment = models.ForeignKey(
        "assessments.ContextAssessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Why it is on the agenda, as the whole meeting will read it. For a context item this must
    # name no children: partners outside the statutory agencies read it.
    reason = models.TextField()
    # The professional judgement of the level of concern.
    concern_level = models.CharField(max_length=10, choices=ConcernLevel.choices, blank=True)
    concern_reasons = models.TextField(blank=True)
    concern_agreed_by = models.TextField(
        blank=True, help_text="Who agreed the level of concern, by name and agency."
    )
    concern_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.TextField(blank=True)
    discussed = models.BooleanField(default=False)
    # A conference's decision: the plan it agreed (or reviewed), its key lead and review date.
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="agreed_at"
    )

    class Meta(SubjectRecord.Meta):
        ordering = ["meeting", "position", "pk"]
        indexes = [
            models.Index(fields=["person"], name="agenda_person_idx"),
            models.Index(fields=["context"], name="agenda_context_idx"),
        ]
        constraints = [
            *SubjectRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="agenda_person_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "context"],
                condition=Q(context__isnull=False),
                name="agenda_context_once",
            ),
            models.CheckConstraint(
                condition=Q(concern_level="") | (~Q(concern_reasons="") & ~Q(concern_agreed_by="")),
                name="agenda_concern_has_reasons",
                violation_error_message=("A level of concern needs its reasons and who agreed it"),
            ),
        ]

    def __str__(self) -> str:
        return f"Agenda item {self.position} of {self.meeting}"


class ContributionAudience(models.TextChoices):
    EVERYONE = "everyone", "Everyone at the meeting"
    STATUTORY = "statutory", "Statutory agencies only (it names children)"


class Contribution(models.Model):
    """One agency's information about an item: a report submitted before a conference, or what
    the agency shared at a panel."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    audience = models.CharField(
        max_length=10, choices=ContributionAudience.choices, default=ContributionAudience.EVERYONE
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "submitted_at"]

    def __str__(self) -> str:
        return f"From {self.agency}"

    @property
    def in_advance(self) -> bool:
        return self.submitted_at < self.item.meeting.scheduled_for


class PanelActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class PanelAction(models.Model):
    """An action a meeting agreed outside any plan: for an item (a MARVE follow-up) or for the
    partnership (a MACE strategic action, ``item`` empty). Actions on a plan live on the plan."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    description = models.TextField(
        help_text="Say what will be done. Do not name a child: the owner may not know them."
    )
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=PanelActionStatus.choices, default=PanelActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)
    completion_evidence = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["owner_agency", "status"], name="panel_action_agency_idx"),
            models.Index(fields=["owner_user", "status"], name="panel_action_user_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=PanelActionStatus.DONE)
                    & Q(completed_on__isnull=False)
                    & ~Q(completion_evidence="")
                )
                | (~Q(status=PanelActionStatus.DONE) & Q(completed_on__isnull=True)),
                name="panel_action_done_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == PanelActionStatus.OPEN and self.due_on < today
