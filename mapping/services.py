"""Changes made from maps: opening a location context from hotspot cells."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import h3  # type: ignore[import-untyped]  # h3 4.x ships no py.typed marker
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Team, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextKind
from contexts.services import context_create
from events.models import Event
from events.selectors import visible_events


def cells_geometry(cells: Collection[str]) -> dict[str, Any]:
    """The cells as one GeoJSON shape: a Polygon for one cell, a MultiPolygon for several."""
    if not cells:
        raise ValidationError("Choose at least one map cell")
    polygons = []
    for cell in sorted(cells):
        if not h3.is_valid_cell(cell):
            raise ValidationError(f"Not a map cell: {cell}")
        ring = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(cell)]
        polygons.append([[*ring, ring[0]]])
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def events_to_link(*, actor: User, cells: Collection[str], event_ids: Collection[int]) -> list[int]:
    """The chosen events the actor may open that lie in the cells and are at no other context."""
    return list(
        visible_events(actor)
        .filter(pk__in=event_ids, h3_cell__in=list(cells), location__isnull=True)
        .order_by("occurred_at")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def open_location_context(
    *,
    actor: User,
    name: str,
    location_type: str,
    owning_team: Team,
    cells: Collection[str],
    event_ids: Collection[int] = (),
    address: str = "",
    description: str = "",
) -> Context:
    """Create a location context covering the cells and place the chosen events at it.

    Only events the actor may open, inside the cells and not already at a context, are placed:
    an event at another context keeps it, because someone recorded that place on purpose.
    """
    if not actor.has_perm("mapping.open_context_from_cell"):
        raise PermissionDenied
    context = context_create(
        actor=actor,
        kind=ContextKind.LOCATION,
        name=name,
        owning_team=owning_team,
        location_type=location_type,
        geometry=cells_geometry(cells),
        address=address,
        description=description,
    )
    linked = events_to_link(actor=actor, cells=cells, event_ids=event_ids)
    Event.objects.filter(pk__in=linked).update(location=context)
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=context,
        changes={"opened_from_cells": sorted(cells), "events_placed_here": linked},
    )
    return context
