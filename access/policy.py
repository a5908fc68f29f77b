"""Every view declares who may reach it. A view that declares nothing is refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


@dataclass(frozen=True)
class ViewPolicy:
    public: bool = False
    permission: str | None = None
    # The second-factor pages must be reachable after the password and before the code.
    before_second_factor: bool = False


def _declare(view: ViewFunc, policy: ViewPolicy) -> ViewFunc:
    view.access_policy = policy  # type: ignore[attr-defined]
    return view


def public(view: ViewFunc) -> ViewFunc:
    """Reachable without signing in: only sign-in, password reset, health check."""
    return _declare(view, ViewPolicy(public=True))


def second_factor_step(view: ViewFunc) -> ViewFunc:
    """Needs a password sign-in but not yet the second factor."""
    return _declare(view, ViewPolicy(before_second_factor=True))


def requires(permission: str) -> Callable[[ViewFunc], ViewFunc]:
    """Needs a full sign-in and the named permission (object checks happen in selectors)."""

    def decorate(view: ViewFunc) -> ViewFunc:
        return _declare(view, ViewPolicy(permission=permission))

    return decorate


def policy_of(view: Callable[..., Any]) -> ViewPolicy | None:
    policy = getattr(view, "access_policy", None)
    return policy if isinstance(policy, ViewPolicy) else None
