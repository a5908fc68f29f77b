"""Suggested contexts: candidate hotspots and peer groups that nobody has opened a record for.

A background task (``mapping.tasks.refresh_suggestions``) recomputes the candidates from the whole
partnership's events and links and stores each with the evidence behind it. The CS lead decides:
accept (a context record is created), dismiss with a reason, or snooze until a date. Decisions
outlive recomputation: a candidate the task finds again keeps its decision, so a dismissed
suggestion does not come back every night.

Evidence is stored as record ids, never as copied content: the queue shows each viewer only the
records they may open, read live.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from contexts.models import Context


class SuggestionKind(models.TextChoices):
    HOTSPOT = "hotspot", "Possible location hotspot"
    PEER_GROUP = "peer_group", "Possible peer group"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "To review"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"
    SNOOZED = "snoozed", "Snoozed"


class SuggestionRun(models.Model):
    """One recomputation of the queue, so the page can say how fresh it is."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    hotspots_found = models.PositiveIntegerField(default=0)
    groups_found = models.PositiveIntegerField(default=0)
    events_considered = models.PositiveIntegerField(default=0)
    links_considered = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Suggestions computed {self.started_at:%d %b %Y %H:%M}"


class SuggestedContext(models.Model):
    kind = models.CharField(max_length=20, choices=SuggestionKind.choices)
    status = models.CharField(
        max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    # Stable identity across recomputations: a hotspot's centre cell; a peer group's lowest
    # member id at first sight. Matching a recomputed group to a stored one is by member
    # overlap (see mapping.suggestions), the key only keeps rows unique.
    key = models.CharField(max_length=64)
    title = models.CharField(max_length=200)  # names a place, never a child
    # Hotspots: the H3 cells (centre first) and the centre point.
    cells = models.JSONField(default=list, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Peer groups: the people (young people first) and the places they are seen at.
    people = models.JSONField(default=list, blank=True)
    contexts = models.JSONField(default=list, blank=True)
    # Record ids behind the suggestion ({"events": [...], "associations": [...],
    # "context_links": [...]}), the period they span, and plain-English reasons.
    evidence = models.JSONField(default=dict, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    explanation = models.TextField()
    # Hotspots: Getis-Ord Gi* z-score of the centre cell. Describes a place, never a person.
    z_score = models.FloatField(null=True, blank=True)
    first_found_at = models.DateTimeField(default=timezone.now)
    last_found_at = models.DateTimeField(default=timezone.now)
    # False when the latest run no longer finds it (kept, with its decision, for the record).
    current = models.BooleanField(default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    created_context = models.ForeignKey(
        Context, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-z_score", "-last_found_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="suggestion_kind_key_unique"),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(reason=""),
                name="suggestion_dismissal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="snoozed") | Q(snoozed_until__isnull=False),
                name="suggestion_snooze_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "current"], name="suggestion_queue_idx")]

    def __str__(self) -> str:
        return self.title


# --- hotspot counts kept as events are written ----------------------------------------------------


class CellScope(models.TextChoices):
    """Which rule lets a viewer count an event (as ``mapping.counting.countable_events``)."""

    PLACED = "placed", "Standard, at a recorded place"
    UNPLACED = "unplaced", "Standard, no recorded place"
    RESTRICTED = "restricted", "Restricted or sensitive"


class CellCount(models.Model):
    """How many events fell in one H3 cell on one day, by recording agency, rule and harm type.

    Kept by ``mapping.cellcounts`` as events are written, so that a hotspot map sums a few
    thousand rows instead of grouping a million events. ``harm_type`` "" counts every event;
    each harm type has its own row, since an event may carry several. ``day`` is the local
    (Europe/London) date, as the map's period filters are.
    """

    cell = models.CharField(max_length=16)
    day = models.DateField()
    recording_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    scope = models.CharField(max_length=10, choices=CellScope.choices)
    harm_type = models.CharField(max_length=32, blank=True)
    events = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["harm_type", "day", "cell", "recording_agency", "scope"],
                name="cell_count_key",
            )
        ]
        # A refresh reads and replaces whole days, whatever the harm type.
        indexes = [models.Index(fields=["day"], name="cell_count_day_idx")]

    def __str__(self) -> str:
        return f"{self.events} events in {self.cell} on {self.day}"


class SharedCellCount(models.Model):
    """Per agency: another agency's standard events with no recorded place that the agency may
    count because a person involved is shared with it for good (no user, no expiry).

    The rest of ``visible_people`` (break-glass for one user, time-limited shares) changes with
    the clock and the user, so it is counted per request instead. Kept by
    ``mapping.cellcounts`` as events, people taking part and shares are written.
    """

    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    cell = models.CharField(max_length=16)
    day = models.DateField()
    harm_type = models.CharField(max_length=32, blank=True)
    events = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "harm_type", "day", "cell"], name="shared_cell_count_key"
            )
        ]
        indexes = [models.Index(fields=["day"], name="shared_cell_count_day_idx")]

    def __str__(self) -> str:
        return f"{self.events} shared events in {self.cell} on {self.day}"


class CellPlace(models.Model):
    """How often each place description was recorded in a cell, by recording agency and rule:
    the map names a cell after its commonest description among the events a viewer may open."""

    cell = models.CharField(max_length=16)
    recording_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    scope = models.CharField(max_length=10, choices=CellScope.choices)
    description = models.CharField(max_length=300)
    events = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cell", "recording_agency", "scope", "description"],
                name="cell_place_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.events} events in {self.cell})"


class CellMonthCount(models.Model):
    """``CellCount`` and ``SharedCellCount`` summed by calendar month, so that a year's map
    reads a dozen months per cell plus the days at either end, not 365 days.

    ``series`` is a ``CellScope``, "shared", or "unplaced*" (every agency's unplaced events,
    which analysts count); ``owner`` is the recording agency (the agency shared with, for
    "shared"), or 0 where every viewer of that rule counts the events whoever recorded them.
    Kept by ``mapping.cellcounts`` from the changes to the day counts.
    """

    series = models.CharField(max_length=10)
    owner = models.PositiveIntegerField()
    harm_type = models.CharField(max_length=32, blank=True)
    month = models.DateField()  # the first of the month
    cell = models.CharField(max_length=16)
    events = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "owner", "harm_type", "month", "cell"],
                name="cell_month_count_key",
            )
        ]
        # A refresh moves the sums of a few cells in a few months, whatever the series.
        indexes = [models.Index(fields=["month", "cell"], name="cell_month_count_cell_idx")]

    def __str__(self) -> str:
        return f"{self.events} {self.series} events in {self.cell} in {self.month:%b %Y}"


class CellCountsVersion(models.Model):
    """One row whose token changes, in the writer's transaction, whenever any count or place
    description above changes: maps computed from the counts are kept per process under it.

    A random token rather than a counter: a counter rolled back (or restored from a backup)
    would name two different sets of counts with the same number."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"Hotspot counts version {self.token}"
