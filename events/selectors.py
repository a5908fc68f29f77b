"""Reads of events and the chronologies built from them, scoped to the viewer."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from events.models import Event, EventParticipant, Sensitivity
from people.selectors import visible_people


def visible_events_q(viewer: Any) -> Q:
    """Restricted events: the recording agency only. Standard events: anyone who may see a person
    involved, or the place (locations are partnership records)."""
    involved = EventParticipant.objects.filter(
        event=OuterRef("pk"), person__in=visible_people(viewer)
    )
    place_or_person = Q(location__isnull=False) | Q(Exists(involved))
    return Q(recording_agency_id=viewer.agency_id) | (
        Q(sensitivity=Sensitivity.STANDARD) & place_or_person
    )


def event_visible(*, user: Any, event: Event) -> bool:
    return Event.objects.filter(visible_events_q(user), pk=event.pk).exists()


def visible_events(viewer: Any) -> QuerySet[Event]:
    return Event.objects.filter(visible_events_q(viewer))
