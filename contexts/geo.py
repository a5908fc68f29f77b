"""Validating GeoJSON geometry for locations and finding its centre, without a GIS library."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError

ALLOWED = {"Point", "Polygon", "MultiPolygon", "LineString"}


def _position(value: Any) -> tuple[float, float]:
    if (
        not isinstance(value, list | tuple)
        or len(value) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2])
    ):
        raise ValidationError("Each position must be [longitude, latitude]")
    lon, lat = float(value[0]), float(value[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(
            "Longitude must be between -180 and 180 and latitude between -90 and 90"
        )
    return lon, lat


def _ring(value: Any) -> list[tuple[float, float]]:
    if not isinstance(value, list) or len(value) < 4:
        raise ValidationError("A polygon ring needs at least 4 positions")
    ring = [_position(p) for p in value]
    if ring[0] != ring[-1]:
        raise ValidationError("A polygon ring must end where it starts")
    return ring


def parse_geometry(raw: str | dict[str, Any]) -> dict[str, Any]:
    """Return a valid GeoJSON geometry, or raise ValidationError saying what is wrong."""
    try:
        geometry = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"The map shape is not valid GeoJSON: {exc.msg} at character {exc.pos}"
        ) from exc
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ALLOWED:
        raise ValidationError(
            "The map shape must be a GeoJSON Point, LineString, Polygon or MultiPolygon"
        )
    coordinates = geometry.get("coordinates")
    kind = geometry["type"]
    if kind == "Point":
        _position(coordinates)
    elif kind == "LineString":
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            raise ValidationError("A line needs at least 2 positions")
        [_position(p) for p in coordinates]
    elif kind == "Polygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError("A polygon needs at least one ring")
        [_ring(r) for r in coordinates]
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError("A multipolygon needs at least one polygon")
        for polygon in coordinates:
            if not isinstance(polygon, list) or not polygon:
                raise ValidationError("A multipolygon needs at least one polygon")
            [_ring(r) for r in polygon]
    return {"type": kind, "coordinates": coordinates}


def centre(geometry: dict[str, Any]) -> tuple[float, float]:
    """(latitude, longitude) of the middle of the shape's bounding box."""
    positions: list[tuple[float, float]] = []

    def collect(value: Any) -> None:
        if value and isinstance(value[0], int | float):
            positions.append((float(value[0]), float(value[1])))
        else:
            for item in value:
                collect(item)

    collect(geometry["coordinates"])
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
