"""Hotspot analyses kept per process under the counts' version: never stale, never shared
between viewers who count different events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from mapping import cellcounts, selectors
from mapping.counting import CountingRule
from mapping.models import CellCountsVersion
from mapping.tests.test_map_selectors import CENTRE, FAR, plant_cluster, record
from people.models import RecordShare
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _count(analysis: selectors.HotspotAnalysis, cell: str) -> int | None:
    return next((c.count for c in analysis.cells if c.cell == cell), 0)


@pytest.fixture(autouse=True)
def _fresh() -> None:
    selectors._analyses.clear()


def test_a_map_asked_again_is_kept_and_costs_fewer_queries(
    personas, django_assert_max_num_queries
) -> None:
    worker = personas["practitioner"]
    plant_cluster(worker)
    first = selectors.hotspot_analysis(viewer=worker)
    assert first.key is not None and len(selectors._analyses) == 1
    # Kept: the version, the viewer's own shares, and the audit record; no counts, no Gi*.
    with django_assert_max_num_queries(8):
        again = selectors.hotspot_analysis(viewer=worker)
    assert again.cells == first.cells and again.total == first.total


def test_an_event_recorded_shows_on_the_next_map_at_once(personas) -> None:
    worker = personas["practitioner"]
    plant_cluster(worker)
    before = selectors.hotspot_analysis(viewer=worker)
    token = cellcounts.version()
    record(worker, CENTRE, 3)
    assert cellcounts.version() != token
    after = selectors.hotspot_analysis(viewer=worker)
    assert after.key != before.key
    assert _count(after, CENTRE) == (_count(before, CENTRE) or 0) + 3


def test_viewers_who_count_different_events_never_share_a_kept_map(personas) -> None:
    worker, police = personas["practitioner"], personas["police_practitioner"]
    plant_cluster(police)
    record(police, FAR[0], 4, sensitivity="restricted")
    theirs = selectors.hotspot_analysis(viewer=police)
    ours = selectors.hotspot_analysis(viewer=worker)
    assert theirs.key != ours.key
    assert _count(theirs, FAR[0]) == 5  # one planted + four restricted of their own
    # Another agency's events with no place and nobody shared: not ours to count.
    assert _count(ours, FAR[0]) == 0
    analyst = selectors.hotspot_analysis(viewer=personas["analyst"])
    assert analyst.suppressed and analyst.key not in (theirs.key, ours.key)


def test_a_share_with_one_person_alone_gives_that_viewer_a_map_of_their_own(personas) -> None:
    worker, police = personas["practitioner"], personas["police_practitioner"]
    young = make_person(police, given_name="Shared")
    for _ in range(3):
        event = record(police, FAR[1])[0]
        event.participants.create(person=young, role="harmed")
    without = selectors.hotspot_analysis(viewer=worker)
    RecordShare.objects.create(
        person=young,
        agency=worker.agency,
        route=RecordShare.Route.BREAK_GLASS,
        user=worker,
        reason="Urgent safeguarding",
        expires_at=timezone.now() + dt.timedelta(hours=4),
    )
    with_share = selectors.hotspot_analysis(viewer=worker)
    assert with_share.key != without.key
    rule = next(part for part in with_share.key or () if isinstance(part, CountingRule))
    assert young.pk in rule.own_people
    assert (_count(without, FAR[1]), _count(with_share, FAR[1])) == (0, 3)


def test_counts_changed_while_a_map_is_computed_are_not_kept_under_the_old_version(
    personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = personas["practitioner"]
    plant_cluster(worker)
    real = selectors._computed

    def raced(*args: Any) -> Any:
        result = real(*args)
        CellCountsVersion.objects.filter(pk=1).update(token="another-writer")
        return result

    monkeypatch.setattr(selectors, "_computed", raced)
    selectors.hotspot_analysis(viewer=worker)
    assert len(selectors._analyses) == 0


def test_without_a_version_nothing_is_kept(personas) -> None:
    worker = personas["practitioner"]
    CellCountsVersion.objects.all().delete()
    analysis = selectors.hotspot_analysis(viewer=worker)
    assert analysis.key is None and len(selectors._analyses) == 0


def test_the_emerging_comparison_is_kept_and_renewed_like_the_map(personas) -> None:
    worker = personas["practitioner"]
    plant_cluster(worker)
    today = timezone.localdate()
    recent = (today - dt.timedelta(days=30), today)
    earlier = (today - dt.timedelta(days=120), today - dt.timedelta(days=31))
    first = selectors.emerging_analysis(viewer=worker, recent=recent, earlier=earlier)
    again = selectors.emerging_analysis(viewer=worker, recent=recent, earlier=earlier)
    assert first.key is not None and again.key == first.key and again.cells == first.cells
    assert first.key != selectors.hotspot_analysis(viewer=worker).key
    record(worker, CENTRE, 5)
    after = selectors.emerging_analysis(viewer=worker, recent=recent, earlier=earlier)
    assert after.key != first.key
    centre = next(c for c in after.cells if c.cell == CENTRE)
    assert centre.recent_count == 17
