"""The hotspot map, the emerging view, a cell's page and opening a location context from a cell.

Pages render the tables (the map's accessible alternative, and all that is needed without
JavaScript); the map draws itself from the JSON endpoints, which apply the same rules: analysts
get suppressed counts only, and never an event or a context.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import h3  # type: ignore[import-untyped]  # h3 4.x ships no py.typed marker
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, get_script_prefix, path, reverse
from django.utils.safestring import SafeString

from access.policy import requires
from accounts.models import Team
from contexts.models import ContextKind, LocationType
from contextsafe.http import AuthenticatedHttpRequest
from contextsafe.lib.editing import save_form
from contextsafe.lib.kept import Kept
from contextsafe.lib.urls import url_around
from events.models import Event, HarmType
from mapping import selectors, services
from mapping.forms import EmergingFilterForm, HotspotFilterForm, OpenContextForm
from mapping.hotspots import Significance, Trend
from mapping.selectors import EmergingCell, HotspotAnalysis, HotspotCell, MapEvent, MapPlace
from mapping.suppression import DEFAULT_THRESHOLD

WITHHELD = f"fewer than {DEFAULT_THRESHOLD}, or withheld to protect a small number"

# Colour is never the only cue: each band has its own outline pattern on the map, a legend in
# words, and the tables below the map.
BANDS: dict[Significance, str] = {
    Significance.HOT_99: "hot-99",
    Significance.HOT_95: "hot-95",
    Significance.HOT_90: "hot-90",
    Significance.NOT_SIGNIFICANT: "none",
    Significance.COLD_90: "cold",
    Significance.COLD_95: "cold",
    Significance.COLD_99: "cold",
}
LEGEND = [
    ("hot-99", "Hot spot, 99% confidence", "solid thick outline"),
    ("hot-95", "Hot spot, 95% confidence", "solid outline"),
    ("hot-90", "Hot spot, 90% confidence", "dashed outline"),
    ("none", "Not significant", "thin dotted outline"),
    ("cold", "Cold spot (fewer events than around it)", "dash-dot outline"),
]
TREND_BANDS: dict[Trend, str] = {
    Trend.NEW: "new",
    Trend.INTENSIFYING: "intensifying",
    Trend.PERSISTENT: "persistent",
    Trend.DIMINISHING: "diminishing",
    Trend.NO_PATTERN: "none",
}
TREND_LEGEND = [
    ("new", "New hot spot", "solid thick outline"),
    ("intensifying", "Intensifying", "solid outline"),
    ("persistent", "Persistent", "dashed outline"),
    ("diminishing", "Diminishing", "dash-dot outline"),
    ("none", "No pattern", "thin dotted outline"),
]
# Words in place descriptions that suggest the type of a location, checked in this order.
TYPE_HINTS: list[tuple[tuple[str, ...], str]] = [
    (("takeaway", "shop", "chicken", "kebab", "off-licence", "parade"), LocationType.SHOP_TAKEAWAY),
    (("stairwell", "estate", "block", "walkway"), LocationType.ESTATE_STAIRWELL),
    (("park", "common", "playing field", "skate", "brook", "woods"), LocationType.PARK),
    (
        ("station", "bus", "interchange", "underpass", "ring road", "tram"),
        LocationType.TRANSPORT_HUB,
    ),
    (("hotel", "short-let", "short let", "airbnb", "b&b"), LocationType.SHORT_LET_HOTEL),
    (("school", "academy", "college"), LocationType.SCHOOL_SURROUNDINGS),
]


# --- helpers -------------------------------------------------------------------------------------


def _cell_or_404(cell: str) -> str:
    if not h3.is_valid_cell(cell) or h3.get_resolution(cell) != settings.HOTSPOT_H3_RESOLUTION:
        raise Http404
    return str(cell)


def _query(filters: dict[str, Any]) -> str:
    """The filters as a query string the forms read back (dates as day, month and year)."""
    params: dict[str, str] = {}
    for key, value in filters.items():
        if isinstance(value, dt.date):
            params |= {f"{key}_day": str(value.day), f"{key}_month": str(value.month)}
            params[f"{key}_year"] = str(value.year)
        elif value:
            params[key] = str(value)
    return urlencode(params)


@functools.lru_cache(maxsize=65536)
def _polygon(boundary: tuple[tuple[float, float], ...]) -> dict[str, Any]:
    # Cached per cell outline: the JSON encoder only reads it.
    ring = [[round(lon, 6), round(lat, 6)] for lat, lon in boundary]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _cell_url_template(query: str) -> str:
    """A cell page's URL with ``{cell}`` for the cell, for a map to fill in for each cell."""
    return _cell_links(query)("{cell}")


def _cell_links(query: str = "") -> Callable[[str], str]:
    """Links to cells' pages (with the filters), the URL reversed once for a whole layer."""
    before, after = url_around("mapping:cell", "89195dd400bffff")
    tail = f"{after}?{query}" if query else after
    return lambda cell: f"{before}{cell}{tail}"


def _count_label(count: int | None) -> str:
    return WITHHELD if count is None else str(count)


def _named_cells(cells: list[HotspotCell]) -> list[HotspotCell]:
    """The cells worth naming: with events, or standing out either way."""
    return [
        c
        for c in cells
        if c.count is None or c.count > 0 or c.significance != Significance.NOT_SIGNIFICANT
    ]


@dataclass(frozen=True, slots=True)
class _CellsTable:
    rows: list[dict[str, Any]]
    not_listed: int
    html: SafeString


# The hot spots table, rendered once per analysis and kept with it: at county scale it is most
# of the page's rendering, and it changes only with the counts' version, filters and viewer rule.
_cells_tables: Kept[tuple[Any, ...], _CellsTable] = Kept(size=32)


def _cells_table(
    request: AuthenticatedHttpRequest, analysis: HotspotAnalysis, query: str, show_all: bool
) -> _CellsTable:
    key = None
    if analysis.key is not None:
        key = (analysis.key, query, show_all, get_script_prefix())
        kept = _cells_tables.get(key)
        if kept is not None:
            return kept
    cells = analysis.cells
    listed = cells if show_all else [c for c in cells if c.significance.is_hot]
    names = selectors.place_names(request.user, listed)
    link = _cell_links(query)
    rows = [
        {
            "cell": c,
            "place": names[c.cell],
            "count": _count_label(c.count),
            "band": BANDS[c.significance],
            "url": link(c.cell),
        }
        for c in listed
    ]
    # A rendered template is a SafeString (escaped as it was rendered), kept as one.
    html = render_to_string("mapping/_cells_table.html", {"rows": rows, "show_all": show_all})
    table = _CellsTable(rows, len(cells) - len(listed), html)
    if key is not None:
        _cells_tables.put(key, table)
    return table


def _ward_layer_json() -> str:
    from contexts.maps import ward_boundaries_json as encoded

    return encoded()


def _tile_settings() -> dict[str, str]:
    return {
        "tile_url": getattr(settings, "MAP_TILE_URL", ""),
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }


PLACES_LISTED = 100  # the table alternative lists this many places; the contexts list has all


def _context_rows(places: list[MapPlace]) -> list[dict[str, Any]]:
    known = selectors.wards()
    before, after = url_around("contexts:profile")
    return [
        {
            "context": c,
            "ward": selectors.ward_name(c.latitude, c.longitude, known),
            "url": f"{before}{c.pk}{after}",
        }
        for c in places
    ]


def _context_features(places: list[MapPlace]) -> dict[str, Any]:
    before, after = url_around("contexts:profile")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"context-{c.pk}",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(c.longitude, 6), round(c.latitude, 6)],
                },
                "properties": {
                    "name": c.name,
                    "status": c.status_label,
                    "status_code": c.status,
                    "type": c.summary,
                    "url": f"{before}{c.pk}{after}",
                },
            }
            for c in places
        ],
    }


def _event_features(events: list[MapEvent]) -> dict[str, Any]:
    link = _cell_links()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"event-{e.pk}",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(e.longitude, 6), round(e.latitude, 6)],
                },
                "properties": {
                    "kind": e.kind_label,
                    "date": f"{e.occurred_at:%d %b %Y}",
                    "harm_types": e.harm_labels,
                    "place": e.place_description,
                    "cell_url": link(e.cell) if e.cell else "",
                },
            }
            for e in events
        ],
    }


# --- the hotspot map -----------------------------------------------------------------------------


@requires("mapping.view_hotspots")
def hotspot_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HotspotFilterForm(_filter_params(request))
    page: dict[str, Any] = {"form": form, "legend": LEGEND, **_tile_settings()}
    if form.is_bound and not form.is_valid():
        return render(request, "mapping/map.html", page, status=200)
    filters = form.filters()
    query = _query(filters)
    analysis = selectors.hotspot_analysis(viewer=request.user, **filters)
    show_all = request.GET.get("all") == "1"
    table = _cells_table(request, analysis, query, show_all)
    listed, places_total = selectors.places_to_list(
        viewer=request.user,
        hot_cells=[c.cell for c in analysis.cells if c.significance.is_hot],
        limit=PLACES_LISTED,
    )
    page |= {
        "filters": filters,
        "harm_label": HarmType(filters["harm_type"]).label if filters["harm_type"] else "",
        "analysis": analysis,
        "rows": table.rows,
        "cells_table": table.html,
        "not_listed": table.not_listed,
        "show_all": show_all,
        "all_url": f"?{query}&all=1" if query else "?all=1",
        "hot_count": sum(1 for c in analysis.cells if c.significance.is_hot),
        "context_rows": _context_rows(listed),
        "places_total": places_total,
        "places_url": f"{reverse('contexts:list')}?{urlencode({'kind': ContextKind.LOCATION})}",
        "exact": request.user.has_perm("mapping.view_exact_counts"),
        "data_url": f"{reverse('mapping:map-data')}?{query}",
        "emerging_url": reverse("mapping:emerging")
        + (f"?{urlencode({'harm_type': filters['harm_type']})}" if filters["harm_type"] else ""),
        "event_limit": selectors.EVENT_LAYER_LIMIT,
        "withheld": WITHHELD,
    }
    return render(request, "mapping/map.html", page)


def _filter_params(request: AuthenticatedHttpRequest) -> Any:
    """The filter fields only: a link's ``all=1`` alone must not bind (and so blank) the form."""
    names: tuple[str, ...] = ("harm_type", "since", "until", "recent_since", "recent_until")
    names += ("earlier_since", "earlier_until")
    if any(key.startswith(names) for key in request.GET):
        return request.GET
    return None


# Each cell layer as JSON text, kept with the analysis it shows (its key names the counts'
# version and the counting rule; cell names change only with the counts' version too).
_cell_layers: Kept[tuple[Any, ...], str] = Kept(size=32)


def _kept_layer(
    analysis_key: tuple[Any, ...] | None, query: str, features: Callable[[], list[dict[str, Any]]]
) -> str:
    """A cell layer as JSON text, kept with the analysis it shows."""
    key = None if analysis_key is None else (analysis_key, query, get_script_prefix())
    kept = _cell_layers.get(key) if key is not None else None
    if kept is not None:
        return kept
    layer = json.dumps({"type": "FeatureCollection", "features": features()}, separators=(",", ":"))
    if key is not None:
        _cell_layers.put(key, layer)
    return layer


def _cell_layer(request: AuthenticatedHttpRequest, analysis: HotspotAnalysis, query: str) -> str:
    def features() -> list[dict[str, Any]]:
        names = selectors.place_names(request.user, _named_cells(analysis.cells))
        return [
            {
                "type": "Feature",
                "id": c.cell,
                "geometry": _polygon(c.boundary),
                "properties": {
                    "cell": c.cell,
                    "place": names.get(c.cell, ""),
                    "count": c.count,
                    "count_label": _count_label(c.count),
                    "z": round(c.z, 2),
                    "p": round(c.p, 4),
                    "significance": str(c.significance),
                    "band": BANDS[c.significance],
                    "explanation": c.explanation,
                },
            }
            for c in analysis.cells
        ]

    return _kept_layer(analysis.key, query, features)


def _json_with(values: dict[str, Any], encoded: dict[str, str]) -> HttpResponse:
    """A JSON object of ``values`` and of members already encoded as JSON text."""
    body = json.dumps(values, separators=(",", ":"))[:-1]
    body += "".join(f",{json.dumps(name)}:{text}" for name, text in encoded.items()) + "}"
    return HttpResponse(body, content_type="application/json")


@requires("mapping.view_hotspots")
def map_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HotspotFilterForm(_filter_params(request))
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    filters = form.filters()
    query = _query(filters)
    analysis = selectors.hotspot_analysis(viewer=request.user, **filters)
    exact = request.user.has_perm("mapping.view_exact_counts")
    return _json_with(
        {
            "mode": "hotspots",
            "suppressed": analysis.suppressed,
            # Recorded places (which do not change with the filters) and the events come in
            # requests of their own, so the map draws its cells first.
            "cell_url": _cell_url_template(query),
            "contexts_url": reverse("mapping:map-places") if exact else None,
            "events_url": f"{reverse('mapping:map-events')}?{query}" if exact else None,
        },
        {"wards": _ward_layer_json(), "cells": _cell_layer(request, analysis, query)},
    )


@requires("mapping.view_hotspots")
def map_events(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The events layer: the latest events a case worker may open, with the map's filters."""
    if not request.user.has_perm("mapping.view_exact_counts"):
        raise PermissionDenied
    form = HotspotFilterForm(_filter_params(request))
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    events, capped = selectors.map_events(viewer=request.user, **form.filters())
    return JsonResponse(
        {
            "events": _event_features(events),
            "events_capped": capped,
            "events_limit": selectors.EVENT_LAYER_LIMIT,
        }
    )


@requires("mapping.view_hotspots")
def map_places(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The recorded places layer: location contexts with a position (case workers only)."""
    if not request.user.has_perm("mapping.view_exact_counts"):
        raise PermissionDenied
    layer = selectors.map_contexts_layer(
        viewer=request.user,
        encode=lambda places: json.dumps(_context_features(places), separators=(",", ":")),
    )
    return HttpResponse(layer, content_type="application/json")


# --- the emerging view ---------------------------------------------------------------------------


def _emerging_filters(form: EmergingFilterForm) -> dict[str, Any]:
    f = form.filters()
    return {
        "viewer_filters": {
            "harm_type": f["harm_type"],
            "recent": (f["recent_since"], f["recent_until"]),
            "earlier": (f["earlier_since"], f["earlier_until"]),
        },
        "raw": f,
    }


def _emerging_name_cells(cells: list[EmergingCell]) -> list[HotspotCell]:
    # place_names works on hotspot cells; only the position and whether there are events matter.
    return [
        HotspotCell(
            c.cell,
            c.latitude,
            c.longitude,
            c.boundary,
            1 if (c.recent_count or c.earlier_count or c.recent_count is None) else 0,
            c.recent_z,
            1.0,
            c.recent_significance,
            "",
        )
        for c in cells
    ]


@requires("mapping.view_hotspots")
def emerging_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmergingFilterForm(_filter_params(request))
    page: dict[str, Any] = {"form": form, "legend": TREND_LEGEND, **_tile_settings()}
    if form.is_bound and not form.is_valid():
        return render(request, "mapping/map_emerging.html", page)
    chosen = _emerging_filters(form)
    analysis = selectors.emerging_analysis(viewer=request.user, **chosen["viewer_filters"])
    show_all = request.GET.get("all") == "1"
    listed = (
        analysis.cells if show_all else [c for c in analysis.cells if c.trend != Trend.NO_PATTERN]
    )
    names = selectors.place_names(request.user, _emerging_name_cells(listed))
    map_query = _query(
        {
            "harm_type": chosen["raw"]["harm_type"],
            "since": chosen["raw"]["recent_since"],
            "until": chosen["raw"]["recent_until"],
        }
    )
    query = _query(chosen["raw"])
    link = _cell_links(map_query)
    page |= {
        "filters": chosen["raw"],
        "analysis": analysis,
        "rows": [
            {
                "cell": c,
                "place": names[c.cell],
                "recent": _count_label(c.recent_count),
                "earlier": _count_label(c.earlier_count),
                "band": TREND_BANDS[c.trend],
                "url": link(c.cell),
            }
            for c in listed
        ],
        "not_listed": len(analysis.cells) - len(listed),
        "show_all": show_all,
        "all_url": f"?{query}&all=1",
        "trend_counts": Counter(c.trend for c in analysis.cells),
        "trend_words": [
            (label, selectors.TREND_WORDS[trend], TREND_BANDS[trend])
            for trend, label in (
                (Trend.NEW, "New hot spot"),
                (Trend.INTENSIFYING, "Intensifying"),
                (Trend.PERSISTENT, "Persistent"),
                (Trend.DIMINISHING, "Diminishing"),
                (Trend.NO_PATTERN, "No pattern"),
            )
        ],
        "data_url": f"{reverse('mapping:emerging-data')}?{query}",
        "map_url": f"{reverse('mapping:map')}?{map_query}",
    }
    return render(request, "mapping/map_emerging.html", page)


@requires("mapping.view_hotspots")
def emerging_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmergingFilterForm(_filter_params(request))
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    chosen = _emerging_filters(form)
    analysis = selectors.emerging_analysis(viewer=request.user, **chosen["viewer_filters"])
    map_query = _query(
        {
            "harm_type": chosen["raw"]["harm_type"],
            "since": chosen["raw"]["recent_since"],
            "until": chosen["raw"]["recent_until"],
        }
    )

    def features() -> list[dict[str, Any]]:
        named = [c for c in analysis.cells if c.trend != Trend.NO_PATTERN]
        names = selectors.place_names(request.user, _emerging_name_cells(named))
        return [
            {
                "type": "Feature",
                "id": c.cell,
                "geometry": _polygon(c.boundary),
                "properties": {
                    "cell": c.cell,
                    "place": names.get(c.cell, ""),
                    "recent_count": c.recent_count,
                    "earlier_count": c.earlier_count,
                    "recent_label": _count_label(c.recent_count),
                    "earlier_label": _count_label(c.earlier_count),
                    "recent_z": round(c.recent_z, 2),
                    "earlier_z": round(c.earlier_z, 2),
                    "trend": str(c.trend),
                    "band": TREND_BANDS[c.trend],
                    "explanation": c.explanation,
                },
            }
            for c in analysis.cells
        ]

    return _json_with(
        {
            "mode": "emerging",
            "suppressed": analysis.suppressed,
            "cell_url": _cell_url_template(map_query),
            # The same few sentences for every cell of a trend: sent once, not per cell.
            "meanings": {str(trend): words for trend, words in selectors.TREND_WORDS.items()},
            "contexts": None,
            "events": None,
            "events_capped": False,
        },
        {"wards": _ward_layer_json(), "cells": _kept_layer(analysis.key, map_query, features)},
    )


# --- one cell ------------------------------------------------------------------------------------


def _neighbour_hot_cells(cells: list[HotspotCell], cell: str) -> list[HotspotCell]:
    around = set(h3.grid_disk(cell, 1)) - {cell}
    return [c for c in cells if c.cell in around and c.significance.is_hot]


@requires("mapping.view_hotspots")
def cell_detail(request: AuthenticatedHttpRequest, cell: str) -> HttpResponse:
    cell = _cell_or_404(cell)
    form = HotspotFilterForm(_filter_params(request))
    if form.is_bound and not form.is_valid():
        form = HotspotFilterForm()
    filters = form.filters()
    analysis = selectors.hotspot_analysis(viewer=request.user, **filters)
    found = next((c for c in analysis.cells if c.cell == cell), None)
    lat, lon = h3.cell_to_latlng(cell)
    shown = found or HotspotCell(
        cell, lat, lon, (), 0, 0.0, 1.0, Significance.NOT_SIGNIFICANT, "No events in this period."
    )
    name = selectors.place_names(request.user, [shown])[cell]
    exact = request.user.has_perm("mapping.view_exact_counts")
    events = selectors.cell_events(viewer=request.user, cells=[cell], **filters) if exact else []
    query = _query(filters)
    neighbours = _neighbour_hot_cells(analysis.cells, cell)
    neighbour_names = selectors.place_names(request.user, neighbours)
    link = _cell_links(query)
    return render(
        request,
        "mapping/cell.html",
        {
            "cell": shown,
            "found": found is not None,
            "place": name,
            "count": _count_label(shown.count),
            "band": BANDS[shown.significance],
            "filters": filters,
            "harm_label": HarmType(filters["harm_type"]).label if filters["harm_type"] else "",
            "exact": exact,
            "events": events,
            "events_limit": selectors.CELL_EVENTS_LIMIT,
            "contexts": _context_rows(selectors.contexts_near(viewer=request.user, cell=cell)),
            "neighbours": [
                {
                    "cell": c,
                    "place": neighbour_names[c.cell],
                    "count": _count_label(c.count),
                    "url": link(c.cell),
                }
                for c in neighbours
            ],
            "map_url": f"{reverse('mapping:map')}?{query}",
            "can_open": request.user.has_perm("mapping.open_context_from_cell"),
            "withheld": WITHHELD,
        },
    )


def _suggested_type(descriptions: list[str]) -> str:
    text = " ".join(descriptions).lower()
    for words, location_type in TYPE_HINTS:
        if any(word in text for word in words):
            return str(location_type)
    return str(LocationType.OTHER)


def _summary(events: list[Event], found: HotspotCell | None, place: str) -> str:
    if not events:
        lines = [f"Opened from the hotspot map at {place}. No events are placed here yet."]
    else:
        first = min(e.occurred_at for e in events)
        last = max(e.occurred_at for e in events)
        kinds = Counter(e.get_kind_display().lower() for e in events)
        harms = Counter(label for e in events for label in e.harm_labels)
        lines = [
            f"Opened from the hotspot map at {place}. {len(events)} event"
            f"{'s' if len(events) != 1 else ''} recorded here from {first:%d %B %Y} to "
            f"{last:%d %B %Y}: " + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) + "."
        ]
        if harms:
            lines.append(
                "Harm types recorded: "
                + ", ".join(f"{label.lower()} ({n})" for label, n in harms.most_common())
                + "."
            )
    if found is not None and found.significance != Significance.NOT_SIGNIFICANT:
        lines.append(f"Over the last 12 months this map cell is a {found.significance}.")
    return "\n".join(lines)


def _teams_for(request: AuthenticatedHttpRequest) -> QuerySet[Team]:
    own = request.user.teams.filter(is_active=True).select_related("agency").order_by("name")
    if own.exists():
        return own
    return Team.objects.filter(agency=request.user.agency, is_active=True).order_by("name")


@requires("mapping.open_context_from_cell")
def cell_context(request: AuthenticatedHttpRequest, cell: str) -> HttpResponse:
    cell = _cell_or_404(cell)
    analysis = selectors.hotspot_analysis(viewer=request.user, **HotspotFilterForm.defaults())
    found = next((c for c in analysis.cells if c.cell == cell), None)
    neighbours = _neighbour_hot_cells(analysis.cells, cell)
    lat, lon = h3.cell_to_latlng(cell)
    here = found or HotspotCell(cell, lat, lon, (), 0, 0.0, 1.0, Significance.NOT_SIGNIFICANT, "")
    names = selectors.place_names(request.user, [here, *neighbours])
    events = selectors.cell_events(
        viewer=request.user, cells=[cell, *(c.cell for c in neighbours)], unlocated_only=True
    )
    ward = selectors.ward_name(lat, lon)
    event_cells = {str(e.pk): e.h3_cell for e in events}
    choices = [(str(e.pk), _event_label(e, names, cell)) for e in events]
    own = [e for e in events if e.h3_cell == cell]
    descriptions = [e.place_description for e in own if e.place_description]
    teams = _teams_for(request)
    description_place = Counter(descriptions).most_common(1)
    suggested = description_place[0][0] if description_place else f"Hot spot in {ward} ward"
    if description_place and ward and not ward.startswith("near "):
        suggested = f"{suggested}, {ward}"
    if not ward and not description_place:
        suggested = f"Hot spot at map cell {cell}"
    initial = {
        "name": suggested[:200],
        "location_type": _suggested_type(descriptions),
        "owning_team": teams.first(),
        "description": _summary(own, found, names[cell]),
        "events": [str(e.pk) for e in own],
        "neighbours": [],
    }
    form = OpenContextForm(
        request.POST or None,
        initial=initial,
        teams=teams,
        neighbours=[(c.cell, f"{names[c.cell]} ({c.significance})") for c in neighbours],
        events=choices,
        event_cells=event_cells,
        cell=cell,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = save_form(
            form,
            lambda d: services.open_location_context(
                actor=request.user,
                name=data["name"],
                location_type=data["location_type"],
                owning_team=data["owning_team"],
                cells=form.chosen_cells(),
                event_ids=form.event_ids(),
                address=data.get("address", ""),
                description=data.get("description", ""),
            ),
        )
        if outcome.saved:
            context = outcome.result
            placed = context.events.count()
            messages.success(
                request,
                f"{context.name} recorded, with {placed} event{'s' if placed != 1 else ''} "
                "placed there.",
            )
            return redirect("contexts:profile", pk=context.pk)
        form = outcome.form
    return render(
        request,
        "mapping/cell_context.html",
        {
            "form": form,
            "cell": here,
            "place": names[cell],
            "cell_url": reverse("mapping:cell", args=[cell]),
            "events_limit": selectors.CELL_EVENTS_LIMIT,
            "event_count": len(events),
        },
    )


def _event_label(event: Event, names: dict[str, str], cell: str) -> str:
    parts = [f"{event.occurred_at:%d %b %Y}", event.get_kind_display()]
    if event.harm_labels:
        parts.append(", ".join(event.harm_labels))
    if event.place_description:
        parts.append(event.place_description)
    if event.h3_cell != cell:
        parts.append(f"in the neighbouring cell at {names.get(event.h3_cell, event.h3_cell)}")
    return " · ".join(parts)


urlpatterns: list[URLPattern] = [
    path("map/", hotspot_map, name="map"),
    path("map/data/", map_data, name="map-data"),
    path("map/places/", map_places, name="map-places"),
    path("map/events/", map_events, name="map-events"),
    path("map/emerging/", emerging_map, name="emerging"),
    path("map/emerging/data/", emerging_data, name="emerging-data"),
    path("map/cells/<str:cell>/", cell_detail, name="cell"),
    path("map/cells/<str:cell>/new-context/", cell_context, name="cell-context"),
]
