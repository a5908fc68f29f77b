from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.services import demo_partnership_load


def _demo_password(var_dir: Path) -> str:
    # One random password per demo install, kept beside the demo database, never in the repo.
    path = var_dir / "demo-password"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text("demo-" + secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Load the fictional Brackenmoor partnership and print each demo user's sign-in details."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("demo_setup only runs in demo mode (CONTEXTSAFE_MODE=demo).")
        password = _demo_password(Path(settings.VAR_DIR))
        accounts = demo_partnership_load(password=password)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS("ContextSafe demo — fictional Brackenmoor partnership")
        )
        self.stdout.write("Open http://127.0.0.1:8000 and sign in as any of these people.")
        self.stdout.write(f"Every demo user's password is: {password}")
        self.stdout.write("")
        width = max(len(a.user.username) for a in accounts)
        for account in accounts:
            roles = ", ".join(r.label for r in account.spec.roles)
            self.stdout.write(
                f"  {account.user.username:<{width}}  {roles:<44} {account.spec.agency}"
            )
        self.stdout.write("")
