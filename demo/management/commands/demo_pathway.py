from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.pathway import demo_pathway_load


class Command(BaseCommand):
    help = "Add demo records at every stage from first contact to a decision (runs once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO_MODE or settings.TEST_MODE):
            raise CommandError("demo_pathway only runs in demo mode (CONTEXTSAFE_MODE=demo).")
        created = demo_pathway_load()
        if not created:
            self.stdout.write("The pathway records are already there.")
        for line in created:
            self.stdout.write(f"  {line}")
