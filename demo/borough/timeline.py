"""When things happen: a fixed two-year window with seasonal, weekly and daily rhythms.

The window ends at a fixed anchor rather than "now", so the same seed always gives the same
dates. Times are drawn as local (Europe/London) clock times, because that is when young people
are out, and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from zoneinfo import ZoneInfo

ANCHOR = dt.date(2026, 11, 1)
WINDOW_END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
WINDOW_START = dt.datetime(2024, 11, 1, tzinfo=dt.UTC)
LONDON = ZoneInfo("Europe/London")

# Summer is busiest: longer evenings, more time outside, no school day.
MONTH_WEIGHT = {
    1: 0.8, 2: 0.8, 3: 0.9, 4: 1.0, 5: 1.1, 6: 1.2,
    7: 1.35, 8: 1.4, 9: 1.0, 10: 1.0, 11: 0.9, 12: 0.9,
}  # fmt: skip
# Monday is 0. Friday and Saturday nights stand out.
WEEKDAY_WEIGHT = (0.85, 0.85, 0.9, 0.95, 1.25, 1.35, 1.0)
HOLIDAY_WEIGHT = 1.2

# Plausible English school holidays for the window (a local authority's own term dates).
SCHOOL_HOLIDAYS = (
    (dt.date(2024, 12, 21), dt.date(2025, 1, 5)),
    (dt.date(2025, 2, 15), dt.date(2025, 2, 23)),
    (dt.date(2025, 4, 5), dt.date(2025, 4, 21)),
    (dt.date(2025, 5, 24), dt.date(2025, 6, 1)),
    (dt.date(2025, 7, 23), dt.date(2025, 9, 2)),
    (dt.date(2025, 10, 25), dt.date(2025, 11, 2)),
    (dt.date(2025, 12, 20), dt.date(2026, 1, 4)),
    (dt.date(2026, 2, 14), dt.date(2026, 2, 22)),
    (dt.date(2026, 3, 28), dt.date(2026, 4, 12)),
    (dt.date(2026, 5, 23), dt.date(2026, 5, 31)),
    (dt.date(2026, 7, 22), dt.date(2026, 9, 2)),
    (dt.date(2026, 10, 24), dt.date(2026, 11, 1)),
)

# Local clock hours: quiet in the small hours, building from the end of school to late evening.
HOUR_WEIGHT = (
    3, 2, 1.5, 1, 0.5, 0.4, 0.5, 1, 2, 2, 2, 2,
    2.5, 2.5, 3, 4, 5, 5, 5, 5.5, 5.5, 5.5, 5, 4,
)  # fmt: skip
# Friday and Saturday evenings run later and busier, into the small hours of the next day.
WEEKEND_EVENING_BOOST = {19: 1.4, 20: 1.6, 21: 1.8, 22: 1.9, 23: 1.9}
WEEKEND_SMALL_HOURS_BOOST = {0: 1.8, 1: 1.5, 2: 1.2}
SCHOOL_HOURS = (9, 10, 11, 12, 13, 14, 15)


def is_school_holiday(day: dt.date) -> bool:
    return any(start <= day <= end for start, end in SCHOOL_HOLIDAYS)


def is_school_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_school_holiday(day)


@dataclass(frozen=True)
class _Days:
    """Days with cumulative weights, for fast weighted draws with ``bisect``."""

    days: tuple[dt.date, ...]
    cumulative: tuple[float, ...]


@cache
def _days(school_days_only: bool) -> _Days:
    first, last = WINDOW_START.date(), WINDOW_END.date() - dt.timedelta(days=1)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    if school_days_only:
        days = [d for d in days if is_school_day(d)]
    weights = [
        MONTH_WEIGHT[d.month]
        * (1.0 if school_days_only else WEEKDAY_WEIGHT[d.weekday()])
        * (HOLIDAY_WEIGHT if not school_days_only and is_school_holiday(d) else 1.0)
        for d in days
    ]
    return _Days(tuple(days), tuple(accumulate(weights)))


@cache
def _hours(weekday: int) -> tuple[float, ...]:
    """Cumulative weights of the 24 local hours of a day of the week (Monday is 0)."""
    evening = WEEKEND_EVENING_BOOST if weekday in (4, 5) else {}
    small_hours = WEEKEND_SMALL_HOURS_BOOST if weekday in (5, 6) else {}
    weights = [w * evening.get(h, 1.0) * small_hours.get(h, 1.0) for h, w in enumerate(HOUR_WEIGHT)]
    return tuple(accumulate(weights))


def _draw(rng: random.Random, cumulative: tuple[float, ...]) -> int:
    index = bisect_right(cumulative, rng.random() * cumulative[-1])
    return min(index, len(cumulative) - 1)


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(dt.UTC)


def event_time(rng: random.Random) -> dt.datetime:
    """A moment in the window, weighted by season, holidays, weekday and time of day."""
    table = _days(False)
    day = table.days[_draw(rng, table.cumulative)]
    hour = _draw(rng, _hours(day.weekday()))
    return _local(day, hour, rng.randrange(0, 60, 5))


def school_time(rng: random.Random) -> dt.datetime:
    """A moment in a school day (for exclusions): never a weekend or holiday."""
    table = _days(True)
    day = table.days[_draw(rng, table.cumulative)]
    return _local(day, rng.choice(SCHOOL_HOURS), rng.randrange(0, 60, 5))


def day_in_window(rng: random.Random) -> dt.date:
    """An unweighted day in the window, for when a link or record was first noted."""
    return WINDOW_START.date() + dt.timedelta(days=rng.randrange(730))


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
