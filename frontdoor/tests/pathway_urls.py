"""The project's URLs with stand-ins for the pages later in the pathway (written by other
apps), so the next-step links can be tested whether or not those pages exist yet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLResolver, include, path

from access.policy import requires
from contextsafe.urls import urlpatterns as project_urls


@requires("frontdoor.read_contacts")
def stand_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("stand-in")


REPLACED = {"assessments", "meetings"}
urlpatterns = [
    *[p for p in project_urls if not (isinstance(p, URLResolver) and p.namespace in REPLACED)],
    path(
        "assessments/",
        include(
            (
                [
                    path("single/new/", stand_in, name="single_create"),
                    path("context/new/", stand_in, name="context_create"),
                ],
                "assessments",
            )
        ),
    ),
    path(
        "meetings/",
        include(
            (
                [
                    path("strategy/new/", stand_in, name="strategy_create"),
                    path("marve/new/", stand_in, name="marve_create"),
                ],
                "meetings",
            )
        ),
    ),
]
