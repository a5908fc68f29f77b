"""Hotspot maps of the events a viewer may count, from the cell stored on each event."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import h3  # type: ignore[import-untyped]  # h3 4.x ships no py.typed marker
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Max, QuerySet, Sum, Value, When
from django.urls import get_script_prefix

from audit.models import AccessAction
from audit.services import audit_list_read, audit_record
from contexts.maps import ward_boundaries_version
from contexts.models import Context, ContextKind, ContextStatus, LocationType
from contextsafe.lib.kept import Kept
from events.models import Event, EventKind, HarmType
from events.selectors import visible_events
from mapping import cellcounts
from mapping.counting import (
    CountingRule,
    _filtered,
    cell_totals,
    cell_totals_by_period,
    counting_rule,
    place_descriptions,
)
from mapping.hotspots import (
    CellResult,
    EmergingResult,
    Significance,
    Trend,
    disk_of,
    emerging,
    gi_star,
    study_area,
)
from mapping.suppression import SuppressedCounts, rounded, suppress


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
    # What the analysis was computed from (counts' version, counting rule, filters), so that
    # what is built from it can be kept under the same key; None: nothing may be kept.
    key: tuple[Any, ...] | None = None


@dataclass(frozen=True, slots=True)
class _Computed:
    cells: tuple[HotspotCell, ...]
    total: int | None
    cells_with_events: int


# Analyses kept per process: a map is read far more often than the counts change, and the
# Gi* with its explanations costs more than reading the counts. Keyed by the counts' version.
_analyses: Kept[tuple[Any, ...], Any] = Kept(size=48)

T = TypeVar("T")


def _kept_or_computed(
    what: tuple[Any, ...], compute: Callable[[], T]
) -> tuple[T, tuple[Any, ...] | None]:
    """``compute()``'s result, kept under the counts' version and ``what`` else decides it
    (the counting rule, filters); and that key, or None where nothing may be kept."""
    version = cellcounts.version()
    # The wards name cells in what is built from an analysis (tables, layers).
    wards_version = ward_boundaries_version()
    key = (version, settings.HOTSPOT_H3_RESOLUTION, wards_version, *what) if version else None
    found = _analyses.get(key) if key is not None else None
    if found is None:
        found = compute()
        # Kept only if no refresh committed meanwhile: else these counts may be older than
        # the version they would be kept under.
        if key is not None and cellcounts.version() == version:
            _analyses.put(key, found)
    return cast(T, found), key


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

    Kept per counts' version and counting rule: another viewer with the same rule gets the
    same analysis, and any change to the counts makes a new version.
    """
    if not viewer.has_perm("mapping.view_hotspots"):
        raise PermissionDenied
    exact = bool(viewer.has_perm("mapping.view_exact_counts"))
    if not exact:
        since, until = whole_months(since, until)
    rule = counting_rule(viewer, exact=exact)
    computed, key = _kept_or_computed(
        ("hotspots", rule, harm_type, since, until, k),
        lambda: _computed(viewer, rule, harm_type, since, until, k),
    )
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="mapping.hotspots",
        object_label=f"Hotspot map ({computed.cells_with_events} cells with events)",
        changes={
            "harm_type": harm_type,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "k": k,
            "exact": exact,
        },
    )
    return HotspotAnalysis(
        list(computed.cells),
        computed.total,
        not exact,
        settings.HOTSPOT_H3_RESOLUTION,
        k,
        key,
    )


def _computed(
    viewer: Any,
    rule: CountingRule,
    harm_type: str,
    since: dt.date | None,
    until: dt.date | None,
    k: int,
) -> _Computed:
    counts = cell_totals(
        viewer, exact=rule.exact, harm_type=harm_type, since=since, until=until, rule=rule
    )
    area = study_area(counts, k=k) if counts else {}
    total: int | None
    if rule.exact:
        total = sum(counts.values())
        cells = [_cell(r, r.count, r.explanation) for r in gi_star(area, k=k)]
    else:
        published = rounded(suppress(area))
        cells = [
            _cell(r, published.values[r.cell], _published_explanation(r, published, k))
            for r in gi_star(_imputed(published), k=k)
        ]
        total = published.total
    cells.sort(key=lambda c: (-c.z, c.cell))
    return _Computed(tuple(cells), total, len(counts))


def whole_months(
    since: dt.date | None, until: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """Periods widened to whole calendar months, for those who see suppressed counts only: with
    day-level periods, two overlapping maps differ by a single day's events in a cell."""
    if since:
        since = since.replace(day=1)
    if until:
        following = (until.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        until = following - dt.timedelta(days=1)
    return since, until


def _whole_period(period: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    since, until = whole_months(*period)
    return since or period[0], until or period[1]


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


@functools.lru_cache(maxsize=65536)
def _outline(cell: str) -> tuple[float, float, tuple[tuple[float, float], ...]]:
    """A cell's centre and vertices, computed once per process."""
    lat, lon = h3.cell_to_latlng(cell)
    boundary = tuple((float(a), float(b)) for a, b in h3.cell_to_boundary(cell))
    return float(lat), float(lon), boundary


def _cell(result: CellResult, count: int | None, explanation: str) -> HotspotCell:
    lat, lon, boundary = _outline(result.cell)
    return HotspotCell(
        cell=result.cell,
        latitude=lat,
        longitude=lon,
        boundary=boundary,
        count=count,
        z=result.z,
        p=result.p,
        significance=result.significance,
        explanation=explanation,
    )


# --- map pages -----------------------------------------------------------------------------------
# The layers and lists behind /mapping/map/: places named for people to read, the emerging
# comparison, the events and location contexts a case worker may see, and one cell's detail.

EVENT_LAYER_LIMIT = 500  # the events layer shows the latest this many; the page says so
CELL_EVENTS_LIMIT = 200  # a cell's page, and the events offered when opening a context there


@dataclass(frozen=True, slots=True)
class Ward:
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) rings, outer first
    centre: tuple[float, float]  # (lat, lon)


def wards() -> list[Ward]:
    """The partnership's wards from ``contexts.maps.ward_boundaries`` (empty without a file)."""
    from contexts.maps import ward_boundaries

    collection = ward_boundaries()
    if collection is None:
        return []
    # ward_boundaries() caches the parsed file, so the same dict comes back until it changes.
    if _WARD_CACHE and _WARD_CACHE[0][0] is collection:
        return _WARD_CACHE[0][1]
    result = _wards_of(collection)
    _WARD_CACHE[:] = [(collection, result)]
    return result


_WARD_CACHE: list[tuple[dict[str, Any], list[Ward]]] = []


def _wards_of(collection: dict[str, Any]) -> list[Ward]:
    result = []
    for feature in collection.get("features", []):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") == "Polygon":
            polygons = [geometry.get("coordinates", [])]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry.get("coordinates", [])
        else:
            continue
        rings = tuple(
            tuple((float(p[0]), float(p[1])) for p in polygon[0]) for polygon in polygons if polygon
        )
        points = [p for ring in rings for p in ring]
        if not points:
            continue
        centre = (
            sum(p[1] for p in points) / len(points),
            sum(p[0] for p in points) / len(points),
        )
        name = str((feature.get("properties") or {}).get("name", "")) or "Unnamed ward"
        result.append(Ward(name, rings, centre))
    return result


def _inside(ring: tuple[tuple[float, float], ...], lat: float, lon: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def ward_name(lat: float, lon: float, known: list[Ward] | None = None) -> str:
    """The ward containing the point; outside every ward, "near" the closest one; else ""."""
    known = wards() if known is None else known
    if not known:
        return ""
    for ward in known:
        if any(_inside(ring, lat, lon) for ring in ward.rings):
            return ward.name
    nearest = min(known, key=lambda w: (w.centre[0] - lat) ** 2 + (w.centre[1] - lon) ** 2)
    return f"near {nearest.name}"


# Past this many cells a name from the neighbours is not worth the longer IN list.
NEIGHBOUR_NAMING_LIMIT = 5000


COMPASS = ["north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west"]


def direction(from_cell: str, to_cell: str) -> str:
    """The 8-point compass direction from one cell's centre to another's."""
    lat1, lon1 = h3.cell_to_latlng(from_cell)
    lat2, lon2 = h3.cell_to_latlng(to_cell)
    east = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    bearing = math.degrees(math.atan2(east, lat2 - lat1)) % 360
    return COMPASS[round(bearing / 45) % 8]


# Names kept per cell under the counts' version (place descriptions change only with it) and
# what decides them for a viewer: their agency's descriptions, and whether they may see any.
_names: Kept[tuple[Any, ...], dict[str, str]] = Kept(size=16)


def place_names(viewer: Any, cells: list[HotspotCell]) -> dict[str, str]:
    """A name people recognise for each cell: the commonest place description and the ward.

    A cell with no description of its own (often a quiet neighbour of a busy place, hot because
    of it) is named from its busiest described neighbour: "South-west of Ring road underpass".
    """
    version = cellcounts.version()
    exact = bool(viewer.has_perm("mapping.view_exact_counts"))
    key = (version, viewer.agency_id, exact, ward_boundaries_version())
    kept = _names.get(key) if version else None
    if kept is None:
        kept = {}
        if version:
            _names.put(key, kept)
    missing = [c for c in cells if c.cell not in kept]
    if missing:
        # A dict is updated in place: names only ever get added under one version.
        kept.update(_named(viewer, missing, described=exact))
    return {c.cell: kept[c.cell] for c in cells}


def _named(viewer: Any, cells: list[HotspotCell], *, described: bool) -> dict[str, str]:
    """Names from wards, and from place descriptions for those who may read them: free text
    in records an analyst may not open, so analysts' names are wards only."""
    known = wards()
    wanted = {c.cell for c in cells}
    around = {n for c in wanted for n in disk_of(c, 1)}
    asked = sorted(around if len(around) <= NEIGHBOUR_NAMING_LIMIT else wanted)
    descriptions = place_descriptions(viewer, asked) if described else {}
    names = {}
    for c in cells:
        ward = ward_name(c.latitude, c.longitude, known)
        ward_part = (f"{ward} ward" if not ward.startswith("near ") else ward) if ward else ""
        own = descriptions[c.cell][1] if c.cell in descriptions else ""
        if not own:
            neighbours = [n for n in disk_of(c.cell, 1) if n != c.cell and n in descriptions]
            if neighbours:
                busiest = max(neighbours, key=lambda n: (descriptions[n][0], n))
                own = f"{direction(busiest, c.cell).capitalize()} of {descriptions[busiest][1]}"
        parts = [p for p in (own, ward_part) if p]
        names[c.cell] = ", ".join(parts) or f"Map cell {c.cell}"
    return names


# --- emerging ------------------------------------------------------------------------------------

TREND_WORDS: dict[Trend, str] = {
    Trend.NEW: "A new hot spot: more events cluster here now than before, compared with the rest "
    "of the area.",
    Trend.INTENSIFYING: "Getting worse: a hot spot in both periods, and a stronger one now.",
    Trend.PERSISTENT: "Still a hot spot: about as strong now as in the earlier period.",
    Trend.DIMINISHING: "Easing: a hot spot in the earlier period that is weaker now.",
    Trend.NO_PATTERN: "No hot spot here in either period.",
}


@dataclass(frozen=True, slots=True)
class EmergingCell:
    cell: str
    latitude: float
    longitude: float
    boundary: tuple[tuple[float, float], ...]
    recent_count: int | None  # None: withheld
    earlier_count: int | None
    recent_z: float
    earlier_z: float
    recent_significance: Significance
    earlier_significance: Significance
    trend: Trend
    explanation: str  # the z-scores, from mapping.hotspots
    meaning: str  # the trend in plain words


@dataclass(frozen=True, slots=True)
class EmergingAnalysis:
    cells: list[EmergingCell]  # new and intensifying first
    suppressed: bool
    resolution: int
    k: int
    key: tuple[Any, ...] | None = None  # as HotspotAnalysis.key


TREND_ORDER = [Trend.NEW, Trend.INTENSIFYING, Trend.PERSISTENT, Trend.DIMINISHING, Trend.NO_PATTERN]


def emerging_analysis(
    *,
    viewer: Any,
    recent: tuple[dt.date, dt.date],
    earlier: tuple[dt.date, dt.date],
    harm_type: str = "",
    k: int = 1,
) -> EmergingAnalysis:
    """Compare each cell's Gi* in a recent period with an earlier one (``hotspots.emerging``).

    The same scope and suppression as ``hotspot_analysis``: analysts get each period's counts
    suppressed, and the z-scores computed from the published counts only.
    """
    if not viewer.has_perm("mapping.view_hotspots"):
        raise PermissionDenied
    exact = bool(viewer.has_perm("mapping.view_exact_counts"))
    if not exact:
        recent, earlier = _whole_period(recent), _whole_period(earlier)
    rule = counting_rule(viewer, exact=exact)
    (cells, area_size), key = _kept_or_computed(
        ("emerging", rule, harm_type, recent, earlier, k),
        lambda: _emerging_computed(viewer, rule, harm_type, recent, earlier, k),
    )
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="mapping.hotspots",
        object_label=f"Emerging hotspots ({area_size} cells)",
        changes={
            "harm_type": harm_type,
            "recent": [recent[0].isoformat(), recent[1].isoformat()],
            "earlier": [earlier[0].isoformat(), earlier[1].isoformat()],
            "k": k,
            "exact": exact,
        },
    )
    return EmergingAnalysis(list(cells), not exact, settings.HOTSPOT_H3_RESOLUTION, k, key)


def _emerging_computed(
    viewer: Any,
    rule: CountingRule,
    harm_type: str,
    recent: tuple[dt.date, dt.date],
    earlier: tuple[dt.date, dt.date],
    k: int,
) -> tuple[tuple[EmergingCell, ...], int]:
    now, before = cell_totals_by_period(
        viewer, exact=rule.exact, harm_type=harm_type, periods=[recent, earlier], rule=rule
    )
    area = study_area({**before, **now}, k=k) if (now or before) else {}
    recent_area = {cell: now.get(cell, 0) for cell in area}
    earlier_area = {cell: before.get(cell, 0) for cell in area}
    recent_shown: dict[str, int | None]
    earlier_shown: dict[str, int | None]
    if rule.exact:
        results = emerging(recent_area, earlier_area, k=k)
        recent_shown, earlier_shown = dict(recent_area), dict(earlier_area)
    else:
        recent_published = rounded(suppress(recent_area))
        earlier_published = rounded(suppress(earlier_area))
        results = emerging(_imputed(recent_published), _imputed(earlier_published), k=k)
        recent_shown, earlier_shown = recent_published.values, earlier_published.values
    cells = [
        _emerging_cell(r, recent_shown[r.cell], earlier_shown[r.cell], exact=rule.exact)
        for r in results
    ]
    cells.sort(key=lambda c: (TREND_ORDER.index(c.trend), -c.recent_z, c.cell))
    return tuple(cells), len(area)


def _emerging_cell(
    result: EmergingResult, recent_count: int | None, earlier_count: int | None, *, exact: bool
) -> EmergingCell:
    lat, lon, boundary = _outline(result.cell)
    explanation = result.explanation
    if exact and result.trend != Trend.NO_PATTERN:
        # A cell can be a hot spot for its neighbours' events alone: say so in numbers.
        # (Never for suppressed counts, whose small numbers are stand-ins.)
        explanation += (
            f" Events here: {result.earlier.count} before, {result.recent.count} now; in the"
            f" {result.recent.neighbour_cells} cells around it: {result.earlier.neighbour_events}"
            f" before, {result.recent.neighbour_events} now."
        )
    return EmergingCell(
        cell=result.cell,
        latitude=lat,
        longitude=lon,
        boundary=boundary,
        recent_count=recent_count,
        earlier_count=earlier_count,
        recent_z=result.recent.z,
        earlier_z=result.earlier.z,
        recent_significance=result.recent.significance,
        earlier_significance=result.earlier.significance,
        trend=result.trend,
        explanation=explanation,
        meaning=TREND_WORDS[result.trend],
    )


# --- layers a case worker may see ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapEvent:
    """An event as a map marker: when, what and where — never a narrative or a name."""

    pk: int
    kind_label: str
    occurred_at: dt.datetime
    latitude: float
    longitude: float
    cell: str
    place_description: str
    harm_labels: list[str]


_KIND_LABELS = {value: str(label) for value, label in EventKind.choices}
_HARM_LABELS = {value: str(label) for value, label in HarmType.choices}


def map_events(
    *,
    viewer: Any,
    harm_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = EVENT_LAYER_LIMIT,
) -> tuple[list[MapEvent], bool]:
    """The latest events the viewer may open that have a position, and whether there were more.

    Case workers only.
    """
    if not viewer.has_perm("mapping.view_exact_counts"):
        return [], False
    rows = (
        _filtered(visible_events(viewer), harm_type, since, until)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("-occurred_at", "-id")
        .values_list(
            "pk",
            "kind",
            "occurred_at",
            "latitude",
            "longitude",
            "h3_cell",
            "place_description",
            "harm_types",
        )[: limit + 1]
    )
    events = [
        MapEvent(
            pk,
            _KIND_LABELS.get(kind, kind),
            occurred_at,
            float(latitude or 0.0),  # filtered: never None
            float(longitude or 0.0),
            cell,
            place,
            [_HARM_LABELS[h] for h in harms or () if h in _HARM_LABELS],
        )
        for pk, kind, occurred_at, latitude, longitude, cell, place, harms in rows
    ]
    audit_list_read(
        actor=viewer,
        object_type="events.event",
        reason=f"Events on the hotspot map ({min(len(events), limit)} shown)",
    )
    return events[:limit], len(events) > limit


@dataclass(frozen=True, slots=True)
class MapPlace:
    """A location context as a map marker or table row: thousands of them at county scale, so
    plain values rather than model instances."""

    pk: int
    name: str
    address: str
    status: str
    status_label: str
    summary: str  # the kind of place: "Park or open space" ...
    latitude: float
    longitude: float


_STATUS_LABELS = {value: str(label) for value, label in ContextStatus.choices}
_TYPE_LABELS = {value: str(label) for value, label in LocationType.choices}


def _located() -> QuerySet[Context]:
    return Context.objects.filter(
        kind=ContextKind.LOCATION, latitude__isnull=False, longitude__isnull=False
    )


def _places(contexts: QuerySet[Context], *order: Any, limit: int | None = None) -> list[MapPlace]:
    rows = (
        contexts.filter(kind=ContextKind.LOCATION, latitude__isnull=False, longitude__isnull=False)
        .order_by(*(order or ("name",)))
        .values_list("pk", "name", "address", "status", "location_type", "latitude", "longitude")
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        MapPlace(
            pk,
            name,
            address,
            status,
            _STATUS_LABELS.get(status, status),
            _TYPE_LABELS.get(location_type, "") or "Location",
            float(latitude or 0.0),  # filtered: never None
            float(longitude or 0.0),
        )
        for pk, name, address, status, location_type, latitude, longitude in rows
    ]


def _sees_places(viewer: Any) -> bool:
    return bool(
        viewer.has_perm("mapping.view_exact_counts") and viewer.has_perm("contexts.view_context")
    )


_STATUS_ORDER = Case(
    When(status=ContextStatus.ON_PLAN, then=Value(0)),
    When(status=ContextStatus.UNDER_ASSESSMENT, then=Value(1)),
    When(status=ContextStatus.NOTED, then=Value(2)),
    default=Value(3),
)


def places_to_list(*, viewer: Any, hot_cells: list[str], limit: int) -> tuple[list[MapPlace], int]:
    """The places a table can hold, and how many there are: those in or next to a hot spot
    first, then those on a plan or being assessed; by name within each. Reads every place's
    position in that order (a few numbers each), and the details of only those it lists."""
    if not _sees_places(viewer):
        return [], 0
    positions = list(
        _located().order_by(_STATUS_ORDER, "name").values_list("pk", "latitude", "longitude")
    )
    near_cells = {n for c in hot_cells for n in disk_of(c, 1)}
    resolution = settings.HOTSPOT_H3_RESOLUTION
    near: list[int] = []
    others: list[int] = []
    for pk, lat, lon in positions:
        is_near = _cell_at(float(lat or 0), float(lon or 0), resolution) in near_cells
        (near if is_near else others).append(pk)
    chosen = (near + others)[:limit]
    found = {p.pk: p for p in _places(Context.objects.filter(pk__in=chosen))}
    listed = [found[pk] for pk in chosen if pk in found]
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="contexts.context",
        reason=f"Location contexts listed with the hotspot map ({len(listed)} of {len(positions)})",
    )
    return listed, len(positions)


@functools.lru_cache(maxsize=65536)
def _cell_at(latitude: float, longitude: float, resolution: int) -> str:
    # Places rarely move: their cells are worked out once per process.
    return str(h3.latlng_to_cell(latitude, longitude, resolution))


def map_contexts(*, viewer: Any) -> list[MapPlace]:
    """Location contexts with a position, for case workers (partnership records)."""
    if not _sees_places(viewer):
        return []
    places = _places(Context.objects.all())
    audit_map_contexts(viewer=viewer, shown=len(places))
    return places


def map_contexts_layer(*, viewer: Any, encode: Callable[[list[MapPlace]], str]) -> str:
    """``encode(map_contexts)``, kept per process until a located place changes (an empty
    layer for a viewer who may not see places). Every read of places is audited, kept or not."""
    if not _sees_places(viewer):
        return encode([])
    version = located_places_version()
    layer = _places_layers.get(version)
    if layer is None:
        layer = encode(_places(Context.objects.all()))
        # Kept only if no place changed meanwhile: else it may be older than its version.
        if located_places_version() == version:
            _places_layers.put(version, layer)
    audit_map_contexts(viewer=viewer, shown=version[0])
    return layer


# The recorded places layer as sent (thousands of places at county scale: building and
# encoding them costs more than everything else on the request).
_places_layers: Kept[tuple[Any, ...], str] = Kept(size=4)


def located_places_version() -> tuple[Any, ...]:
    """Changes whenever a located place is added, moved, renamed, re-typed or changes status:
    contexts.services writes every change with a new version and ``updated_at``, so the sum
    of versions rises and the latest change moves; a place leaving the map changes the count."""
    row = _located().aggregate(
        count=Count("pk"), top=Max("pk"), versions=Sum("version"), latest=Max("updated_at")
    )
    return (row["count"], row["top"], row["versions"], row["latest"], get_script_prefix())


def audit_map_contexts(*, viewer: Any, shown: int) -> None:
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="contexts.context",
        reason=f"Location contexts on the hotspot map ({shown})",
    )


def cell_events(
    *,
    viewer: Any,
    cells: list[str],
    harm_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    unlocated_only: bool = False,
    limit: int = CELL_EVENTS_LIMIT,
) -> list[Event]:
    """The events in the cells the viewer may open, newest first, audited as a list read."""
    if not viewer.has_perm("mapping.view_exact_counts"):
        return []
    events = _filtered(visible_events(viewer), harm_type, since, until).filter(h3_cell__in=cells)
    if unlocated_only:
        events = events.filter(location__isnull=True)
    found = list(
        events.select_related("location", "recording_agency").order_by("-occurred_at", "-id")[
            :limit
        ]
    )
    audit_list_read(
        actor=viewer,
        object_type="events.event",
        reason=f"Events in map cell{'s' if len(cells) > 1 else ''} {', '.join(sorted(cells))}"
        f" ({len(found)} listed)",
    )
    return found


def contexts_near(*, viewer: Any, cell: str) -> list[MapPlace]:
    """Location contexts centred in the cell or one of its neighbours (case workers only)."""
    if not _sees_places(viewer):
        return []
    disk = set(h3.grid_disk(cell, 1))
    boundary = [p for c in disk for p in h3.cell_to_boundary(c)]
    lats, lons = [p[0] for p in boundary], [p[1] for p in boundary]
    candidates = _places(
        Context.objects.filter(
            latitude__gte=min(lats),
            latitude__lte=max(lats),
            longitude__gte=min(lons),
            longitude__lte=max(lons),
        )
    )
    resolution = h3.get_resolution(cell)
    return [c for c in candidates if h3.latlng_to_cell(c.latitude, c.longitude, resolution) in disk]
