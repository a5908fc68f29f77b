from __future__ import annotations

import datetime as dt
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler  # type: ignore[import-untyped]
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from contextsafe.schedule import SCHEDULE, job_named


class Command(BaseCommand):
    help = "Start scheduled jobs on their timetable (run exactly one of these per partnership)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="List the jobs and their next run")
        parser.add_argument("--run-now", metavar="JOB", help="Start one job now, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        if options["run_now"]:
            try:
                job = job_named(options["run_now"])
            except KeyError as error:
                names = ", ".join(j.name for j in SCHEDULE)
                raise CommandError(f"No job called {error}. Jobs: {names}") from error
            job.start()
            self.stdout.write(f"Started {job.name}.")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job in SCHEDULE:
            # A job missed while the scheduler was down runs once when it is back, not N times.
            scheduler.add_job(
                job.start,
                job.trigger(),
                id=job.name,
                coalesce=True,
                misfire_grace_time=3600,
                max_instances=1,
            )
        self._list()
        scheduler.start()

    def _list(self) -> None:
        now = timezone.localtime()
        for job in SCHEDULE:
            following: dt.datetime | None = job.trigger().get_next_fire_time(None, now)
            when = f"{following:%d %b %Y %H:%M %Z}" if following else "never"
            self.stdout.write(f"{job.name}: {job.description} ({job.cron}; next {when})")
