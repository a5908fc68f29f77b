from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that the access middleware has let through: ``user`` is signed in."""

    user: User
