"""The append-only, hash-chained record of every access to ContextSafe."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    EXPORT = "export", "Exported"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"
    FAILED_SIGN_IN = "failed_sign_in", "Failed sign-in"
    LOCKED_OUT = "locked_out", "Locked out"
    SECOND_FACTOR = "second_factor", "Second factor"
    PASSWORD = "password", "Password"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    BREAK_GLASS = "break_glass", "Break glass"


RECORD_KINDS = {
    "accounts.user": "User account",
    "accounts.agency": "Agency",
    "accounts.team": "Team",
    "audit.accessevent": "Audit trail",
    "audit.chain": "Audit chain",
    "view": "Page",
    "people.person": "Person",
    "people.association": "Association",
    "people.accessrequest": "Access request",
    "contexts.context": "Place or group",
    "events.event": "Event",
    "frontdoor.contact": "Contact",
    "frontdoor.screeningdecision": "Screening decision",
    "frontdoor.sharingdecision": "Information-sharing decision",
    "frontdoor.responsetimescale": "Response timescale",
    "assessments.singleassessment": "Single assessment",
    "assessments.contextassessment": "Context assessment",
    "missing.missingepisode": "Missing episode",
    "missing.returnhomeinterview": "Return home interview",
    "missing.thresholdrule": "Threshold rule",
    "missing.thresholdprompt": "Threshold prompt",
    "meetings.strategymeeting": "Strategy meeting",
    "meetings.marvereferral": "MARVE referral",
    "casework.keyleadallocation": "Key lead allocation",
    "casework.consultation": "Consultation with the CS lead",
    "casework.nrmreferral": "NRM referral",
    "plans.plan": "Plan",
    "plans.goal": "Plan goal",
    "plans.action": "Plan action",
    "plans.interventionsession": "Intervention session",
    "plans.review": "Plan review",
    "core.my_work": "My work (home page)",
    "panels.panel": "Panel",
    "panels.meeting": "Panel meeting or conference",
    "panels.agendaitem": "Agenda item",
    "panels.panelaction": "Meeting action",
    "demo.borough": "Fictional data set",
}


def record_kind(object_type: str) -> str:
    """A plain-English name for a record type, for auditors."""
    return RECORD_KINDS.get(object_type, object_type)


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit record."""


class AccessEvent(models.Model):
    # `sequence` gives the chain its order; it is gapless because it is handed out under the lock on
    # AuditChainHead, unlike the primary key, whose sequence can skip after a rollback.
    sequence = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    actor_username = models.CharField(max_length=150, blank=True, editable=False)
    actor_agency = models.CharField(max_length=200, blank=True, editable=False)
    action = models.CharField(max_length=30, choices=AccessAction.choices, editable=False)
    object_type = models.CharField(max_length=100, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    object_label = models.CharField(max_length=200, blank=True, editable=False)
    reason = models.TextField(blank=True, editable=False)
    changes = models.JSONField(default=dict, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    request_path = models.CharField(max_length=500, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["actor", "-sequence"], name="audit_actor_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["action", "-sequence"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.actor_username or 'anonymous'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit records cannot be deleted.")

    @property
    def record_kind(self) -> str:
        return record_kind(self.object_type)


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash. Locking it serialises writers to the chain."""

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"chain head at #{self.last_sequence}"


class ChainVerification(models.Model):
    """The outcome of one check of the whole chain, so auditors can see when it last held."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    events_checked = models.BigIntegerField(default=0)
    intact = models.BooleanField(null=True)
    first_broken_sequence = models.BigIntegerField(null=True, blank=True)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"verification {self.pk}: {self.intact}"
