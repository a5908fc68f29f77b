"""Jobs that run on a timetable, and the one process that starts them.

The timetable only *enqueues* work; the task workers (``manage.py db_worker``) do it, so a slow
job never delays the next one and a failed job is kept by the task backend for a retry. Exactly
one scheduler process (``manage.py run_scheduler``) should run per partnership, like any cron.
Times are in the service's time zone (Europe/London), so a 02:30 job stays at 02:30 across the
clock changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    name: str
    description: str
    cron: str  # minute hour day-of-month month day-of-week
    starter: str  # dotted path to a function of no arguments that enqueues the work

    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=settings.TIME_ZONE)

    def start(self) -> None:
        starter: Callable[[], object] = import_string(self.starter)
        starter()


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        "suggested-contexts",
        "Recompute the CS lead's queue of suggested hotspots and peer groups",
        "30 2 * * *",
        "mapping.tasks.enqueue_refresh",
    ),
    ScheduledJob(
        "hotspot-counts",
        "Recount the events per map cell and day from every event (a safety net: the counts "
        "are kept as records are written)",
        "0 2 * * *",
        "mapping.tasks.enqueue_cell_counts",
    ),
    ScheduledJob(
        "audit-chain",
        "Check the audit trail's hash chain from the first record to the last",
        "0 3 * * *",
        "audit.services.scheduled_chain_check",
    ),
    ScheduledJob(
        "plan-action-reminders",
        "Email owners of overdue plan and meeting actions and of notices about to lapse, "
        "and chairs of overdue meeting actions (names no child)",
        "0 7 * * *",
        "plans.tasks.enqueue_reminders",
    ),
)


def job_named(name: str) -> ScheduledJob:
    for job in SCHEDULE:
        if job.name == name:
            return job
    raise KeyError(name)
