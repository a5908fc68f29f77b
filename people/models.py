"""People who matter to a case: young people, adults of concern, parents and carers, others."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Agency, Team
from people.codes import (
    AgeBand,
    AssociationKind,
    Ethnicity,
    Flag,
    IdentifierScheme,
    PersonKind,
    Reliability,
    Sex,
)
from people.names import name_keys


class Person(models.Model):
    kind = models.CharField(max_length=30, choices=PersonKind.choices)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, blank=True)
    known_as = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)
    gender = models.CharField("gender identity", max_length=100, blank=True)
    ethnicity = models.CharField(
        max_length=40, choices=Ethnicity.choices, default=Ethnicity.NOT_OBTAINED
    )
    first_language = models.CharField(max_length=100, blank=True)
    flags = models.JSONField(default=list, blank=True)
    holding_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    owning_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["date_of_birth"], name="person_dob_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = f"{self.given_name} {self.family_name}".strip()
        return f"{full} ({self.known_as})" if self.known_as else full

    @property
    def flag_labels(self) -> list[str]:
        return [Flag(f).label for f in self.flags if f in Flag.values]

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age_text(self) -> str:
        age = self.age_on(timezone.localdate())
        if age is not None:
            return f"{age}"
        return AgeBand(self.age_band).label if self.age_band else "Not known"


class PersonName(models.Model):
    """Every name a person is known by, with keys for exact and sounds-alike search."""

    class Kind(models.TextChoices):
        LEGAL = "legal", "Name"
        KNOWN_AS = "known_as", "Known as"
        ALIAS = "alias", "Alias or street name"
        PREVIOUS = "previous", "Previous name"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    normalised = models.CharField(max_length=200, db_index=True, editable=False)
    phonetic = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.normalised, self.phonetic = name_keys(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PersonIdentifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=30, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=50)
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scheme"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"],
                name="identifier_unique_per_scheme",
                violation_error_message="Another person already has this identifier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class Address(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField("address line 1", max_length=200)
    line_2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    moved_in = models.DateField(null=True, blank=True)
    moved_out = models.DateField(null=True, blank=True)
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-moved_in"]
        constraints = [
            models.CheckConstraint(
                condition=Q(moved_out__isnull=True)
                | Q(moved_in__isnull=True)
                | Q(moved_out__gte=F("moved_in")),
                name="address_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)


class RecordShare(models.Model):
    """Which agencies may open a person's record, why, and until when.

    The agency that creates a record holds it. Others get access by sharing, an approved request,
    or break-glass (time-limited, with a reason, audited, and the CS lead is alerted).
    """

    class Route(models.TextChoices):
        HOLDER = "holder", "Holds the record"
        SHARED = "shared", "Shared by the holding agency"
        REQUEST = "request", "Access request approved"
        BREAK_GLASS = "break_glass", "Break-glass"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shares")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=20, choices=Route.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For break-glass: only this person, not their whole agency.",
    )
    reason = models.TextField(blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "agency"], name="share_person_agency_idx"),
            # Time-limited shares (break-glass): few, and looked for on every hotspot map.
            models.Index(
                fields=["agency", "expires_at"],
                condition=Q(expires_at__isnull=False),
                name="share_expiring_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.get_route_display()}"


class AccessRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Access request {self.pk} ({self.status})"


class ObservedLink(models.Model):
    """What every link between people, or between a person and a context, carries.

    Contextual Safeguarding guidance warns that association must not be "used as fact": a link is
    an observation with a source, a reliability grade, dates, and who recorded it for which agency.
    """

    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=300, help_text="Who or what told us, for example 'school DSL' or 'police report'"
    )
    reliability = models.CharField(max_length=20, choices=Reliability.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @staticmethod
    def dates_in_order(name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=Q(ended_on__isnull=True)
            | Q(started_on__isnull=True)
            | Q(ended_on__gte=F("started_on")),
            name=name,
        )


class Association(ObservedLink):
    """An observed link between two people."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="associations_out")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="associations_in")
    kind = models.CharField(max_length=30, choices=AssociationKind.choices)

    class Meta(ObservedLink.Meta):
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=F("other")),
                name="association_not_with_self",
                violation_error_message="A person cannot be associated with themself",
            ),
            ObservedLink.dates_in_order("association_dates_in_order"),
        ]
        indexes = [
            models.Index(fields=["person"], name="assoc_person_idx"),
            models.Index(fields=["other"], name="assoc_other_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_reliability_display()})"
