"""Every change to contexts and to who is linked to them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Team, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.geo import centre, parse_geometry
from contexts.models import Context, ContextKind, ContextLink
from contextsafe.lib.concurrency import save_versioned
from people.models import Person

CONTEXT_FIELDS = [
    "name",
    "description",
    "status",
    "owning_team",
    "location_type",
    "geometry",
    "latitude",
    "longitude",
    "address",
    "setting_type",
    "urn",
    "platform",
    "space",
]


def _place(fields: dict[str, Any]) -> None:
    raw = fields.get("geometry")
    if raw is None or raw in ("", {}):
        fields["geometry"] = None
        fields["latitude"] = fields["longitude"] = None
        return
    try:
        geometry = parse_geometry(raw)
    except ValidationError as error:
        raise ValidationError({"geometry": error.messages}) from error
    fields["geometry"] = geometry
    fields["latitude"], fields["longitude"] = centre(geometry)


def _check_kind_fields(kind: str, fields: dict[str, Any]) -> None:
    if kind == ContextKind.LOCATION and not fields.get("location_type"):
        raise ValidationError({"location_type": "Choose the type of location"})
    if kind == ContextKind.ONLINE_SPACE and not fields.get("platform"):
        raise ValidationError({"platform": "Enter the platform, for example a messaging app"})
    if kind == ContextKind.EDUCATION_SETTING and not fields.get("setting_type"):
        raise ValidationError({"setting_type": "Choose the type of education setting"})


@transaction.atomic
def context_create(
    *, actor: User, kind: str, name: str, owning_team: Team, **fields: Any
) -> Context:
    _check_kind_fields(kind, fields)
    _place(fields)
    context = Context(
        kind=kind, name=name.strip(), owning_team=owning_team, created_by=actor, **fields
    )
    context.full_clean(exclude=["created_by"])
    context.save()
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=context,
        changes={"new": {"kind": kind, "name": name, "status": context.status}},
    )
    return context


@transaction.atomic
def context_update(
    *, actor: User, context: Context, expected_version: int, **fields: Any
) -> Context:
    # A partial update (the status alone, say) is checked against the record as it will be.
    current = {
        name: getattr(context, name) for name in ("location_type", "platform", "setting_type")
    }
    _check_kind_fields(context.kind, current | fields)
    if "geometry" in fields:
        _place(fields)
    before = {k: getattr(context, k) for k in fields}
    for name, value in fields.items():
        if name not in CONTEXT_FIELDS:
            raise TypeError(f"context_update does not change {name}")
        setattr(context, name, value)
    context.updated_at = timezone.now()
    context.full_clean(exclude=["created_by"])
    save_versioned(context, expected_version=expected_version, fields=[*fields, "updated_at"])
    changed = {
        k: {"old": str(before[k]), "new": str(fields[k])} for k in fields if before[k] != fields[k]
    }
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=context, changes=changed)
    return context


def initials_only(context: Context) -> bool:
    return context.kind == ContextKind.PEER_GROUP and settings.PEER_GROUP_MEMBERS == "initials"


@transaction.atomic
def context_link_create(
    *,
    actor: User,
    context: Context,
    kind: str,
    source: str,
    reliability: str,
    person: Person | None = None,
    initials: str = "",
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    notes: str = "",
) -> ContextLink:
    if person is None and not initials.strip():
        raise ValidationError({"person": "Choose a person or give their initials"})
    if person is not None and initials_only(context):
        raise ValidationError(
            {
                "initials": (
                    "This partnership records peer-group members by initials only. "
                    "Give their initials."
                )
            }
        )
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError(
            {"ended_on": "The end date must be the same as or after the start date"}
        )
    link = ContextLink(
        context=context,
        person=person,
        initials=initials.strip().upper(),
        kind=kind,
        source=source.strip(),
        reliability=reliability,
        started_on=started_on,
        ended_on=ended_on,
        notes=notes,
        recorded_by=actor,
        recording_agency=actor.agency,
    )
    link.full_clean()
    link.save()
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=context,
        object_label=f"{link.get_kind_display()} {context.name}",
        changes={
            "linked_person": person.pk if person else link.initials,
            "kind": kind,
            "source": source,
            "reliability": reliability,
        },
    )
    return link
