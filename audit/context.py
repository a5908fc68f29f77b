"""Where the current request came from, for the audit trail, without passing requests around."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse

from contextsafe.lib.request_cache import request_scope


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None
    path: str


_origin: ContextVar[RequestOrigin | None] = ContextVar("audit_request_origin", default=None)


def current_origin() -> RequestOrigin | None:
    return _origin.get()


@contextmanager
def request_origin(origin: RequestOrigin) -> Iterator[None]:
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = RequestOrigin(get_client_ip_address(request), request.path[:500])
        with request_origin(origin), request_scope():
            return self.get_response(request)
