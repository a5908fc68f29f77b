"""Recompute the suggested-contexts queue now, in this process (the nightly task does the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mapping.suggestions import refresh_suggestions


class Command(BaseCommand):
    help = "Recompute the suggested-contexts queue (candidate hotspots and peer groups)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = refresh_suggestions()
        self.stdout.write(
            f"Suggested contexts recomputed: {run.hotspots_found} possible hotspots and "
            f"{run.groups_found} possible peer groups not yet recorded "
            f"({run.events_considered} events and {run.links_considered} links considered)."
        )
