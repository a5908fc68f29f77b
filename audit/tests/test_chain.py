"""The audit trail is append-only and tamper-evident: each guarantee, and that breaking it shows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.models import User
from audit.models import AccessAction, AccessEvent, AppendOnlyError, AuditChainHead
from audit.services import GENESIS_HASH, audit_record, chain_verify, event_digest


@contextmanager
def triggers_disabled() -> Iterator[None]:
    """What an attacker with database-owner rights could do: switch the protection off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")
    else:
        yield


def raw_update(sequence: int, **values: str) -> None:
    sets = ", ".join(f"{column} = %s" for column in values)
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_accessevent SET {sets} WHERE sequence = %s",  # noqa: S608 - test-only columns
            [*values.values(), sequence],
        )


def raw_delete(sequence: int) -> None:
    with triggers_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE sequence = %s", [sequence])


@pytest.fixture
def five_events(personas: dict[str, User]) -> list[AccessEvent]:
    actor = personas["practitioner"]
    return [
        audit_record(actor=actor, action=AccessAction.VIEW, obj=personas["auditor"], reason=f"n{i}")
        for i in range(5)
    ]


@pytest.mark.django_db
def test_each_record_links_to_the_one_before(five_events: list[AccessEvent]) -> None:
    assert five_events[0].previous_hash == GENESIS_HASH
    for earlier, later in pairwise(five_events):
        assert later.sequence == earlier.sequence + 1
        assert later.previous_hash == earlier.hash
    assert all(event_digest(e) == e.hash for e in five_events)
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (5, five_events[-1].hash)


@pytest.mark.django_db
def test_an_untouched_chain_verifies(five_events: list[AccessEvent]) -> None:
    report = chain_verify(chunk_size=2)
    assert report.intact
    assert report.events_checked == 5


@pytest.mark.django_db
def test_a_changed_record_is_the_first_broken_link(five_events: list[AccessEvent]) -> None:
    raw_update(3, reason="nothing to see here")
    report = chain_verify()
    assert not report.intact
    assert report.first_broken_sequence == 3
    assert report.events_checked == 2
    assert "changed" in report.problem


@pytest.mark.django_db
def test_a_recomputed_hash_still_breaks_the_next_link(five_events: list[AccessEvent]) -> None:
    # A careful forger rewrites record 2 and recomputes its own hash; record 3 no longer links.
    event = AccessEvent.objects.get(sequence=2)
    event.reason = "forged"
    raw_update(2, reason="forged", hash=event_digest(event))
    report = chain_verify()
    assert report.first_broken_sequence == 3
    assert "does not link" in report.problem


@pytest.mark.django_db
def test_a_removed_record_is_reported(five_events: list[AccessEvent]) -> None:
    raw_delete(2)
    report = chain_verify()
    assert (report.intact, report.first_broken_sequence) == (False, 2)
    assert "missing" in report.problem


@pytest.mark.django_db
def test_records_removed_from_the_end_are_reported(five_events: list[AccessEvent]) -> None:
    raw_delete(5)
    report = chain_verify()
    assert (report.intact, report.first_broken_sequence) == (False, 5)
    assert "removed" in report.problem


@pytest.mark.django_db
def test_the_command_reports_the_first_broken_link(five_events: list[AccessEvent], capsys) -> None:
    call_command("audit_verify")
    assert "intact: 5 records" in capsys.readouterr().out
    raw_update(4, actor_username="somebody-else")
    with pytest.raises(CommandError, match="BROKEN at record #4"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_the_model_refuses_to_change_or_delete(five_events: list[AccessEvent]) -> None:
    event = AccessEvent.objects.get(sequence=1)
    event.reason = "edited"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers: PostgreSQL")
def test_postgresql_itself_refuses_update_and_delete(five_events: list[AccessEvent]) -> None:
    for statement in (
        "UPDATE audit_accessevent SET reason = 'x' WHERE sequence = 1",
        "DELETE FROM audit_accessevent WHERE sequence = 1",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AccessEvent.objects.count() == 5


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_gap(personas: dict[str, User]) -> None:
    actor = personas["administrator"]
    audit_record(actor=actor, action=AccessAction.VIEW)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=actor, action=AccessAction.CHANGE)
        raise RuntimeError("the change failed")
    audit_record(actor=actor, action=AccessAction.VIEW)
    assert list(AccessEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == [
        1,
        2,
    ]
    assert chain_verify().intact


@pytest.mark.django_db
def test_a_failed_sign_in_names_the_username_tried() -> None:
    event = audit_record(actor=None, action=AccessAction.FAILED_SIGN_IN, username="mallory")
    assert event.actor is None
    assert event.actor_username == "mallory"
