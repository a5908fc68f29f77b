"""A dictionary that lives for one request, for answers that cannot change within it.

Permission checks ask the same question several times per page (may this person open this
record?). Outside a request — in services, jobs and most tests — there is no cache at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_cache: ContextVar[dict[Any, Any] | None] = ContextVar("request_cache", default=None)


def request_cache() -> dict[Any, Any] | None:
    return _cache.get()


@contextmanager
def request_scope() -> Iterator[None]:
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)
