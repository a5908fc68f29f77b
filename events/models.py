"""Dated things that happened, where, to and by whom — each person's role recorded per event."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Agency
from contexts.models import Context
from people.models import Person


class EventKind(models.TextChoices):
    POLICE_INCIDENT = "police_incident", "Police incident"
    SIGHTING = "sighting", "Sighting"
    MISSING_FOUND = "missing_found", "Found after going missing"
    EXCLUSION = "exclusion", "Exclusion from school"
    AE_ATTENDANCE = "ae_attendance", "A&E attendance"
    ARREST = "arrest", "Arrest"
    INTELLIGENCE = "intelligence", "Intelligence report"
    CONCERN = "concern", "Concern raised"


class HarmType(models.TextChoices):
    CCE = "cce", "Child criminal exploitation"
    CSE = "cse", "Child sexual exploitation"
    COUNTY_LINES = "county_lines", "County lines"
    SERIOUS_YOUTH_VIOLENCE = "serious_youth_violence", "Serious youth violence"
    PEER_ON_PEER = "peer_on_peer", "Peer-on-peer abuse or harmful sexual behaviour"
    ONLINE = "online", "Online harm"
    TRAFFICKING = "trafficking", "Trafficking or modern slavery"
    RADICALISATION = "radicalisation", "Radicalisation"
    MISSING = "missing", "Going missing"
    OTHER = "other", "Other"


class Sensitivity(models.TextChoices):
    STANDARD = "standard", "Standard: anyone who can see the people or place involved"
    RESTRICTED = "restricted", "Restricted: the recording agency only"


class ParticipantRole(models.TextChoices):
    HARMED = "harmed", "Harmed or at risk"
    HARMING = "harming", "Causing harm"
    WITNESS = "witness", "Witness"
    SUBJECT_OF_CONCERN = "subject_of_concern", "Subject of concern"


class Event(models.Model):
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey(
        Context, on_delete=models.PROTECT, related_name="events", null=True, blank=True
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The H3 cell of (latitude, longitude) at settings.HOTSPOT_H3_RESOLUTION, stored on write so
    # hotspot maps are one GROUP BY; empty when the event has no position.
    h3_cell = models.CharField(max_length=16, blank=True, editable=False)
    place_description = models.CharField(max_length=300, blank=True)
    narrative = models.TextField()
    harm_types = models.JSONField(default=list, blank=True)
    sensitivity = models.CharField(
        max_length=20, choices=Sensitivity.choices, default=Sensitivity.STANDARD
    )
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("occurred_at")),
                name="event_ends_after_it_starts",
            )
        ]
        indexes = [
            models.Index(fields=["location", "-occurred_at"], name="event_location_idx"),
            models.Index(fields=["-occurred_at"], name="event_time_idx"),
            # Cell first: serves the GROUP BY and "the events in this cell in this period" (a
            # hotspot's evidence); a period alone is served by event_time_idx.
            models.Index(fields=["h3_cell", "occurred_at"], name="event_cell_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_at:%d %b %Y}"

    @property
    def harm_labels(self) -> list[str]:
        return [HarmType(h).label for h in self.harm_types if h in HarmType.values]


class EventParticipant(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="event_roles")
    role = models.CharField(max_length=30, choices=ParticipantRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"], name="one_role_per_person_per_event"
            )
        ]
        indexes = [models.Index(fields=["person", "event"], name="participant_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"
