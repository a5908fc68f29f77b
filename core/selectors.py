from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from core.models import Notification


def unread_notifications(*, user: User, limit: int = 20) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by(
        "-created_at"
    )[:limit]
