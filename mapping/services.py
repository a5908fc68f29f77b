"""Changes made from maps: opening a location context from hotspot cells, and deciding the
suggested contexts (accept, dismiss, snooze)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import h3  # type: ignore[import-untyped]  # h3 4.x ships no py.typed marker
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Team, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextKind, ContextLinkKind
from contexts.services import context_create, context_link_create, initials_only
from contextsafe.lib.concurrency import EditConflict, save_versioned
from events.models import Event
from events.selectors import visible_events
from mapping import cellcounts
from mapping.models import SuggestedContext, SuggestionKind, SuggestionStatus
from people.codes import PersonKind, Reliability
from people.models import Person
from people.selectors import visible_people


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
    placed = Event.objects.filter(pk__in=linked)
    placed.update(location=context)
    cellcounts.refresh_for_events(placed)  # now counted as events at a recorded place
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=context,
        changes={"opened_from_cells": sorted(cells), "events_placed_here": linked},
    )
    return context


# --- Suggested contexts: the CS lead's decisions --------------------------------------------------

SUGGESTED_BY = "Suggested by network analysis; accepted by {name}"


def _decidable(actor: User, suggestion: SuggestedContext, kind: str | None = None) -> None:
    if not actor.has_perm("mapping.decide_suggestion"):
        raise PermissionDenied
    if kind is not None and suggestion.kind != kind:
        raise ValidationError(f"This is not a {SuggestionKind(kind).label.lower()} suggestion")
    if suggestion.status == SuggestionStatus.ACCEPTED:
        raise ValidationError("This suggestion has already been accepted")


def _decide(
    *,
    actor: User,
    suggestion: SuggestedContext,
    expected_version: int,
    status: str,
    reason: str = "",
    snoozed_until: dt.date | None = None,
    created_context: Context | None = None,
) -> None:
    before = suggestion.status
    suggestion.status = status
    suggestion.reason = reason
    suggestion.snoozed_until = snoozed_until
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    if created_context is not None:
        suggestion.created_context = created_context
    fields = ["status", "reason", "snoozed_until", "decided_by", "decided_at", "created_context"]
    save_versioned(suggestion, expected_version=expected_version, fields=fields)
    changes: dict[str, Any] = {"status": {"old": before, "new": status}}
    if reason:
        changes["reason"] = reason
    if snoozed_until:
        changes["snoozed_until"] = snoozed_until.isoformat()
    if created_context is not None:
        changes["created_context"] = created_context.pk
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=suggestion, changes=changes)


@transaction.atomic
def suggestion_accept_hotspot(
    *,
    actor: User,
    suggestion: SuggestedContext,
    expected_version: int,
    name: str,
    location_type: str,
    owning_team: Team,
    event_ids: Collection[int] = (),
    address: str = "",
    description: str = "",
) -> Context:
    """Open a location context over the suggestion's cells, placing the chosen events there."""
    _decidable(actor, suggestion, SuggestionKind.HOTSPOT)
    # Checked first so that a clash creates nothing; checked again, atomically, on saving.
    if SuggestedContext.objects.filter(pk=suggestion.pk, version=expected_version).count() != 1:
        raise EditConflict(SuggestedContext.objects.get(pk=suggestion.pk))
    context = open_location_context(
        actor=actor,
        name=name,
        location_type=location_type,
        owning_team=owning_team,
        cells=suggestion.cells,
        event_ids=event_ids,
        address=address,
        description=description,
    )
    _decide(
        actor=actor,
        suggestion=suggestion,
        expected_version=expected_version,
        status=SuggestionStatus.ACCEPTED,
        created_context=context,
    )
    return context


def suggestion_group_candidates(*, actor: User, suggestion: SuggestedContext) -> list[Person]:
    """The suggestion's young people the actor may open: the only ones they may name as members."""
    return list(
        visible_people(actor)
        .filter(pk__in=suggestion.people, kind=PersonKind.YOUNG_PERSON)
        .order_by("family_name", "given_name")
    )


@dataclass(frozen=True)
class GroupAccepted:
    context: Context
    members: list[Person]
    initials_only: bool  # the partnership names peer-group members by initials: none linked


@transaction.atomic
def suggestion_accept_peer_group(
    *,
    actor: User,
    suggestion: SuggestedContext,
    expected_version: int,
    name: str,
    owning_team: Team,
    member_ids: Collection[int] = (),
    description: str = "",
) -> GroupAccepted:
    """Open a peer-group context and link the chosen young people as members.

    Each link is recorded as intelligence, unverified, with its source: a computed suggestion a
    lead agreed with is not a confirmed observation. Where the partnership records peer-group
    members by initials only, the group is opened without members (a practitioner adds their
    initials from the peer map) and the result says so.
    """
    _decidable(actor, suggestion, SuggestionKind.PEER_GROUP)
    if SuggestedContext.objects.filter(pk=suggestion.pk, version=expected_version).count() != 1:
        raise EditConflict(SuggestedContext.objects.get(pk=suggestion.pk))
    allowed = {p.pk: p for p in suggestion_group_candidates(actor=actor, suggestion=suggestion)}
    chosen = [allowed[pk] for pk in member_ids if pk in allowed]
    if len(chosen) != len(set(member_ids)):
        raise ValidationError({"members": "Choose young people from this suggestion"})
    context = context_create(
        actor=actor,
        kind=ContextKind.PEER_GROUP,
        name=name,
        owning_team=owning_team,
        description=description,
    )
    initials = initials_only(context)
    members: list[Person] = []
    if not initials:
        source = SUGGESTED_BY.format(name=actor.get_full_name() or actor.username)
        for person in chosen:
            context_link_create(
                actor=actor,
                context=context,
                kind=ContextLinkKind.MEMBER_OF,
                source=source,
                reliability=Reliability.INTELLIGENCE,
                person=person,
                started_on=timezone.localdate(),
            )
            members.append(person)
    _decide(
        actor=actor,
        suggestion=suggestion,
        expected_version=expected_version,
        status=SuggestionStatus.ACCEPTED,
        created_context=context,
    )
    return GroupAccepted(context, members, initials)


@transaction.atomic
def suggestion_dismiss(
    *, actor: User, suggestion: SuggestedContext, expected_version: int, reason: str
) -> SuggestedContext:
    """Dismiss with a reason; a recompute that finds it again leaves it dismissed."""
    _decidable(actor, suggestion)
    if not reason.strip():
        raise ValidationError({"reason": "Say why this suggestion is dismissed"})
    _decide(
        actor=actor,
        suggestion=suggestion,
        expected_version=expected_version,
        status=SuggestionStatus.DISMISSED,
        reason=reason.strip(),
    )
    return suggestion


@transaction.atomic
def suggestion_snooze(
    *, actor: User, suggestion: SuggestedContext, expected_version: int, until: dt.date
) -> SuggestedContext:
    """Put a suggestion aside until a date; the first recompute on or after it brings it back."""
    _decidable(actor, suggestion)
    if until <= timezone.localdate():
        raise ValidationError({"until": "The date must be in the future"})
    _decide(
        actor=actor,
        suggestion=suggestion,
        expected_version=expected_version,
        status=SuggestionStatus.SNOOZED,
        snoozed_until=until,
    )
    return suggestion
