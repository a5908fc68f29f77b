"""The graph of people and contexts: neighbourhoods, possible peer groups, and connectors.

A pure engine over edge lists. Nothing here queries the database except the thin loader
``edges_from_records``, which turns already-fetched model instances into ``Edge`` values; every
algorithm takes a ``NetworkIndex`` and plain callables, so it is testable without Django.

Contextual Safeguarding guidance warns that association must never be "used as fact", and the
Gangs Matrix showed what happens when a list of names with links becomes a label. So:

* every edge keeps every observation behind it (source, date, reliability, recording agency,
  record) and is shown with it;
* clusters are *suggestions for a practitioner* to look at, with a plain-English reason, never a
  finding about a child;
* connectors are only ever adults of concern and contexts; this module refuses to rank children.

Node ids are strings: ``"person:<id>"`` and ``"context:<id>"``.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import igraph as ig  # type: ignore[import-untyped]  # igraph ships no py.typed marker
import numpy as np
import numpy.typing as npt

NodeId = str
CO_OCCURRENCE = "co_occurrence"
YOUNG_PERSON = "young_person"
ADULT_OF_CONCERN = "adult_of_concern"
CONTEXT = "context"
# The only node kinds ``connectors`` will ever rank. Children are deliberately absent.
CONNECTOR_KINDS = frozenset({ADULT_OF_CONCERN, CONTEXT})
# A party or a police operation can list dozens of participants; joining every pair would draw a
# dense clique that says more about the size of the event than about who knows whom.
MAX_CO_OCCURRENCE_PARTICIPANTS = 12
DEFAULT_MAX_NODES = 400
SUGGESTION_NOTE = (
    "This is a suggestion for a practitioner to consider, built from recorded observations; "
    "it is not a finding about any child."
)


def person_node(pk: object) -> NodeId:
    return f"person:{pk}"


def context_node(pk: object) -> NodeId:
    return f"context:{pk}"


def default_kind(node: NodeId) -> str:
    """``context`` for a context; ``person`` (unknown kind, never a connector) for a person."""
    return CONTEXT if node.startswith("context:") else "person"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation behind an edge: who told us, when, how sure, which agency, which record."""

    source: str
    recorded_on: date | None
    reliability: str
    recording_agency: str
    record: str  # e.g. "association:12", "context_link:4", "event:99"


@dataclass(frozen=True, slots=True)
class Edge:
    source: NodeId
    target: NodeId
    kind: str  # an AssociationKind, a ContextLinkKind, or "co_occurrence"
    evidence: Evidence


@dataclass(slots=True)
class NetworkIndex:
    """An undirected igraph ``Graph`` with parallel observations collapsed into one edge.

    ``observed(eid)`` lists every ``Edge`` (observation) behind igraph edge ``eid``; the edge's
    ``weight`` attribute is how many there are. The grouping is kept as a compressed array
    (``order`` sliced by ``offsets``) rather than a Python list per edge: at county scale that is
    the difference between about half a second and two seconds to build.
    """

    graph: Any
    node_ids: list[NodeId]
    position: dict[NodeId, int]
    kinds: list[str]
    labels: Mapping[NodeId, str]
    observations: list[Edge]
    order: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    edge_of: npt.NDArray[np.int64]  # igraph edge of each observation
    ends: npt.NDArray[np.int64]  # (edges, 2) endpoints, as igraph numbers them

    @classmethod
    def build(
        cls,
        edges: Iterable[Edge],
        *,
        node_kinds: Mapping[NodeId, str] | None = None,
        labels: Mapping[NodeId, str] | None = None,
        nodes: Iterable[NodeId] = (),
    ) -> NetworkIndex:
        position: dict[NodeId, int] = {}
        at = position.setdefault
        for node in nodes:
            at(node, len(position))
        observations = [e for e in edges if e.source != e.target]
        a = np.array([at(e.source, len(position)) for e in observations], dtype=np.int64)
        b = np.array([at(e.target, len(position)) for e in observations], dtype=np.int64)
        n = max(len(position), 1)
        keys = np.minimum(a, b) * n + np.maximum(a, b)
        pairs, eid_of = np.unique(keys, return_inverse=True)
        order = np.argsort(eid_of, kind="stable").astype(np.int64)
        counts = np.bincount(eid_of, minlength=len(pairs))
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        ends = np.column_stack((pairs // n, pairs % n)).astype(np.int64)
        # igraph converts a list of tuples of Python ints several times faster than an array.
        edge_list = list(zip(ends[:, 0].tolist(), ends[:, 1].tolist(), strict=True))
        graph = ig.Graph(n=len(position), edges=edge_list, directed=False)
        graph.es["weight"] = counts.tolist()
        node_ids = list(position)
        given = node_kinds or {}
        kinds = [given.get(v) or default_kind(v) for v in node_ids]
        return cls(
            graph,
            node_ids,
            position,
            kinds,
            dict(labels or {}),
            observations,
            order,
            offsets,
            eid_of.astype(np.int64),
            ends,
        )

    def strength(self, eid: int) -> int:
        """How many observations lie behind edge ``eid``."""
        return int(self.offsets[eid + 1] - self.offsets[eid])

    def observed(self, eid: int) -> list[Edge]:
        start, end = self.offsets[eid], self.offsets[eid + 1]
        return [self.observations[i] for i in self.order[start:end]]

    def kind(self, node: NodeId) -> str:
        return self.kinds[self.position[node]]

    def degree(self, node: NodeId) -> int:
        return int(self.graph.degree(self.position[node]))


# --- Neighbourhood -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NetworkNode:
    id: NodeId
    kind: str
    label: str
    depth: int
    more: int = 0  # visible neighbours not shown because this node is a hub ("and N more")


@dataclass(frozen=True, slots=True)
class NetworkEdge:
    source: NodeId
    target: NodeId
    kinds: tuple[str, ...]
    evidence: tuple[Edge, ...]


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    centre: NodeId
    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...]
    truncated: bool  # the overall node limit stopped the walk early


def _strength_order(index: NetworkIndex, v: int, neighbours: Sequence[int]) -> list[int]:
    """Strongest ties first (most observations), ties broken by node id for stable output."""
    g = index.graph
    return sorted(
        neighbours,
        key=lambda u: (-index.strength(g.get_eid(v, u)), index.node_ids[u]),
    )


def neighbourhood(
    index: NetworkIndex,
    node: NodeId,
    *,
    depth: int = 1,
    visible: Callable[[NodeId], bool],
    evidence_visible: Callable[[Evidence], bool] | None = None,
    cap: int = 50,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Neighbourhood:
    """The nodes and edges within ``depth`` (1-3) of ``node`` that the viewer may see.

    Nodes the viewer may not see are **omitted**, not shown as anonymous "restricted" nodes, and
    the walk never passes *through* them. An anonymous node still discloses that a child has a
    link, how many, and of what kind ("linked to a restricted adult of concern, reported by
    police") — often the most sensitive fact in the record — and a path through a hidden node
    would disclose an indirect link between two visible ones. Hidden nodes are not counted in
    "and N more" either. The cost is that a viewer's map may be incomplete; the profile page says
    so ("only records you may see are shown"), which is true of every page in the service.

    ``evidence_visible`` filters the observations behind an edge (a record held by an agency the
    viewer cannot read); an edge left with no visible observation is dropped.

    A node with more than ``cap`` visible neighbours is a hub: only its ``cap`` strongest ties are
    followed and the rest are reported as ``more``. ``max_nodes`` bounds the whole answer, so a
    depth-3 walk around hubs can never grow without limit.
    """
    if not 1 <= depth <= 3:
        raise ValueError("depth must be 1, 2 or 3")
    if node not in index.position or not visible(node):
        raise LookupError(node)
    g = index.graph
    start = index.position[node]
    depth_of: dict[int, int] = {start: 0}
    capped: dict[int, list[int]] = {}
    frontier = [start]
    truncated = False
    for d in range(1, depth + 1):
        following: list[int] = []
        for v in frontier:
            shown = [u for u in g.neighbors(v) if visible(index.node_ids[u])]
            if evidence_visible is not None:
                shown = [u for u in shown if _visible_evidence(index, v, u, evidence_visible)]
            if len(shown) > cap:
                shown = _strength_order(index, v, shown)
                capped[v] = shown[cap:]
                shown = shown[:cap]
            for u in shown:
                if u in depth_of:
                    continue
                if len(depth_of) >= max_nodes:
                    truncated = True
                    break
                depth_of[u] = d
                following.append(u)
        frontier = following
    # A capped neighbour that arrived by another path is on the map, so not one of the "more".
    more = {v: sum(1 for u in rest if u not in depth_of) for v, rest in capped.items()}
    return Neighbourhood(
        centre=node,
        nodes=tuple(_network_node(index, v, d, more.get(v, 0)) for v, d in depth_of.items()),
        edges=_edges_among(index, depth_of.keys(), evidence_visible),
        truncated=truncated,
    )


def _visible_evidence(
    index: NetworkIndex, v: int, u: int, evidence_visible: Callable[[Evidence], bool]
) -> bool:
    return any(evidence_visible(e.evidence) for e in index.observed(index.graph.get_eid(v, u)))


def _network_node(index: NetworkIndex, v: int, depth: int, more: int) -> NetworkNode:
    node = index.node_ids[v]
    return NetworkNode(node, index.kinds[v], index.labels.get(node, ""), depth, more)


def _edges_among(
    index: NetworkIndex,
    included: Collection[int],
    evidence_visible: Callable[[Evidence], bool] | None,
) -> tuple[NetworkEdge, ...]:
    g = index.graph
    eids = np.unique(np.fromiter((e for v in included for e in g.incident(v)), np.int64))
    ends = index.ends[eids]
    nodes = np.fromiter(included, np.int64)
    keep = np.isin(ends[:, 0], nodes) & np.isin(ends[:, 1], nodes)
    result: list[NetworkEdge] = []
    for eid, (a, b) in zip(eids[keep].tolist(), ends[keep].tolist(), strict=True):
        observed = [
            e
            for e in index.observed(eid)
            if evidence_visible is None or evidence_visible(e.evidence)
        ]
        if observed:
            kinds = tuple(sorted({e.kind for e in observed}))
            result.append(NetworkEdge(index.node_ids[a], index.node_ids[b], kinds, tuple(observed)))
    result.sort(key=lambda e: (e.source, e.target))
    return tuple(result)


# --- Communities ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cluster:
    """A group that the links suggest may be a peer group; a prompt to look, not a label."""

    people: tuple[NodeId, ...]
    contexts: tuple[NodeId, ...]
    shared_places: tuple[tuple[NodeId, int], ...]  # context, how many of the people link to it
    links_by_kind: tuple[tuple[str, int], ...]
    links_by_reliability: tuple[tuple[str, int], ...]
    recorded: bool  # already matches a recorded peer-group context
    explanation: str


@dataclass(frozen=True, slots=True)
class Communities:
    membership: tuple[int, ...]  # cluster number per vertex (as in ``index.node_ids``)
    modularity: float
    clusters: tuple[Cluster, ...]


def communities(
    index: NetworkIndex,
    *,
    recorded_groups: Iterable[Collection[NodeId]] = (),
    min_people: int = 3,
    overlap: float = 0.5,
    seed: int = 1,
) -> Communities:
    """Leiden clusters (modularity, weighted by the number of observations behind each tie).

    A cluster counts as ``recorded`` when at least ``overlap`` of its people are members of one
    of ``recorded_groups`` (the member sets of existing peer-group contexts); the others are
    candidates for the suggested-contexts queue. Clusters with fewer than ``min_people`` people
    are not reported.
    """
    g = index.graph
    # igraph's Leiden draws from a process-wide generator; seed it so the queue is reproducible,
    # and put the default back so nothing else in the process is affected. Two iterations (the
    # default) reach within 0.001 of the modularity of iterating to a fixed point, five times
    # faster.
    ig.set_random_number_generator(random.Random(seed))  # noqa: S311  # not security
    try:
        partition = g.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=2
        )
    finally:
        ig.set_random_number_generator(random)
    membership = np.asarray(partition.membership, dtype=np.int64)
    is_context = np.array([k == CONTEXT for k in index.kinds], dtype=bool)
    people_per_cluster = np.bincount(membership[~is_context], minlength=len(partition))
    wanted = set(np.flatnonzero(people_per_cluster >= min_people).tolist())
    members: dict[int, list[int]] = defaultdict(list)
    for v, c in enumerate(membership.tolist()):
        if c in wanted:
            members[c].append(v)
    tally = _Tally.count(index, membership, is_context, wanted)
    groups = [frozenset(group) for group in recorded_groups]
    clusters = [_cluster(index, vs, tally, c, groups, overlap) for c, vs in members.items()]
    clusters.sort(key=lambda c: (c.recorded, -len(c.people), c.people))
    return Communities(
        tuple(membership.tolist()),
        0.0 if g.ecount() == 0 else float(partition.modularity),
        tuple(clusters),
    )


@dataclass(slots=True)
class _Tally:
    """Per cluster: observations inside it by kind and by reliability, and people per place."""

    by_kind: dict[int, Counter[str]]
    by_reliability: dict[int, Counter[str]]
    places: dict[int, Counter[NodeId]]

    @classmethod
    def count(
        cls,
        index: NetworkIndex,
        membership: npt.NDArray[np.int64],
        is_context: npt.NDArray[np.bool_],
        wanted: set[int],
    ) -> _Tally:
        # Vectorised: a Python loop over every observation took longer than Leiden itself.
        a, b = index.ends[:, 0], index.ends[:, 1]
        inside = (membership[a] == membership[b])[index.edge_of]
        cluster = membership[a][index.edge_of]
        tally = cls(defaultdict(Counter), defaultdict(Counter), defaultdict(Counter))
        kinds = [e.kind for e in index.observations]
        reliabilities = [e.evidence.reliability for e in index.observations]
        for values, into in ((kinds, tally.by_kind), (reliabilities, tally.by_reliability)):
            names = list(dict.fromkeys(values))
            code_of = {name: i for i, name in enumerate(names)}
            codes = np.fromiter(map(code_of.__getitem__, values), np.int64, count=len(values))
            _add(into, cluster[inside], codes[inside], len(names), names.__getitem__, wanted)
        person_context = is_context[a] != is_context[b]
        person = np.where(is_context[a], b, a)[person_context]
        context = np.where(is_context[a], a, b)[person_context]
        _add(
            tally.places,
            membership[person],
            context,
            len(index.node_ids),
            index.node_ids.__getitem__,
            wanted,
        )
        return tally


def _add(
    into: dict[int, Counter[str]],
    clusters: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    n_codes: int,
    name: Callable[[int], str],
    wanted: set[int],
) -> None:
    pairs, counts = np.unique(clusters * max(n_codes, 1) + codes, return_counts=True)
    for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
        c, code = divmod(pair, max(n_codes, 1))
        if c in wanted:
            into[c][name(code)] += count


def _cluster(
    index: NetworkIndex,
    vs: list[int],
    tally: _Tally,
    c: int,
    groups: list[frozenset[NodeId]],
    overlap: float,
) -> Cluster:
    people = sorted(index.node_ids[v] for v in vs if index.kinds[v] != CONTEXT)
    contexts = sorted(index.node_ids[v] for v in vs if index.kinds[v] == CONTEXT)
    by_kind, by_reliability = tally.by_kind[c], tally.by_reliability[c]
    places = tally.places[c]
    shared = sorted(((p, n) for p, n in places.items() if n >= 2), key=lambda p: (-p[1], p[0]))
    recorded = any(len(group.intersection(people)) >= overlap * len(people) for group in groups)
    return Cluster(
        people=tuple(people),
        contexts=tuple(contexts),
        shared_places=tuple(shared),
        links_by_kind=tuple(sorted(by_kind.items())),
        links_by_reliability=tuple(sorted(by_reliability.items())),
        recorded=recorded,
        explanation=_explain_cluster(index, len(people), shared, by_kind, by_reliability, recorded),
    )


def _explain_cluster(
    index: NetworkIndex,
    n_people: int,
    shared: list[tuple[NodeId, int]],
    by_kind: Counter[str],
    by_reliability: Counter[str],
    recorded: bool,
) -> str:
    total = sum(by_kind.values())
    kinds = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(by_kind.items()))
    reliabilities = ", ".join(f"{n} {r}" for r, n in sorted(by_reliability.items()))
    parts = [
        f"{n_people} people are more closely linked to each other than to anyone else: "
        f"{total} recorded observations ({kinds}; reliability: {reliabilities})."
    ]
    if shared:
        names = ", ".join(f"{index.labels.get(c) or c} ({n} of them)" for c, n in shared[:5])
        parts.append(f"They share these places or contexts: {names}.")
    parts.append(
        "It overlaps a recorded peer group."
        if recorded
        else "No recorded peer-group context covers most of them yet."
    )
    parts.append(SUGGESTION_NOTE)
    return " ".join(parts)


# --- Connectors ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connector:
    node: NodeId
    kind: str
    young_people: tuple[NodeId, ...]
    clusters: int  # how many different clusters its young people fall in
    participation: float  # 1 - sum((links into cluster / links)^2); 0 = all in one cluster
    evidence: tuple[Edge, ...]
    explanation: str


def connectors(
    index: NetworkIndex,
    *,
    kinds: Collection[str] = CONNECTOR_KINDS,
    membership: Sequence[int] | None = None,
    min_young_people: int = 3,
    min_clusters: int = 2,
) -> tuple[Connector, ...]:
    """Adults of concern and contexts that link many young people or several clusters.

    Only nodes whose kind is in ``CONNECTOR_KINDS`` are ever considered: asking for any other
    kind (a young person above all) raises ``ValueError``. A node qualifies when it links at least
    ``min_young_people`` young people, or young people in at least ``min_clusters`` clusters
    (``membership`` from ``communities``). Each answer lists the evidence, for a practitioner to
    weigh; the order (most young people, then most clusters) is for reading, not a risk score.
    """
    asked = frozenset(kinds)
    if not asked <= CONNECTOR_KINDS:
        raise ValueError(f"connectors ranks only {sorted(CONNECTOR_KINDS)}, never {asked}")
    g = index.graph
    found: list[Connector] = []
    for v, kind in enumerate(index.kinds):
        if kind not in asked:
            continue
        young = [u for u in g.neighbors(v) if index.kinds[u] == YOUNG_PERSON]
        if not young:
            continue
        per_cluster = Counter(membership[u] for u in young) if membership else Counter()
        if len(young) < min_young_people and len(per_cluster) < min_clusters:
            continue
        share = sum((n / len(young)) ** 2 for n in per_cluster.values())
        evidence = tuple(e for u in sorted(young) for e in index.observed(g.get_eid(v, u)))
        found.append(
            Connector(
                node=index.node_ids[v],
                kind=kind,
                young_people=tuple(sorted(index.node_ids[u] for u in young)),
                clusters=len(per_cluster),
                participation=round(1 - share, 3) if per_cluster else 0.0,
                evidence=evidence,
                explanation=_explain_connector(len(young), len(per_cluster), evidence),
            )
        )
    found.sort(key=lambda c: (-len(c.young_people), -c.clusters, c.node))
    return tuple(found)


def _explain_connector(n_young: int, n_clusters: int, evidence: Sequence[Edge]) -> str:
    by_kind = Counter(e.kind.replace("_", " ") for e in evidence)
    by_reliability = Counter(e.evidence.reliability for e in evidence)
    agencies = sorted({e.evidence.recording_agency for e in evidence})
    text = (
        f"Linked to {n_young} young people by {len(evidence)} recorded observations "
        f"({', '.join(f'{n} {k}' for k, n in sorted(by_kind.items()))}; reliability: "
        f"{', '.join(f'{n} {r}' for r, n in sorted(by_reliability.items()))}), "
        f"recorded by {', '.join(agencies)}."
    )
    if n_clusters > 1:
        text += f" These young people fall in {n_clusters} different clusters."
    return f"{text} {SUGGESTION_NOTE}"


# --- Loader -------------------------------------------------------------------------------------


class _Observed(Protocol):
    pk: Any
    source: str
    reliability: str
    created_at: Any
    recording_agency: Any


def _evidence(link: _Observed, record: str) -> Evidence:
    return Evidence(
        source=link.source,
        recorded_on=link.created_at.date(),
        reliability=link.reliability,
        recording_agency=str(link.recording_agency),
        record=f"{record}:{link.pk}",
    )


def edges_from_records(
    *,
    associations: Iterable[Any] = (),
    context_links: Iterable[Any] = (),
    participants: Iterable[Any] = (),
) -> list[Edge]:
    """Edges from already-scoped model instances (select_related their agencies and events).

    Context links that name someone by initials only stay on the child's confidential file and
    never enter the graph. Events with more than ``MAX_CO_OCCURRENCE_PARTICIPANTS`` people give
    no co-occurrence edges.
    """
    edges = [
        Edge(person_node(a.person_id), person_node(a.other_id), a.kind, _evidence(a, "association"))
        for a in associations
    ]
    edges += [
        Edge(person_node(c.person_id), context_node(c.context_id), c.kind, _evidence(c, "link"))
        for c in context_links
        if c.person_id is not None
    ]
    by_event: dict[Any, list[Any]] = defaultdict(list)
    for p in participants:
        by_event[p.event_id].append(p)
    for roles in by_event.values():
        if len(roles) > MAX_CO_OCCURRENCE_PARTICIPANTS:
            continue
        event = roles[0].event
        evidence = Evidence(
            source=f"both recorded in the same {event.get_kind_display().lower()}",
            recorded_on=event.occurred_at.date(),
            # Being named in the same event record is what the agency recorded, not hearsay;
            # whether they know each other is still only reported, never confirmed.
            reliability="reported",
            recording_agency=str(event.recording_agency),
            record=f"event:{event.pk}",
        )
        ids = sorted({p.person_id for p in roles})
        edges += [
            Edge(person_node(a), person_node(b), CO_OCCURRENCE, evidence)
            for i, a in enumerate(ids)
            for b in ids[i + 1 :]
        ]
    return edges


__all__ = [
    "Cluster",
    "Communities",
    "Connector",
    "Edge",
    "Evidence",
    "Neighbourhood",
    "NetworkEdge",
    "NetworkIndex",
    "NetworkNode",
    "communities",
    "connectors",
    "context_node",
    "edges_from_records",
    "neighbourhood",
    "person_node",
]
