"""The partnership's graph of people and contexts, loaded from the database, and each viewer's
window onto it.

``partnership_index()`` builds one ``NetworkIndex`` for the whole partnership (associations,
context links naming a person, and co-occurrence in events) and keeps it for the life of the
process. ``neighbourhood_for_viewer()`` answers "who and what is linked to this record" with the
viewer's permissions applied, in a constant number of queries.

**Freshness.** The cached graph is rebuilt when its *version* changes. The version is

* the largest id of each of the three link tables and of events, read in one query per request
  (an index-only ``MAX``: microseconds, unlike ``COUNT(*)`` which scans 500,000 rows). A new
  association, context link or event participant recorded by *any* process changes it, so every
  worker sees new links at once;
* a process-local generation bumped by ``post_save``/``post_delete`` on ``Association``,
  ``ContextLink``, ``Event``, ``EventParticipant`` and by a merge (``Person.merged_into`` set).
  That catches edits, deletions and merges in this process, and keeps tests correct where a
  rolled-back transaction lets ids be reused (SQLite reuses them);
* an age limit (``settings.NETWORK_GRAPH_MAX_AGE`` seconds, default 600): an edit or deletion
  made by *another* process, which changes no maximum id, is seen within that time.

None of that affects permissions, which are never cached: which people a viewer may open is
asked of the database on every request, and restricted events are checked against the viewer's
agency on every request. A stale graph can at worst miss or keep an observation's detail for a
few minutes; it can never show a record the viewer may not open.

Labels (names) are not kept in the graph either: they are read with the permission check, so a
name changed a second ago shows correctly.
"""

from __future__ import annotations

import threading
import time
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, connections
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from accounts.models import Agency
from contexts.models import Context, ContextKind, ContextLink, ContextLinkKind
from events.models import Event, EventKind, EventParticipant, Sensitivity
from mapping.network import (
    CO_OCCURRENCE,
    CONTEXT,
    DEFAULT_MAX_NODES,
    MAX_CO_OCCURRENCE_PARTICIPANTS,
    Edge,
    Evidence,
    Neighbourhood,
    NetworkIndex,
    NodeId,
    context_node,
    neighbourhood,
    person_node,
)
from people.codes import AssociationKind, PersonKind, Reliability
from people.models import Association, Person
from people.selectors import visible_people

CHUNK = 20_000
# A node with more visible neighbours than this is a hub: its strongest ties are drawn and the
# rest wait behind "show more".
HUB_CAP = 25
# How many neighbours of each node the permission check looks at before the walk. A node with
# more (an adult linked to hundreds) has only its strongest ties considered on the first
# answer; "show more" then checks all of them. Keeps the one permission query small.
SCAN_PER_NODE = 200
MAX_CANDIDATES = 6_000
# "Show more" checks every neighbour of one hub, up to this many, in one query.
MAX_HUB_SCAN = 20_000

KIND_LABELS: dict[str, str] = {
    **dict(AssociationKind.choices),
    **dict(ContextLinkKind.choices),
    CO_OCCURRENCE: "Recorded in the same event",
}
RELIABILITY_LABELS: dict[str, str] = dict(Reliability.choices)


# --- loading -----------------------------------------------------------------------------------


@dataclass(slots=True)
class PartnershipGraph:
    index: NetworkIndex
    # Restricted events (seen only by the agency that recorded them): event id -> agency id.
    restricted_events: dict[int, int]
    version: tuple[int, ...]
    built_at: float


_lock = threading.Lock()
_cached: PartnershipGraph | None = None
_generation = 0


def _bump(**_: Any) -> None:
    global _generation
    _generation += 1


def _bump_on_merge(instance: Person, **_: Any) -> None:
    # A merge moves links with QuerySet.update (no signals) and then saves merged_into.
    if instance.merged_into_id is not None:
        _bump()


for _model in (Association, ContextLink, Event, EventParticipant):
    post_save.connect(_bump, sender=_model, dispatch_uid=f"mapping.graph.save.{_model.__name__}")
    post_delete.connect(
        _bump, sender=_model, dispatch_uid=f"mapping.graph.delete.{_model.__name__}"
    )
post_save.connect(_bump_on_merge, sender=Person, dispatch_uid="mapping.graph.merge")


def graph_version() -> tuple[int, ...]:
    """This process's generation and the largest id of each table the graph is built from."""
    tables = [m._meta.db_table for m in (Association, ContextLink, EventParticipant, Event)]
    quote = connection.ops.quote_name
    # Table names come from model metadata, never from input.
    maxima = ", ".join(f"(SELECT MAX(id) FROM {quote(t)})" for t in tables)  # noqa: S608
    sql = f"SELECT {maxima}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return (_generation, *(int(v or 0) for v in row))


def partnership_graph() -> PartnershipGraph:
    """The cached graph, rebuilt if the data changed (see the module docstring).

    At county scale a rebuild takes tens of seconds, so in production
    (``NETWORK_GRAPH_BACKGROUND``) a worker that already holds a graph keeps answering from it
    while one thread rebuilds, at most once every ``NETWORK_GRAPH_MIN_INTERVAL`` seconds; only
    a worker with no graph at all builds in the request. Tests and the demo rebuild at once.
    """
    global _cached
    version = graph_version()
    current = _cached
    if current and not _stale(current, version):
        return current
    if current and getattr(settings, "NETWORK_GRAPH_BACKGROUND", False):
        min_interval = float(getattr(settings, "NETWORK_GRAPH_MIN_INTERVAL", 300))
        if time.monotonic() - current.built_at >= min_interval:
            _rebuild_in_background(version)
        return current
    with _lock:
        current = _cached
        if current and not _stale(current, version):
            return current
        index, restricted = build_partnership_index()
        _cached = PartnershipGraph(index, restricted, version, time.monotonic())
        return _cached


def _stale(graph: PartnershipGraph, version: tuple[int, ...]) -> bool:
    max_age = float(getattr(settings, "NETWORK_GRAPH_MAX_AGE", 600))
    return graph.version != version or time.monotonic() - graph.built_at >= max_age


_rebuilding = threading.Event()


def _rebuild_in_background(version: tuple[int, ...]) -> None:
    if _rebuilding.is_set():
        return
    _rebuilding.set()

    def rebuild() -> None:
        global _cached
        try:
            index, restricted = build_partnership_index()
            with _lock:
                _cached = PartnershipGraph(index, restricted, version, time.monotonic())
        finally:
            # The thread had its own database connection; give it back.
            connections.close_all()
            _rebuilding.clear()

    threading.Thread(target=rebuild, name="partnership-graph", daemon=True).start()


def partnership_index() -> NetworkIndex:
    """The whole partnership's ``NetworkIndex``, cached per process and kept current."""
    return partnership_graph().index


def forget_partnership_graph() -> None:
    """Drop the cached graph (tests and benchmarks that want a cold build)."""
    global _cached
    with _lock:
        _cached = None


def build_partnership_index() -> tuple[NetworkIndex, dict[int, int]]:
    """Read every link from the database, streamed as tuples, and build the index.

    No model instance is created per row: at county scale (500,000 links, 1,000,000 events)
    that alone would take longer than building the graph.
    """
    agencies = dict(Agency.objects.values_list("id", "name"))
    restricted: dict[int, int] = {}
    edges: list[Edge] = []
    edges.extend(_association_edges(agencies))
    edges.extend(_context_link_edges(agencies))
    edges.extend(_co_occurrence_edges(agencies, restricted))
    kinds: dict[NodeId, str] = {
        person_node(pk): kind
        for pk, kind in Person.objects.filter(merged_into__isnull=True)
        .order_by()
        .values_list("id", "kind")
        .iterator(chunk_size=CHUNK)
    }
    kinds.update(
        (context_node(pk), CONTEXT)
        for pk in Context.objects.order_by().values_list("id", flat=True).iterator(CHUNK)
    )
    # Kinds for every node on an edge; nodes without links are not in the graph (a record with
    # no links gets a one-node answer without consulting it).
    on_edges = {e.source for e in edges} | {e.target for e in edges}
    index = NetworkIndex.build(edges, node_kinds={n: kinds[n] for n in on_edges if n in kinds})
    return index, restricted


_LONDON = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _day(moment: Any) -> Any:
    return moment.astimezone(_LONDON).date() if moment is not None else None


def _association_edges(agencies: dict[int, str]) -> Iterator[Edge]:
    rows = (
        Association.objects.order_by()
        .values_list(
            "id",
            "person_id",
            "other_id",
            "kind",
            "source",
            "reliability",
            "created_at",
            "recording_agency_id",
        )
        .iterator(chunk_size=CHUNK)
    )
    for pk, a, b, kind, source, reliability, created, agency in rows:
        evidence = Evidence(
            source, _day(created), reliability, agencies[agency], f"association:{pk}"
        )
        yield Edge(person_node(a), person_node(b), kind, evidence)


def _context_link_edges(agencies: dict[int, str]) -> Iterator[Edge]:
    # A link naming someone by initials only stays on the child's file and is not in the graph.
    rows = (
        ContextLink.objects.filter(person__isnull=False)
        .order_by()
        .values_list(
            "id",
            "person_id",
            "context_id",
            "kind",
            "source",
            "reliability",
            "created_at",
            "recording_agency_id",
        )
        .iterator(chunk_size=CHUNK)
    )
    for pk, person, context, kind, source, reliability, created, agency in rows:
        evidence = Evidence(source, _day(created), reliability, agencies[agency], f"link:{pk}")
        yield Edge(person_node(person), context_node(context), kind, evidence)


def _co_occurrence_edges(agencies: dict[int, str], restricted: dict[int, int]) -> Iterator[Edge]:
    """Pairs of people named in the same event, from events naming 2 to 12 people.

    The GROUP BY that picks those events runs in the database, so events naming one person
    (most of them) never reach Python.
    """
    shared = (
        EventParticipant.objects.order_by()
        .values("event_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2, n__lte=MAX_CO_OCCURRENCE_PARTICIPANTS)
        .values("event_id")
    )
    rows = (
        EventParticipant.objects.filter(event_id__in=shared)
        .order_by("event_id", "person_id")
        .values_list(
            "event_id",
            "person_id",
            "event__kind",
            "event__occurred_at",
            "event__recording_agency_id",
            "event__sensitivity",
        )
        .iterator(chunk_size=CHUNK)
    )
    sources = {k: f"both recorded in the same {label.lower()}" for k, label in EventKind.choices}
    current: int | None = None
    people: list[int] = []
    evidence: Evidence | None = None
    for event, person, kind, occurred, agency, sensitivity in rows:
        if event != current:
            yield from _pairs(people, evidence)
            current, people = event, []
            # Being named in the same event record is what the agency recorded; whether they
            # know each other is still only reported, never confirmed.
            evidence = Evidence(
                sources.get(kind, "both recorded in the same event"),
                _day(occurred),
                Reliability.REPORTED.value,
                agencies[agency],
                f"event:{event}",
            )
            if sensitivity == Sensitivity.RESTRICTED:
                restricted[event] = agency
        people.append(person)
    yield from _pairs(people, evidence)


def _pairs(people: list[int], evidence: Evidence | None) -> Iterator[Edge]:
    if evidence is None:
        return
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            yield Edge(person_node(a), person_node(b), CO_OCCURRENCE, evidence)


# --- the viewer's neighbourhood ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observation:
    """One observation behind a line on the map, as the viewer sees it."""

    kind: str
    source: str
    recorded_on: Any  # a date, or None
    reliability: str
    recording_agency: str

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "date": self.recorded_on.isoformat() if self.recorded_on else None,
            "reliability": self.reliability,
            "agency": self.recording_agency,
        }


@dataclass(frozen=True, slots=True)
class MapNode:
    id: NodeId
    kind: str  # a PersonKind value, or "context"
    description: str  # "Young person", "Location" ...
    label: str
    depth: int
    more: int  # visible neighbours not drawn yet ("show N more")
    url: str

    @property
    def is_context(self) -> bool:
        return self.id.startswith("context:")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "description": self.description,
            "label": self.label,
            "depth": self.depth,
            "more": self.more,
            "url": self.url,
            "place": self.is_context,
        }


@dataclass(frozen=True, slots=True)
class MapEdge:
    source: NodeId
    target: NodeId
    kinds: tuple[str, ...]
    observations: tuple[Observation, ...]

    @property
    def id(self) -> str:
        return f"{self.source}|{self.target}"

    @property
    def summary(self) -> str:
        n = len(self.observations)
        return f"{', '.join(self.kinds)} · {n} observation{'s' if n != 1 else ''}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "kinds": list(self.kinds),
            "label": self.summary,
            "observations": [o.as_json() for o in self.observations],
        }


@dataclass(slots=True)
class ViewerNeighbourhood:
    centre: NodeId
    depth: int
    nodes: list[MapNode]
    edges: list[MapEdge]
    # The node limit stopped the walk, or a hub's ties were only partly checked: more may be
    # linked than is drawn.
    truncated: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "centre": self.centre,
            "depth": self.depth,
            "truncated": self.truncated,
            "nodes": [n.as_json() for n in self.nodes],
            "edges": [e.as_json() for e in self.edges],
        }


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the viewer may see among some nodes: labels and kinds of the visible ones."""

    people: dict[int, tuple[str, str]]  # pk -> (kind, display name)
    contexts: dict[int, tuple[str, str]]  # pk -> (kind label, name)

    def visible(self, node: NodeId) -> bool:
        prefix, _, pk = node.partition(":")
        if prefix == "person":
            return int(pk) in self.people
        return int(pk) in self.contexts


def _display_name(given: str, family: str, known_as: str) -> str:
    # As Person.display_name, without building the model instance.
    full = f"{given} {family}".strip()
    return f"{full} ({known_as})" if known_as else full


def _ids(nodes: Iterable[NodeId], prefix: str) -> list[int]:
    start = len(prefix) + 1
    return [int(n[start:]) for n in nodes if n.startswith(prefix + ":")]


def _seen_by(viewer: Any, nodes: Iterable[NodeId]) -> _Seen:
    """One query for the people among ``nodes`` the viewer may open (the rule of
    ``visible_people``), and one for contexts if the viewer may see contexts at all."""
    wanted = list(nodes)
    people = {
        pk: (kind, _display_name(g, f, k))
        for pk, kind, g, f, k in visible_people(viewer)
        .filter(pk__in=_ids(wanted, "person"))
        .order_by()
        .values_list("pk", "kind", "given_name", "family_name", "known_as")
    }
    contexts: dict[int, tuple[str, str]] = {}
    context_ids = _ids(wanted, "context")
    if context_ids and viewer.has_perm("contexts.view_context"):
        kinds = dict(ContextKind.choices)
        contexts = {
            pk: (kinds.get(kind, "Context"), name)
            for pk, kind, name in Context.objects.filter(pk__in=context_ids)
            .order_by()
            .values_list("pk", "kind", "name")
        }
    return _Seen(people, contexts)


def _evidence_rule(viewer: Any, restricted: dict[int, int]) -> Any:
    """Restricted events are evidence only for the agency that recorded them (as
    ``events.selectors.visible_events_q``). Other observations are seen with their records."""
    agency = viewer.agency_id

    def visible(evidence: Evidence) -> bool:
        record = evidence.record
        if not record.startswith("event:"):
            return True
        owner = restricted.get(int(record[6:]))
        return owner is None or owner == agency

    return visible


def _strongest(index: NetworkIndex, v: int, limit: int) -> list[int]:
    """``v``'s neighbours, most observations first, at most ``limit`` of them."""
    eids = np.asarray(index.graph.incident(v), dtype=np.int64)
    if len(eids) == 0:
        return []
    ends = index.ends[eids]
    others = np.where(ends[:, 0] == v, ends[:, 1], ends[:, 0])
    if len(eids) > limit:
        strength = index.offsets[eids + 1] - index.offsets[eids]
        keep = np.argsort(-strength, kind="stable")[:limit]
        others = others[keep]
    return list(others.tolist())


def _candidates(index: NetworkIndex, start: int, depth: int) -> tuple[set[int], bool]:
    """Every node the permission-filtered walk could look at, without knowing permissions.

    A superset, so one query can settle visibility for the whole walk; exact unless a node has
    more than ``SCAN_PER_NODE`` neighbours or the ball exceeds ``MAX_CANDIDATES``, in which case
    the answer is marked truncated (it may miss, never add).
    """
    seen = {start}
    frontier = [start]
    partial = False
    for _ in range(depth):
        following: list[int] = []
        for v in frontier:
            if index.graph.degree(v) > SCAN_PER_NODE:
                partial = True
            for u in _strongest(index, v, SCAN_PER_NODE):
                if u not in seen:
                    if len(seen) >= MAX_CANDIDATES:
                        return seen, True
                    seen.add(u)
                    following.append(u)
        frontier = following
    return seen, partial


def _node_of(node: NodeId, seen: _Seen, depth: int, more: int) -> MapNode:
    prefix, _, raw = node.partition(":")
    pk = int(raw)
    if prefix == "person":
        kind, label = seen.people[pk]
        description = PersonKind(kind).label if kind in PersonKind.values else "Person"
        url = reverse("people:profile", args=[pk])
    else:
        description, label = seen.contexts[pk]
        kind, url = CONTEXT, reverse("contexts:profile", args=[pk])
    return MapNode(node, kind, description, label, depth, more, url)


def _edge_of(source: NodeId, target: NodeId, evidence: Iterable[Edge]) -> MapEdge:
    observed = sorted(
        evidence,
        key=lambda e: (e.evidence.recorded_on is None, e.evidence.recorded_on),
        reverse=True,
    )
    observations = tuple(
        Observation(
            KIND_LABELS.get(e.kind, e.kind.replace("_", " ")),
            e.evidence.source,
            e.evidence.recorded_on,
            RELIABILITY_LABELS.get(e.evidence.reliability, e.evidence.reliability),
            e.evidence.recording_agency,
        )
        for e in observed
    )
    kinds = tuple(dict.fromkeys(o.kind for o in observations))
    return MapEdge(source, target, kinds, observations)


def neighbourhood_for_viewer(
    viewer: Any,
    node: NodeId,
    depth: int = 1,
    *,
    cap: int = HUB_CAP,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> ViewerNeighbourhood:
    """The people and contexts within ``depth`` (1-3) of ``node`` that ``viewer`` may see.

    Hidden people are omitted and never walked through (``mapping.network.neighbourhood``);
    observations from restricted events of another agency are not evidence for this viewer,
    and a line with no other evidence is not drawn. Queries: the graph version, the people the
    viewer may open among the candidates, and contexts — the same count whatever the size.

    Raises ``LookupError`` if the viewer may not see ``node``. The caller authorises and
    audits the read of the centre record first (``access.guard.authorize``).
    """
    if not 1 <= depth <= 3:
        raise ValueError("depth must be 1, 2 or 3")
    graph = partnership_graph()
    index = graph.index
    start = index.position.get(node)
    if start is None:
        seen = _seen_by(viewer, [node])
        if not seen.visible(node):
            raise LookupError(node)
        return ViewerNeighbourhood(node, depth, [_node_of(node, seen, 0, 0)], [])
    candidates, partial = _candidates(index, start, depth)
    seen = _seen_by(viewer, (index.node_ids[v] for v in candidates))
    if not seen.visible(node):
        raise LookupError(node)
    found: Neighbourhood = neighbourhood(
        index,
        node,
        depth=depth,
        visible=seen.visible,
        evidence_visible=_evidence_rule(viewer, graph.restricted_events),
        cap=cap,
        max_nodes=max_nodes,
    )
    nodes = [_node_of(n.id, seen, n.depth, n.more) for n in found.nodes]
    nodes.sort(key=lambda n: (n.depth, n.is_context, n.label.lower(), n.id))
    edges = [_edge_of(e.source, e.target, e.evidence) for e in found.edges]
    return ViewerNeighbourhood(node, depth, nodes, edges, found.truncated or partial)


@dataclass(slots=True)
class HubPage:
    """The next of a hub's visible neighbours, for "show more"."""

    hub: NodeId
    nodes: list[MapNode]
    edges: list[MapEdge]
    remaining: int

    def as_json(self) -> dict[str, Any]:
        return {
            "hub": self.hub,
            "nodes": [n.as_json() for n in self.nodes],
            "edges": [e.as_json() for e in self.edges],
            "remaining": self.remaining,
        }


def hub_neighbours(
    viewer: Any, hub: NodeId, *, skip: Iterable[NodeId] = (), limit: int = HUB_CAP
) -> HubPage:
    """Up to ``limit`` more of ``hub``'s visible neighbours, strongest ties first.

    ``skip`` is what the viewer's map already shows. Every neighbour of the hub (up to
    ``MAX_HUB_SCAN``) is checked in one query, so ``remaining`` counts only what this viewer may
    see. Raises ``LookupError`` if the viewer may not see ``hub``.
    """
    graph = partnership_graph()
    index = graph.index
    v = index.position.get(hub)
    if v is None:
        raise LookupError(hub)
    neighbours = _strongest(index, v, MAX_HUB_SCAN)
    seen = _seen_by(viewer, [hub, *(index.node_ids[u] for u in neighbours)])
    if not seen.visible(hub):
        raise LookupError(hub)
    rule = _evidence_rule(viewer, graph.restricted_events)
    shown = set(skip)
    nodes: list[MapNode] = []
    edges: list[MapEdge] = []
    remaining = 0
    for u in neighbours:
        other = index.node_ids[u]
        if other in shown or not seen.visible(other):
            continue
        evidence = [e for e in index.observed(index.graph.get_eid(v, u)) if rule(e.evidence)]
        if not evidence:
            continue
        if len(nodes) >= limit:
            remaining += 1
            continue
        nodes.append(_node_of(other, seen, 0, 0))
        edges.append(_edge_of(hub, other, evidence))
    return HubPage(hub, nodes, edges, remaining)


__all__ = [
    "HUB_CAP",
    "HubPage",
    "MapEdge",
    "MapNode",
    "Observation",
    "PartnershipGraph",
    "ViewerNeighbourhood",
    "build_partnership_index",
    "forget_partnership_graph",
    "graph_version",
    "hub_neighbours",
    "neighbourhood_for_viewer",
    "partnership_graph",
    "partnership_index",
]
