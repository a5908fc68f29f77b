"""Background work for the mapping app: recomputing the suggested-contexts queue.

A scheduler enqueues ``refresh_suggestions`` nightly; settings run tasks immediately in demo and
tests. The queue is never recomputed on a page load: Leiden and Gi* over the whole partnership
are quick, but not page-load quick at county scale, and the result is the same all day.
"""

from __future__ import annotations

from django_tasks import task

from mapping import cellcounts, suggestions


@task()
def refresh_suggestions() -> int:
    """Recompute the queue; returns the id of the SuggestionRun it recorded."""
    return suggestions.refresh_suggestions().pk


def enqueue_refresh() -> None:
    """The scheduler's starter (contextsafe.schedule): queue a recomputation for the workers."""
    refresh_suggestions.enqueue()


@task()
def rebuild_cell_counts() -> dict[str, int]:
    """Recount the hotspot counts from every event: a safety net for any write path that
    bypassed the services (they are kept as records are written)."""
    return cellcounts.rebuild()


def enqueue_cell_counts() -> None:
    """The scheduler's starter for the nightly recount."""
    rebuild_cell_counts.enqueue()
