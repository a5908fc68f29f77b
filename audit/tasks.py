from __future__ import annotations

from django_tasks import task

from audit.services import verification_complete


@task()
def verify_chain_task(verification_id: int) -> bool:
    verification = verification_complete(verification_id=verification_id)
    return bool(verification.intact)
