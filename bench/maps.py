"""Benchmark hotspot maps and the network engine on the county-scale data set in PostgreSQL.

Every figure is reported beside a named, straightforward baseline measured in the same run, as a
ratio (baseline time / ours), so results compare across machines:

* hotspot analysis (DB GROUP BY, then Getis-Ord Gi*) vs scikit-learn ``KernelDensity``;
* building the graph from the database (igraph ``NetworkIndex``) vs a networkx ``Graph``;
* community detection over the whole graph (Leiden) vs networkx Louvain, with a resolution sweep;
* a 2-hop neighbourhood with a practitioner's permissions vs networkx ``ego_graph``.

    .venv/bin/python bench/maps.py \
        --database-url postgres://postgres@127.0.0.1:5432/contextsafe_bench [--repeat 7]

Needs the county data set (``bench/web.py --generate`` makes it) and the dev-only baselines
scikit-learn and networkx, which are not dependencies of the service.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx  # type: ignore[import-untyped]
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapping.network import (  # noqa: E402
    CO_OCCURRENCE,
    DEFAULT_OBJECTIVE,
    DEFAULT_RESOLUTION,
    MAX_CO_OCCURRENCE_PARTICIPANTS,
    MIN_REPEATED_MEETINGS,
    YOUNG_PERSON,
    Edge,
    Evidence,
    NetworkIndex,
    communities,
    context_node,
    neighbourhood,
    person_node,
    tie_weights,
)

CASE_WORKER = "dana.whitlock"  # CS lead and team manager: exact counts of visible events
ANALYST = "lena.fox"  # analyst: the wider scope, small numbers suppressed
PRACTITIONER = "sam.okafor"  # social worker: the neighbourhood's permission scope
BANDWIDTH_M = 150.0
KDE_RTOL = 1e-8
EARTH_RADIUS_M = 6_371_008.8
SEED = 7


@dataclass
class Row:
    measure: str
    ours: str
    baseline: str
    ratio: float | None  # baseline time / ours; None where a ratio means nothing


@dataclass
class Section:
    title: str
    baseline: str
    rows: list[Row]
    notes: list[str]
    table: tuple[tuple[str, ...], list[tuple[str, ...]]] | None = None  # a table of its own


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def setup_django(database_url: str) -> None:
    os.environ["CONTEXTSAFE_MODE"] = "test"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contextsafe.settings")
    import django

    django.setup()


def user(username: str) -> Any:
    from accounts.models import User

    return User.objects.get(username=username)


# --- a. Hotspot analysis ------------------------------------------------------------------------


def hotspots(repeat: int) -> Section:
    from django.utils import timezone
    from sklearn.neighbors import KernelDensity  # type: ignore[import-untyped]

    from events.models import Event
    from mapping import selectors
    from mapping.counting import cell_totals, countable_events, counts_from_events
    from mapping.selectors import hotspot_analysis

    today = timezone.localdate()

    rows: list[Row] = []
    notes: list[str] = []

    load, (points, centres) = timed(_kde_inputs)
    origin = points.mean(axis=0)

    def kde() -> Any:
        # rtol 1e-8 is exact for any map, and some 40 times faster than the default rtol=0,
        # which sums every point within ~38 bandwidths (the kernel's float underflow).
        kd = KernelDensity(
            kernel="gaussian", bandwidth=BANDWIDTH_M, algorithm="kd_tree", rtol=KDE_RTOL
        )
        kd.fit(_metres(points, origin))
        return kd.score_samples(_metres(centres, origin))

    kde_times = [timed(kde)[0] for _ in range(max(1, min(repeat, 3)))]
    kde_median = statistics.median(kde_times)

    for label, username in (("CS lead (exact)", CASE_WORKER), ("analyst (suppressed)", ANALYST)):
        viewer = user(username)
        hotspot_analysis(viewer=viewer)  # warm-up: plans, imports, caches
        times, result = [], None
        for _ in range(repeat):
            selectors._analyses.clear()  # computed each time, as after any event recorded
            elapsed, result = timed(partial(hotspot_analysis, viewer=viewer))
            times.append(elapsed)
        assert result is not None
        again = [timed(partial(hotspot_analysis, viewer=viewer))[0] for _ in range(repeat)]
        exact = bool(viewer.has_perm("mapping.view_exact_counts"))
        scope = countable_events(viewer, exact)
        group_by = [
            timed(partial(counts_from_events, scope, "", None, None))[0] for _ in range(repeat)
        ]
        kept = [timed(partial(cell_totals, viewer, exact=exact))[0] for _ in range(repeat)]
        year_ago = today - dt.timedelta(days=365)
        kept_year = [
            timed(partial(cell_totals, viewer, exact=exact, since=year_ago, until=today))[0]
            for _ in range(repeat)
        ]
        hot = sum(1 for c in result.cells if c.significance.is_hot)
        median, high = statistics.median(times), p95(times)
        rows += [
            Row(
                f"{label} `{username}`, median",
                ms(median),
                ms(kde_median),
                kde_median / median,
            ),
            Row(f"{label}, p95", ms(high), ms(p95(kde_times)), p95(kde_times) / high),
            Row(
                f"{label}: asked again, the counts unchanged (kept under their version; median)",
                ms(statistics.median(again)),
                "—",
                None,
            ),
            Row(
                f"{label}: of which the counts kept on write, all time / last 365 days (median)",
                f"{ms(statistics.median(kept))} / {ms(statistics.median(kept_year))}",
                "—",
                None,
            ),
            Row(
                f"{label}: the same counts grouped from the events per request (before; median)",
                ms(statistics.median(group_by)),
                "—",
                None,
            ),
        ]
        notes.append(
            f"{label}: {len(result.cells):,} cells in the study area, {hot:,} hot spots, "
            f"total {'withheld' if result.total is None else f'{result.total:,}'} events."
        )
    rows.append(Row("baseline input: load events' lat/lon + cells from DB", "—", ms(load), None))
    rows += _write_costs(repeat)
    notes.insert(
        0,
        f"Baseline: scikit-learn `KernelDensity` (Gaussian, bandwidth {BANDWIDTH_M:.0f} m, "
        f"kd-tree on points projected to metres, rtol {KDE_RTOL:g}), fitted on all "
        f"{len(points):,} events with a position and scored at the {len(centres):,} H3 cell "
        f"centres present in the data (fit + score, {len(kde_times)} runs; loading them from "
        "the DB is reported apart). "
        f"Ours: `hotspot_analysis` end to end, {repeat} runs after one warm-up, each computed "
        "afresh (nothing kept), audit row included. Target: under 1 s.",
    )
    notes.append(f"Events in the database: {Event.objects.count():,}.")
    return Section("a. Hotspot analysis", "scikit-learn KernelDensity", rows, notes)


def _write_costs(repeat: int) -> list[Row]:
    """What keeping the counts adds to a write: one day's refresh (an event recorded), and the
    days of one young person's events (a share of their record changed)."""
    from django.db import transaction

    from events.models import Event
    from mapping import cellcounts
    from people.models import Person

    busiest = Event.objects.order_by("-occurred_at").values_list("occurred_at", flat=True)[0]
    day = cellcounts.local_day(busiest)
    person = (
        Person.objects.filter(kind="young_person", event_roles__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    assert person is not None, "no young person takes part in an event"

    def rolled_back(work: Any) -> None:
        with transaction.atomic():
            work()
            transaction.set_rollback(True)

    one_day = [timed(partial(rolled_back, partial(cellcounts.refresh_days, [day])))[0]]
    one_day += [
        timed(partial(rolled_back, partial(cellcounts.refresh_days, [day])))[0]
        for _ in range(repeat - 1)
    ]
    shares = [
        timed(partial(rolled_back, partial(cellcounts.refresh_for_people, [person])))[0]
        for _ in range(repeat)
    ]
    return [
        Row(
            "write cost: refresh one day's counts (an event recorded), median",
            ms(statistics.median(one_day)),
            "—",
            None,
        ),
        Row(
            "write cost: refresh a young person's days (their record shared), median",
            ms(statistics.median(shares)),
            "—",
            None,
        ),
    ]


def _kde_inputs() -> tuple[Any, Any]:
    import h3  # type: ignore[import-untyped]

    from events.models import Event

    located = Event.objects.filter(latitude__isnull=False, longitude__isnull=False).order_by()
    points = np.array(list(located.values_list("latitude", "longitude")), dtype=np.float64)
    cells = Event.objects.exclude(h3_cell="").order_by().values_list("h3_cell", flat=True)
    centres = np.array([h3.cell_to_latlng(c) for c in cells.distinct()], dtype=np.float64)
    return points, centres


def _metres(latlon: Any, origin: Any) -> Any:
    """Equirectangular projection around the data's centre: exact enough across one county."""
    lat0 = np.radians(origin[0])
    y = np.radians(latlon[:, 0] - origin[0]) * EARTH_RADIUS_M
    x = np.radians(latlon[:, 1] - origin[1]) * EARTH_RADIUS_M * np.cos(lat0)
    return np.column_stack((x, y))


# --- b. Graph build from the database ------------------------------------------------------------


@dataclass
class Loaded:
    edges: list[Edge]
    kinds: dict[str, str]
    associations: int
    context_links: int
    co_events: int


def load_edges() -> Loaded:
    """Every association, named person–context link and co-occurrence, streamed with values_list.

    The same edges ``edges_from_records`` makes from model instances, without building a model
    instance per row (at a million events that alone takes longer than everything else here).
    """
    from django.contrib.postgres.aggregates import ArrayAgg
    from django.db.models import Count

    from accounts.models import Agency
    from contexts.models import ContextLink
    from events.models import Event, EventKind
    from people.models import Association, Person

    agency = {pk: str(a) for pk, a in ((a.pk, a) for a in Agency.objects.all())}
    kinds = {
        person_node(pk): kind
        for pk, kind in Person.objects.order_by().values_list("pk", "kind").iterator(50_000)
    }
    fields = ("pk", "kind", "source", "reliability", "created_at", "recording_agency_id")

    def rows(query: Any, ends: tuple[str, str]) -> Iterator[tuple[Any, ...]]:
        yield from query.order_by().values_list(*ends, *fields).iterator(chunk_size=50_000)

    edges: list[Edge] = []
    associations = context_links = 0
    for a, b, pk, kind, source, reliability, created, by in rows(
        Association.objects.all(), ("person_id", "other_id")
    ):
        evidence = Evidence(source, created.date(), reliability, agency[by], f"association:{pk}")
        edges.append(Edge(person_node(a), person_node(b), kind, evidence))
        associations += 1
    for a, b, pk, kind, source, reliability, created, by in rows(
        ContextLink.objects.filter(person__isnull=False), ("person_id", "context_id")
    ):
        evidence = Evidence(source, created.date(), reliability, agency[by], f"link:{pk}")
        edges.append(Edge(person_node(a), context_node(b), kind, evidence))
        context_links += 1
    kind_label = {k: str(label).lower() for k, label in EventKind.choices}
    # The grouping is done by the database: one row per event with 2-12 people, not a row per
    # participant to group in Python.
    shared = (
        Event.objects.order_by()
        .annotate(n=Count("participants"), people=ArrayAgg("participants__person_id"))
        .filter(n__gte=2, n__lte=MAX_CO_OCCURRENCE_PARTICIPANTS)
        .values_list("pk", "kind", "occurred_at", "recording_agency_id", "people")
    )
    co_events = 0
    for pk, kind, occurred, by, people in shared.iterator(chunk_size=50_000):
        evidence = Evidence(
            f"both recorded in the same {kind_label[kind]}",
            occurred.date(),
            "reported",
            agency[by],
            f"event:{pk}",
        )
        ids = sorted(set(people))
        edges += [
            Edge(person_node(x), person_node(y), CO_OCCURRENCE, evidence)
            for i, x in enumerate(ids)
            for y in ids[i + 1 :]
        ]
        co_events += 1
    return Loaded(edges, kinds, associations, context_links, co_events)


def networkx_graph(edges: Iterable[Edge]) -> Any:
    """The straightforward networkx build: one edge per pair, its observations in a list."""
    graph = nx.Graph()
    for e in edges:
        if e.source == e.target:
            continue
        if graph.has_edge(e.source, e.target):
            data = graph[e.source][e.target]
            data["evidence"].append(e)
            data["weight"] += 1
        else:
            graph.add_edge(e.source, e.target, evidence=[e], weight=1)
    return graph


def graph_build(own_loader: bool = True) -> tuple[Section, NetworkIndex, Any]:
    loader_note = _graph_module_note()
    load, loaded = timed(load_edges)
    ours, index = timed(lambda: NetworkIndex.build(loaded.edges, node_kinds=loaded.kinds))
    theirs, graph = timed(lambda: networkx_graph(loaded.edges))
    co = sum(1 for e in loaded.edges if e.kind == CO_OCCURRENCE)
    rows = [
        Row("load edges from the DB (values_list, streamed)", ms(load), "same edges", None),
        Row("build the graph from the edge list", ms(ours), ms(theirs), theirs / ours),
        Row("load + build", ms(load + ours), ms(load + theirs), (load + theirs) / (load + ours)),
    ]
    builder = _graph_module_builder() if own_loader else None
    if builder is not None:
        module, module_index = timed(builder)
        rows.append(
            Row(
                "`mapping.graph.build_partnership_index()` (its own load + build)",
                f"{ms(module)} ({module_index[0].graph.ecount():,} edges)",
                ms(load + theirs),
                (load + theirs) / module,
            )
        )
        del module_index
    notes = [
        "Baseline: networkx `Graph`, one edge per pair with its observations in a list and a "
        "weight (as bench/network.py), built from the same edge list.",
        f"Edges: {loaded.associations:,} associations, {loaded.context_links:,} named "
        f"person–context links, {co:,} co-occurrence observations from {loaded.co_events:,} "
        f"events with 2–{MAX_CO_OCCURRENCE_PARTICIPANTS} people: {len(loaded.edges):,} "
        f"observations, {index.graph.ecount():,} collapsed edges, {index.graph.vcount():,} "
        "nodes.",
        loader_note,
    ]
    return Section("b. Graph build from the database", "networkx Graph", rows, notes), index, graph


def _graph_module_builder() -> Callable[[], Any] | None:
    try:
        from mapping import graph
    except ImportError:
        return None
    return getattr(graph, "build_partnership_index", None)


def _graph_module_note() -> str:
    if _graph_module_builder() is None:
        return (
            "Loader: `mapping/graph.py` has no `build_partnership_index` yet, so this benchmark "
            "streams the rows itself (`load_edges` here): the same edges as "
            "`mapping.network.edges_from_records`, from `values_list` rather than model "
            "instances, the co-occurrence grouping done by PostgreSQL (`array_agg`)."
        )
    return (
        "Loader: the rows above are streamed by this benchmark (`load_edges`: `values_list`, "
        "co-occurrence grouped by PostgreSQL with `array_agg`), so networkx gets the identical "
        "edge list; the service's own loader, `mapping.graph.build_partnership_index()`, is "
        "timed on the last row (load + build in one), against the networkx load + build."
    )


# --- c. Communities ----------------------------------------------------------------------------


def community_detection(index: NetworkIndex, graph: Any) -> Section:
    from contexts.models import ContextKind, ContextLink, ContextLinkKind

    groups: dict[str, set[str]] = defaultdict(set)
    members = ContextLink.objects.filter(
        kind=ContextLinkKind.MEMBER_OF, context__kind=ContextKind.PEER_GROUP, person__isnull=False
    )
    for context, person in members.order_by().values_list("context_id", "person_id"):
        groups[context_node(context)].add(person_node(person))

    runs = [timed(lambda: communities(index, recorded_groups=groups.values())) for _ in range(3)]
    ours = statistics.median(t for t, _ in runs)
    found = runs[0][1]
    theirs, parts = timed(lambda: nx.community.louvain_communities(graph, weight="weight", seed=1))
    q_nx = nx.community.modularity(graph, parts, weight="weight")
    recorded = sum(1 for c in found.clusters if c.recorded)
    vertex_groups = _vertex_groups(index, groups)
    membership = np.asarray(found.membership, dtype=np.int64)
    mine = _recovered(index, membership, vertex_groups)
    theirs_membership = np.empty(len(index.node_ids), dtype=np.int64)
    for c, part in enumerate(parts):
        theirs_membership[[index.position[n] for n in part]] = c
    louvain = _recovered(index, theirs_membership, vertex_groups)
    rows = [
        Row(
            "whole graph (median of 3)",
            f"{ms(ours)} ({len(set(found.membership)):,} communities, "
            f"{mine:.0%} of peer groups recovered)",
            f"{ms(theirs)} (Q={q_nx:.3f}, {len(parts):,} communities, "
            f"{louvain:.0%} of peer groups recovered)",
            theirs / ours,
        )
    ]
    notes = [
        "Ours: `mapping.network.communities` with its defaults (Leiden, "
        f"{DEFAULT_OBJECTIVE} γ={DEFAULT_RESOLUTION:g} on the ties only, each tie once, 2 "
        "iterations; cluster explanations and the recorded-group check included; the process's "
        "long-lived objects frozen out of the cyclic collector first, as a worker holding the "
        "graph would), runs: "
        + ", ".join(ms(t) for t, _ in runs)
        + ". Baseline: networkx `louvain_communities(weight='weight', seed=1)` on the whole graph. "
        "Target: under 2 s. 'Peer groups recovered' as in c2.",
        f"Ours reported {len(found.clusters):,} clusters of 3 or more people "
        f"({recorded:,} overlapping a recorded peer group, {len(found.clusters) - recorded:,} "
        f"suggested); {len(groups):,} recorded peer groups in the data; Q={found.modularity:.3f} "
        "on the ties graph.",
    ]
    return Section("c. Community detection", "networkx Louvain", rows, notes)


def _vertex_groups(index: NetworkIndex, groups: dict[str, set[str]]) -> list[list[int]]:
    found = []
    for members in groups.values():
        vs = [index.position[p] for p in members if p in index.position]
        if vs:
            found.append(vs)
    return found


def _recovered(index: NetworkIndex, membership: Any, groups: list[list[int]]) -> float:
    people = np.array([k != "context" for k in index.kinds], dtype=bool)
    size = np.bincount(membership[people], minlength=int(membership.max()) + 1)
    jaccards = [_best_jaccard(vs, membership, size) for vs in groups]
    return sum(1 for j in jaccards if j >= 0.5) / max(len(jaccards), 1)


@dataclass
class Sweep:
    label: str
    seconds: float
    communities: int
    reported: int
    median_people: float
    p90_people: float
    max_people: int
    modularity: float
    nmi: float
    matched: float  # share of recorded peer groups with a best-match Jaccard >= 0.5
    jaccard: float  # mean best-match Jaccard over recorded peer groups


def resolution_sweep(index: NetworkIndex) -> tuple[Section, list[Sweep]]:
    """What the objective, the resolution and the input graph do, to choose the default.

    Each row runs ``communities`` end to end (explanations and recorded-group check included)
    and scores its partition against the recorded peer groups (ground truth the generator
    planted): the best-matching cluster's Jaccard overlap.
    """
    import igraph as ig  # type: ignore[import-untyped]

    from contexts.models import ContextKind, ContextLink, ContextLinkKind

    g = index.graph
    people = np.array([k != "context" for k in index.kinds], dtype=bool)
    groups: dict[int, list[int]] = defaultdict(list)
    members = ContextLink.objects.filter(
        kind=ContextLinkKind.MEMBER_OF, context__kind=ContextKind.PEER_GROUP, person__isnull=False
    )
    for context, person in members.order_by().values_list("context_id", "person_id"):
        v = index.position.get(person_node(person))
        if v is not None:
            groups[context].append(v)
    settings: list[tuple[str, str, float, bool]] = [
        ("all edges, modularity γ=1 (before)", "modularity", 1.0, False),
        ("all edges, CPM γ=1", "CPM", 1.0, False),
        ("ties, modularity γ=1", "modularity", 1.0, True),
        ("ties, CPM γ=0.1", "CPM", 0.1, True),
        ("ties, CPM γ=0.2", "CPM", 0.2, True),
        ("ties, CPM γ=0.3", "CPM", 0.3, True),
        ("ties, CPM γ=0.5", "CPM", 0.5, True),
    ]
    base: list[int] = []
    results: list[Sweep] = []
    for label, objective, gamma, on_ties in settings:
        seconds, found = timed(
            partial(communities, index, objective=objective, resolution=gamma, on_ties=on_ties)
        )
        if (objective, gamma, on_ties) == (DEFAULT_OBJECTIVE, DEFAULT_RESOLUTION, True):
            label += " (default)"
        base = base or list(found.membership)
        membership = np.asarray(found.membership, dtype=np.int64)
        size = np.bincount(membership[people], minlength=int(membership.max()) + 1)
        reported = size[size >= 3]
        jaccards = [_best_jaccard(vs, membership, size) for vs in groups.values()]
        results.append(
            Sweep(
                label,
                seconds,
                len(set(found.membership)),
                len(reported),
                float(np.median(reported)) if len(reported) else 0.0,
                float(np.percentile(reported, 90)) if len(reported) else 0.0,
                int(reported.max()) if len(reported) else 0,
                float(g.modularity(found.membership, weights="weight")),
                float(ig.compare_communities(base, found.membership, method="nmi")),
                sum(1 for j in jaccards if j >= 0.5) / max(len(jaccards), 1),
                float(np.mean(jaccards)) if jaccards else 0.0,
            )
        )
    header: tuple[str, ...] = (
        "input graph, objective, resolution",
        "time (end to end)",
        "communities",
        "with ≥3 people",
        "people per cluster: median / p90 / max",
        "Q (whole graph, γ=1)",
        "NMI vs before",
        "peer groups recovered",
        "mean Jaccard",
    )
    table: list[tuple[str, ...]] = [
        (
            s.label,
            ms(s.seconds),
            f"{s.communities:,}",
            f"{s.reported:,}",
            f"{s.median_people:.0f} / {s.p90_people:.0f} / {s.max_people:,}",
            f"{s.modularity:.3f}",
            f"{s.nmi:.2f}",
            f"{s.matched:.0%}",
            f"{s.jaccard:.2f}",
        )
        for s in results
    ]
    ties = tie_weights(index)
    notes = [
        "Each row is `communities(index, objective=..., resolution=..., on_ties=...)` end to "
        "end (igraph Leiden, 2 iterations, seed 1, explanations and recorded-group check "
        "included). 'all edges': every edge weighted by its observations (as before); 'ties' "
        "(unweighted, each tie once): associations, person–context links other than "
        "attends/lives near, "
        f"and co-occurrence only for pairs named together in at least {MIN_REPEATED_MEETINGS} "
        f"events ({int((ties > 0).sum()):,} of {g.ecount():,} edges). "
        f"'Peer groups recovered': share of the {len(groups):,} recorded peer groups "
        "whose people are matched by one cluster with Jaccard overlap ≥ 0.5 (the cluster's "
        "people vs the group's members); a cluster that swallows the group in hundreds of "
        "others scores low, as does a group split in pieces. Q is ordinary modularity "
        "(resolution 1) of each partition on the whole graph.",
    ]
    section = Section(
        "c2. Objective, resolution and input graph (no baseline)", "", [], notes, (header, table)
    )
    return section, results


def _best_jaccard(vs: list[int], membership: Any, size: Any) -> float:
    group = np.asarray(vs, dtype=np.int64)
    clusters, inside = np.unique(membership[group], return_counts=True)
    union = size[clusters] + len(group) - inside
    return float((inside / union).max())


# --- d. 2-hop neighbourhood --------------------------------------------------------------------


def neighbourhoods(index: NetworkIndex, graph: Any, queries: int) -> Section:
    from people.selectors import visible_people

    viewer = user(PRACTITIONER)
    g = index.graph
    load, permitted = timed(
        lambda: {person_node(pk) for pk in visible_people(viewer).values_list("pk", flat=True)}
    )
    rng = random.Random(SEED)  # test data, not security
    candidates = [
        n
        for n, k in zip(index.node_ids, index.kinds, strict=True)
        if k == YOUNG_PERSON and n in permitted
    ]
    centres = rng.sample(candidates, min(queries, len(candidates)))

    def per_request(centre: str) -> Any:
        # The permission check a request makes: one query for the people within two hops
        # (an upper bound on what the walk can reach), then the walk over the permitted ones.
        ball = g.neighborhood(index.position[centre], order=2)
        ids = [int(index.node_ids[v][7:]) for v in ball if index.node_ids[v][0] == "p"]
        allowed = {
            person_node(pk)
            for pk in visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True)
        }
        return neighbourhood(
            index,
            centre,
            depth=2,
            visible=lambda n: n in allowed or n.startswith("context:"),
        )

    def cached(centre: str) -> Any:
        return neighbourhood(
            index,
            centre,
            depth=2,
            visible=lambda n: n in permitted or n.startswith("context:"),
        )

    # A worker that holds the index freezes it out of the cyclic collector (see bench/network.py).
    gc.collect()
    gc.freeze()
    for centre in centres[:10]:  # warm-up
        per_request(centre)
    with_query: list[float] = []
    with_set: list[float] = []
    theirs: list[float] = []
    sizes: list[float] = []
    ego_sizes: list[float] = []
    balls: list[float] = []
    for centre in centres:
        elapsed, answer = timed(partial(per_request, centre))
        with_query.append(elapsed)
        sizes.append(len(answer.nodes))
        with_set.append(timed(partial(cached, centre))[0])
        elapsed, ego = timed(partial(nx.ego_graph, graph, centre, radius=2))
        theirs.append(elapsed)
        ego_sizes.append(ego.number_of_nodes())
        balls.append(len(g.neighborhood(index.position[centre], order=2)))
    rows: list[Row] = []
    for label, pick in (("p50", statistics.median), ("p95", p95)):
        mine, base = pick(with_query), pick(theirs)
        rows.append(
            Row(f"permission query per request + walk ({label})", ms(mine), ms(base), base / mine)
        )
    for label, pick in (("p50", statistics.median), ("p95", p95)):
        mine, base = pick(with_set), pick(theirs)
        rows.append(
            Row(
                f"permitted set held by the worker, walk only ({label})",
                ms(mine),
                ms(base),
                base / mine,
            )
        )
    rows.append(Row("load the permitted set once (per worker/viewer)", ms(load), "—", None))
    rows += _service_rows(viewer, centres, theirs)
    notes = [
        f"{len(centres)} random young people visible to practitioner `{PRACTITIONER}` "
        f"(who may open {len(permitted):,} people's records; contexts are partnership records). "
        "Ours: `neighbourhood(index, node, depth=2, visible=...)` (hub cap 50, 400 nodes at "
        "most); first with one `visible_people(viewer).filter(pk__in=<people within two hops>)` "
        "query per request, timed in; then with the viewer's permitted set loaded once. "
        "Baseline: networkx `ego_graph(G, node, radius=2)` on the whole graph, no permissions. "
        "Target: p95 under 10 ms including the permission query.",
        "Service rows: `mapping.graph.neighbourhood_for_viewer(viewer, centre, depth)` and its "
        "`.as_json()` (the JSON the network view sends), as a request makes them: the graph "
        "version query, the walk over the viewer's permitted set held by the process, the "
        "`visible_people` check and names of the people on the answer, contexts, the payload; "
        "hub cap 25, 400 nodes at most. The same centres, one after another, after one warm-up "
        "request that builds the graph and loads the permitted set (cold figures on their own "
        "rows). A line's summary (per agency for one with a restricted record behind it) and a "
        "node's name and link are made once per graph and kept: the first pass over the centres "
        "draws most lines for the first time, the second finds them drawn. Target: p95 under "
        "10 ms. Each line carries a summary of its evidence (kinds, how many observations, the "
        "latest date, the strongest reliability), counted with numpy and kept per graph; its "
        "observations are sent when the line is selected (`link_for_viewer`, the "
        "network/link.json view, its own row). The 'JSON text' rows add `json.dumps` with "
        "Django's encoder, as `JsonResponse` does.",
        f"Answer sizes: ours median {statistics.median(sizes):.0f} nodes (p95 {p95(sizes):.0f}); "
        f"networkx ego graph median {statistics.median(ego_sizes):.0f} (p95 "
        f"{p95(ego_sizes):.0f}); unfiltered 2-hop ball median "
        f"{statistics.median(balls):.0f} (p95 {p95(balls):.0f}).",
    ]
    return Section("d. 2-hop neighbourhood", "networkx ego_graph", rows, notes)


def _service_json(viewer: Any, centre: str, depth: int) -> dict[str, Any]:
    from mapping.graph import neighbourhood_for_viewer

    return neighbourhood_for_viewer(viewer, centre, depth).as_json()


def _service_text(viewer: Any, centre: str, depth: int) -> str:
    """As ``_service_json``, serialised as the view's ``JsonResponse`` does."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(_service_json(viewer, centre, depth), cls=DjangoJSONEncoder)


def _link_json(viewer: Any, a: str, b: str) -> dict[str, Any]:
    from mapping.graph import link_for_viewer

    return link_for_viewer(viewer, a, b).detail_json()


def _service_rows(viewer: Any, centres: list[str], theirs: list[float]) -> list[Row]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mapping import graph as service

    built, _ = timed(service.partnership_graph)
    service.neighbourhood_for_viewer(viewer, centres[0], 2)  # warm: roles, plans
    rows: list[Row] = []
    sizes: dict[int, list[tuple[int, int]]] = {}
    passes = (
        (2, "depth 2, lines drawn for the first time"),
        (2, "depth 2, the same centres again (lines drawn before)"),
        (1, "depth 1"),
    )
    for depth, what in passes:
        times: list[float] = []
        sizes[depth] = []
        for centre in centres:
            elapsed, answer = timed(partial(_service_json, viewer, centre, depth))
            times.append(elapsed)
            sizes[depth].append((len(answer["nodes"]), len(answer["edges"])))
        for label, pick in (("p50", statistics.median), ("p95", p95)):
            mine, base = pick(times), pick(theirs)
            rows.append(
                Row(
                    f"service, {what}, end to end with the database and JSON ({label})",
                    ms(mine),
                    ms(base) + (" (depth 2)" if depth == 1 else ""),
                    base / mine,
                )
            )
    text: list[float] = []
    lines: list[tuple[str, str]] = []
    for centre in centres:
        elapsed, answer = timed(partial(_service_text, viewer, centre, 2))
        text.append(elapsed)
        edges = json.loads(answer)["edges"]
        if edges:
            lines.append((edges[0]["source"], edges[0]["target"]))
    for label, pick in (("p50", statistics.median), ("p95", p95)):
        mine, base = pick(text), pick(theirs)
        rows.append(
            Row(
                f"service, depth 2, lines drawn before, with the JSON text sent ({label})",
                ms(mine),
                ms(base),
                base / mine,
            )
        )
    # The diagram asks for a line's observations when it is selected.
    detail = [timed(partial(_link_json, viewer, a, b))[0] for a, b in lines]
    for label, pick in (("p50", statistics.median), ("p95", p95)):
        rows.append(
            Row(
                f"one line's observations on request, `link_for_viewer` ({label})",
                ms(pick(detail)),
                "—",
                None,
            )
        )
    with CaptureQueriesContext(connection) as captured:
        service.neighbourhood_for_viewer(viewer, centres[1], 2)
    cold = []
    for centre in centres[:5]:
        service.forget_viewer_masks()
        cold.append(timed(partial(_service_json, viewer, centre, 2))[0])
    rows.append(
        Row(
            "service, first request of a viewer (permitted set loaded), median of 5",
            ms(statistics.median(cold)),
            "—",
            None,
        )
    )
    nodes2 = [float(n) for n, _ in sizes[2]]
    edges2 = [float(e) for _, e in sizes[2]]
    rows.append(
        Row(
            f"service: queries per request {len(captured)}; depth-2 answer median "
            f"{statistics.median(nodes2):.0f} nodes / {statistics.median(edges2):.0f} edges "
            f"(p95 {p95(nodes2):.0f} / {p95(edges2):.0f}); graph cold build {ms(built)}",
            "—",
            "—",
            None,
        )
    )
    return rows


# --- report ------------------------------------------------------------------------------------


def report(scale: str, repeat: int, sections: list[Section], extra: list[str]) -> str:
    lines = [
        f"# Mapping and network benchmark — {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Data: {scale} (PostgreSQL). Every ratio is baseline time / ours, both measured in this "
        f"run (above 1: ours is faster). Hotspot figures over {repeat} runs.",
    ]
    for section in sections:
        lines += [
            "",
            f"## {section.title}",
            "",
        ]
        if section.rows:
            lines += [
                f"| measure | ours | baseline: {section.baseline} | ratio |",
                "|---|---|---|---|",
            ]
        for r in section.rows:
            ratio = "—" if r.ratio is None else f"{r.ratio:,.1f}×"
            lines.append(f"| {r.measure} | {r.ours} | {r.baseline} | {ratio} |")
        if section.table:
            header, body = section.table
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(row) + " |" for row in body]
        lines += [""] + [f"- {n}" for n in section.notes]
    if extra:
        lines += ["", *extra]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=7, help="runs of each hotspot analysis")
    parser.add_argument("--queries", type=int, default=300, help="neighbourhoods to ask for")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "results" / "maps-latest.md"
    )
    parser.add_argument(
        "--sections",
        default="abcd",
        help="which sections to run, e.g. 'cd' (c and d need the graph, so b's load runs too)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The benchmark runs on PostgreSQL.")
    setup_django(args.database_url)

    from events.models import Event
    from people.models import Person

    if not Person.objects.exists():
        raise SystemExit("No data: run bench/web.py --generate first.")
    scale = f"{Person.objects.count():,} people, {Event.objects.count():,} events"
    wanted = set(args.sections)
    if "d" in wanted:
        from django.urls import reverse

        reverse("people:profile", args=[1])  # fail now, not after minutes, if URLs cannot load
    sections = []
    if "a" in wanted:
        sections.append(hotspots(args.repeat))
        print("hotspots done", file=sys.stderr, flush=True)
    if wanted & set("bcd"):
        build, index, graph = graph_build("b" in wanted)
        if "b" in wanted:
            sections.append(build)
        print("graph done", file=sys.stderr, flush=True)
    if "c" in wanted:
        # A worker holding the graph keeps it out of the cyclic collector (as section d does):
        # otherwise a full collection over millions of just-built objects lands in the timing.
        gc.collect()
        gc.freeze()
        sections.append(community_detection(index, graph))
        sweep, _ = resolution_sweep(index)
        sections.append(sweep)
        print("communities done", file=sys.stderr, flush=True)
    if "d" in wanted:
        sections.append(neighbourhoods(index, graph, args.queries))
    text = report(scale, args.repeat, sections, [])
    print(text)
    args.output.write_text(text)
    print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
