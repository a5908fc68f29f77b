"""Server-Timing: how long the application and the database took, on every response.

Browsers show it in their developer tools, and the benchmarks read it to separate server time
from network and client time. Counting queries costs one wrapper call per query.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse


class QueryTimer:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        total_ms = (time.perf_counter() - started) * 1000
        db_ms = timer.seconds * 1000
        response["Server-Timing"] = (
            f'app;dur={total_ms:.1f}, db;desc="{timer.count} queries";dur={db_ms:.1f}'
        )
        return response
