"""Sessions end after a period of inactivity, refreshed at most once a minute.

Saving the session on every request (Django's SESSION_SAVE_EVERY_REQUEST) costs a database write
per page. Touching it only when the last touch is a minute old keeps the idle timeout accurate to
the minute for a fraction of the writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

TOUCHED = "cs_touched"


class SlidingSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.session_key:
            now = int(time.time())
            if now - int(session.get(TOUCHED, 0)) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now  # marks the session modified, so its expiry moves on
        return self.get_response(request)
