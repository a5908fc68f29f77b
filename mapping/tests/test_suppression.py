"""Small-number suppression: primary, secondary, and when the total may be published."""

import itertools

import pytest

from mapping.suppression import suppress


def test_small_counts_are_withheld_and_zeros_and_large_counts_kept():
    result = suppress({"a": 0, "b": 1, "c": 4, "d": 5, "e": 17})
    assert result.values == {"a": 0, "b": None, "c": None, "d": 5, "e": 17}
    assert result.primary == {"b", "c"}
    assert result.secondary == frozenset()
    assert result.total == 27
    assert result.display("b") == result.display("c") == result.label
    assert result.label.startswith("fewer than 5")
    assert result.display("d") == "5"


def test_nothing_to_withhold_publishes_everything():
    result = suppress({"a": 0, "b": 5, "c": 9})
    assert result.values == {"a": 0, "b": 5, "c": 9}
    assert result.total == 14


def test_one_small_count_takes_the_next_smallest_with_it():
    result = suppress({"a": 3, "b": 10, "c": 7, "d": 0, "e": 7})
    assert result.primary == {"a"}
    assert result.secondary == {"c"}  # 7 is the smallest of at least 5; "c" before "e" on a tie
    assert result.values == {"a": None, "b": 10, "c": None, "d": 0, "e": 7}
    assert result.total == 27
    assert result.display("c") == result.display("a")  # the two kinds look the same


def test_secondary_never_picks_a_zero():
    result = suppress({"a": 2, "b": 0, "c": 6})
    assert result.secondary == {"c"}
    assert result.values["b"] == 0


@pytest.mark.parametrize(
    ("counts", "why"),
    [
        ({"a": 1, "b": 1, "c": 9}, "two ones add up to 2: both must be 1"),
        ({"a": 4, "b": 4, "c": 9}, "two fours add up to 8: both must be 4"),
        ({"a": 1, "b": 2, "c": 9}, "the withheld cells hold fewer than 5 together"),
    ],
)
def test_small_counts_that_the_total_pins_down_take_a_secondary(counts, why):
    assert suppress(counts).secondary == {"c"}, why


def test_small_counts_that_the_total_cannot_pin_down_need_no_secondary():
    result = suppress({"a": 2, "b": 3, "c": 9})
    assert result.secondary == frozenset()
    assert result.total == 14  # a + b = 5 could be 1+4, 2+3, 3+2 or 4+1


def test_total_is_withheld_when_nothing_can_cover_a_small_count():
    result = suppress({"a": 3, "b": 0, "c": 0})
    assert result.values == {"a": None, "b": 0, "c": 0}
    assert result.total is None


def test_small_total_is_withheld():
    assert suppress({"a": 2, "b": 2}).total is None
    assert suppress({"a": 0, "b": 0}).total == 0


def test_total_rounding():
    assert suppress({"a": 3, "b": 20, "c": 21}, round_total_to=10).total == 40  # 44
    assert suppress({"a": 25, "b": 20}, round_total_to=10).total == 50  # 45, halves up
    assert suppress({"a": 3, "b": 0}, round_total_to=10).total is None


def test_threshold_is_configurable():
    result = suppress({"a": 9, "b": 10, "c": 30}, threshold=10)
    assert result.primary == {"a"}
    assert result.secondary == {"b"}
    assert result.label.startswith("fewer than 10")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="negative"):
        suppress({"a": -1})
    with pytest.raises(ValueError, match="threshold"):
        suppress({"a": 1}, threshold=0)


def solutions(result):
    """Every assignment of the withheld cells consistent with what was published."""
    withheld = sorted(k for k, v in result.values.items() if v is None)
    gap = result.total - sum(v for v in result.values.values() if v is not None)
    options = range(1, gap + 1)
    return [
        combo for combo in itertools.product(options, repeat=len(withheld)) if sum(combo) == gap
    ]


@pytest.mark.parametrize(
    "counts",
    [
        {"a": 3, "b": 10, "c": 7, "d": 0},
        {"a": 1, "b": 1, "c": 9, "d": 12},
        {"a": 4, "b": 4, "c": 9, "d": 20},
        {"a": 1, "b": 6},
        {"a": 2, "b": 3, "c": 9},
    ],
)
def test_no_withheld_count_can_be_worked_out_from_the_total(counts):
    result = suppress(counts)
    assert result.total is not None
    found = solutions(result)
    withheld = sorted(k for k, v in result.values.items() if v is None)
    for position, key in enumerate(withheld):
        # Someone who knows only that withheld counts are at least 1 can't pin any of them.
        assert len({combo[position] for combo in found}) > 1, key
        # Nor can someone who knows the small ones are below 5 pin a small one.
        if key in result.primary:
            small = [
                c
                for c in found
                if all(c[i] < 5 for i, k in enumerate(withheld) if k in result.primary)
            ]
            assert len({c[position] for c in small}) > 1, key


def test_the_guarantee_test_catches_a_missing_secondary():
    """Without secondary suppression the check above fails: one withheld count is recovered."""
    exposed = suppress({"a": 3, "b": 10, "c": 7})
    unprotected = type(exposed)(
        values={"a": None, "b": 10, "c": 7},
        primary=exposed.primary,
        secondary=frozenset(),
        total=20,
        threshold=5,
    )
    assert solutions(unprotected) == [(3,)]
