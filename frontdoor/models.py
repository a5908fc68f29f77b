"""The front door: contacts (referrals) about a child or a context, and their screening."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Team
from casework.subjects import SubjectRecord
from contexts.models import Context
from people.models import Person


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate: a child may be at risk of significant harm now"
    URGENT = "urgent", "Urgent: needs a response today"
    STANDARD = "standard", "Standard"


class HarmSource(models.TextChoices):
    """Helps the front door decide who should respond, as in Kingston & Richmond: intra-,
    extra-familial, or both. Routing does not use it: every contact goes to the default
    screening team."""

    INSIDE = "inside", "Inside the family"
    OUTSIDE = "outside", "Outside the family (extra-familial)"
    BOTH = "both", "Both inside and outside the family"
    NOT_KNOWN = "not_known", "Not known yet"


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent given by the child or family"
    SAFEGUARDING = (
        "safeguarding",
        "Without consent: safeguarding of children and individuals at risk (DPA 2018, "
        "Schedule 8, paragraph 4)",
    )
    RISK_IF_ASKED = (
        "risk_if_asked",
        "Without consent: asking would put the child or others at greater risk",
    )
    LEGAL_DUTY = "legal_duty", "A legal duty to share (for example a court order)"


class ReferralSource(models.TextChoices):
    """CIN census referral source codes (domain.md §3.1)."""

    INDIVIDUAL_SELF = "1A", "Individual: family member, relative or carer"
    INDIVIDUAL_ACQUAINTANCE = "1B", "Individual: acquaintance"
    INDIVIDUAL_SELF_REFERRAL = "1C", "Individual: self"
    INDIVIDUAL_OTHER = "1D", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    HEALTH_GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    HEALTH_SCHOOL_NURSE = "3C", "Health: school nurse"
    HEALTH_OTHER_PRIMARY = "3D", "Health: other primary health services"
    HEALTH_ACUTE = "3E", "Health: A&E or hospital"
    HEALTH_OTHER = "3F", "Health: other"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "Local authority: social care"
    LA_OTHER_INTERNAL = "5B", "Local authority: other internal department"
    LA_EXTERNAL = "5C", "Local authority: another local authority"
    LA_OTHER = "5D", "Local authority: other"
    POLICE = "6", "Police"
    LEGAL_AGENCY = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class ContactChannel(models.TextChoices):
    ONLINE = "online", "Online form"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    IN_PERSON = "in_person", "In person"


class ContactStatus(models.TextChoices):
    AWAITING_SCREENING = "awaiting_screening", "Awaiting screening"
    IN_SCREENING = "in_screening", "In screening"
    AWAITING_APPROVAL = "awaiting_approval", "Decision awaiting manager approval"
    DECIDED = "decided", "Decided"


class ResponseTimescale(models.Model):
    """How long the front door has to decide on a contact, by urgency. Set by the partnership."""

    urgency = models.CharField(max_length=20, choices=Urgency.choices, unique=True)
    hours = models.PositiveSmallIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_urgency_display()}: {self.hours} hours"


class Contact(SubjectRecord):
    """A contact (referral) about a child (``person``) or about a context (``context``).

    Further children, parents and adults of concern named in it are ``ContactPerson`` rows; places,
    peer groups, schools and online spaces it mentions are ``ContactContext`` rows.
    """

    received_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=20, choices=ContactChannel.choices)
    # Who is referring: a partner's user submitting online, or a caller the front door records.
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_phone = models.CharField(max_length=50, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the referrer submitted the contact themself, so they can be told the "
        "outcome.",
    )
    referral_source = models.CharField(max_length=3, choices=ReferralSource.choices)
    # What happened, and the contextual questions.
    what_happened = models.TextField()
    where = models.TextField("where it happened or where the child spends time", blank=True)
    with_whom = models.TextField("who the child was with", blank=True)
    online = models.TextField("online spaces, apps or games", blank=True)
    school = models.TextField("school, college or other education setting", blank=True)
    harm_indicators = models.JSONField(default=list, blank=True)
    harm_source = models.CharField(max_length=20, choices=HarmSource.choices)
    child_views = models.TextField("the child's views", blank=True)
    family_views = models.TextField("the family's views", blank=True)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    lawful_basis_notes = models.TextField(blank=True)
    urgency = models.CharField(max_length=20, choices=Urgency.choices)
    respond_by = models.DateTimeField()
    status = models.CharField(
        max_length=30, choices=ContactStatus.choices, default=ContactStatus.AWAITING_SCREENING
    )
    screener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiving_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    outcome_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta(SubjectRecord.Meta):
        indexes = [
            models.Index(
                fields=["receiving_team", "status", "respond_by"], name="contact_queue_idx"
            ),
            models.Index(fields=["person", "-received_at"], name="contact_person_idx"),
            models.Index(fields=["context", "-received_at"], name="contact_context_idx"),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk} received {self.received_at:%d %b %Y}"


class ContactPersonRole(models.TextChoices):
    CHILD = "child", "Another child this contact is about"
    PARENT_CARER = "parent_carer", "Parent or carer"
    ADULT_OF_CONCERN = "adult_of_concern", "Adult of concern"
    PEER = "peer", "Friend or peer"
    OTHER = "other", "Other"


class ContactPerson(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=ContactPersonRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "person"], name="contact_person_once")
        ]
        indexes = [models.Index(fields=["person"], name="contact_person_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class ContactContext(models.Model):
    """A place, peer group, school or online space the contact mentions, linked to its record."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="contexts")
    context = models.ForeignKey(Context, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "context"], name="contact_context_once")
        ]
        indexes = [models.Index(fields=["context"], name="contact_context_ctx_idx")]

    def __str__(self) -> str:
        return str(self.context)


class SharingDecision(models.Model):
    """One decision to share, or not to share, information — with its reason.

    The information-sharing golden rules ask that every such decision is recorded, including a
    decision not to share.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="sharing")
    shared = models.BooleanField()
    information = models.TextField("what information")
    shared_with = models.CharField("with whom", max_length=300)
    reason = models.TextField()
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shared=False) | ~Q(lawful_basis=""),
                name="sharing_needs_lawful_basis",
            )
        ]

    def __str__(self) -> str:
        return ("Shared" if self.shared else "Not shared") + f" with {self.shared_with}"


class ScreeningOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    INFORMATION_ADVICE = "information_advice", "Information and advice"
    EARLY_HELP = "early_help", "Early help"
    SINGLE_ASSESSMENT = "single_assessment", "Single assessment"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    REFER_MARVE = "refer_marve", "Refer to the MARVE panel"
    CONTEXT_RESPONSE = "context_response", "Context response: open a context assessment"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned to the screener"


class ScreeningDecision(models.Model):
    """A screener's decision on a contact. A manager approves it or returns it with a comment; a
    returned decision stays on record and a new one is made."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(max_length=30, choices=ScreeningOutcome.choices)
    reasons = models.TextField()
    allocated_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consulted_cs_lead = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    approval = models.CharField(
        max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    manager_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(approval="pending"),
                name="one_pending_decision_per_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.get_approval_display()})"


class ScreeningTeam(models.Model):
    """A team that screens contacts. The partnership chooses which; new contacts go to the
    default one (set by an administrator on the timescales page)."""

    team = models.OneToOneField(Team, on_delete=models.PROTECT, related_name="screening")
    is_default = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_screening_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team}{' (contacts go here)' if self.is_default else ''}"
