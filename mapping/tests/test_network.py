"""The network engine: neighbourhoods under permissions, hub caps, clusters, connectors."""

from __future__ import annotations

import dataclasses
import random
import time
from datetime import date
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from mapping.network import (
    CO_OCCURRENCE,
    Edge,
    Evidence,
    NetworkIndex,
    communities,
    connectors,
    edges_from_records,
    neighbourhood,
    walk,
)


def ev(record: str, reliability: str = "reported", source: str = "school DSL") -> Evidence:
    return Evidence(source, date(2026, 3, 1), reliability, "Northshire Council", record)


def edge(a: str, b: str, kind: str = "peer", record: str = "association:1", **kw: Any) -> Edge:
    return Edge(a, b, kind, ev(record, **kw))


def strings(value: Any) -> list[str]:
    """Every string anywhere in a (nested) result, so a leak cannot hide in a field."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in strings(getattr(value, f.name))]
    if isinstance(value, dict):
        return [s for kv in value.items() for item in kv for s in strings(item)]
    if isinstance(value, list | tuple | set | frozenset):
        return [s for item in value for s in strings(item)]
    return []


# A young person A with peers B, C; C knows D; D knows E (depth 3). A and B frequent the park;
# H is a hidden adult of concern linked to A and, through H only, to F.
KINDS = {
    "person:A": "young_person",
    "person:B": "young_person",
    "person:C": "young_person",
    "person:D": "young_person",
    "person:E": "young_person",
    "person:F": "young_person",
    "person:H": "adult_of_concern",
    "context:park": "context",
}
LABELS = {n: f"Name-{n.split(':')[1]}" for n in KINDS} | {"person:H": "Harry Hidden"}
SMALL = [
    edge("person:A", "person:B", record="association:1"),
    edge("person:A", "person:C", record="association:2"),
    edge("person:C", "person:D", record="association:3"),
    edge("person:D", "person:E", record="association:4"),
    edge("person:A", "context:park", "frequents", record="link:1"),
    edge("person:B", "context:park", "frequents", record="link:2"),
    edge("person:H", "person:A", "adult_of_concern", record="association:5", source="police"),
    edge("person:H", "person:F", "adult_of_concern", record="association:6"),
]


@pytest.fixture
def small() -> NetworkIndex:
    return NetworkIndex.build(SMALL, node_kinds=KINDS, labels=LABELS)


def everyone(node: str) -> bool:
    return True


def not_h(node: str) -> bool:
    return node != "person:H"


def ids(result: Any) -> set[str]:
    return {n.id for n in result.nodes}


def test_depth_one_and_two(small: NetworkIndex) -> None:
    one = neighbourhood(small, "person:A", depth=1, visible=everyone)
    assert ids(one) == {"person:A", "person:B", "person:C", "context:park", "person:H"}
    two = neighbourhood(small, "person:A", depth=2, visible=everyone)
    assert ids(two) == ids(one) | {"person:D", "person:F"}
    assert {n.id: n.depth for n in two.nodes}["person:D"] == 2
    # Edges among the shown nodes, including B-park which is not on the walk's tree.
    pairs = {frozenset((e.source, e.target)) for e in two.edges}
    assert frozenset(("person:B", "context:park")) in pairs
    assert frozenset(("person:D", "person:E")) not in pairs
    three = neighbourhood(small, "person:A", depth=3, visible=everyone)
    assert "person:E" in ids(three)


def test_depth_outside_one_to_three_is_refused(small: NetworkIndex) -> None:
    with pytest.raises(ValueError):
        neighbourhood(small, "person:A", depth=4, visible=everyone)


def test_a_hidden_node_never_leaks_not_even_through_the_walk(small: NetworkIndex) -> None:
    result = neighbourhood(small, "person:A", depth=3, visible=not_h)
    # F is reachable only through H: showing F would disclose the hidden link.
    assert ids(result) == {f"person:{x}" for x in "ABCDE"} | {"context:park"}
    text = strings(result)
    assert text, "the walker must see the strings, or this test proves nothing"
    for s in text:
        assert "person:H" not in s
        assert "Harry Hidden" not in s
        assert "association:5" not in s and "association:6" not in s
        assert "police" not in s
    # and the same check notices a leak when the viewer may see H
    assert any(
        "Harry Hidden" in s for s in strings(neighbourhood(small, "person:A", visible=everyone))
    )


def test_a_hidden_centre_is_not_found(small: NetworkIndex) -> None:
    with pytest.raises(LookupError):
        neighbourhood(small, "person:H", visible=not_h)


def test_evidence_the_viewer_may_not_read_is_dropped(small: NetworkIndex) -> None:
    result = neighbourhood(
        small, "person:A", visible=everyone, evidence_visible=lambda e: e.source != "police"
    )
    assert "person:H" not in ids(result)
    assert not any("police" in s for s in strings(result))


def test_a_hub_is_capped_with_a_count_of_the_rest() -> None:
    edges = [edge("person:hub", f"person:y{i}", "adult_of_concern") for i in range(5000)]
    edges += [edge("person:hub", "person:y7", "adult_of_concern", record="association:2")]
    index = NetworkIndex.build(edges)
    hidden = {"person:y1", "person:y2"}
    result = neighbourhood(index, "person:hub", depth=2, visible=lambda n: n not in hidden, cap=50)
    assert len(result.nodes) == 51
    hub = next(n for n in result.nodes if n.id == "person:hub")
    assert hub.more == 5000 - 2 - 50  # hidden neighbours are not counted either
    assert "person:y7" in ids(result)  # strongest tie (two observations) comes first
    # From a leaf, depth 2 reaches the hub and its capped neighbours, never all 5000.
    leaf = neighbourhood(index, "person:y3", depth=3, visible=everyone, cap=50)
    assert len(leaf.nodes) <= 52


def test_the_overall_node_limit_stops_the_walk() -> None:
    edges = [edge(f"person:{i}", f"person:{i}-{j}") for i in range(40) for j in range(40)]
    edges += [edge("person:root", f"person:{i}") for i in range(40)]
    result = neighbourhood(
        NetworkIndex.build(edges), "person:root", depth=2, visible=everyone, max_nodes=100
    )
    assert len(result.nodes) == 100
    assert result.truncated


def test_repeated_observations_collapse_into_one_edge_with_all_evidence() -> None:
    edges = [
        edge("person:A", "person:B", "peer", record="association:1", reliability="confirmed"),
        edge("person:B", "person:A", "romantic", record="association:2"),
        edge("person:A", "person:B", CO_OCCURRENCE, record="event:9"),
    ]
    index = NetworkIndex.build(edges)
    assert index.graph.ecount() == 1
    assert index.graph.es[0]["weight"] == 3
    (shown,) = neighbourhood(index, "person:A", visible=everyone).edges
    assert shown.kinds == ("co_occurrence", "peer", "romantic")
    assert {e.evidence.record for e in shown.evidence} == {
        "association:1",
        "association:2",
        "event:9",
    }


def planted_clusters() -> tuple[list[Edge], list[str], list[str]]:
    """Two dense groups of eight young people, each around its own place, one bridge between."""
    rng = random.Random(5)  # noqa: S311  # test data, not security
    left = [f"person:L{i}" for i in range(8)]
    right = [f"person:R{i}" for i in range(8)]
    edges: list[Edge] = []
    for group, place in ((left, "context:skatepark"), (right, "context:station")):
        for i, a in enumerate(group):
            edges.append(edge(a, place, "frequents", record=f"link:{a}"))
            edges += [
                edge(a, b, record=f"association:{a}-{b}")
                for b in group[i + 1 :]
                if rng.random() < 0.7
            ]
    edges.append(edge("person:L0", "person:R0", record="association:bridge"))
    return edges, left, right


def test_leiden_finds_the_two_planted_groups_and_explains_them() -> None:
    edges, left, right = planted_clusters()
    kinds = {n: "young_person" for n in left + right}
    index = NetworkIndex.build(edges, node_kinds=kinds)
    found = communities(index, recorded_groups=[set(right)])
    assert {frozenset(c.people) for c in found.clusters} == {frozenset(left), frozenset(right)}
    first, second = found.clusters
    assert not first.recorded and set(first.people) == set(left)  # unrecorded suggestions first
    assert second.recorded
    assert first.shared_places == (("context:skatepark", 8),)
    assert "skatepark (8 of them)" in first.explanation
    assert "not a finding about any child" in first.explanation
    assert dict(first.links_by_kind)["frequents"] == 8
    assert found.modularity > 0.3


def test_connectors_name_adults_and_contexts_never_children() -> None:
    edges, left, right = planted_clusters()
    edges += [edge("person:adult", y, "adult_of_concern") for y in (left[1], left[2], right[3])]
    # A very connected child: must never appear.
    edges += [edge("person:L5", y) for y in right]
    kinds = {n: "young_person" for n in left + right} | {"person:adult": "adult_of_concern"}
    index = NetworkIndex.build(edges, node_kinds=kinds)
    membership = communities(index).membership
    found = connectors(index, membership=membership)
    by_node = {c.node: c for c in found}
    assert set(by_node) == {"person:adult", "context:skatepark", "context:station"}
    adult = by_node["person:adult"]
    assert adult.clusters == 2
    assert len(adult.evidence) == 3
    assert "3 young people" in adult.explanation
    with pytest.raises(ValueError):
        connectors(index, kinds={"young_person"})


def test_the_loader_turns_records_into_edges_and_keeps_initials_off_the_graph() -> None:
    when = SimpleNamespace(date=lambda: date(2026, 1, 2))
    common = {"source": "school", "reliability": "confirmed", "created_at": when}
    association = SimpleNamespace(
        pk=1, person_id=1, other_id=2, kind="peer", recording_agency="Council", **common
    )
    named = SimpleNamespace(
        pk=2, person_id=1, context_id=7, kind="frequents", recording_agency="Police", **common
    )
    initials = SimpleNamespace(
        pk=3, person_id=None, context_id=7, kind="frequents", recording_agency="Police", **common
    )
    event = SimpleNamespace(
        pk=9,
        occurred_at=when,
        recording_agency="Police",
        get_kind_display=lambda: "Missing episode",
    )
    participants = [SimpleNamespace(event_id=9, event=event, person_id=i) for i in (1, 2, 3)]
    edges = edges_from_records(
        associations=[association], context_links=[named, initials], participants=participants
    )
    assert [(e.source, e.target, e.kind) for e in edges] == [
        ("person:1", "person:2", "peer"),
        ("person:1", "context:7", "frequents"),
        ("person:1", "person:2", CO_OCCURRENCE),
        ("person:1", "person:3", CO_OCCURRENCE),
        ("person:2", "person:3", CO_OCCURRENCE),
    ]
    assert edges[2].evidence.record == "event:9"
    assert edges[1].evidence == Evidence(
        "school", date(2026, 1, 2), "confirmed", "Police", "link:2"
    )


def synthetic(n_nodes: int, n_edges: int, seed: int = 7) -> list[Edge]:
    rng = random.Random(seed)  # noqa: S311  # test data, not security
    evidence = ev("association:0")
    return [
        Edge(
            f"person:{rng.randrange(n_nodes)}", f"person:{rng.randrange(n_nodes)}", "peer", evidence
        )
        for _ in range(n_edges)
    ]


def test_county_scale_graph_builds_and_answers() -> None:
    edges = synthetic(100_000, 500_000)
    started = time.perf_counter()
    index = NetworkIndex.build(edges, nodes=(f"person:{i}" for i in range(100_000)))
    built = time.perf_counter() - started
    started = time.perf_counter()
    result = neighbourhood(index, "person:1", depth=2, visible=everyone)
    walked = time.perf_counter() - started
    print(f"\nbuilt 100k/500k in {built:.2f} s; 2-hop neighbourhood in {walked * 1000:.2f} ms")
    assert index.graph.vcount() == 100_000
    collapsed = {frozenset((e.source, e.target)) for e in edges if e.source != e.target}
    assert index.graph.ecount() == len(collapsed)
    loops = sum(1 for e in edges if e.source == e.target)
    assert sum(len(index.observed(i)) for i in range(index.graph.ecount())) == 500_000 - loops
    assert sorted(index.graph.es["weight"], reverse=True)[0] >= 1
    expected = {index.node_ids[v] for v in index.graph.neighborhood(index.position["person:1"], 2)}
    assert ids(result) == expected


def test_more_counts_only_neighbours_not_already_on_the_map() -> None:
    edges = [edge("person:hub", f"person:y{i}") for i in range(10)]
    # y9 is the weakest tie of the hub, so capped, but the centre reaches it directly.
    edges += [edge("person:centre", "person:hub"), edge("person:centre", "person:y9")]
    edges += [edge("person:hub", f"person:y{i}", record="association:2") for i in range(9)]
    index = NetworkIndex.build(edges)
    result = neighbourhood(index, "person:centre", depth=2, visible=everyone, cap=5)
    hub = next(n for n in result.nodes if n.id == "person:hub")
    assert "person:y9" in ids(result)
    # 11 visible neighbours (10 young people and the centre); 5 shown; y9 and centre already are.
    assert hub.more == 11 - 5 - 2


def _walk_one_at_a_time(
    index: NetworkIndex,
    start: int,
    depth: int,
    visible: Any,
    evidence_visible: Any,
    cap: int,
    max_nodes: int,
) -> tuple[dict[int, int], dict[int, int], set[int], bool]:
    """The walk as it was written before it was vectorised: one vertex, one neighbour at a
    time. The reference the numpy walk must match exactly."""
    names = index.node_ids

    def seen_tie(eid: int) -> bool:
        return any(evidence_visible(e.evidence) for e in index.observed(eid))

    depth_of = {start: 0}
    capped: dict[int, list[int]] = {}
    frontier, truncated = [start], False
    for d in range(1, depth + 1):
        following: list[int] = []
        for v in frontier:
            others, eids = index.neighbours(v)
            shown = [
                u
                for u, e in zip(others.tolist(), eids.tolist(), strict=True)
                if visible[u] and seen_tie(e)
            ]
            if len(shown) > cap:
                capped[v], shown = shown[cap:], shown[:cap]
            for u in shown:
                if u in depth_of:
                    continue
                if len(depth_of) >= max_nodes:
                    truncated = True
                    break
                depth_of[u] = d
                following.append(u)
        frontier = following
    more = {v: sum(1 for u in rest if u not in depth_of) for v, rest in capped.items()}
    edges = {
        e
        for e in range(index.graph.ecount())
        if set(index.ends[e].tolist()) <= depth_of.keys() and seen_tie(e)
    }
    assert all(names[v] for v in depth_of)
    return depth_of, more, edges, truncated


@pytest.mark.parametrize("seed", range(12))
def test_the_numpy_walk_matches_the_one_vertex_at_a_time_walk(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311  # test data, not security
    n = rng.randint(5, 120)
    hidden_records = {f"event:{i}" for i in range(0, 40, 3)}
    edges = [
        edge(
            f"person:{rng.randrange(n)}",
            f"person:{rng.randrange(n)}",
            record=f"event:{rng.randrange(40)}" if rng.random() < 0.4 else f"association:{i}",
        )
        for i in range(rng.randint(n, n * 6))
    ]
    index = NetworkIndex.build(edges)
    if not index.node_ids:
        return
    visible = np.array([rng.random() < 0.8 for _ in index.node_ids], dtype=bool)

    def rule(e: Evidence) -> bool:
        return e.record not in hidden_records

    per_edge = np.array(
        [any(rule(o.evidence) for o in index.observed(e)) for e in range(index.graph.ecount())],
        dtype=bool,
    )
    for _ in range(5):
        start = rng.randrange(len(index.node_ids))
        visible[start] = True
        depth, cap, limit = rng.randint(1, 3), rng.randint(1, 6), rng.randint(2, 40)
        expected = _walk_one_at_a_time(index, start, depth, visible, rule, cap, limit)
        for kwargs in (
            {"evidence_visible": rule},
            {"edge_visible": per_edge},
            {"evidence_visible": rule, "plain_edges": per_edge & False},
        ):
            got = walk(
                index, start, depth=depth, visible=visible, cap=cap, max_nodes=limit, **kwargs
            )
            assert list(got.depth_of.items()) == list(expected[0].items())  # same order too
            assert got.more == expected[1]
            assert set(got.edges.tolist()) == expected[2]
            assert len(got.edges) == len(expected[2])
            assert got.truncated == expected[3]
