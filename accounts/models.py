"""People who use ContextSafe, the agencies they work for and the teams they work in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from access.roles import Role


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    COMMUNITY_SAFETY = "community_safety", "Community safety"
    HOUSING = "housing", "Housing"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    OTHER = "other", "Other"


# Working Together 2023 names the local authority, the police and health as the statutory
# safeguarding partners; education and youth justice are relevant agencies with statutory duties.
# A context conference names no children to anyone outside these.
STATUTORY_AGENCY_KINDS = frozenset(
    {
        AgencyKind.POLICE,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        AgencyKind.EDUCATION,
        AgencyKind.HEALTH,
        AgencyKind.YOUTH_JUSTICE,
    }
)


class Agency(models.Model):
    name = models.CharField(
        max_length=200,
        unique=True,
        error_messages={"unique": "An agency with this name already exists"},
    )
    kind = models.CharField(max_length=40, choices=AgencyKind.choices)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_statutory(self) -> bool:
        return self.kind in STATUTORY_AGENCY_KINDS


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "name"],
                name="team_name_unique_in_agency",
                violation_error_message="This agency already has a team with that name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class User(AbstractUser):
    """A person who signs in. Accounts are deactivated, never deleted, so the audit trail holds."""

    email = models.EmailField("email address", unique=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    job_title = models.CharField(max_length=200, blank=True)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_set(self) -> frozenset[str]:
        # Cached per instance: the permission layer asks many times per request, the roles change
        # rarely, and a request gets a fresh User object.
        cached: frozenset[str] | None = getattr(self, "_role_set", None)
        if cached is None:
            if not self.pk or not self.is_active:
                cached = frozenset()
            else:
                cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._role_set = cached
        return cached

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_set", None)

    def has_role(self, role: str) -> bool:
        return role in self.role_set


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role"]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_granted_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"
