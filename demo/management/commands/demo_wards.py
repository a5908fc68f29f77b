from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.borough.geography import ward_boundaries


class Command(BaseCommand):
    help = "Write the fictional borough's ward boundaries where the location maps read them."

    def handle(self, *args: Any, **options: Any) -> None:
        target = settings.WARD_BOUNDARIES_FILE
        if not target:
            raise CommandError("Set CONTEXTSAFE_WARD_BOUNDARIES to the file to write.")
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(ward_boundaries()))
        self.stdout.write(f"Ward boundaries written to {path}")
