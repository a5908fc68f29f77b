"""The chain check as production runs it: queued in the database, done by `db_worker`."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from audit.models import ChainVerification
from audit.services import verification_request


@pytest.mark.django_db(transaction=True)
def test_a_queued_check_is_carried_out_by_the_worker(settings, personas: dict[str, User]) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    verification = verification_request(actor=personas["auditor"])
    verification.refresh_from_db()
    assert verification.intact is None, "queued, not yet run"
    call_command("db_worker", "--batch", "--no-startup-delay")
    verification = ChainVerification.objects.get(pk=verification.pk)
    assert verification.intact is True
    assert verification.events_checked >= 1
