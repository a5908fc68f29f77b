"""Contexts as records of their own: locations, peer groups, education settings, online spaces."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Team
from people.models import ObservedLink, Person


class ContextKind(models.TextChoices):
    LOCATION = "location", "Location"
    PEER_GROUP = "peer_group", "Peer group"
    EDUCATION_SETTING = "education_setting", "Education setting"
    ONLINE_SPACE = "online_space", "Online space"


class ContextStatus(models.TextChoices):
    NOTED = "noted", "Noted"
    UNDER_ASSESSMENT = "under_assessment", "Under assessment"
    ON_PLAN = "on_plan", "On a plan"
    CLOSED = "closed", "Closed"


class LocationType(models.TextChoices):
    PARK = "park", "Park or open space"
    TRANSPORT_HUB = "transport_hub", "Transport hub or route"
    SHOP_TAKEAWAY = "shop_takeaway", "Shop or takeaway"
    ESTATE_STAIRWELL = "estate_stairwell", "Estate or stairwell"
    SHORT_LET_HOTEL = "short_let_hotel", "Short-let or hotel"
    SCHOOL_SURROUNDINGS = "school_surroundings", "School surroundings"
    OTHER = "other", "Other"


class SettingType(models.TextChoices):
    SCHOOL = "school", "School"
    PRU = "pru", "Pupil referral unit or alternative provision"
    COLLEGE = "college", "College"


class Context(models.Model):
    kind = models.CharField(max_length=30, choices=ContextKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=30, choices=ContextStatus.choices, default=ContextStatus.NOTED
    )
    owning_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    # Locations: a point or an area as GeoJSON (WGS84), its centre for indexing, and an address.
    location_type = models.CharField(max_length=30, choices=LocationType.choices, blank=True)
    geometry = models.JSONField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    # Education settings
    setting_type = models.CharField(max_length=20, choices=SettingType.choices, blank=True)
    urn = models.CharField("URN", max_length=10, blank=True)
    # Online spaces
    platform = models.CharField(max_length=100, blank=True)
    space = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "status"], name="context_kind_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def summary(self) -> str:
        if self.kind == ContextKind.LOCATION:
            return self.get_location_type_display() or "Location"
        if self.kind == ContextKind.EDUCATION_SETTING:
            return self.get_setting_type_display() or "Education setting"
        if self.kind == ContextKind.ONLINE_SPACE:
            return self.platform or "Online space"
        return "Peer group"


class ContextLinkKind(models.TextChoices):
    FREQUENTS = "frequents", "Spends time at"
    LIVES_NEAR = "lives_near", "Lives near"
    MEMBER_OF = "member_of", "Member of"
    ATTENDS = "attends", "Attends"
    EXPLOITED_AT = "exploited_at", "Exploited at or through"


class ContextLink(ObservedLink):
    """A person seen in or linked to a context.

    A peer map made with a young person may name friends by initials only: then ``person`` is
    empty and ``initials`` says who.
    """

    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="context_links", null=True, blank=True
    )
    initials = models.CharField(max_length=10, blank=True)
    kind = models.CharField(max_length=30, choices=ContextLinkKind.choices)

    class Meta(ObservedLink.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(initials=""),
                name="context_link_names_someone",
                violation_error_message="Choose a person or give their initials",
            ),
            ObservedLink.dates_in_order("context_link_dates_in_order"),
        ]
        indexes = [
            models.Index(fields=["context"], name="ctxlink_context_idx"),
            models.Index(fields=["person"], name="ctxlink_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.context}"
