"""Small-number suppression for counts that leave a person's own permission scope.

Follows the DfE / GSS practice for published statistics (domain.md §3.4): small counts are
withheld, and further counts are withheld where needed so that a published total cannot be used
to work a small count out by subtraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

DEFAULT_THRESHOLD = 5


@dataclass(frozen=True, slots=True)
class SuppressedCounts:
    values: dict[str, int | None]  # None: withheld
    primary: frozenset[str]  # withheld because the count is small
    secondary: frozenset[str]  # withheld so that the total cannot reveal a small count
    total: int | None  # None: withheld
    threshold: int

    @property
    def label(self) -> str:
        # One label for both kinds: telling them apart would say which withheld count is the
        # small one, and with the total that can pin it down (a gap of 6 split between a small
        # count and one of at least 5 can only be 1 and 5).
        return f"fewer than {self.threshold}, or withheld to protect a small number"

    def display(self, key: str) -> str:
        value = self.values[key]
        return self.label if value is None else str(value)


def suppress(
    counts: Mapping[str, int],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    round_total_to: int = 1,
) -> SuppressedCounts:
    """Withhold small counts, and enough others that the total cannot reveal them.

    1. Primary: every count from 1 to ``threshold`` − 1 is withheld. Zeros and counts of at
       least ``threshold`` are kept (a zero discloses nobody).
    2. Secondary: the total minus the published counts gives the sum of the withheld ones. If
       that sum is below ``threshold``, or pins a withheld count down (each lies between 1 and
       ``threshold`` − 1, so one withheld count is always recovered, as are two that add up to 2
       or to 8 with the default threshold), the smallest published count of at least
       ``threshold`` is withheld too (ties broken by key). The withheld counts then add up to more
       than ``threshold`` and include one that is not small, so none can be recovered by
       subtraction.
    3. The total is withheld if it is itself from 1 to ``threshold`` − 1, or if step 2 found no
       count to withhold (all the others are zero). Otherwise it is published, rounded to the
       nearest multiple of ``round_total_to`` (halves up; DfE rounds national totals to 10).

    This guards against recovery by subtraction, as published tables do; it does not defend
    against every inference by someone who knows the rule and has other tables of the same events.
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    if round_total_to < 1:
        raise ValueError(f"round_total_to must be at least 1, got {round_total_to}")
    if any(count < 0 for count in counts.values()):
        raise ValueError("Counts cannot be negative")
    primary = frozenset(key for key, count in counts.items() if 0 < count < threshold)
    secondary = _secondary(counts, primary, threshold)
    withheld = primary | secondary
    values = {key: None if key in withheld else count for key, count in counts.items()}
    total = sum(counts.values())
    unprotected = bool(primary) and not secondary and _exposed(counts, primary, threshold)
    safe = not 0 < total < threshold and not unprotected
    return SuppressedCounts(
        values=values,
        primary=primary,
        secondary=secondary,
        total=_round(total, round_total_to) if safe else None,
        threshold=threshold,
    )


def _secondary(
    counts: Mapping[str, int], primary: frozenset[str], threshold: int
) -> frozenset[str]:
    if not primary or not _exposed(counts, primary, threshold):
        return frozenset()
    candidates = sorted((count, key) for key, count in counts.items() if count >= threshold)
    return frozenset({candidates[0][1]}) if candidates else frozenset()


def _exposed(counts: Mapping[str, int], primary: frozenset[str], threshold: int) -> bool:
    """Whether the sum of the small counts is itself small or fixes each of them."""
    gap, m = sum(counts[key] for key in primary), len(primary)
    lowest = max(1, gap - (m - 1) * (threshold - 1))
    highest = min(threshold - 1, gap - (m - 1))
    return gap < threshold or lowest == highest


def _round(total: int, step: int) -> int:
    return (total + step // 2) // step * step


def rounded(published: SuppressedCounts, base: int = 5) -> SuppressedCounts:
    """Every published count and the total rounded to the nearest ``base`` (GSS practice).

    Suppression protects the counts of one table; two tables over overlapping periods can still
    be subtracted to recover a small number (7 up to Tuesday, 6 up to Monday: 1 on Tuesday).
    Rounding leaves every difference uncertain by at least ``base``.
    """

    def near(value: int | None) -> int | None:
        return None if value is None else base * int(value / base + 0.5)

    return replace(
        published,
        values={key: near(value) for key, value in published.values.items()},
        total=near(published.total),
    )
