from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email_task(subject: str, body: str, to: list[str]) -> int:
    """Send one plain-text email; a failure is kept by the task backend for a retry."""
    return send_mail(subject, body, None, to, fail_silently=False)
