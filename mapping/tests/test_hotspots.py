"""Gi* checked by hand, against a brute-force loop, on degenerate areas and on a planted cluster."""

import math

import h3  # type: ignore[import-untyped]
import numpy as np
import pytest

from mapping.hotspots import (
    DEFAULT_RESOLUTION,
    Significance,
    Trend,
    cell_of,
    classify,
    emerging,
    gi_star,
    study_area,
)

# A spot in a town centre; nothing depends on where it is except that no pentagon is near.
LAT, LON = 51.752, -1.258


def centre() -> str:
    return cell_of(LAT, LON, DEFAULT_RESOLUTION)


def by_cell(counts):
    return {r.cell: r for r in gi_star(counts)}


def test_cell_of_uses_h3_resolution():
    cell = centre()
    assert h3.get_resolution(cell) == 9
    assert h3.latlng_to_cell(LAT, LON, 9) == cell
    assert h3.get_resolution(cell_of(LAT, LON, 7)) == 7


def hand_example():
    """A centre with 10 events, its six neighbours with 2 each, two far cells with 0 and 1."""
    c0 = centre()
    ring = [c for c in h3.grid_disk(c0, 1) if c != c0]
    far_empty = cell_of(LAT + 0.05, LON, 9)  # about 5.5 km north
    far_one = cell_of(LAT, LON + 0.08, 9)  # about 5.5 km east
    # The hand computation relies on this shape: each ring cell touches the centre and exactly
    # two other ring cells; the far cells touch nothing in the area.
    for cell in ring:
        assert sum(h3.grid_distance(cell, other) == 1 for other in ring) == 2
    assert h3.grid_distance(c0, far_empty) > 10
    assert h3.grid_distance(c0, far_one) > 10
    assert h3.grid_distance(far_empty, far_one) > 10
    counts = {c0: 10, **dict.fromkeys(ring, 2), far_empty: 0, far_one: 1}
    return counts, c0, ring, far_empty, far_one


def test_gi_star_matches_hand_computation():
    counts, c0, ring, far_empty, far_one = hand_example()
    # n = 9 cells; Σx = 10 + 6·2 + 0 + 1 = 23, so X̄ = 23/9.
    # Σx² = 100 + 6·4 + 0 + 1 = 125,
    # so S = sqrt(125/9 − (23/9)²) = sqrt(1125 − 529)/9 = sqrt(596)/9.
    n, mean, s = 9, 23 / 9, math.sqrt(596) / 9

    def z(local_sum, w):
        return (local_sum - mean * w) / (s * math.sqrt((n * w - w * w) / (n - 1)))

    # Centre: itself and its 6 neighbours, W = 7, Σwx = 10 + 12 = 22.
    #   (22 − 7·23/9) / (S·sqrt((63 − 49)/8)) = (37/9) / (sqrt(596)/9 · sqrt(14/8)) = 37/sqrt(1043)
    # Ring cell: itself, the centre and two ring cells, W = 4, Σwx = 2 + 10 + 2 + 2 = 16.
    #   (16 − 4·23/9) / (S·sqrt((36 − 16)/8)) = (52/9) / (sqrt(596)/9 · sqrt(2.5)) = 52/sqrt(1490)
    # Far cell with 0: W = 1: (0 − 23/9) / (S·sqrt((9 − 1)/8)) = −23/sqrt(596);
    # far cell with 1: (1 − 23/9) / S = −14/sqrt(596).
    expected = {
        c0: 37 / math.sqrt(1043),
        **dict.fromkeys(ring, 52 / math.sqrt(1490)),
        far_empty: -23 / math.sqrt(596),
        far_one: -14 / math.sqrt(596),
    }
    assert expected[c0] == pytest.approx(z(22, 7), abs=1e-12)  # the two write-ups agree
    assert expected[ring[0]] == pytest.approx(z(16, 4), abs=1e-12)
    results = by_cell(counts)
    assert list(results) == list(counts)
    for cell, value in expected.items():
        assert results[cell].z == pytest.approx(value, abs=1e-12)
        assert results[cell].p == pytest.approx(math.erfc(abs(value) / math.sqrt(2)), abs=1e-12)
    assert expected[c0] == pytest.approx(1.14567, abs=1e-5)
    assert results[c0].neighbour_cells == 6
    assert results[c0].neighbour_events == 12
    assert results[far_one].neighbour_cells == 0
    assert results[c0].explanation == (
        "10 events here and 12 in the 6 neighbouring cells, against an average of 2.6 per cell "
        "across the area (9 cells): z = 1.1"
    )
    assert results[far_one].explanation.startswith("1 event here and 0 in the 0 neighbouring")


def brute_force(counts, k):
    cells = list(counts)
    n = len(cells)
    xs = [counts[c] for c in cells]
    mean = sum(xs) / n
    s = math.sqrt(sum(x * x for x in xs) / n - mean * mean)
    out = {}
    for i in cells:
        w = {j: 1.0 if h3.grid_distance(i, j) <= k else 0.0 for j in cells}
        sw = sum(w.values())
        sw2 = sum(v * v for v in w.values())
        num = sum(w[j] * counts[j] for j in cells) - mean * sw
        out[i] = num / (s * math.sqrt((n * sw2 - sw * sw) / (n - 1)))
    return out


@pytest.mark.parametrize(("seed", "k"), [(1, 1), (2, 1), (3, 2), (4, 3)])
def test_gi_star_matches_brute_force_on_random_data(seed, k):
    rng = np.random.default_rng(seed)
    disk = sorted(h3.grid_disk(centre(), 6))
    cells = [c for c in disk if rng.random() < 0.7]
    counts = {c: int(v) for c, v in zip(cells, rng.poisson(2.0, len(cells)), strict=True)}
    expected = brute_force(counts, k)
    for result in gi_star(counts, k=k):
        assert result.z == pytest.approx(expected[result.cell], abs=1e-9)
        assert math.isfinite(result.p)


def test_planted_cluster_is_a_99_percent_hot_spot():
    rng = np.random.default_rng(7)
    # 300 events spread over about 6 km by 6 km, and 40 within 40 m of one corner shop.
    background = zip(
        rng.uniform(LAT - 0.03, LAT + 0.03, 300),
        rng.uniform(LON - 0.045, LON + 0.045, 300),
        strict=True,
    )
    cluster = zip(rng.normal(LAT, 0.0003, 40), rng.normal(LON, 0.0003, 40), strict=True)
    counts: dict[str, int] = {}
    for lat, lon in [*background, *cluster]:
        cell = cell_of(float(lat), float(lon))
        counts[cell] = counts.get(cell, 0) + 1
    results = by_cell(study_area(counts, k=2))
    hot = results[centre()]
    assert hot.significance is Significance.HOT_99
    assert hot.p < 0.01
    assert max(results.values(), key=lambda r: r.z).cell in h3.grid_disk(centre(), 1)
    # Away from the cluster, chance alone makes a few 90% and 95% hot spots, but no 99% one.
    far = [r for r in results.values() if h3.grid_distance(r.cell, centre()) > 2]
    assert len(far) > 500
    assert not [r for r in far if r.significance is Significance.HOT_99]


def test_study_area_adds_empty_neighbours_without_overwriting():
    c0 = centre()
    area = study_area({c0: 3}, k=2)
    assert len(area) == 19
    assert area[c0] == 3
    assert sum(area.values()) == 3


def test_isolated_points_are_compared_with_their_empty_surroundings():
    lone, others = centre(), {cell_of(LAT + 0.05, LON): 1, cell_of(LAT, LON + 0.08): 1}
    bare = by_cell({lone: 9, **others})[lone]
    padded = by_cell(study_area({lone: 9, **others}, k=3))[lone]
    assert bare.significance is Significance.NOT_SIGNIFICANT  # three busy cells, nothing else
    assert padded.significance is Significance.HOT_99  # 9 events among 110 mostly empty cells


@pytest.mark.parametrize("n", [0, 1, 2])
def test_too_few_cells_is_a_clear_result(n):
    cells = [c for c in h3.grid_disk(centre(), 1)][:n]
    results = gi_star(dict.fromkeys(cells, 4))
    assert len(results) == n
    for r in results:
        assert (r.z, r.p, r.significance) == (0.0, 1.0, Significance.NOT_SIGNIFICANT)
        assert "too few cells" in r.explanation


def test_equal_counts_are_a_clear_result():
    results = gi_star(dict.fromkeys(h3.grid_disk(centre(), 2), 3))
    assert {(r.z, r.p, r.significance) for r in results} == {
        (0.0, 1.0, Significance.NOT_SIGNIFICANT)
    }
    assert "same count (3)" in results[0].explanation
    # Each cell still knows what is around it: the centre has 6 neighbours with 3 events each.
    middle = next(r for r in results if r.cell == centre())
    assert (middle.neighbour_cells, middle.neighbour_events) == (6, 18)


def test_a_period_with_no_events_still_counts_what_was_around_each_cell_before():
    cells, _ = emerging_area()
    quiet = centre()
    earlier = {**dict.fromkeys(cells, 1), quiet: 12}
    results = {r.cell: r for r in emerging(dict.fromkeys(cells, 0), earlier)}
    now, before = results[quiet].recent, results[quiet].earlier
    assert now.neighbour_cells == before.neighbour_cells == 6
    assert (now.neighbour_events, before.neighbour_events) == (0, 6)


def test_neighbourhood_covering_the_whole_area_is_not_nan():
    c0 = centre()
    ring = [c for c in h3.grid_disk(c0, 1) if c != c0]
    results = by_cell({c0: 9, **dict.fromkeys(ring, 1)})
    assert results[c0].z == 0.0  # W = n, so 0/0 without the guard
    assert "covers the whole area" in results[c0].explanation
    assert all(math.isfinite(r.z) and math.isfinite(r.p) for r in results.values())


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="negative"):
        gi_star({centre(): -1})
    with pytest.raises(ValueError, match="Not an H3 cell"):
        gi_star({"nope": 1, "nada": 2, "zip": 3})
    with pytest.raises(ValueError, match="k must be"):
        gi_star({centre(): 1}, k=0)


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (0.0, Significance.NOT_SIGNIFICANT),
        (1.644, Significance.NOT_SIGNIFICANT),
        (1.645, Significance.HOT_90),
        (1.959, Significance.HOT_90),
        (1.96, Significance.HOT_95),
        (2.575, Significance.HOT_95),
        (2.576, Significance.HOT_99),
        (9.0, Significance.HOT_99),
        (-1.644, Significance.NOT_SIGNIFICANT),
        (-1.645, Significance.COLD_90),
        (-1.96, Significance.COLD_95),
        (-2.576, Significance.COLD_99),
    ],
)
def test_classification_thresholds(z, expected):
    assert classify(z) is expected


def emerging_area():
    """The 217 cells within 8 rings of the centre, and four cells 6 rings out, 9 or more apart."""
    ring = h3.grid_ring(centre(), 6)
    spots = [ring[0], ring[9], ring[18], ring[27]]
    assert min(h3.grid_distance(a, b) for a in spots for b in spots if a != b) >= 9
    return sorted(h3.grid_disk(centre(), 8)), spots


def test_emerging_categories():
    cells, (new, grows, stays, fades) = emerging_area()
    quiet = centre()
    base = dict.fromkeys(cells, 1)
    earlier = {**base, grows: 8, stays: 12, fades: 12}
    recent = {**base, new: 12, grows: 16, stays: 12, fades: 1}
    results = {r.cell: r for r in emerging(recent, earlier)}
    assert results[new].trend is Trend.NEW
    assert results[grows].trend is Trend.INTENSIFYING
    assert results[stays].trend is Trend.PERSISTENT
    assert results[fades].trend is Trend.DIMINISHING
    assert results[quiet].trend is Trend.NO_PATTERN
    # The rules, checked on the z-scores behind each verdict.
    assert not results[new].earlier.significance.is_hot
    assert results[new].recent.significance.is_hot
    assert results[grows].earlier.significance.is_hot
    assert results[grows].recent.z - results[grows].earlier.z >= 1.0
    assert abs(results[stays].recent.z - results[stays].earlier.z) < 1.0
    assert not results[fades].recent.significance.is_hot
    assert results[new].explanation.startswith("A hot spot now that was not one before (z went")
    assert results[quiet].explanation.startswith("Not a hot spot in either period")


def test_emerging_uses_the_union_of_both_periods_as_the_area():
    cells, _ = emerging_area()
    only_before, only_now = cells[0], cells[-1]
    earlier = {**dict.fromkeys(cells[:-1], 1), only_before: 20}
    recent = {**dict.fromkeys(cells[1:], 1), only_now: 20}
    results = {r.cell: r for r in emerging(recent, earlier)}
    assert set(results) == set(cells)
    assert results[only_before].recent.count == 0
    assert results[only_now].earlier.count == 0
    assert results[only_now].trend is Trend.NEW
    assert results[only_before].trend is Trend.DIMINISHING


def test_emerging_is_gi_star_of_each_period_over_the_union():
    cells, _ = emerging_area()
    rng = np.random.default_rng(3)
    earlier = {c: int(n) for c, n in zip(cells[:-2], rng.integers(0, 9, len(cells)), strict=False)}
    recent = {c: int(n) for c, n in zip(cells[2:], rng.integers(0, 9, len(cells)), strict=False)}
    area = dict.fromkeys([*earlier, *recent], 0)
    results = emerging(recent, earlier)
    assert [r.recent for r in results] == gi_star({**area, **recent})
    assert [r.earlier for r in results] == gi_star({**area, **earlier})


def test_weakening_hot_spot_is_diminishing_even_while_still_hot():
    cells, (_, _, stays, fades) = emerging_area()
    base = dict.fromkeys(cells, 1)
    results = {
        r.cell: r for r in emerging({**base, stays: 20, fades: 12}, {**base, stays: 20, fades: 40})
    }
    result = results[fades]
    assert result.recent.significance is Significance.HOT_99
    assert result.earlier.z - result.recent.z >= 1.0
    assert result.trend is Trend.DIMINISHING
    assert result.explanation.startswith("A hot spot before that has weakened")
