"""A small offline map of one location for a printed pack: the place's own shape drawn over the
ward boundary lines around it, with a scale bar and a north mark.

Printed packs travel outside the system, so the map is plain SVG built here: no tiles, no
network, nothing a PDF reader would fetch. Without a ward boundaries file the place is still
drawn, to scale, on an empty ground.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from contexts.maps import ward_boundaries

WIDTH, HEIGHT = 480, 270
MARGIN = 10
METRES_PER_DEGREE_LAT = 111_195.0
# Enough ground around a point or a small area that a reader recognises the neighbourhood.
MIN_HALF_WIDTH_M = 800.0
NICE_LENGTHS_M = (50, 100, 200, 250, 500, 1000, 2000, 5000)

Ring = list[tuple[float, float]]  # (lon, lat)


@dataclass(frozen=True)
class MiniMap:
    svg: SafeString
    ward: str  # the ward the place is in, "" when not known
    scale_note: str


def _parse(geometry: Any) -> dict[str, Any] | None:
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except ValueError:
            return None
    return geometry if isinstance(geometry, dict) else None


def _rings(geometry: dict[str, Any]) -> list[Ring]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    try:
        if kind == "Point":
            return [[(float(coords[0]), float(coords[1]))]]
        if kind in ("LineString", "MultiPoint"):
            return [[(float(p[0]), float(p[1])) for p in coords]]
        if kind in ("Polygon", "MultiLineString"):
            return [[(float(p[0]), float(p[1])) for p in ring] for ring in coords]
        if kind == "MultiPolygon":
            return [[(float(p[0]), float(p[1])) for p in ring] for poly in coords for ring in poly]
    except (TypeError, ValueError, IndexError):
        return []
    return []


def _contains(ring: Ring, lon: float, lat: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _nice_length(target_m: float) -> int:
    return min(NICE_LENGTHS_M, key=lambda n: abs(n - target_m))


def _distance_text(metres: float) -> str:
    if metres >= 1000:
        km = metres / 1000
        return f"{km:.1f} km".replace(".0 km", " km")
    return f"{round(metres):d} m"


class _Projection:
    """Metres east and north of the centre, scaled to the drawing; y grows downwards."""

    def __init__(self, lat: float, lon: float, half_width_m: float) -> None:
        self.lat, self.lon = lat, lon
        self.per_lon = METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))
        self.scale = (WIDTH / 2 - MARGIN) / half_width_m  # pixels per metre

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        east = (lon - self.lon) * self.per_lon
        north = (lat - self.lat) * METRES_PER_DEGREE_LAT
        return WIDTH / 2 + east * self.scale, HEIGHT / 2 - north * self.scale

    def path(self, rings: list[Ring], *, close: bool) -> str:
        parts = []
        for ring in rings:
            points = [self.xy(lon, lat) for lon, lat in ring]
            if len(points) < 2:
                continue
            body = " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f"M{body}" + (" Z" if close else ""))
        return " ".join(parts)

    def visible(self, rings: list[Ring]) -> bool:
        points = [self.xy(lon, lat) for ring in rings for lon, lat in ring]
        if not points:
            return False
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return max(xs) >= 0 and min(xs) <= WIDTH and max(ys) >= 0 and min(ys) <= HEIGHT


def _extent_m(rings: list[Ring], lat: float, lon: float) -> float:
    per_lon = METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))
    far = 0.0
    for ring in rings:
        for x, y in ring:
            far = max(far, abs(x - lon) * per_lon, abs(y - lat) * METRES_PER_DEGREE_LAT * 16 / 9)
    return far


def location_minimap(
    geometry: Any, latitude: float | None, longitude: float | None, *, key: str = "1"
) -> MiniMap | None:
    """The map, or None where the place has no position to draw. ``key`` keeps the map's ids
    unique when one document holds several maps."""
    shape = _parse(geometry)
    shape_rings = _rings(shape) if shape else []
    if latitude is None or longitude is None:
        points = [p for ring in shape_rings for p in ring]
        if not points:
            return None
        longitude = sum(p[0] for p in points) / len(points)
        latitude = sum(p[1] for p in points) / len(points)
    half_width = max(MIN_HALF_WIDTH_M, 1.8 * _extent_m(shape_rings, latitude, longitude))
    proj = _Projection(latitude, longitude, half_width)

    parts: list[str] = [
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" class="ground" '
        'fill="#f3f2f1" stroke="#b1b4b6" stroke-width="1"/>'
    ]
    labels: list[str] = []
    ward = ""
    collection = ward_boundaries()
    for feature in (collection or {}).get("features", []):
        rings = _rings(feature.get("geometry") or {})
        if not rings:
            continue
        name = str((feature.get("properties") or {}).get("name", "")) or "Ward"
        if not ward and _contains(rings[0], longitude, latitude):
            ward = name
        if not proj.visible(rings):
            continue
        parts.append(
            f'<path d="{proj.path(rings, close=True)}" fill="none" stroke="#505a5f" '
            'stroke-width="1.4" stroke-dasharray="6 3"/>'
        )
        outer = rings[0]
        cx, cy = proj.xy(
            sum(p[0] for p in outer) / len(outer), sum(p[1] for p in outer) / len(outer)
        )
        if 40 <= cx <= WIDTH - 40 and 14 <= cy <= HEIGHT - 30:
            labels.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" font-size="11" '
                f'fill="#505a5f" font-style="italic">{escape(name)}</text>'
            )
    parts.extend(labels)

    kind = (shape or {}).get("type")
    if kind in ("Polygon", "MultiPolygon"):
        parts.append(
            f'<path d="{proj.path(shape_rings, close=True)}" fill="#1d70b8" fill-opacity="0.35" '
            'stroke="#1d70b8" stroke-width="2.5"/>'
        )
    elif kind in ("LineString", "MultiLineString"):
        parts.append(
            f'<path d="{proj.path(shape_rings, close=False)}" fill="none" stroke="#1d70b8" '
            'stroke-width="4"/>'
        )
    x, y = proj.xy(longitude, latitude)
    parts.append(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#d4351c" stroke="#ffffff" '
        'stroke-width="2"/>'
    )

    bar_m = _nice_length(half_width / 2)
    bar_px = bar_m * proj.scale
    bx, by = MARGIN + 4, HEIGHT - MARGIN - 6
    parts.append(
        f'<rect x="{bx - 4}" y="{by - 18}" width="{bar_px + 8 + 40:.1f}" height="26" '
        'fill="#ffffff" fill-opacity="0.85"/>'
        f'<path d="M{bx},{by - 5} L{bx},{by} L{bx + bar_px:.1f},{by} L{bx + bar_px:.1f},{by - 5}" '
        'fill="none" stroke="#0b0c0c" stroke-width="2"/>'
        f'<text x="{bx + bar_px + 6:.1f}" y="{by}" font-size="11" fill="#0b0c0c">'
        f"{_distance_text(bar_m)}</text>"
    )
    nx, ny = WIDTH - MARGIN - 12, MARGIN + 6
    parts.append(
        f'<path d="M{nx},{ny} L{nx - 6},{ny + 16} L{nx},{ny + 12} L{nx + 6},{ny + 16} Z" '
        'fill="#0b0c0c"/>'
        f'<text x="{nx}" y="{ny + 30}" text-anchor="middle" font-size="11" '
        'font-weight="bold" fill="#0b0c0c">N</text>'
    )

    across = _distance_text(2 * half_width)
    note = f"The bar is {_distance_text(bar_m)}; the map is about {across} across."
    if collection is None:
        note += " Ward boundaries are not available, so only the place is drawn."
    else:
        note += " Dashed lines are ward boundaries."
    clip = f"minimap-clip-{escape(key)}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" font-family="DejaVu Sans, sans-serif">'
        f'<defs><clipPath id="{clip}"><rect width="{WIDTH}" height="{HEIGHT}"/>'
        f'</clipPath></defs><g clip-path="url(#{clip})">{"".join(parts)}</g></svg>'
    )
    # Every piece of text in the markup went through escape() above.
    return MiniMap(svg=mark_safe(svg), ward=ward, scale_note=note)  # noqa: S308
