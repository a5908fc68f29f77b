"""The H3 cell stored on each event, at the configured resolution."""

from __future__ import annotations

from django.conf import settings

from mapping.hotspots import cell_of


def event_cell(latitude: float | None, longitude: float | None) -> str:
    if latitude is None or longitude is None:
        return ""
    return cell_of(latitude, longitude, settings.HOTSPOT_H3_RESOLUTION)
