"""The "Casework" tab of a person's or a context's record: one summary card per area of work.

Each app offers ``person_panel`` / ``context_panel`` selectors and a partial template; this module
only lists them, in the order a practitioner reads a case: who leads, what came in, what was
assessed, missing episodes, meetings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assessments import selectors as assessment_selectors
from casework import selectors as casework_selectors
from contexts.models import Context, ContextKind
from frontdoor import selectors as frontdoor_selectors
from meetings import selectors as meeting_selectors
from missing import selectors as missing_selectors
from panels import casework as panel_selectors
from people.models import Person
from plans import selectors as plan_selectors


@dataclass(frozen=True)
class Panel:
    template: str
    data: Any


@dataclass(frozen=True)
class _Source:
    app: str
    for_person: Callable[..., Any]
    for_context: Callable[..., Any]
    context_kinds: frozenset[str] | None = None  # None: every kind of context


def _sources() -> list[_Source]:
    return [
        _Source("casework", casework_selectors.person_panel, casework_selectors.context_panel),
        _Source("frontdoor", frontdoor_selectors.person_panel, frontdoor_selectors.context_panel),
        _Source(
            "assessments",
            assessment_selectors.person_panel,
            assessment_selectors.context_panel,
            context_kinds=frozenset(
                {ContextKind.LOCATION, ContextKind.PEER_GROUP, ContextKind.EDUCATION_SETTING}
            ),
        ),
        _Source(
            "missing",
            missing_selectors.person_panel,
            missing_selectors.context_panel,
            context_kinds=frozenset({ContextKind.LOCATION}),
        ),
        _Source("meetings", meeting_selectors.person_panel, meeting_selectors.context_panel),
        _Source("panels", panel_selectors.person_panel, panel_selectors.context_panel),
        # Context plans for online spaces are refused (plans.services.ONLINE_REFUSAL).
        _Source(
            "plans",
            plan_selectors.person_panel,
            plan_selectors.context_panel,
            context_kinds=frozenset(
                {ContextKind.LOCATION, ContextKind.PEER_GROUP, ContextKind.EDUCATION_SETTING}
            ),
        ),
    ]


def person_panels(*, viewer: Any, person: Person) -> list[Panel]:
    return [
        Panel(f"{s.app}/partials/_person_panel.html", s.for_person(viewer=viewer, person=person))
        for s in _sources()
    ]


def context_panels(*, viewer: Any, context: Context) -> list[Panel]:
    return [
        Panel(
            f"{s.app}/partials/_context_panel.html", s.for_context(viewer=viewer, context=context)
        )
        for s in _sources()
        if s.context_kinds is None or context.kind in s.context_kinds
    ]
