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
# Links that put many unrelated people together (a school roll, a postcode): evidence, but not a
# tie that makes a group. Values of ``contexts.models.ContextLinkKind``.
CROWD_LINKS = frozenset({"attends", "lives_near"})
# Two people named in one event were in the same place once; named together again, they are tied.
MIN_REPEATED_MEETINGS = 2
# Community detection defaults, chosen by measurement at county scale (bench/maps.py, sections c
# and c2; docs/decisions/0007): the constant Potts model finds groups of a few people whatever
# the size of the graph, where modularity merges them into clusters of thousands.
DEFAULT_OBJECTIVE = "CPM"
DEFAULT_RESOLUTION = 0.2
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
    # Each observation's kind and reliability as a code into ``kind_names`` and
    # ``reliability_names``: the clustering and its explanations count them with numpy.
    kind_names: list[str]
    obs_kind: npt.NDArray[np.int64]
    reliability_names: list[str]
    obs_reliability: npt.NDArray[np.int64]
    # Adjacency in compressed rows: vertex v's neighbours are ``adj_nbr[adj_ptr[v]:adj_ptr[v+1]]``
    # (with their edges in ``adj_eid``), strongest tie first, then by node id. A walk takes a
    # hub's strongest ties by slicing, without sorting or asking igraph per edge.
    adj_ptr: npt.NDArray[np.int64]
    adj_nbr: npt.NDArray[np.int64]
    adj_eid: npt.NDArray[np.int64]

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
        kind_names, obs_kind = _codes([e.kind for e in observations])
        reliability_names, obs_reliability = _codes([e.evidence.reliability for e in observations])
        adj_ptr, adj_nbr, adj_eid = _adjacency(node_ids, ends, counts)
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
            kind_names,
            obs_kind,
            reliability_names,
            obs_reliability,
            adj_ptr,
            adj_nbr,
            adj_eid,
        )

    def neighbours(self, v: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``v``'s neighbours and the edges to them, strongest tie first."""
        start, end = self.adj_ptr[v], self.adj_ptr[v + 1]
        return self.adj_nbr[start:end], self.adj_eid[start:end]

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


def _codes(values: list[str]) -> tuple[list[str], npt.NDArray[np.int64]]:
    code_of: dict[str, int] = {}
    codes = np.fromiter(
        (code_of.setdefault(v, len(code_of)) for v in values), np.int64, count=len(values)
    )
    return list(code_of), codes


def _adjacency(
    node_ids: list[NodeId], ends: npt.NDArray[np.int64], strength: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    n, m = len(node_ids), len(ends)
    eids = np.concatenate((np.arange(m), np.arange(m))).astype(np.int64)
    src = np.concatenate((ends[:, 0], ends[:, 1])).astype(np.int64)
    dst = np.concatenate((ends[:, 1], ends[:, 0])).astype(np.int64)
    rank = np.empty(n, dtype=np.int64)
    if n:
        rank[np.argsort(np.array(node_ids, dtype=str), kind="stable")] = np.arange(n)
    order = np.lexsort((rank[dst], -strength[eids], src)) if m else np.arange(0)
    ptr = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n)))).astype(np.int64)
    return ptr, dst[order], eids[order]


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
    eid: int = -1  # the index's edge


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    centre: NodeId
    nodes: tuple[NetworkNode, ...]
    edges: tuple[NetworkEdge, ...]
    truncated: bool  # the overall node limit stopped the walk early


Visible = Callable[[NodeId], bool] | npt.NDArray[np.bool_]


def neighbourhood(
    index: NetworkIndex,
    node: NodeId,
    *,
    depth: int = 1,
    visible: Visible,
    evidence_visible: Callable[[Evidence], bool] | None = None,
    plain_edges: npt.NDArray[np.bool_] | None = None,
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

    ``visible`` is a predicate on node ids, or a boolean per vertex of the index (a viewer's
    permitted set held as a mask: checked for a hub's thousands of neighbours at once).

    ``evidence_visible`` filters the observations behind an edge (a record held by an agency the
    viewer cannot read); an edge left with no visible observation is dropped. ``plain_edges``,
    if given, marks the edges none of whose observations needs that check (no restricted
    record behind them), so only the others are looked at one by one.

    A node with more than ``cap`` visible neighbours is a hub: only its ``cap`` strongest ties are
    followed and the rest are reported as ``more``. ``max_nodes`` bounds the whole answer, so a
    depth-3 walk around hubs can never grow without limit.
    """
    start = index.position.get(node)
    if start is None or not _node_visible(index, visible, start):
        raise LookupError(node)
    walked = walk(
        index,
        start,
        depth=depth,
        visible=visible,
        evidence_visible=evidence_visible,
        plain_edges=plain_edges,
        cap=cap,
        max_nodes=max_nodes,
    )
    names = index.node_ids
    edges: list[NetworkEdge] = []
    for eid in walked.edges.tolist():
        a, b = index.ends[eid].tolist()
        observed = index.observed(eid)
        if evidence_visible is not None and (plain_edges is None or not plain_edges[eid]):
            observed = [e for e in observed if evidence_visible(e.evidence)]
        kinds = tuple(sorted({e.kind for e in observed}))
        edges.append(NetworkEdge(names[a], names[b], kinds, tuple(observed), eid))
    edges.sort(key=lambda e: (e.source, e.target))
    return Neighbourhood(
        centre=node,
        nodes=tuple(
            _network_node(index, v, d, walked.more.get(v, 0)) for v, d in walked.depth_of.items()
        ),
        edges=tuple(edges),
        truncated=walked.truncated,
    )


@dataclass(frozen=True, slots=True)
class Walk:
    """What ``neighbourhood`` found, as vertex and edge numbers of the index."""

    depth_of: dict[int, int]  # vertex -> steps from the centre, in the order reached
    more: dict[int, int]  # hub vertex -> visible neighbours not followed
    edges: npt.NDArray[np.int64]  # edges among the vertices with evidence the viewer may see
    truncated: bool


def walk(
    index: NetworkIndex,
    start: int,
    *,
    depth: int,
    visible: Visible,
    evidence_visible: Callable[[Evidence], bool] | None = None,
    plain_edges: npt.NDArray[np.bool_] | None = None,
    edge_visible: npt.NDArray[np.bool_] | None = None,
    cap: int = 50,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Walk:
    """``neighbourhood`` without building its answer: for a caller that renders edges itself.

    ``start`` must be visible (the caller checks). ``edge_visible``, if given, says per edge of
    the index whether the viewer may see at least one observation behind it (the service holds
    it per agency): the walk then calls no Python per edge, and ``evidence_visible`` is not
    consulted.

    Each step takes all of the frontier's adjacency rows at once, with numpy: the same answer,
    in the same order, as following the frontier one vertex and one neighbour at a time.
    """
    if not 1 <= depth <= 3:
        raise ValueError("depth must be 1, 2 or 3")
    depth_of: dict[int, int] = {start: 0}
    capped: dict[int, npt.NDArray[np.int64]] = {}
    included = np.zeros(len(index.node_ids), dtype=bool)
    included[start] = True
    frontier = np.array([start], dtype=np.int64)
    truncated = False
    for d in range(1, depth + 1):
        if not len(frontier):
            break
        owner, others, eids = _rows(index, frontier)
        ok = _seen(index, others, eids, visible, evidence_visible, plain_edges, edge_visible)
        owner, others = owner[ok], others[ok]
        # Each frontier vertex's visible neighbours stay in its row's order (strongest first):
        # the first ``cap`` of each are followed, the rest are "more".
        counts = np.bincount(owner, minlength=len(frontier))
        rank = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        followed = rank < cap
        for i in np.flatnonzero(counts > cap).tolist():
            capped[int(frontier[i])] = others[(owner == i) & ~followed]
        reached = others[followed]
        reached = reached[~included[reached]]
        # The first time each new vertex is reached, in order.
        _, first = np.unique(reached, return_index=True)
        reached = reached[np.sort(first)]
        room = max(max_nodes - len(depth_of), 0)
        if len(reached) > room:
            truncated = True
            reached = reached[:room]
        included[reached] = True
        depth_of.update(dict.fromkeys(reached.tolist(), d))
        frontier = reached
    # A capped neighbour that arrived by another path is on the map, so not one of the "more".
    more = {v: int(np.count_nonzero(~included[rest])) for v, rest in capped.items()}
    edges = _edges_among(
        index, depth_of.keys(), included, evidence_visible, plain_edges, edge_visible
    )
    return Walk(depth_of, more, edges, truncated)


def _rows(
    index: NetworkIndex, vertices: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every slot of the adjacency rows of ``vertices``, in order, without a Python loop: the
    position in ``vertices`` each slot belongs to, the neighbour, and the edge."""
    starts, stops = index.adj_ptr[vertices], index.adj_ptr[vertices + 1]
    lengths = stops - starts
    slots = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    owner = np.repeat(np.arange(len(vertices)), lengths)
    return owner, index.adj_nbr[slots], index.adj_eid[slots]


def _node_visible(index: NetworkIndex, visible: Visible, v: int) -> bool:
    if callable(visible):
        return bool(visible(index.node_ids[v]))
    return bool(visible[v])


def _seen(
    index: NetworkIndex,
    others: npt.NDArray[np.int64],
    eids: npt.NDArray[np.int64],
    visible: Visible,
    evidence_visible: Callable[[Evidence], bool] | None,
    plain_edges: npt.NDArray[np.bool_] | None,
    edge_visible: npt.NDArray[np.bool_] | None,
) -> npt.NDArray[np.bool_]:
    """Per slot: may the viewer see neighbour ``others[i]`` and a tie to it (edge ``eids[i]``)."""
    if callable(visible):
        names = index.node_ids
        ok = np.fromiter(
            (bool(visible(names[u])) for u in others.tolist()), bool, count=len(others)
        )
    else:
        ok = visible[others]  # fancy indexing: a copy, safe to change
    if edge_visible is not None:
        ok &= edge_visible[eids]
    elif evidence_visible is not None:
        check = ok if plain_edges is None else ok & ~plain_edges[eids]
        for i in np.flatnonzero(check).tolist():
            ok[i] = _any_evidence(index, int(eids[i]), evidence_visible)
    return ok


def _any_evidence(
    index: NetworkIndex, eid: int, evidence_visible: Callable[[Evidence], bool]
) -> bool:
    return any(evidence_visible(e.evidence) for e in index.observed(eid))


def _visible_neighbours(
    index: NetworkIndex,
    v: int,
    visible: Visible,
    evidence_visible: Callable[[Evidence], bool] | None,
    plain_edges: npt.NDArray[np.bool_] | None,
    edge_visible: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.int64]:
    """``v``'s neighbours the viewer may see, by a tie they may see, strongest first."""
    others, eids = index.neighbours(v)
    ok = _seen(index, others, eids, visible, evidence_visible, plain_edges, edge_visible)
    found: npt.NDArray[np.int64] = others[ok]
    return found


def _network_node(index: NetworkIndex, v: int, depth: int, more: int) -> NetworkNode:
    node = index.node_ids[v]
    return NetworkNode(node, index.kinds[v], index.labels.get(node, ""), depth, more)


def _edges_among(
    index: NetworkIndex,
    vertices: Collection[int],
    included: npt.NDArray[np.bool_],
    evidence_visible: Callable[[Evidence], bool] | None,
    plain_edges: npt.NDArray[np.bool_] | None,
    edge_visible: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.int64]:
    """The edges among the ``included`` vertices with evidence the viewer may see, each once."""
    verts = np.fromiter(vertices, np.int64, count=len(vertices))
    owner, others, eids = _rows(index, verts)
    inside = included[others] & (verts[owner] < others)
    eids = eids[inside]
    if edge_visible is not None:
        seen: npt.NDArray[np.int64] = eids[edge_visible[eids]]
        return seen
    if evidence_visible is None:
        return eids
    check = np.ones(len(eids), dtype=bool) if plain_edges is None else ~plain_edges[eids]
    keep = np.ones(len(eids), dtype=bool)
    for i in np.flatnonzero(check).tolist():
        keep[i] = _any_evidence(index, int(eids[i]), evidence_visible)
    found: npt.NDArray[np.int64] = eids[keep]
    return found


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


def tie_weights(
    index: NetworkIndex,
    *,
    crowd_links: Collection[str] = CROWD_LINKS,
    min_repeated: int = MIN_REPEATED_MEETINGS,
) -> npt.NDArray[np.int64]:
    """Per edge, how many observations make it a *tie*; 0 for an edge that is not one.

    A tie is an association, a person–context link that says where someone spends time, or
    being named in events together at least ``min_repeated`` times. Being named in one event
    together is not a tie: one big incident (a raid, a party) would otherwise make a clique of
    everyone in it, and a busy place joins everyone who passes through it. Links that put many
    unrelated people together (``crowd_links``: attending a school, living near a place) are left
    out for the same reason. What is left out still counts as evidence in every explanation.
    """
    m = index.graph.ecount()
    names = index.kind_names
    chance_code = names.index(CO_OCCURRENCE) if CO_OCCURRENCE in names else -1
    crowd_codes = [i for i, name in enumerate(names) if name in crowd_links]
    chance = index.obs_kind == chance_code
    crowd = np.isin(index.obs_kind, crowd_codes)
    meetings = np.bincount(index.edge_of[chance], minlength=m)
    other = np.bincount(index.edge_of[~chance & ~crowd], minlength=m)
    return np.where(meetings >= min_repeated, other + meetings, other).astype(np.int64)


def communities(
    index: NetworkIndex,
    *,
    recorded_groups: Iterable[Collection[NodeId]] = (),
    min_people: int = 3,
    overlap: float = 0.5,
    seed: int = 1,
    objective: str = DEFAULT_OBJECTIVE,
    resolution: float = DEFAULT_RESOLUTION,
    on_ties: bool = True,
) -> Communities:
    """Leiden clusters of the people and contexts: sets more closely tied to each other than to
    anyone else.

    With ``on_ties`` (the default) the clustering sees only ties (``tie_weights``), each once;
    without, every edge weighted by the observations behind it. Every observation still counts
    in the explanations. ``objective`` is ``"CPM"`` (the constant Potts model: on ties, a cluster
    is a set more than ``resolution`` of whose pairs are tied, whatever the size of the graph) or
    ``"modularity"`` (more ties than chance, which at a partnership's scale merges small groups
    into clusters of thousands: its resolution limit).

    A cluster counts as ``recorded`` when at least ``overlap`` of its people are members of one
    of ``recorded_groups`` (the member sets of existing peer-group contexts); the others are
    candidates for the suggested-contexts queue. Clusters with fewer than ``min_people`` people
    are not reported. ``modularity`` is the partition's ordinary modularity (resolution 1) on the
    graph clustered, whatever the objective.
    """
    if objective not in ("CPM", "modularity"):
        raise ValueError("objective must be 'CPM' or 'modularity'")
    g = index.graph
    weight_list: list[int] | None
    if on_ties:
        tied = np.flatnonzero(tie_weights(index) > 0)
        g = g.subgraph_edges(tied.tolist(), delete_vertices=False)
        # A tie is a tie: how often it was recorded says as much about who records what as about
        # the tie. Unweighted, CPM's resolution reads plainly: the share of pairs of a cluster's
        # members that are tied.
        weight_list = None
    else:
        weight_list = list(g.es["weight"]) if g.ecount() else []
    # igraph's Leiden draws from a process-wide generator; seed it so the queue is reproducible,
    # and put the default back so nothing else in the process is affected. Two iterations (the
    # default) reach within 0.001 of the quality of iterating to a fixed point, several times
    # faster.
    ig.set_random_number_generator(random.Random(seed))  # noqa: S311  # not security
    try:
        partition = g.community_leiden(
            objective_function=objective,
            weights=weight_list,
            resolution=resolution,
            n_iterations=2,
        )
    finally:
        ig.set_random_number_generator(random)
    membership = np.asarray(partition.membership, dtype=np.int64)
    quality = float(g.modularity(partition.membership, weights=weight_list)) if g.ecount() else 0.0
    is_context = np.array([k == CONTEXT for k in index.kinds], dtype=bool)
    people_per_cluster = np.bincount(membership[~is_context], minlength=len(partition))
    wanted = np.flatnonzero(people_per_cluster >= min_people)
    is_wanted = np.zeros(len(people_per_cluster), dtype=bool)
    is_wanted[wanted] = True
    members: dict[int, list[int]] = defaultdict(list)
    for v in np.flatnonzero(is_wanted[membership]).tolist():
        members[int(membership[v])].append(v)
    tally = _Tally.count(index, membership, is_context, is_wanted)
    recorded = _recorded(index, membership, people_per_cluster, recorded_groups, overlap)
    clusters = [_cluster(index, vs, tally, c, c in recorded) for c, vs in members.items()]
    clusters.sort(key=lambda c: (c.recorded, -len(c.people), c.people))
    return Communities(tuple(membership.tolist()), quality, tuple(clusters))


def _recorded(
    index: NetworkIndex,
    membership: npt.NDArray[np.int64],
    people_per_cluster: npt.NDArray[np.int64],
    groups: Iterable[Collection[NodeId]],
    overlap: float,
) -> set[int]:
    """Clusters at least ``overlap`` of whose people are members of one recorded group.

    Counted with numpy over (cluster, group) pairs: comparing every cluster with every group
    as sets is thousands times thousands of intersections at county scale.
    """
    position = index.position
    vertices: list[int] = []
    group_of: list[int] = []
    for g, group in enumerate(groups):
        found = {position[p] for p in group if p in position}
        vertices += found
        group_of += [g] * len(found)
    if not vertices:
        return set()
    people = np.asarray(vertices, dtype=np.int64)
    is_person = np.array([index.kinds[v] != CONTEXT for v in vertices], dtype=bool)
    clusters = membership[people][is_person]
    groups_of = np.asarray(group_of, dtype=np.int64)[is_person]
    n_groups = int(groups_of.max()) + 1 if len(groups_of) else 1
    pairs, shared = np.unique(clusters * n_groups + groups_of, return_counts=True)
    cluster = pairs // n_groups
    enough = shared >= overlap * people_per_cluster[cluster]
    return set(cluster[enough].tolist())


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
        is_wanted: npt.NDArray[np.bool_],
    ) -> _Tally:
        # Vectorised: a Python loop over every observation took longer than Leiden itself.
        a, b = index.ends[:, 0], index.ends[:, 1]
        edge_cluster = np.where(membership[a] == membership[b], membership[a], -1)
        inside = edge_cluster >= 0
        inside[inside] = is_wanted[edge_cluster[inside]]
        seen = inside[index.edge_of]
        cluster = edge_cluster[index.edge_of][seen]
        tally = cls(defaultdict(Counter), defaultdict(Counter), defaultdict(Counter))
        for codes, names, into in (
            (index.obs_kind, index.kind_names, tally.by_kind),
            (index.obs_reliability, index.reliability_names, tally.by_reliability),
        ):
            _add(into, cluster, codes[seen], len(names), names.__getitem__)
        person_context = (is_context[a] != is_context[b]) & is_wanted[
            np.where(is_context[a], membership[b], membership[a])
        ]
        person = np.where(is_context[a], b, a)[person_context]
        context = np.where(is_context[a], a, b)[person_context]
        _add(
            tally.places,
            membership[person],
            context,
            len(index.node_ids),
            index.node_ids.__getitem__,
        )
        return tally


def _add(
    into: dict[int, Counter[str]],
    clusters: npt.NDArray[np.int64],
    codes: npt.NDArray[np.int64],
    n_codes: int,
    name: Callable[[int], str],
) -> None:
    n = max(n_codes, 1)
    pairs, counts = np.unique(clusters * n + codes, return_counts=True)
    for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
        c, code = divmod(pair, n)
        into[c][name(code)] += count


def _cluster(index: NetworkIndex, vs: list[int], tally: _Tally, c: int, recorded: bool) -> Cluster:
    people = sorted(index.node_ids[v] for v in vs if index.kinds[v] != CONTEXT)
    contexts = sorted(index.node_ids[v] for v in vs if index.kinds[v] == CONTEXT)
    by_kind, by_reliability = tally.by_kind[c], tally.by_reliability[c]
    places = tally.places[c]
    shared = sorted(((p, n) for p, n in places.items() if n >= 2), key=lambda p: (-p[1], p[0]))
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
    "Walk",
    "communities",
    "connectors",
    "context_node",
    "edges_from_records",
    "neighbourhood",
    "person_node",
    "tie_weights",
    "walk",
]
