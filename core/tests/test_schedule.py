from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils.module_loading import import_string

from audit.models import ChainVerification
from contextsafe.schedule import SCHEDULE, job_named

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize("job", SCHEDULE, ids=lambda j: j.name)
def test_every_job_has_a_valid_timetable_and_a_starter_that_exists(job: object) -> None:
    assert job.trigger() is not None  # type: ignore[attr-defined]
    assert callable(import_string(job.starter))  # type: ignore[attr-defined]


def test_job_names_are_unique() -> None:
    assert len({job.name for job in SCHEDULE}) == len(SCHEDULE)


def test_a_night_job_keeps_its_local_time_across_the_clock_change() -> None:
    trigger = job_named("suggested-contexts").trigger()
    # The night before the clocks go back (01:00 UTC on 25 October 2026), and that night.
    before = dt.datetime(2026, 10, 23, 12, 0, tzinfo=LONDON)
    first = trigger.get_next_fire_time(None, before)
    second = trigger.get_next_fire_time(first, first + dt.timedelta(minutes=1))
    assert (first.hour, first.minute) == (2, 30)
    assert (second.hour, second.minute) == (2, 30)
    assert first.utcoffset() != second.utcoffset()


@pytest.mark.django_db
def test_list_names_every_job_with_its_next_run() -> None:
    out = StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    for job in SCHEDULE:
        assert f"{job.name}: {job.description}" in out.getvalue()
    assert "next " in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_run_now_starts_the_job_through_the_task_backend() -> None:
    call_command("run_scheduler", "--run-now", "audit-chain", stdout=StringIO())
    verification = ChainVerification.objects.get()
    # Tests run tasks at once, so the check has finished and found the (empty) chain intact.
    assert verification.requested_by is None
    assert verification.finished_at is not None
    assert verification.intact is True


def test_run_now_refuses_an_unknown_job_and_lists_the_real_ones() -> None:
    with pytest.raises(CommandError, match="suggested-contexts"):
        call_command("run_scheduler", "--run-now", "nope")


@pytest.mark.django_db(transaction=True)
def test_the_nightly_suggestions_job_records_a_run() -> None:
    from mapping.models import SuggestionRun

    call_command("run_scheduler", "--run-now", "suggested-contexts", stdout=StringIO())
    run = SuggestionRun.objects.get()
    assert run.finished_at is not None
    assert run.error == ""
