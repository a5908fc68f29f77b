from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, Any]:
    """Names and modes the layout needs; reads settings only, never the database."""
    return {
        "service_name": settings.SERVICE_NAME,
        "partnership_name": settings.PARTNERSHIP_NAME,
        "demo_mode": settings.DEMO_MODE,
        "otp_enforced": settings.OTP_REQUIRED,
    }
