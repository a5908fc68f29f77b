"""Small offline maps: a location drawn over the partnership's ward boundaries as inline SVG.

No tile server and no script: the page works offline and under a strict CSP. The ward boundaries
come from a GeoJSON FeatureCollection file (``WARD_BOUNDARIES_FILE``); without one, the page shows
the position in words only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

WIDTH, HEIGHT, MARGIN = 640, 420, 12


@dataclass(frozen=True)
class MapShape:
    path: str
    css_class: str
    title: str


@dataclass(frozen=True)
class SvgMap:
    width: int
    height: int
    shapes: list[MapShape]
    marker: tuple[float, float] | None
    ward: str


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if data.get("type") == "FeatureCollection" else None


def ward_boundaries() -> dict[str, Any] | None:
    version = ward_boundaries_version()
    return None if version is None else _load(*version)


def ward_boundaries_version() -> tuple[str, float] | None:
    """Which ward file, as of when: what is read or kept from it is keyed by this."""
    path = getattr(settings, "WARD_BOUNDARIES_FILE", None)
    if not path:
        return None
    try:
        return str(path), Path(path).stat().st_mtime
    except OSError:
        return None


def ward_boundaries_json() -> str:
    """The ward boundaries as JSON text ("null" without any), encoded once per file version:
    every map's data carries them, and encoding them each time cost more than the rest."""
    version = ward_boundaries_version()
    return "null" if version is None else _encoded(*version)


@lru_cache(maxsize=4)
def _encoded(path: str, mtime: float) -> str:
    return json.dumps(_load(path, mtime), separators=(",", ":"))


def _rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates", [])
    if kind == "Polygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for ring in coords]
    if kind == "MultiPolygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for poly in coords for ring in poly]
    if kind == "LineString":
        return [[(float(x), float(y)) for x, y, *_ in coords]]
    return []


def _contains(ring: list[tuple[float, float]], lon: float, lat: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def location_map(
    geometry: dict[str, Any] | None, latitude: float | None, longitude: float | None
) -> SvgMap | None:
    wards = ward_boundaries()
    if wards is None or latitude is None or longitude is None:
        return None
    features = [f for f in wards.get("features", []) if isinstance(f.get("geometry"), dict)]
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    # Equirectangular, with longitude shrunk by cos(latitude) so shapes keep their proportions.
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = min(
        (WIDTH - 2 * MARGIN) / ((east - west) * squeeze or 1),
        (HEIGHT - 2 * MARGIN) / ((north - south) or 1),
    )

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return MARGIN + (lon - west) * squeeze * scale, MARGIN + (north - lat) * scale

    def path(rings: list[list[tuple[float, float]]], close: bool = True) -> str:
        parts = []
        for ring in rings:
            coords = [xy(lon, lat) for lon, lat in ring]
            parts.append(
                "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + (" Z" if close else "")
            )
        return " ".join(parts)

    shapes, ward = [], ""
    for feature in features:
        name = str(feature.get("properties", {}).get("name", "Ward"))
        rings = _rings(feature["geometry"])
        if any(_contains(r, longitude, latitude) for r in rings[:1]):
            ward = name
        shapes.append(MapShape(path(rings), "cs-map__ward", name))
    if geometry and geometry.get("type") != "Point":
        shapes.append(
            MapShape(
                path(_rings(geometry), geometry.get("type") != "LineString"),
                "cs-map__place",
                "This place",
            )
        )
    return SvgMap(WIDTH, HEIGHT, shapes, xy(longitude, latitude), ward)
