"""Writing to the audit trail and checking that it has not been tampered with."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from audit.context import current_origin
from audit.models import AccessAction, AccessEvent, AuditChainHead, ChainVerification

GENESIS_HASH = "0" * 64


def _normalise(changes: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so the stored value and the hashed value are the same on every
    # database engine (dates become strings, tuples become lists).
    return json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder))  # type: ignore[no-any-return]


def event_digest(event: AccessEvent) -> str:
    payload = [
        event.sequence,
        event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        event.actor_id,
        event.actor_username,
        event.actor_agency,
        event.action,
        event.object_type,
        event.object_id,
        event.object_label,
        event.reason,
        event.changes,
        event.ip_address,
        event.request_path,
        event.previous_hash,
    ]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _describe(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = obj._meta
    return meta.label_lower, str(obj.pk), str(obj)[:200]


def audit_record(
    *,
    actor: Any,
    action: AccessAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    reason: str = "",
    changes: dict[str, Any] | None = None,
    username: str = "",
) -> AccessEvent:
    """Append one event to the chain, in the caller's transaction if there is one.

    ``actor`` is the signed-in user, or None (a failed sign-in names the ``username`` tried).
    """
    described_type, described_id, described_label = _describe(obj)
    origin = current_origin()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    agency = getattr(actor, "agency", None) if is_user else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_sequence": 0, "last_hash": GENESIS_HASH}
        )
        event = AccessEvent(
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now(),
            actor=actor if is_user else None,
            actor_username=(actor.get_username() if is_user else username)[:150],
            actor_agency=agency.name if agency is not None else "",
            action=str(action),
            object_type=object_type or described_type,
            object_id=str(object_id or described_id)[:64],
            object_label=(object_label or described_label)[:200],
            reason=reason,
            changes=_normalise(changes),
            ip_address=origin.ip_address if origin else None,
            request_path=origin.path if origin else "",
            previous_hash=head.last_hash,
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
        head.last_sequence = event.sequence
        head.last_hash = event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events_checked: int
    first_broken_sequence: int | None = None
    problem: str = ""


def chain_verify(*, chunk_size: int = 5000) -> ChainReport:
    """Walk the whole chain in order and report the first broken link."""
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    events = AccessEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size)
    for event in events:
        if event.sequence != expected_sequence:
            return ChainReport(
                False,
                checked,
                expected_sequence,
                f"Record #{expected_sequence} is missing: the chain jumps from "
                f"#{expected_sequence - 1} to #{event.sequence}.",
            )
        if event.previous_hash != previous_hash:
            return ChainReport(
                False,
                checked,
                event.sequence,
                f"Record #{event.sequence} does not link to record #{event.sequence - 1}: "
                "a record before it was changed or replaced.",
            )
        if event_digest(event) != event.hash:
            return ChainReport(
                False,
                checked,
                event.sequence,
                f"Record #{event.sequence} has been changed since it was written.",
            )
        previous_hash = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != previous_hash):
        return ChainReport(
            False,
            checked,
            checked + 1,
            f"The chain should hold {head.last_sequence} records but ends at #{checked}: "
            "records at the end were removed.",
        )
    return ChainReport(True, checked)


def verification_request(*, actor: Any) -> ChainVerification:
    """Ask for a check of the whole chain; a background task carries it out."""
    from audit.tasks import verify_chain_task

    verification = ChainVerification.objects.create(requested_by=actor)
    audit_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type="audit.chain",
        object_label="Audit chain verification requested",
    )
    transaction.on_commit(lambda: verify_chain_task.enqueue(verification.pk))
    return verification


def verification_complete(*, verification_id: int) -> ChainVerification:
    verification = ChainVerification.objects.get(pk=verification_id)
    report = chain_verify()
    verification.finished_at = timezone.now()
    verification.events_checked = report.events_checked
    verification.intact = report.intact
    verification.first_broken_sequence = report.first_broken_sequence
    verification.problem = report.problem
    verification.save(
        update_fields=[
            "finished_at",
            "events_checked",
            "intact",
            "first_broken_sequence",
            "problem",
        ]
    )
    return verification


def audit_list_read(*, actor: Any, object_type: str, reason: str) -> AccessEvent:
    """A work list that names people (a queue, a list of interviews due) was read."""
    return audit_record(
        actor=actor, action=AccessAction.SEARCH, object_type=object_type, reason=reason
    )


def scheduled_chain_check() -> ChainVerification:
    """The nightly check, requested by the scheduler rather than a person."""
    return verification_request(actor=None)
