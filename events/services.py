"""Recording what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextKind
from events.cells import event_cell
from events.models import Event, EventParticipant, HarmType, ParticipantRole, Sensitivity
from events.signals import PEOPLE_FOLLOW, event_recorded
from people.models import Person


@transaction.atomic
def event_record(
    *,
    actor: User,
    kind: str,
    occurred_at: dt.datetime,
    narrative: str,
    participants: Iterable[tuple[Person, str]] = (),
    harm_types: Iterable[str] = (),
    location: Context | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    place_description: str = "",
    ended_at: dt.datetime | None = None,
    sensitivity: str = Sensitivity.STANDARD,
) -> Event:
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "The date and time must not be in the future"})
    if ended_at and ended_at < occurred_at:
        raise ValidationError({"ended_at": "The end must be after the start"})
    if location is not None and location.kind != ContextKind.LOCATION:
        raise ValidationError({"location": "Choose a location, not another kind of context"})
    harms = sorted(set(harm_types))
    if set(harms) - set(HarmType.values):
        raise ValidationError({"harm_types": "Choose harm types from the list"})
    people = list(participants)
    seen: set[int] = set()
    for person, role in people:
        if person.pk in seen:
            raise ValidationError(
                {"participants": f"{person} is listed twice. Give each person one role."}
            )
        if role not in ParticipantRole.values:
            raise ValidationError({"participants": "Choose a role for each person"})
        seen.add(person.pk)
    if latitude is None and location is not None and location.latitude is not None:
        latitude, longitude = location.latitude, location.longitude
    event = Event(
        kind=kind,
        occurred_at=occurred_at,
        ended_at=ended_at,
        location=location,
        latitude=latitude,
        longitude=longitude,
        h3_cell=event_cell(latitude, longitude),
        place_description=place_description,
        narrative=narrative.strip(),
        harm_types=harms,
        sensitivity=sensitivity,
        recording_agency=actor.agency,
        recorded_by=actor,
    )
    event.full_clean(exclude=["recorded_by"])
    setattr(event, PEOPLE_FOLLOW, True)
    event.save()
    EventParticipant.objects.bulk_create(
        EventParticipant(event=event, person=person, role=role) for person, role in people
    )
    event_recorded.send(sender=Event, event=event)
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=event,
        changes={
            "kind": kind,
            "people": {str(p.pk): r for p, r in people},
            "location": location.pk if location else None,
            "sensitivity": sensitivity,
        },
    )
    return event
