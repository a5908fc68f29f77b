"""Recount the hotspot counts from every event, in this process (the nightly task does the same)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from mapping.cellcounts import rebuild


class Command(BaseCommand):
    help = (
        "Recount the events per map cell and day that hotspot maps read (after a bulk load "
        "that bypassed the services; kept up to date as records are written otherwise)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        written = rebuild()
        rows = ", ".join(f"{n:,} {name}" for name, n in written.items())
        self.stdout.write(f"Hotspot counts rebuilt in {time.monotonic() - started:.1f} s: {rows}.")
