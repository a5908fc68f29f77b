"""The 45-working-day timescale: due dates over bank holidays and Christmas, the counter and
overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from assessments.timescales import Timescale, due_date

D = dt.date


@pytest.mark.parametrize(
    ("started", "days", "due"),
    [
        # Thursday 24 December 2026: Christmas Day is a Friday and Boxing Day's substitute is
        # Monday 28th, so one working day later is Tuesday 29th.
        (D(2026, 12, 24), 1, D(2026, 12, 29)),
        # 45 working days from 1 December 2026 skip 25 and 28 December and 1 January 2027.
        (D(2026, 12, 1), 45, D(2027, 2, 5)),
        # From today in the brief (Wednesday 25 November 2026).
        (D(2026, 11, 25), 45, D(2027, 2, 1)),
        # Good Friday and Easter Monday 2027 (26 and 29 March).
        (D(2027, 3, 25), 1, D(2027, 3, 30)),
        # A Friday start: the first working day is the next Monday.
        (D(2027, 2, 5), 1, D(2027, 2, 8)),
    ],
)
def test_due_dates_skip_weekends_and_englands_bank_holidays(
    started: dt.date, days: int, due: dt.date
) -> None:
    assert due_date(started, days) == due


def scale(today: dt.date, completed: dt.date | None = None) -> Timescale:
    started = D(2026, 12, 1)
    return Timescale(
        started_on=started,
        due_on=due_date(started, 45),
        total=45,
        today=today,
        completed_on=completed,
    )


def test_the_counter_counts_working_days_only() -> None:
    # 1 December to 18 December 2026 is 13 working days; the weekend after adds none.
    assert scale(D(2026, 12, 18)).day == 13
    assert scale(D(2026, 12, 20)).day == 13
    # Over Christmas: 21-24 December (4) and 29-31 December (3); 25 and 28 are bank holidays.
    assert scale(D(2026, 12, 31)).day == 20
    assert scale(D(2026, 12, 31)).label == "Working day 20 of 45 — due 5 February 2027"
    assert not scale(D(2026, 12, 31)).is_overdue


def test_on_the_due_date_it_is_not_yet_overdue() -> None:
    on_the_day = scale(D(2027, 2, 5))
    assert on_the_day.day == 45 and not on_the_day.is_overdue
    assert on_the_day.label == "Working day 45 of 45 — due 5 February 2027"


def test_overdue_counts_working_days_past_the_due_date() -> None:
    # Saturday 6 and Sunday 7 February do not count; Monday 8 to Thursday 11 are 4 days.
    assert scale(D(2027, 2, 7)).overdue_by == 0
    late = scale(D(2027, 2, 11))
    assert late.is_overdue and late.overdue_by == 4
    assert late.label == "Overdue by 4 working days — was due 5 February 2027"
    assert scale(D(2027, 2, 8)).label == "Overdue by 1 working day — was due 5 February 2027"


def test_a_completed_assessment_stops_the_clock() -> None:
    done = scale(D(2027, 6, 1), completed=D(2027, 1, 8))
    assert not done.is_overdue
    assert done.label == "Completed on working day 25 of 45"
    late = scale(D(2027, 6, 1), completed=D(2027, 2, 9))
    assert late.label == "Completed on working day 47 of 45, 2 working days late"
