"""Hotspot maps of the events a viewer may count, from the cell stored on each event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import h3  # type: ignore[import-untyped]  # h3 4.x ships no py.typed marker
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import AccessAction
from audit.services import audit_record
from events.models import Event, HarmType, Sensitivity
from events.selectors import visible_events
from mapping.hotspots import CellResult, Significance, gi_star, study_area
from mapping.suppression import SuppressedCounts, suppress


@dataclass(frozen=True, slots=True)
class HotspotCell:
    cell: str
    latitude: float  # the cell's centre
    longitude: float
    boundary: tuple[tuple[float, float], ...]  # (lat, lon) vertices, for a map
    count: int | None  # None: withheld to protect a small number
    z: float
    p: float
    significance: Significance
    explanation: str


@dataclass(frozen=True, slots=True)
class HotspotAnalysis:
    cells: list[HotspotCell]  # hot spots first (highest z)
    total: int | None  # None: withheld
    suppressed: bool  # whether counts went through small-number suppression
    resolution: int
    k: int


def hotspot_analysis(
    *,
    viewer: Any,
    harm_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    k: int = 1,
) -> HotspotAnalysis:
    """Getis-Ord Gi* over the H3 cells of the events the viewer may count.

    Case workers: exact counts of the events they may open. Analysts: the partnership's
    standard events and their own agency's, suppressed, with every figure (z included)
    computed from the published counts only, so that no number shown can be worked back to a
    withheld one. See ``mapping.rules``.
    """
    if not viewer.has_perm("mapping.view_hotspots"):
        raise PermissionDenied
    exact = bool(viewer.has_perm("mapping.view_exact_counts"))
    events = _filtered(_countable(viewer, exact), harm_type, since, until)
    counts = _cell_counts(events)
    area = study_area(counts, k=k) if counts else {}
    total: int | None
    if exact:
        total = sum(counts.values())
        cells = [_cell(r, r.count, r.explanation) for r in gi_star(area, k=k)]
    else:
        published = suppress(area)
        cells = [
            _cell(r, published.values[r.cell], _published_explanation(r, published, k))
            for r in gi_star(_imputed(published), k=k)
        ]
        total = published.total
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="mapping.hotspots",
        object_label=f"Hotspot map ({len(counts)} cells with events)",
        changes={
            "harm_type": harm_type,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "k": k,
            "exact": exact,
        },
    )
    cells.sort(key=lambda c: (-c.z, c.cell))
    return HotspotAnalysis(cells, total, not exact, settings.HOTSPOT_H3_RESOLUTION, k)


def _countable(viewer: Any, exact: bool) -> QuerySet[Event]:
    if exact:
        return visible_events(viewer)
    own = Q(recording_agency_id=viewer.agency_id) if viewer.agency_id else Q(pk__in=[])
    return Event.objects.filter(own | Q(sensitivity=Sensitivity.STANDARD))


def _filtered(
    events: QuerySet[Event], harm_type: str, since: dt.date | None, until: dt.date | None
) -> QuerySet[Event]:
    if harm_type:
        if harm_type not in HarmType.values:
            raise ValueError(f"Not a harm type: {harm_type!r}")
        events = _with_harm(events, harm_type)
    if since:
        events = events.filter(occurred_at__gte=_start_of(since))
    if until:
        events = events.filter(occurred_at__lt=_start_of(until + dt.timedelta(days=1)))
    return events


def _with_harm(events: QuerySet[Event], harm_type: str) -> QuerySet[Event]:
    if connection.features.supports_json_field_contains:
        return events.filter(harm_types__contains=[harm_type])
    # SQLite has no JSON containment: match the quoted value in the stored JSON text. Harm
    # types are validated slugs, so '"cce"' cannot match inside another value.
    return events.alias(harm_text=Cast("harm_types", TextField())).filter(
        harm_text__contains=f'"{harm_type}"'
    )


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight in Europe/London (the service's time zone), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _cell_counts(events: QuerySet[Event]) -> dict[str, int]:
    rows = (
        events.exclude(h3_cell="")
        .order_by()
        .values("h3_cell")
        .annotate(events=Count("id"))
        .values_list("h3_cell", "events")
    )
    return dict(rows)


def _imputed(published: SuppressedCounts) -> dict[str, int]:
    """Published counts, each withheld one replaced by the average of the withheld ones.

    That average is what the published total already discloses (total minus the published
    counts, shared out); when the total is withheld too, half the threshold stands in.
    """
    withheld = [key for key, value in published.values.items() if value is None]
    shown = {key: value for key, value in published.values.items() if value is not None}
    if not withheld:
        return shown
    if published.total is None:
        stand_in = max(1, published.threshold // 2)
    else:
        stand_in = max(1, round((published.total - sum(shown.values())) / len(withheld)))
    return {key: shown.get(key, stand_in) for key in published.values}


def _published_explanation(result: CellResult, published: SuppressedCounts, k: int) -> str:
    """The explanation rebuilt from published figures only: never a withheld count."""
    if result.neighbour_cells == 0 and result.z == 0.0:
        return "No cell can be compared with the others once small numbers are protected."
    neighbours = [
        c for c in h3.grid_disk(result.cell, k) if c != result.cell and c in published.values
    ]
    shown = [published.values[c] for c in neighbours]
    known = sum(v for v in shown if v is not None)
    around = str(known) if None not in shown else f"at least {known} (some withheld)"
    parts = [
        f"Events here: {published.display(result.cell)}.",
        f"Events in the {len(neighbours)} neighbouring cells: {around}.",
    ]
    if published.total is not None:
        average = published.total / len(published.values)
        parts.append(
            f"Average per cell across the area ({len(published.values)} cells): {average:.1f}."
        )
    parts.append(f"z = {result.z:.1f}, with small numbers protected.")
    return " ".join(parts)


def _cell(result: CellResult, count: int | None, explanation: str) -> HotspotCell:
    lat, lon = h3.cell_to_latlng(result.cell)
    boundary = tuple((float(a), float(b)) for a, b in h3.cell_to_boundary(result.cell))
    return HotspotCell(
        cell=result.cell,
        latitude=float(lat),
        longitude=float(lon),
        boundary=boundary,
        count=count,
        z=result.z,
        p=result.p,
        significance=result.significance,
        explanation=explanation,
    )
