"""The MACE figures: true counts for a quarter, suppressed so that no small number shows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Agency, User
from contexts.models import Context, ContextStatus
from events.models import Event, EventKind
from meetings.models import MarveReferral, MarveReferralType
from panels.trends import FigureTable, default_period, mace_figures
from people.models import Person
from plans.models import Plan, PlanKind, PlanStatus
from tests.factories import make_location

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
LONDON = ZoneInfo("Europe/London")
INSIDE = dt.datetime(2026, 5, 12, 15, 0, tzinfo=LONDON)
BEFORE = dt.datetime(2026, 3, 31, 23, 30, tzinfo=LONDON)
WITHHELD = "fewer than 5, or withheld to protect a small number"


def _agency(actor: User) -> Agency:
    assert actor.agency is not None
    return actor.agency


def _rows(table: FigureTable) -> dict[str, str]:
    return {row.label: row.shown for row in table.rows}


def _events(actor: User, harm_types: list[str], count: int, when: dt.datetime = INSIDE) -> None:
    for _ in range(count):
        Event.objects.create(
            kind=EventKind.SIGHTING,
            occurred_at=when,
            narrative="Seen at the interchange.",
            harm_types=harm_types,
            recording_agency=_agency(actor),
            recorded_by=actor,
        )


def _plan(actor: User, kind: str, started_on: dt.date, **subject: Person | Context) -> Plan:
    return Plan.objects.create(
        kind=kind,
        started_on=started_on,
        status=PlanStatus.ACTIVE,
        recording_agency=_agency(actor),
        recorded_by=actor,
        **subject,
    )


def test_the_default_period_is_the_quarter_before_the_meeting() -> None:
    assert default_period(dt.date(2026, 7, 15)) == (START, END)
    assert default_period(dt.date(2026, 1, 2)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_counts_are_true_and_small_ones_withheld_so_no_subtraction_reveals_them(
    personas: dict[str, User], child: Person
) -> None:
    actor = personas["practitioner"]
    _events(actor, ["cce"], 6)
    _events(actor, ["cse"], 2)
    _events(actor, ["county_lines"], 7)
    _events(actor, ["cce"], 3, when=BEFORE)  # outside the quarter

    places = [make_location(actor, name=f"Place {n}") for n in range(6)]
    Context.objects.filter(pk__in=[p.pk for p in places[:5]]).update(created_at=INSIDE)
    Context.objects.filter(pk=places[5].pk).update(created_at=BEFORE)
    _plan(actor, PlanKind.CONTEXT_SAFETY, dt.date(2026, 5, 1), context=places[0])
    Context.objects.filter(pk=places[1].pk).update(status=ContextStatus.CLOSED, updated_at=BEFORE)

    for _ in range(5):
        _plan(actor, PlanKind.CSE_PLAN, dt.date(2026, 4, 20), person=child)
    for _ in range(5):
        MarveReferral.objects.create(
            person=child,
            referral_type=MarveReferralType.INDIVIDUAL,
            reason="Going missing.",
            referred_at=INSIDE,
            recording_agency=_agency(actor),
            recorded_by=actor,
        )

    figures = mace_figures(START, END)

    harm = _rows(figures.events_by_harm)
    assert harm["County lines"] == "7"
    # 2 CSE events are withheld, and so are the 6 CCE ones: otherwise 15 − 7 − 6 = 2.
    assert harm["Child sexual exploitation"] == WITHHELD
    assert harm["Child criminal exploitation"] == WITHHELD
    assert harm["Online harm"] == "0"
    assert figures.events_by_harm.total == "15"
    assert figures.events_by_harm.withheld == 2

    places_rows = _rows(figures.contexts)
    assert places_rows["Places and groups first recorded"] == "5"
    assert places_rows["Places and groups on a context safety plan"] == WITHHELD
    assert places_rows["Places and groups closed"] == "0"  # closed before the quarter
    assert figures.contexts.total is None

    started = _rows(figures.plans_started)
    # One context safety plan is withheld, and so are the 5 CS&E plans, or the total gives it.
    assert started["Context safety plan"] == WITHHELD
    assert started["CS&E plan"] == WITHHELD
    assert figures.plans_started.total == "6"
    assert figures.plans_ended.total == "0"

    assert _rows(figures.marve_referrals) == {"MARVE referrals made": "5"}
    assert figures.any_withheld
    assert "fewer than 5" in figures.suppression_note
    assert "subtraction" in figures.suppression_note


def test_with_nothing_small_nothing_is_withheld(personas: dict[str, User]) -> None:
    _events(personas["practitioner"], ["online"], 5)
    figures = mace_figures(START, END)
    assert _rows(figures.events_by_harm)["Online harm"] == "5"
    assert not figures.any_withheld
    assert "No figure is withheld" in figures.suppression_note
