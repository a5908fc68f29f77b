"""Benchmark the network engine (igraph) against networkx on a synthetic county-scale graph.

The graph has planted groups (most ties inside a group of about 20, a few across), so community
detection has something real to find. Every figure is reported beside networkx doing the same job
in the same run, as a ratio (networkx time / ours), so results compare across machines.

    .venv/bin/python bench/network.py [--nodes 100000] [--edges 500000] [--queries 300]

Needs networkx (``networkx>=3.3,<4``), which is a benchmark baseline only, not a dependency.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mapping.network import (  # noqa: E402
    Edge,
    Evidence,
    NetworkIndex,
    communities,
    neighbourhood,
)

GROUP = 20


def synthetic(nodes: int, edges: int, seed: int) -> list[Edge]:
    rng = random.Random(seed)  # test data, not security
    evidence = [
        Evidence("school DSL", None, r, "Northshire Council", f"association:{i}")
        for i, r in enumerate(("confirmed", "reported", "intelligence"))
    ]
    result = []
    for _ in range(edges):
        a = rng.randrange(nodes)
        b = (
            (a // GROUP) * GROUP + rng.randrange(GROUP)
            if rng.random() < 0.8
            else rng.randrange(nodes)
        )
        result.append(
            Edge(f"person:{a}", f"person:{min(b, nodes - 1)}", "peer", rng.choice(evidence))
        )
    return result


def networkx_graph(edges: list[Edge]) -> nx.Graph:
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


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    edges = synthetic(args.nodes, args.edges, args.seed)
    rows: list[tuple[str, str, str, float]] = []

    started = time.perf_counter()
    index = NetworkIndex.build(edges)
    build_ours = time.perf_counter() - started
    build_nx, graph = timed(lambda: networkx_graph(edges))
    rows.append(("build graph", f"{build_ours:.2f} s", f"{build_nx:.2f} s", build_nx / build_ours))

    # A worker that holds the index for its lifetime freezes it out of the cyclic collector, or
    # every full collection walks a million long-lived objects (tens of ms, landing in the p95).
    gc.collect()
    gc.freeze()

    rng = random.Random(args.seed)  # test data, not security
    hidden = {f"person:{i}" for i in rng.sample(range(args.nodes), args.nodes // 10)}

    def visible(node: str) -> bool:
        return node not in hidden

    centres = [n for n in rng.sample(index.node_ids, args.queries) if visible(n)]
    ours, theirs = [], []
    view = nx.subgraph_view(graph, filter_node=visible)
    for centre in centres:
        started = time.perf_counter()
        mine = neighbourhood(index, centre, depth=2, visible=visible)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        ego = nx.ego_graph(view, centre, radius=2)
        theirs.append(time.perf_counter() - started)
        # Same answer when no hub cap applies (the synthetic graph has no hubs above 50).
        assert {n.id for n in mine.nodes} == set(ego.nodes)
    for label, pick in (("median", statistics.median), ("p95", p95)):
        mine_ms, theirs_ms = pick(ours) * 1000, pick(theirs) * 1000
        rows.append(
            (
                f"2-hop neighbourhood, permissions applied ({label})",
                f"{mine_ms:.3f} ms",
                f"{theirs_ms:.3f} ms",
                theirs_ms / mine_ms,
            )
        )

    started = time.perf_counter()
    found = communities(index)
    leiden = time.perf_counter() - started
    started = time.perf_counter()
    parts = nx.community.louvain_communities(graph, weight="weight", seed=1)
    louvain = time.perf_counter() - started
    q_nx = nx.community.modularity(graph, parts, weight="weight")
    rows.append(
        (
            "communities (Leiden with explanations vs Louvain)",
            f"{leiden:.2f} s (Q={found.modularity:.3f}, {len(found.clusters):,} clusters)",
            f"{louvain:.2f} s (Q={q_nx:.3f}, {len(parts):,} communities)",
            louvain / leiden,
        )
    )

    print(
        f"\nGraph: {args.nodes:,} nodes, {args.edges:,} observations, "
        f"{index.graph.ecount():,} collapsed edges; {len(hidden):,} nodes hidden from the viewer\n"
    )
    print("| measure | igraph (ours) | networkx (baseline) | ratio |")
    print("|---|---|---|---|")
    for name, a, b, ratio in rows:
        print(f"| {name} | {a} | {b} | {ratio:.1f}x |")


if __name__ == "__main__":
    main()
