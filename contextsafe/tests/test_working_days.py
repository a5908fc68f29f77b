import datetime as dt

import pytest

from contextsafe.lib.working_days import (
    add_working_days,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 12, 25), False),  # Christmas Day
        (dt.date(2026, 12, 28), False),  # Boxing Day substitute (26th is a Saturday)
        (dt.date(2026, 8, 31), False),  # England's summer bank holiday (not Scotland's)
        (dt.date(2026, 8, 3), True),  # Scotland's summer bank holiday is a working day here
        (dt.date(2026, 11, 28), False),  # Saturday
        (dt.date(2026, 11, 25), True),
    ],
)
def test_working_days_follow_englands_bank_holidays(day: dt.date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_friday_plus_one_working_day_skips_the_weekend_and_a_bank_holiday() -> None:
    assert add_working_days(dt.date(2026, 8, 28), 1) == dt.date(2026, 9, 1)


def test_45_working_days_over_christmas() -> None:
    # 2026-12-01 + 45 working days: December has 3 bank-holiday weekdays (25, 28) and
    # New Year's Day 2027 on a Friday.
    due = add_working_days(dt.date(2026, 12, 1), 45)
    assert due == dt.date(2027, 2, 5)
    assert working_days_between(dt.date(2026, 12, 1), due) == 45
    assert working_days_between(due, dt.date(2026, 12, 1)) == -45


def test_zero_days_is_the_start_and_negative_is_refused() -> None:
    assert add_working_days(dt.date(2026, 11, 25), 0) == dt.date(2026, 11, 25)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(dt.date(2026, 11, 25), -1)
