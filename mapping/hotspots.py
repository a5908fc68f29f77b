"""Hotspot analysis on an H3 hexagonal grid: Getis-Ord Gi* and an "emerging" comparison.

Pure functions over ``{cell id: event count}`` mappings; no database, no Django. The caller
aggregates events onto cells (ideally one indexed GROUP BY on each event's stored cell) and
decides which counts a viewer may see before anything here is shown to them: the explanations
quote exact counts, so they must pass through ``mapping.suppression`` before they leave the
viewer's own permission scope.

References: Getis & Ord (1992) "The analysis of spatial association by use of distance
statistics"; Ord & Getis (1995) "Local spatial autocorrelation statistics".
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import h3  # type: ignore[import-untyped]  # h3 4.x ships no py.typed marker
import numpy as np
from scipy import sparse, stats  # type: ignore[import-untyped]  # no scipy-stubs here

# Resolution 9 hexagons average about 0.105 km² (edge about 174 m): roughly a few streets, a
# park or a parade of shops. That is the scale at which a town's places of harm are known and
# disrupted; resolution 8 (0.74 km²) merges a whole estate with its neighbours, and resolution 10
# (0.015 km²) spreads a handful of events so thinly that almost every count is suppressed.
DEFAULT_RESOLUTION = 9

# Two-sided critical values of the standard normal distribution.
Z_90 = 1.645
Z_95 = 1.96
Z_99 = 2.576


class Significance(StrEnum):
    HOT_99 = "hot spot (99% confidence)"
    HOT_95 = "hot spot (95% confidence)"
    HOT_90 = "hot spot (90% confidence)"
    NOT_SIGNIFICANT = "not significant"
    COLD_90 = "cold spot (90% confidence)"
    COLD_95 = "cold spot (95% confidence)"
    COLD_99 = "cold spot (99% confidence)"

    @property
    def is_hot(self) -> bool:
        return self in _HOT


# A set, not a tuple: a tuple's ``in`` compares enum members one by one (slow for StrEnum).
_HOT = frozenset({Significance.HOT_90, Significance.HOT_95, Significance.HOT_99})


class Trend(StrEnum):
    NEW = "new hot spot"
    INTENSIFYING = "intensifying"
    PERSISTENT = "persistent"
    DIMINISHING = "diminishing"
    NO_PATTERN = "no pattern"


@dataclass(frozen=True, slots=True)
class CellResult:
    cell: str
    count: int
    neighbour_cells: int  # neighbouring cells inside the study area, the cell itself excluded
    neighbour_events: int
    z: float
    p: float  # two-sided
    significance: Significance
    explanation: str


@dataclass(frozen=True, slots=True)
class EmergingResult:
    cell: str
    recent: CellResult
    earlier: CellResult
    trend: Trend
    explanation: str


def cell_of(lat: float, lon: float, resolution: int = DEFAULT_RESOLUTION) -> str:
    cell: str = h3.latlng_to_cell(lat, lon, resolution)
    return cell


def study_area(cells: Mapping[str, int], k: int = 1) -> dict[str, int]:
    """The given counts plus every cell within ``k`` rings of them, at zero.

    Without the empty surroundings, isolated events would be compared only with each other and
    a lone busy cell could never stand out. Where the area has a real boundary (a borough),
    prefer passing every cell inside it.
    """
    _check_k(k)
    area: dict[str, int] = {}
    for cell in cells:
        for neighbour in disk_of(cell, k):
            area.setdefault(neighbour, 0)
    area.update(cells)
    return area


def classify(z: float) -> Significance:
    """Bands by |z| against the two-sided critical values 1.645, 1.96 and 2.576 (inclusive)."""
    size = abs(z)
    if size < Z_90:
        return Significance.NOT_SIGNIFICANT
    hot = z > 0
    if size >= Z_99:
        return Significance.HOT_99 if hot else Significance.COLD_99
    if size >= Z_95:
        return Significance.HOT_95 if hot else Significance.COLD_95
    return Significance.HOT_90 if hot else Significance.COLD_90


def gi_star(counts: Mapping[str, int], *, k: int = 1) -> list[CellResult]:
    """Getis-Ord Gi* for every cell of the study area ``counts``, in the order given.

    Binary weights: w_ij = 1 when cell j is within ``k`` rings of cell i (i itself included,
    which is what makes it Gi* rather than Gi) and inside the study area, else 0. With
    X̄ the mean count, S = sqrt(Σx²/n − X̄²) and W_i = Σ_j w_ij (= Σ_j w_ij², the weights being 0/1):

        z_i = (Σ_j w_ij x_j − X̄ W_i) / (S sqrt((n W_i − W_i²) / (n − 1)))

    Degenerate areas give z = 0, p = 1, "not significant" and an explanation saying why:
    fewer than 3 cells, every count equal (S = 0), or a neighbourhood covering the whole area.
    """
    _check_k(k)
    return _gi_star(list(counts), counts, k, None)


def _gi_star(
    cells: list[str], counts: Mapping[str, int], k: int, weights: sparse.csr_array | None
) -> list[CellResult]:
    """``gi_star`` over ``cells``, with their weights where the caller has them already."""
    x = np.fromiter((_check_count(counts[c]) for c in cells), dtype=np.float64, count=len(cells))
    n = len(cells)
    if n < 3:
        reason = f"There are too few cells in the area ({n}) to compare: at least 3 are needed."
        return [_flat(cell, int(x[i]), reason) for i, cell in enumerate(cells)]
    mean = float(x.mean())
    s = float(x.std())  # population standard deviation: sqrt(Σx²/n − X̄²)
    if weights is None:
        weights = _weights(cells, k)
    if s == 0.0:
        reason = f"Every cell in the area has the same count ({int(x[0])}), so none stands out."
        # Still say what is around each cell: a period with no events anywhere is compared
        # with one that had them (emerging), and the neighbours' numbers tell the story.
        around = np.asarray(weights.sum(axis=1), dtype=np.int64).ravel() - 1
        near = np.asarray(weights @ x, dtype=np.float64) - x
        return [
            _flat(cell, int(x[i]), reason, int(around[i]), int(near[i]))
            for i, cell in enumerate(cells)
        ]
    w = np.asarray(weights.sum(axis=1), dtype=np.float64).ravel()
    local = weights @ x
    spread = n * w - w * w
    z = np.zeros(n)
    comparable = spread > 0
    z[comparable] = (local[comparable] - mean * w[comparable]) / (
        s * np.sqrt(spread[comparable] / (n - 1))
    )
    p = 2.0 * stats.norm.sf(np.abs(z))
    return [
        _result(
            cell,
            int(x[i]),
            int(w[i]) - 1,
            int(local[i] - x[i]),
            float(z[i]),
            float(p[i]),
            mean,
            n,
            bool(comparable[i]),
        )
        for i, cell in enumerate(cells)
    ]


def emerging(
    recent: Mapping[str, int],
    earlier: Mapping[str, int],
    *,
    k: int = 1,
    margin: float = 1.0,
) -> list[EmergingResult]:
    """Compare each cell's Gi* in a recent period with an earlier one, over the same area.

    The study area is the union of both mappings' cells (a cell missing from one period counts
    0 there). "Hot" means a hot spot at 90% confidence or more (z ≥ 1.645). The periods
    should be of equal length; z-scores are standardised within each period, so a borough-wide
    rise or fall in events does not by itself make every cell "intensifying" or "diminishing".

    - new hot spot: hot now, not hot earlier.
    - intensifying: hot in both, and z rose by at least ``margin`` (default 1.0).
    - persistent: hot in both, and z changed by less than ``margin`` either way.
    - diminishing: hot earlier, and now either not hot or z fell by at least ``margin``.
    - no pattern: hot in neither period (cold spots included).
    """
    _check_k(k)
    cells = list(dict.fromkeys([*earlier, *recent]))
    weights = _weights(cells, k) if len(cells) >= 3 else None  # one area: one set of weights
    now = _gi_star(cells, _zero_filled(recent, cells), k, weights)
    before = _gi_star(cells, _zero_filled(earlier, cells), k, weights)
    return [_trend(r, e, margin) for r, e in zip(now, before, strict=True)]


def _zero_filled(counts: Mapping[str, int], cells: list[str]) -> dict[str, int]:
    return {cell: counts.get(cell, 0) for cell in cells}


def _trend(recent: CellResult, earlier: CellResult, margin: float) -> EmergingResult:
    was, is_ = earlier.significance.is_hot, recent.significance.is_hot
    change = recent.z - earlier.z
    zs = f"z went from {earlier.z:.1f} to {recent.z:.1f}"
    if is_ and not was:
        trend, why = Trend.NEW, f"A hot spot now that was not one before ({zs})."
    elif is_ and was and change >= margin:
        trend, why = Trend.INTENSIFYING, f"A hot spot in both periods, and stronger now ({zs})."
    elif is_ and was and change > -margin:
        trend, why = Trend.PERSISTENT, f"A hot spot in both periods, about as strong ({zs})."
    elif was:
        trend, why = Trend.DIMINISHING, f"A hot spot before that has weakened ({zs})."
    else:
        trend, why = Trend.NO_PATTERN, f"Not a hot spot in either period ({zs})."
    return EmergingResult(recent.cell, recent, earlier, trend, why)


def _weights(cells: Sequence[str], k: int) -> sparse.csr_array:
    index = {cell: i for i, cell in enumerate(cells)}
    rows: list[int] = []
    cols: list[int] = []
    for i, cell in enumerate(cells):
        for neighbour in disk_of(cell, k):
            j = index.get(neighbour)
            if j is not None:
                rows.append(i)
                cols.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_array((data, (rows, cols)), shape=(len(cells), len(cells)))


@functools.lru_cache(maxsize=65536)
def disk_of(cell: str, k: int) -> tuple[str, ...]:
    # Cached: a map asks for the same few thousand cells' neighbours on every page.
    if not h3.is_valid_cell(cell):
        raise ValueError(f"Not an H3 cell id: {cell!r}")
    return tuple(h3.grid_disk(cell, k))


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1 ring, got {k}")


def _check_count(count: int) -> int:
    if count < 0:
        raise ValueError(f"Counts cannot be negative, got {count}")
    return count


def _flat(
    cell: str, count: int, reason: str, neighbour_cells: int = 0, neighbour_events: int = 0
) -> CellResult:
    return CellResult(
        cell,
        count,
        neighbour_cells,
        neighbour_events,
        0.0,
        1.0,
        Significance.NOT_SIGNIFICANT,
        reason,
    )


def _result(
    cell: str,
    count: int,
    neighbour_cells: int,
    neighbour_events: int,
    z: float,
    p: float,
    mean: float,
    n: int,
    comparable: bool,
) -> CellResult:
    if not comparable:
        reason = (
            "This cell's neighbourhood covers the whole area, so it cannot be compared with it."
        )
        return _flat(cell, count, reason, neighbour_cells, neighbour_events)
    explanation = (
        f"{_events(count)} here and {neighbour_events} in the {_cells(neighbour_cells)}, "
        f"against an average of {mean:.1f} per cell across the area ({n} cells): z = {z:.1f}"
    )
    return CellResult(
        cell, count, neighbour_cells, neighbour_events, z, p, classify(z), explanation
    )


def _events(count: int) -> str:
    return "1 event" if count == 1 else f"{count} events"


def _cells(count: int) -> str:
    return "1 neighbouring cell" if count == 1 else f"{count} neighbouring cells"
