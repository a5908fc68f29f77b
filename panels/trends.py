"""The figures a MACE meeting reads: what happened across the partnership in a period.

The MACE is strategic: its members come from every agency and most may not open the records
behind these counts, so every figure is suppressed with the partnership's small-number rule
(``mapping.suppression``) before it reaches the page. A withheld count reads "fewer than 5, or
withheld to protect a small number", and further counts are withheld where a total would give a
small one away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from contexts.models import Context, ContextStatus
from events.models import Event, HarmType
from mapping.suppression import DEFAULT_THRESHOLD, suppress
from meetings.models import MarveReferral
from plans.models import Plan, PlanKind

CONTEXT_ROWS = (
    ("opened", "Places and groups first recorded"),
    ("on_plan", "Places and groups on a context safety plan"),
    ("closed", "Places and groups closed"),
)


@dataclass(frozen=True)
class FigureRow:
    label: str
    shown: str


@dataclass(frozen=True)
class FigureTable:
    """One suppressed table: its rows as they may be shown, and its total if it may be."""

    caption: str
    rows: list[FigureRow]
    total: str | None
    withheld: int

    @classmethod
    def build(
        cls, caption: str, counts: dict[str, int], labels: dict[str, str], *, with_total: bool
    ) -> FigureTable:
        published = suppress(counts, threshold=DEFAULT_THRESHOLD)
        rows = [FigureRow(labels[key], published.display(key)) for key in counts]
        total = None
        if with_total:
            total = published.label if published.total is None else str(published.total)
        return cls(caption, rows, total, len(published.primary | published.secondary))


@dataclass(frozen=True)
class MaceFigures:
    period_start: dt.date
    period_end: dt.date
    events_by_harm: FigureTable
    contexts: FigureTable
    plans_started: FigureTable
    plans_ended: FigureTable
    marve_referrals: FigureTable
    threshold: int

    @property
    def tables(self) -> list[FigureTable]:
        return [
            self.events_by_harm,
            self.contexts,
            self.plans_started,
            self.plans_ended,
            self.marve_referrals,
        ]

    @property
    def any_withheld(self) -> bool:
        return any(table.withheld for table in self.tables)

    @property
    def suppression_note(self) -> str:
        if not self.any_withheld:
            return (
                f"No figure is withheld. Counts from 1 to {self.threshold - 1} would be shown as "
                f"‘fewer than {self.threshold}’ so that no child, family or place can be "
                "identified."
            )
        return (
            f"Counts from 1 to {self.threshold - 1} are withheld and shown as ‘fewer than "
            f"{self.threshold}’, so that no child, family or place can be identified from these "
            "figures. Where a table's total would let a withheld count be worked out by "
            "subtraction, another count is withheld too and shown the same way."
        )


def default_period(meeting_day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter before the one the meeting falls in."""
    quarter_start = dt.date(meeting_day.year, 3 * ((meeting_day.month - 1) // 3) + 1, 1)
    end = quarter_start - dt.timedelta(days=1)
    start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes from the start of ``start`` to the start of the day after ``end``."""
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return low, high


def _events_by_harm(low: dt.datetime, high: dt.datetime) -> FigureTable:
    counts = {harm.value: 0 for harm in HarmType}
    counts["none"] = 0
    # harm_types is a JSON list: counted in Python, as JSON containment differs between SQLite
    # and PostgreSQL. A quarter's events are a few thousand rows of one column.
    for harm_types in Event.objects.filter(occurred_at__gte=low, occurred_at__lt=high).values_list(
        "harm_types", flat=True
    ):
        known = [h for h in (harm_types or []) if h in counts and h != "none"]
        for harm in set(known):
            counts[harm] += 1
        if not known:
            counts["none"] += 1
    labels = {harm.value: harm.label for harm in HarmType} | {"none": "No harm type recorded"}
    return FigureTable.build(
        "Events by type of harm (an event with more than one type counts under each)",
        counts,
        labels,
        with_total=True,
    )


def _contexts(start: dt.date, end: dt.date) -> FigureTable:
    low, high = _bounds(start, end)
    on_plan = Plan.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        kind=PlanKind.CONTEXT_SAFETY,
        started_on__lte=end,
    )
    counts = {
        "opened": Context.objects.filter(created_at__gte=low, created_at__lt=high).count(),
        "on_plan": on_plan.values("context_id").distinct().count(),
        # A context records no closing date; its last change is taken as the closing.
        "closed": Context.objects.filter(
            status=ContextStatus.CLOSED, updated_at__gte=low, updated_at__lt=high
        ).count(),
    }
    labels = dict(CONTEXT_ROWS)
    # Each is a count of its own, not a share of one total: each is suppressed alone.
    alone = [FigureTable.build("", {k: n}, labels, with_total=False) for k, n in counts.items()]
    return FigureTable(
        "Places and groups",
        [table.rows[0] for table in alone],
        None,
        sum(table.withheld for table in alone),
    )


def _plans(start: dt.date, end: dt.date, *, ended: bool) -> FigureTable:
    field = "ended_on" if ended else "started_on"
    counts = {kind.value: 0 for kind in PlanKind}
    rows = Plan.objects.filter(**{f"{field}__gte": start, f"{field}__lte": end}).values_list(
        "kind", flat=True
    )
    for kind in rows:
        counts[kind] = counts.get(kind, 0) + 1
    labels = {kind.value: kind.label for kind in PlanKind}
    caption = "Plans ended, by kind" if ended else "Plans started, by kind"
    return FigureTable.build(caption, counts, labels, with_total=True)


def mace_figures(period_start: dt.date, period_end: dt.date) -> MaceFigures:
    """Counts across the partnership for ``period_start`` to ``period_end`` (inclusive),
    suppressed for a strategic audience."""
    low, high = _bounds(period_start, period_end)
    referrals = MarveReferral.objects.filter(referred_at__gte=low, referred_at__lt=high).count()
    return MaceFigures(
        period_start=period_start,
        period_end=period_end,
        events_by_harm=_events_by_harm(low, high),
        contexts=_contexts(period_start, period_end),
        plans_started=_plans(period_start, period_end, ended=False),
        plans_ended=_plans(period_start, period_end, ended=True),
        marve_referrals=FigureTable.build(
            "MARVE referrals made",
            {"referrals": referrals},
            {"referrals": "MARVE referrals made"},
            with_total=False,
        ),
        threshold=DEFAULT_THRESHOLD,
    )
