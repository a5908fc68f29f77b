from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.services import chain_verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain from the first record to the last."

    def handle(self, *args: Any, **options: Any) -> None:
        report = chain_verify()
        if not report.intact:
            raise CommandError(
                f"Audit chain BROKEN at record #{report.first_broken_sequence} "
                f"after {report.events_checked} intact records. {report.problem}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {report.events_checked} records checked.")
        )
