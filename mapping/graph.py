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

None of that affects permissions. A stale graph can at worst miss or keep an observation's
detail for a few minutes; it can never show a record the viewer may not open.

**Permissions.** Walking two hops from a young person reaches thousands of people; asking the
database which of them the viewer may open took most of a request. So each process holds, for a
few recent viewers, the set of people ``people.selectors.visible_people`` lets them open, as a
boolean per vertex of the graph (``_viewer_mask``), and the walk reads it. The set is the rule's
own answer, loaded by one query, and it is dropped

* when the viewer's agency, roles or active flag differ (they are part of the key, read from the
  request's own user object, whose roles are read afresh on every request);
* when a share is saved or deleted, or a person deleted or merged, in this process
  (``post_save``/``post_delete``), or a share is added by any process (the largest share id, read
  with the graph version in the same query);
* at the first expiry of any time-limited share it relies on (break-glass): access ends on the
  map the second it ends;
* after ``settings.NETWORK_VISIBILITY_MAX_AGE`` seconds (default 30) in any case: the bound on a
  share deleted or cut short by *another* process (no service does that today; shares end by
  expiring, which is exact).

Restricted events are checked against the viewer's agency on every request.

Names and kinds of the people and contexts in the graph are read with it and kept current by
``post_save`` in this process; a rename made by another process shows when that process's graph
is rebuilt (``NETWORK_GRAPH_MAX_AGE``). They are labels only: who is shown is decided by the
permitted set.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
import zoneinfo
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, Min
from django.db.models.signals import post_delete, post_save
from django.urls import get_script_prefix
from django.utils import timezone

from accounts.models import Agency
from contexts.models import Context, ContextKind, ContextLink, ContextLinkKind
from contextsafe.lib.urls import url_around
from events.models import Event, EventKind, EventParticipant, Sensitivity
from mapping.network import (
    CO_OCCURRENCE,
    CONTEXT,
    DEFAULT_MAX_NODES,
    MAX_CO_OCCURRENCE_PARTICIPANTS,
    Edge,
    Evidence,
    NetworkIndex,
    NodeId,
    context_node,
    person_node,
    walk,
)
from people.codes import AssociationKind, PersonKind, Reliability
from people.models import Association, Person, RecordShare
from people.selectors import _live_shares, visible_people

CHUNK = 20_000
FREEZE_AT = 200_000  # observations: a graph this big is frozen out of the cyclic collector
# A node with more visible neighbours than this is a hub: its strongest ties are drawn and the
# rest wait behind "show more".
HUB_CAP = 25
# "Show more" checks every neighbour of one hub, up to this many, in one query.
MAX_HUB_SCAN = 20_000

# Plain strings, not lazy translation proxies: a proxy is an object the cyclic collector has to
# track, in every observation held in PartnershipGraph.drawn.
KIND_LABELS: dict[str, str] = {
    **{k: str(label) for k, label in AssociationKind.choices},
    **{k: str(label) for k, label in ContextLinkKind.choices},
    CO_OCCURRENCE: "Recorded in the same event",
}
RELIABILITY_LABELS: dict[str, str] = {k: str(label) for k, label in Reliability.choices}
# Strongest first: the order of Reliability (confirmed, reported, intelligence).
_RELIABILITY_RANK: dict[str, int] = {
    label: rank for rank, label in enumerate(RELIABILITY_LABELS.values())
}


def _reliability_order(label: str) -> tuple[int, str]:
    return _RELIABILITY_RANK.get(label, len(_RELIABILITY_RANK)), label


# --- loading -----------------------------------------------------------------------------------


@dataclass(slots=True)
class PartnershipGraph:
    index: NetworkIndex
    # Restricted events (seen only by the agency that recorded them): event id -> agency id.
    restricted_events: dict[int, int]
    version: tuple[int, ...]
    built_at: float
    # Edges with no restricted event behind them: no observation needs the viewer's agency.
    plain_edges: npt.NDArray[np.bool_]
    # Vertex of each person's node by person id, -1 for a person not in the graph.
    person_vertex: npt.NDArray[np.int64]
    is_context: npt.NDArray[np.bool_]
    people: dict[int, tuple[str, str]]  # person id -> (kind, display name)
    contexts: dict[int, tuple[str, str]]  # context id -> (kind label, name)
    # Edges with at least one observation that is not from a restricted event.
    open_edges: npt.NDArray[np.bool_]
    # Observations from restricted events: the edge of each, and the agency that recorded it.
    restricted_edge: npt.NDArray[np.int64]
    restricted_owner: npt.NDArray[np.int64]
    # Per observation: the agency that recorded its restricted event, or -1 for one that is not
    # from a restricted event; its date as a proleptic ordinal (0: none); its reliability's rank
    # (0 strongest). A line's summary is counted from these with numpy (_summaries).
    obs_owner: npt.NDArray[np.int64]
    obs_day: npt.NDArray[np.int64]
    obs_rank: npt.NDArray[np.int64]
    rank_labels: list[str]  # reliability label by rank
    # Each vertex's place in the order of node ids (edges are listed by source, then target).
    node_rank: npt.NDArray[np.int64]
    # Lines drawn before, by edge id (by edge id and agency for an edge with a restricted record
    # behind it): MapEdge's fields, ready (see _map_edge). Plain tuples of strings, numbers and
    # dates, which the cyclic collector stops tracking: a cache of objects it tracks made every
    # full collection walk all of them (hundreds of milliseconds).
    drawn: dict[Any, tuple[Any, ...]] = field(default_factory=dict)
    # What a node shows besides depth and "more", by script prefix and vertex (_map_nodes).
    nodes: dict[str, dict[int, tuple[Any, ...]]] = field(default_factory=dict)
    # Summaries of lines drawn before, as _summaries keeps them.
    lines: dict[Any, tuple[Any, ...]] = field(default_factory=dict)
    # Per agency: may its staff see at least one observation behind each edge (_edge_mask).
    edge_masks: dict[int | None, npt.NDArray[np.bool_]] = field(default_factory=dict)

    @classmethod
    def of(
        cls, built: tuple[NetworkIndex, dict[int, int]], version: tuple[int, ...]
    ) -> PartnershipGraph:
        index, restricted = built
        records = {f"event:{pk}" for pk in restricted}
        observations = index.observations
        hidden = np.fromiter(
            (bool(records) and e.evidence.record in records for e in observations),
            bool,
            count=len(observations),
        )
        edges = index.graph.ecount()
        plain = np.bincount(index.edge_of[hidden], minlength=edges) == 0
        open_edges = np.bincount(index.edge_of[~hidden], minlength=edges) > 0
        hidden_at = np.flatnonzero(hidden)
        owner = np.fromiter(
            (restricted[int(observations[i].evidence.record[6:])] for i in hidden_at.tolist()),
            np.int64,
            count=len(hidden_at),
        )
        obs_owner = np.full(len(observations), -1, dtype=np.int64)
        obs_owner[hidden_at] = owner
        # Reliabilities outside the codes (none today) rank after them, alphabetically.
        names = [RELIABILITY_LABELS.get(name, name) for name in index.reliability_names]
        rank_labels = list(RELIABILITY_LABELS.values())
        rank_labels += sorted({n for n in names if n not in _RELIABILITY_RANK})
        ranks = np.array([rank_labels.index(n) for n in names] or [0], dtype=np.int64)
        people = [(int(n[7:]), v) for v, n in enumerate(index.node_ids) if n.startswith("person:")]
        size = max((pk for pk, _ in people), default=-1) + 1
        person_vertex = np.full(size, -1, dtype=np.int64)
        if people:
            pks, vs = zip(*people, strict=True)
            person_vertex[list(pks)] = list(vs)
        is_context = np.array([k == CONTEXT for k in index.kinds], dtype=bool)
        node_rank = np.empty(len(index.node_ids), dtype=np.int64)
        if index.node_ids:
            order = np.argsort(np.array(index.node_ids, dtype=str), kind="stable")
            node_rank[order] = np.arange(len(order))
        labels, contexts = load_labels()
        if len(observations) >= FREEZE_AT:
            # Millions of long-lived objects: left to the cyclic collector, each full collection
            # walks all of them and stalls a request for a large part of a second. They hold no
            # cycles (refcounting frees them when the graph is replaced), so keep them out of it.
            gc.collect()
            gc.freeze()
        return cls(
            index,
            restricted,
            version,
            time.monotonic(),
            plain,
            person_vertex,
            is_context,
            labels,
            contexts,
            open_edges,
            index.edge_of[hidden_at],
            owner,
            obs_owner,
            np.fromiter(
                (
                    e.evidence.recorded_on.toordinal() if e.evidence.recorded_on else 0
                    for e in observations
                ),
                np.int64,
                count=len(observations),
            ),
            ranks[index.obs_reliability] if len(observations) else np.zeros(0, np.int64),
            rank_labels,
            node_rank,
        )


def load_labels() -> tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str]]]:
    """Kind and name of every person (not merged) and context: the graph's labels."""
    people = {
        pk: (kind, _display_name(g, f, k))
        for pk, kind, g, f, k in Person.objects.filter(merged_into__isnull=True)
        .order_by()
        .values_list("pk", "kind", "given_name", "family_name", "known_as")
        .iterator(CHUNK)
    }
    kinds = dict(ContextKind.choices)
    contexts = {
        pk: (kinds.get(kind, "Context"), name)
        for pk, kind, name in Context.objects.order_by().values_list("pk", "kind", "name")
    }
    return people, contexts


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

# Who may open which record: any write to a share or a person drops every held permitted set.
_share_generation = 0


def _bump_shares(**_: Any) -> None:
    global _share_generation
    _share_generation += 1
    with _masks_lock:
        _masks.clear()


def _person_saved(instance: Person, **_: Any) -> None:
    # visible_people reads one field of the person: merged_into. A new person becomes visible
    # through the share created with it.
    if instance.merged_into_id is not None:
        _bump_shares()
    current = _cached
    if current is not None and instance.pk in current.people:
        current.people[instance.pk] = (instance.kind, instance.display_name)
    if current is not None:
        _forget_node(current, person_node(instance.pk))


def _context_saved(instance: Context, **_: Any) -> None:
    current = _cached
    if current is not None and instance.pk in current.contexts:
        label = dict(ContextKind.choices).get(instance.kind, "Context")
        current.contexts[instance.pk] = (label, instance.name)
    if current is not None:
        _forget_node(current, context_node(instance.pk))


def _forget_node(graph: PartnershipGraph, node: NodeId) -> None:
    """Drop what ``_map_nodes`` keeps for ``node``: its record was saved (a rename)."""
    v = graph.index.position.get(node)
    if v is not None:
        for parts in list(graph.nodes.values()):
            parts.pop(v, None)


post_save.connect(_bump_shares, sender=RecordShare, dispatch_uid="mapping.graph.shares.save")
post_delete.connect(_bump_shares, sender=RecordShare, dispatch_uid="mapping.graph.shares.delete")
post_delete.connect(_bump_shares, sender=Person, dispatch_uid="mapping.graph.person.delete")
post_save.connect(_person_saved, sender=Person, dispatch_uid="mapping.graph.person.save")
post_save.connect(_context_saved, sender=Context, dispatch_uid="mapping.graph.context.save")


def _versions() -> tuple[tuple[int, ...], int]:
    """The graph version, and the largest share id, in one query."""
    models = (Association, ContextLink, EventParticipant, Event, RecordShare)
    quote = connection.ops.quote_name
    # Table names come from model metadata, never from input.
    tables = [quote(m._meta.db_table) for m in models]
    maxima = ", ".join(f"(SELECT MAX(id) FROM {t})" for t in tables)  # noqa: S608
    sql = f"SELECT {maxima}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    values = [int(v or 0) for v in row]
    return (_generation, *values[:-1]), values[-1]


def graph_version() -> tuple[int, ...]:
    """This process's generation and the largest id of each table the graph is built from."""
    return _versions()[0]


def partnership_graph(version: tuple[int, ...] | None = None) -> PartnershipGraph:
    """The cached graph, rebuilt if the data changed (see the module docstring).

    At county scale a rebuild takes tens of seconds, so in production
    (``NETWORK_GRAPH_BACKGROUND``) a worker that already holds a graph keeps answering from it
    while one thread rebuilds, at most once every ``NETWORK_GRAPH_MIN_INTERVAL`` seconds; only
    a worker with no graph at all builds in the request. Tests and the demo rebuild at once.
    """
    global _cached
    version = graph_version() if version is None else version
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
        _cached = PartnershipGraph.of(build_partnership_index(), version)
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
            fresh = PartnershipGraph.of(build_partnership_index(), version)
            with _lock:
                _cached = fresh
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


class Observation(NamedTuple):
    """One observation behind a line on the map, as the viewer sees it.

    A tuple of plain values: cheap to make by the thousand.
    """

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
    """A line on the map and a summary of the observations behind it that the viewer may see.

    The neighbourhood's JSON carries the summary (kinds, how many observations, the latest
    date, the strongest reliability); each line's observations (source, date, reliability,
    agency) are sent on request (``link_for_viewer``), and are in ``rows`` where they were
    loaded (the page's table, a line asked for on its own, "show more").
    """

    source: NodeId
    target: NodeId
    kinds: tuple[str, ...]
    count: int  # observations behind the line that the viewer may see
    latest: dt.date | None
    reliability: str  # the strongest reliability among them, as a label
    rows: tuple[tuple[Any, ...], ...] | None = None  # each observation's values, most recent first

    @classmethod
    def of(
        cls,
        source: NodeId,
        target: NodeId,
        kinds: tuple[str, ...],
        rows: tuple[tuple[Any, ...], ...],
    ) -> MapEdge:
        dates = [row[2] for row in rows if row[2] is not None]
        return cls(
            source,
            target,
            tuple(sorted(kinds)),
            len(rows),
            max(dates) if dates else None,
            min((row[3] for row in rows), key=_reliability_order) if rows else "",
            rows,
        )

    @property
    def observations(self) -> tuple[Observation, ...]:
        if self.rows is None:
            raise ValueError("this line's observations were not loaded (link_for_viewer)")
        return tuple(Observation._make(row) for row in self.rows)

    @property
    def id(self) -> str:
        return f"{self.source}|{self.target}"

    @property
    def summary(self) -> str:
        n = self.count
        return f"{', '.join(self.kinds)} · {n} observation{'s' if n != 1 else ''}"

    def as_json(self) -> dict[str, Any]:
        """The line as the diagram draws it: what it is and a summary of its evidence."""
        return {
            "id": f"{self.source}|{self.target}",
            "source": self.source,
            "target": self.target,
            "kinds": self.kinds,
            "label": self.summary,
            "count": self.count,
            "latest": self.latest.isoformat() if self.latest else None,
            "reliability": self.reliability,
        }

    def detail_json(self) -> dict[str, Any]:
        """The line with every observation behind it that the viewer may see."""
        return self.as_json() | {"observations": [o.as_json() for o in self.observations]}


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


def _evidence_rule(agency: int | None, restricted: dict[int, int]) -> Callable[[Evidence], bool]:
    """Restricted events are evidence only for the agency that recorded them (as
    ``events.selectors.visible_events_q``), ``agency`` being the viewer's. Other observations are
    seen with their records."""

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


_PERSON_KINDS: dict[str, str] = {k: str(label) for k, label in PersonKind.choices}


def _node_of(
    node: NodeId, seen: _Seen, depth: int, more: int, script_prefix: str | None = None
) -> MapNode:
    prefix, _, raw = node.partition(":")
    pk = int(raw)
    script_prefix = get_script_prefix() if script_prefix is None else script_prefix
    if prefix == "person":
        kind, label = seen.people[pk]
        description = _PERSON_KINDS.get(kind, "Person")
        before, after = url_around("people:profile", script_prefix=script_prefix)
    else:
        description, label = seen.contexts[pk]
        kind = CONTEXT
        before, after = url_around("contexts:profile", script_prefix=script_prefix)
    return MapNode(node, kind, description, label, depth, more, f"{before}{pk}{after}")


def _by_date(e: Edge) -> tuple[bool, Any]:
    return (e.evidence.recorded_on is None, e.evidence.recorded_on)


def _rendered(evidence: Iterable[Edge]) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
    """Kinds and observations (as plain tuples) of a line, most recent first."""
    rows = tuple(
        (
            KIND_LABELS.get(e.kind, e.kind.replace("_", " ")),
            e.evidence.source,
            e.evidence.recorded_on,
            RELIABILITY_LABELS.get(e.evidence.reliability, e.evidence.reliability),
            e.evidence.recording_agency,
        )
        for e in sorted(evidence, key=_by_date, reverse=True)
    )
    return tuple(dict.fromkeys(row[0] for row in rows)), rows


def _edge_of(source: NodeId, target: NodeId, evidence: Iterable[Edge]) -> MapEdge:
    return MapEdge.of(source, target, *_rendered(evidence))


# --- each viewer's permitted set ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Mask:
    graph: PartnershipGraph
    generation: int  # _share_generation when loaded
    shares: int  # the largest share id when loaded
    until: float  # time.monotonic() after which it is reloaded
    expires: dt.datetime | None  # the first expiry of a time-limited share it relies on
    visible: npt.NDArray[np.bool_]  # per vertex of graph.index


MAX_VIEWERS = 64  # permitted sets held per process (about 100 kB each at county scale)
_masks: OrderedDict[tuple[Any, ...], _Mask] = OrderedDict()
_masks_lock = threading.Lock()


def _viewer_key(viewer: Any) -> tuple[Any, ...]:
    # Everything visible_people reads from the user: their agency, roles and whether active
    # (role_set is empty for an inactive user). Read from the request's own user object.
    return (viewer.pk, viewer.agency_id, viewer.is_active, viewer.role_set)


def _valid(held: _Mask, graph: PartnershipGraph, shares: int) -> bool:
    return (
        held.graph is graph
        and held.generation == _share_generation
        and held.shares == shares
        and time.monotonic() < held.until
        and (held.expires is None or timezone.now() < held.expires)
    )


def _viewer_mask(
    viewer: Any, graph: PartnershipGraph, shares: int, *, reload: bool = False
) -> npt.NDArray[np.bool_]:
    """Per vertex of the graph: may ``viewer`` see it (``visible_people``; contexts by role).

    Held per process for a few viewers and dropped as the module docstring says.
    """
    key = _viewer_key(viewer)
    with _masks_lock:
        held = _masks.get(key)
        if held is not None and not reload and _valid(held, graph, shares):
            _masks.move_to_end(key)
            return held.visible
    generation = _share_generation  # before the queries: a write during them is not missed
    max_age = float(getattr(settings, "NETWORK_VISIBILITY_MAX_AGE", 30))
    until = time.monotonic() + max_age
    # The first expiry is read before the people: every share the second query relies on was
    # live when the first one ran, so expires no earlier than this.
    expires = (
        _live_shares(viewer)
        .filter(expires_at__isnull=False)
        .aggregate(first=Min("expires_at"))["first"]
    )
    pks = np.fromiter(
        visible_people(viewer).order_by().values_list("pk", flat=True).iterator(CHUNK), np.int64
    )
    index_of = graph.person_vertex
    vertices = index_of[pks[pks < len(index_of)]]
    visible = graph.is_context & bool(viewer.has_perm("contexts.view_context"))
    visible[vertices[vertices >= 0]] = True
    visible.setflags(write=False)
    with _masks_lock:
        _masks[key] = _Mask(graph, generation, shares, until, expires, visible)
        _masks.move_to_end(key)
        while len(_masks) > MAX_VIEWERS:
            _masks.popitem(last=False)
    return visible


def forget_viewer_masks() -> None:
    """Drop every held permitted set (tests and benchmarks)."""
    with _masks_lock:
        _masks.clear()


def neighbourhood_for_viewer(
    viewer: Any,
    node: NodeId,
    depth: int = 1,
    *,
    cap: int = HUB_CAP,
    max_nodes: int = DEFAULT_MAX_NODES,
    observations: bool = False,
) -> ViewerNeighbourhood:
    """The people and contexts within ``depth`` (1-3) of ``node`` that ``viewer`` may see.

    Each line comes with a summary of its evidence; ``observations=True`` loads every
    observation behind it too (the page's table), otherwise ``link_for_viewer`` gives them for
    one line on request (the diagram).

    Hidden people are omitted and never walked through (``mapping.network.neighbourhood``);
    observations from restricted events of another agency are not evidence for this viewer,
    and a line with no other evidence is not drawn. The walk reads the viewer's permitted set
    held by this process (``_viewer_mask``); the people it reaches are then checked against
    ``visible_people`` in the query that reads their names. Queries: the graph version, that
    check, and contexts — the same count whatever the size.

    Raises ``LookupError`` if the viewer may not see ``node``. The caller authorises and
    audits the read of the centre record first (``access.guard.authorize``).
    """
    if not 1 <= depth <= 3:
        raise ValueError("depth must be 1, 2 or 3")
    version, shares = _versions()
    graph = partnership_graph(version)
    index = graph.index
    start = index.position.get(node)
    if start is None:
        seen = _seen_by(viewer, [node])
        if not seen.visible(node):
            raise LookupError(node)
        return ViewerNeighbourhood(node, depth, [_node_of(node, seen, 0, 0)], [])
    agency = viewer.agency_id
    visible = _viewer_mask(viewer, graph, shares)
    if not visible[start]:
        # Held from before a share this viewer now relies on (a merge moving shares elsewhere):
        # ask once more before saying no.
        visible = _viewer_mask(viewer, graph, shares, reload=True)
        if not visible[start]:
            raise LookupError(node)
    walked = walk(
        index,
        start,
        depth=depth,
        visible=visible,
        edge_visible=_edge_mask(graph, agency),
        cap=cap,
        max_nodes=max_nodes,
    )
    nodes = _map_nodes(graph, walked.depth_of, walked.more)
    eids = walked.edges
    if len(eids):  # by source, then target, as node ids sort
        ends = index.ends[eids]
        rank = graph.node_rank
        eids = eids[np.lexsort((rank[ends[:, 1]], rank[ends[:, 0]]))]
    if observations:
        edges = [_map_edge(graph, eid, agency) for eid in eids.tolist()]
    else:
        edges = _summaries(graph, eids, agency)
    return ViewerNeighbourhood(node, depth, nodes, edges, walked.truncated)


_MIN_DAY = dt.date.min.toordinal()


def _summaries(
    graph: PartnershipGraph, eids: npt.NDArray[np.int64], agency: int | None
) -> list[MapEdge]:
    """The lines for edges ``eids``, in order, each with the summary of what a viewer of
    ``agency`` may see behind it.

    A line's summary depends only on the agency (as ``_map_edge``), so it is kept per graph: by
    edge for one with no restricted record behind it, by edge and agency otherwise. Those not
    kept yet are counted all at once with numpy, reading no observation one by one. Kept as
    tuples of strings, numbers and dates only, which the cyclic collector stops tracking (one
    holding a dict stays tracked, and every full collection walks it).
    """
    plain = graph.plain_edges[eids].tolist()
    keys: list[Any] = [
        eid if p else (eid, agency) for eid, p in zip(eids.tolist(), plain, strict=True)
    ]
    lines = graph.lines
    missing = [i for i, key in enumerate(keys) if key not in lines]
    if missing:
        if len(lines) + len(missing) > MAX_DRAWN_EDGES:
            lines.clear()
            missing = list(range(len(keys)))
        for i, edge in zip(missing, _summarise(graph, eids[missing], agency), strict=True):
            lines[keys[i]] = (
                edge.source,
                edge.target,
                edge.kinds,
                edge.count,
                edge.latest,
                edge.reliability,
            )
    return [MapEdge(*lines[key]) for key in keys]


def _summarise(
    graph: PartnershipGraph, eids: npt.NDArray[np.int64], agency: int | None
) -> list[MapEdge]:
    """Count the summaries of ``eids`` for a viewer of ``agency`` with numpy.

    Every edge in ``eids`` has at least one observation such a viewer may see (the walk's
    ``_edge_mask``).
    """
    if not len(eids):
        return []
    index = graph.index
    starts = index.offsets[eids]
    lengths = index.offsets[eids + 1] - starts
    slots = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    obs = index.order[slots]
    line = np.repeat(np.arange(len(eids)), lengths)
    owner = graph.obs_owner[obs]
    seen = (owner < 0) | (owner == (-1 if agency is None else agency))
    obs, line = obs[seen], line[seen]
    count = np.bincount(line, minlength=len(eids))
    latest = np.zeros(len(eids), dtype=np.int64)
    np.maximum.at(latest, line, graph.obs_day[obs])
    strongest = np.full(len(eids), len(graph.rank_labels), dtype=np.int64)
    np.minimum.at(strongest, line, graph.obs_rank[obs])
    # The distinct kinds of each line, in line order (np.unique sorts by line, then kind code).
    n_kinds = max(len(index.kind_names), 1)
    pairs = np.unique(line * n_kinds + index.obs_kind[obs])
    kinds: list[list[str]] = [[] for _ in range(len(eids))]
    names = [KIND_LABELS.get(k, k.replace("_", " ")) for k in index.kind_names]
    for pair in pairs.tolist():
        kinds[pair // n_kinds].append(names[pair % n_kinds])
    node_ids, ends = index.node_ids, index.ends[eids].tolist()
    labels = graph.rank_labels
    fromordinal = dt.date.fromordinal
    return [
        MapEdge(
            node_ids[a],
            node_ids[b],
            tuple(sorted(k)),
            n,
            fromordinal(day) if day >= _MIN_DAY else None,
            labels[rank] if rank < len(labels) else "",
        )
        for (a, b), k, n, day, rank in zip(
            ends, kinds, count.tolist(), latest.tolist(), strongest.tolist(), strict=True
        )
    ]


def _edge_mask(graph: PartnershipGraph, agency: int | None) -> npt.NDArray[np.bool_]:
    """Per edge: may staff of ``agency`` see at least one observation behind it (the rule of
    ``_evidence_rule``, for every edge at once). Made once per graph and agency."""
    mask = graph.edge_masks.get(agency)
    if mask is None:
        mask = graph.open_edges.copy()
        mask[
            graph.restricted_edge[graph.restricted_owner == (-1 if agency is None else agency)]
        ] = True
        mask.setflags(write=False)
        graph.edge_masks[agency] = mask
    return mask


def _map_nodes(
    graph: PartnershipGraph, depth_of: dict[int, int], more: dict[int, int]
) -> list[MapNode]:
    """The nodes at vertices ``depth_of`` (all of which the viewer may see), by steps from the
    centre, people before places, then by name.

    What a node shows besides its depth and "more" (kind, name, link) is kept per graph and
    vertex, and dropped when the record is renamed in this process (``_person_saved``).
    """
    script_prefix = get_script_prefix()  # a thread-local read: once, not per node
    parts = graph.nodes.get(script_prefix)
    if parts is None:
        parts = graph.nodes[script_prefix] = {}
    missing = [v for v in depth_of if v not in parts]
    if missing:
        if len(parts) + len(missing) > MAX_DRAWN_EDGES:
            parts.clear()
            missing = list(depth_of)
        names = graph.index.node_ids
        seen = _labels(graph, [names[v] for v in missing])
        for v in missing:
            n = _node_of(names[v], seen, 0, 0, script_prefix)
            parts[v] = (n.id, n.kind, n.description, n.label, n.url, n.is_context, n.label.lower())
    found = [(d, parts[v], more.get(v, 0)) for v, d in depth_of.items()]
    found.sort(key=lambda f: (f[0], f[1][5], f[1][6], f[1][0]))
    return [MapNode(p[0], p[1], p[2], p[3], d, m, p[4]) for d, p, m in found]


def _labels(graph: PartnershipGraph, nodes: list[NodeId]) -> _Seen:
    """Names and kinds of ``nodes`` (all of which the viewer may see), from the graph.

    A record created or unmerged since the graph was built is read from the database.
    """
    people, contexts = graph.people, graph.contexts
    missing_people = [pk for pk in _ids(nodes, "person") if pk not in people]
    missing_contexts = [pk for pk in _ids(nodes, "context") if pk not in contexts]
    if missing_people or missing_contexts:
        people, contexts = dict(people), dict(contexts)
        people.update(
            (pk, (kind, _display_name(g, f, k)))
            for pk, kind, g, f, k in Person.objects.filter(pk__in=missing_people)
            .order_by()
            .values_list("pk", "kind", "given_name", "family_name", "known_as")
        )
        kinds = dict(ContextKind.choices)
        contexts.update(
            (pk, (kinds.get(kind, "Context"), name))
            for pk, kind, name in Context.objects.filter(pk__in=missing_contexts)
            .order_by()
            .values_list("pk", "kind", "name")
        )
    return _Seen(people, contexts)


MAX_DRAWN_EDGES = 200_000


def _map_edge(graph: PartnershipGraph, eid: int, agency: int | None) -> MapEdge:
    """The line for edge ``eid`` as a viewer of ``agency`` sees it, made once per graph.

    Which of a line's observations a viewer may see depends only on their agency (restricted
    events are evidence only for the agency that recorded them, ``_evidence_rule``): a line with
    no restricted record behind it looks the same to every viewer and is kept once, one with
    such a record once per agency. Kept as a tuple of plain values, which the cyclic collector
    stops tracking (a cache of objects it tracks made every full collection walk all of them).
    """
    key: Any = eid if graph.plain_edges[eid] else (eid, agency)
    drawn = graph.drawn.get(key)
    if drawn is None:
        index = graph.index
        a, b = index.ends[eid].tolist()
        observed = index.observed(eid)
        if not graph.plain_edges[eid]:
            rule = _evidence_rule(agency, graph.restricted_events)
            observed = [e for e in observed if rule(e.evidence)]
        edge = MapEdge.of(index.node_ids[a], index.node_ids[b], *_rendered(observed))
        if len(graph.drawn) >= MAX_DRAWN_EDGES:
            graph.drawn.clear()
        graph.drawn[key] = drawn = (
            edge.source,
            edge.target,
            edge.kinds,
            edge.count,
            edge.latest,
            edge.reliability,
            edge.rows,
        )
    return MapEdge(*drawn)


def link_for_viewer(viewer: Any, a: NodeId, b: NodeId) -> MapEdge:
    """The line between ``a`` and ``b`` with every observation behind it ``viewer`` may see.

    Raises ``LookupError`` unless the viewer may see both ends (the rule of ``visible_people``,
    asked in one query; contexts by role) and at least one observation: restricted events are
    evidence only for the agency that recorded them, as on the map. The caller authorises and
    audits the read of both records first.
    """
    graph = partnership_graph()
    index = graph.index
    va, vb = index.position.get(a), index.position.get(b)
    if va is None or vb is None or va == vb:
        raise LookupError((a, b))
    eid = int(index.graph.get_eid(va, vb, error=False))
    if eid < 0:
        raise LookupError((a, b))
    seen = _seen_by(viewer, [a, b])
    if not (seen.visible(a) and seen.visible(b)):
        raise LookupError((a, b))
    edge = _map_edge(graph, eid, viewer.agency_id)
    if not edge.count:
        raise LookupError((a, b))
    return edge


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
    rule = _evidence_rule(viewer.agency_id, graph.restricted_events)
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
    "forget_viewer_masks",
    "graph_version",
    "hub_neighbours",
    "link_for_viewer",
    "neighbourhood_for_viewer",
    "partnership_graph",
    "partnership_index",
]
