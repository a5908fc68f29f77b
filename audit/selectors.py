"""Reading the audit trail: for auditors only, and each search is itself recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AccessAction, AccessEvent, ChainVerification
from audit.services import audit_record


@dataclass(frozen=True)
class TrailFilter:
    username: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def is_filtered(self) -> bool:
        return any(self.__dict__.values())

    def describe(self) -> str:
        parts = [f"{k.replace('_', ' ')} {v}" for k, v in self.__dict__.items() if v]
        return ("Filtered by " + ", ".join(parts)) if parts else "No filters"


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_event_list(*, viewer: object, filters: TrailFilter) -> QuerySet[AccessEvent]:
    events = AccessEvent.objects.order_by("-sequence")
    if filters.username:
        events = events.filter(actor_username__iexact=filters.username)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.date_from:
        events = events.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="audit.accessevent",
        reason=filters.describe(),
    )
    return events


def object_types_in_trail() -> list[str]:
    return list(
        AccessEvent.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )


def latest_verification() -> ChainVerification | None:
    return ChainVerification.objects.select_related("requested_by").first()
