from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.tasks import send_email_task
from core.models import Notification


def notify(
    *, recipients: Iterable[User], message: str, link: str = "", email: bool = False
) -> None:
    """Tell people something on their home page and, if asked, by email (through the queue)."""
    people = list(recipients)
    Notification.objects.bulk_create(
        Notification(recipient=r, message=message, link=link) for r in people
    )
    if email:
        addresses = [p.email for p in people if p.email]
        if addresses:
            transaction.on_commit(
                lambda: send_email_task.enqueue("ContextSafe: " + message[:80], message, addresses)
            )


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
