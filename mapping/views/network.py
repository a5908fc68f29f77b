"""The network view on person and context profiles: a diagram, a table, and the JSON behind them.

Every page and JSON answer is an audited read of the centre record (``authorize`` in the
selectors). What is drawn is only what the viewer may see: see ``mapping.graph``.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse

from access.policy import requires
from contexts.models import Context
from contexts.selectors import get_context_for_viewer
from contextsafe.http import AuthenticatedHttpRequest
from mapping.graph import (
    HUB_CAP,
    ViewerNeighbourhood,
    hub_neighbours,
    link_for_viewer,
    neighbourhood_for_viewer,
)
from mapping.network import context_node, person_node
from people.models import Person
from people.selectors import get_person_for_viewer

DEPTHS = (
    (1, "Direct links"),
    (2, "Up to 2 steps away"),
    (3, "Up to 3 steps away"),
)
DEFAULT_DEPTH = 1
NODE = re.compile(r"^(person|context):\d{1,12}$")
MAX_SHOWN = 2_000


def _depth(request: AuthenticatedHttpRequest) -> int:
    try:
        depth = int(request.GET.get("depth", DEFAULT_DEPTH))
    except ValueError:
        return DEFAULT_DEPTH
    return depth if 1 <= depth <= 3 else DEFAULT_DEPTH


def _found(
    request: AuthenticatedHttpRequest, node: str, depth: int, *, observations: bool = False
) -> ViewerNeighbourhood:
    try:
        return neighbourhood_for_viewer(request.user, node, depth, observations=observations)
    except LookupError as missing:
        raise Http404 from missing


def _page(
    request: AuthenticatedHttpRequest, found: ViewerNeighbourhood, data_url: str, subject: str
) -> dict[str, Any]:
    people = [n for n in found.nodes if not n.is_context]
    labels = {n.id: n.label for n in found.nodes}
    return {
        "tab": "network",
        "found": found,
        "subject": subject,
        "depth": found.depth,
        "depths": DEPTHS,
        "data_url": data_url,
        "link_url": reverse("mapping:network-link-data"),
        "people_count": len(people),
        "place_count": len(found.nodes) - len(people),
        "observation_count": sum(e.count for e in found.edges),
        "rows": [(labels[e.source], labels[e.target], e) for e in found.edges],
        "graph": found.as_json(),
    }


def _read(request: AuthenticatedHttpRequest, node: str) -> None:
    """Check and audit a read of ``node``'s record (a person or a context)."""
    kind, pk = node.split(":")
    if kind == "person":
        get_person_for_viewer(viewer=request.user, pk=int(pk))
    else:
        get_context_for_viewer(viewer=request.user, pk=int(pk))


def _data(request: AuthenticatedHttpRequest, node: str) -> JsonResponse:
    expand = request.GET.get("expand", "")
    if expand:
        if not NODE.match(expand):
            raise Http404
        # The hub's own ties are a read of the hub's record: check and audit it as such, so a
        # request about one child cannot map another's links under the first one's name.
        _read(request, expand)
        shown = [n for n in request.GET.get("shown", "").split(",") if NODE.match(n)]
        try:
            page = hub_neighbours(request.user, expand, skip=shown[:MAX_SHOWN], limit=HUB_CAP)
        except LookupError as missing:
            raise Http404 from missing
        return JsonResponse(page.as_json())
    return JsonResponse(_found(request, node, _depth(request)).as_json())


@requires("people.search")
def link_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    """One line's observations (``?a=<node>&b=<node>``), for the diagram's detail panel.

    A line is a read of both records it joins: each is checked and audited as such, and the
    line is refused unless the viewer may see both ends and some evidence behind it.
    """
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not (NODE.match(a) and NODE.match(b)) or a == b:
        raise Http404
    _read(request, a)
    _read(request, b)
    try:
        edge = link_for_viewer(request.user, a, b)
    except LookupError as missing:
        raise Http404 from missing
    return JsonResponse(edge.detail_json())


# --- people --------------------------------------------------------------------------------------


def _person(request: AuthenticatedHttpRequest, pk: int) -> Person:
    return get_person_for_viewer(viewer=request.user, pk=pk)


@requires("people.search")
def person_network(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    if person.merged_into_id:
        return redirect("mapping:person-network", pk=person.merged_into_id)
    found = _found(request, person_node(person.pk), _depth(request), observations=True)
    page = _page(
        request,
        found,
        reverse("mapping:person-network-data", args=[person.pk]),
        person.display_name,
    ) | {
        "person": person,
        "can_change": request.user.has_perm("people.change_person", person),
    }
    return render(request, "mapping/network_person.html", page)


@requires("people.search")
def person_network_data(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    person = _person(request, pk)
    if person.merged_into_id:
        raise Http404
    return _data(request, person_node(person.pk))


# --- contexts ------------------------------------------------------------------------------------


def _context(request: AuthenticatedHttpRequest, pk: int) -> Context:
    return get_context_for_viewer(viewer=request.user, pk=pk)


@requires("contexts.view_context")
def context_network(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    context = _context(request, pk)
    found = _found(request, context_node(context.pk), _depth(request), observations=True)
    page = _page(
        request, found, reverse("mapping:context-network-data", args=[context.pk]), context.name
    ) | {
        "context": context,
        "can_change": request.user.has_perm("contexts.change_context", context),
    }
    return render(request, "mapping/network_context.html", page)


@requires("contexts.view_context")
def context_network_data(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    context = _context(request, pk)
    return _data(request, context_node(context.pk))


urlpatterns: list[URLPattern] = [
    path("network/link.json", link_data, name="network-link-data"),
    path("network/person/<int:pk>/", person_network, name="person-network"),
    path("network/person/<int:pk>/network.json", person_network_data, name="person-network-data"),
    path("network/context/<int:pk>/", context_network, name="context-network"),
    path(
        "network/context/<int:pk>/network.json",
        context_network_data,
        name="context-network-data",
    ),
]
