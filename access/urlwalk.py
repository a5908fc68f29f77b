"""Enumerate every URL pattern with the access policy its view declares.

Used by the test that proves deny-by-default over the whole project, and handy for reviews:
``python manage.py shell -c "from access.urlwalk import report; report()"``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from access.policy import ViewPolicy, policy_of


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    pattern: URLPattern
    policy: ViewPolicy | None

    def sample_path(self) -> str:
        """A concrete path for the pattern, with 1 for every int and 'x' for every str."""
        path = "/" + self.route
        for key, converter in self.pattern.pattern.converters.items():
            value = "1" if converter.regex == "[0-9]+" else "x"
            path = path.replace(f"<int:{key}>", value).replace(f"<{key}>", value)
            path = path.replace(f"<str:{key}>", value).replace(f"<slug:{key}>", value)
        return path


def walk(
    patterns: Sequence[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield Route(name, prefix + str(entry.pattern), entry, policy_of(entry.callback))


def undeclared(patterns: Sequence[Any] | None = None) -> list[str]:
    """Routes whose view declares no access policy (the middleware refuses them)."""
    return [r.route for r in walk(patterns) if r.policy is None]


def report() -> None:
    for route in walk():
        policy = route.policy
        if policy is None:
            what = "UNDECLARED (refused)"
        elif policy.public:
            what = "public"
        elif policy.before_second_factor:
            what = "password sign-in only"
        else:
            what = f"requires {policy.permission}"
        print(f"/{route.route:<55} {route.name:<40} {what}")
