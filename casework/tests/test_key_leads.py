"""Key leads: one current lead per child or context, any agency, history kept, shares and alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AccessAction, AccessEvent
from casework.models import KeyLeadAllocation
from casework.selectors import key_lead_history, my_caseload, my_children, my_contexts
from casework.services import consultation_ask, key_lead_allocate, key_lead_end, nrm_refer
from casework.tests.helpers import date_fields, queries
from contextsafe.lib.concurrency import EditConflict
from core.models import Notification
from people.models import RecordShare
from tests.factories import UserFactory, make_location, make_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_MONTH = TODAY - dt.timedelta(days=30)


def allocate(actor, lead, *, on=LAST_MONTH, expected=None, **subject):
    return key_lead_allocate(
        actor=actor,
        lead=lead,
        started_on=on,
        reason="Has the trusted relationship with him",
        expected_current_id=expected,
        **subject,
    )


def test_a_new_lead_ends_the_current_one_on_the_same_day(child, personas, youth_worker) -> None:
    manager = personas["team_manager"]
    first = allocate(manager, personas["practitioner"], person=child)
    second = allocate(manager, youth_worker, person=child, on=TODAY, expected=first.pk)
    first.refresh_from_db()
    assert first.ended_on == TODAY
    assert "Priya Shah" in first.end_reason
    assert second.ended_on is None and second.lead_agency == youth_worker.agency
    assert KeyLeadAllocation.objects.filter(person=child, ended_on__isnull=True).count() == 1
    assert key_lead_history(child) == [second, first]


def test_the_database_refuses_two_current_leads(child, personas, youth_worker) -> None:
    allocate(personas["team_manager"], personas["practitioner"], person=child)
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyLeadAllocation.objects.create(
            person=child,
            lead=youth_worker,
            lead_agency=youth_worker.agency,
            started_on=TODAY,
            recording_agency=personas["team_manager"].agency,
            recorded_by=personas["team_manager"],
        )


def test_a_failure_after_ending_the_old_lead_rolls_the_ending_back(
    child, personas, youth_worker, monkeypatch
) -> None:
    first = allocate(personas["team_manager"], personas["practitioner"], person=child)

    def refuse(**kwargs):
        raise ValidationError({"reason": "Sharing failed"})

    monkeypatch.setattr("casework.services.record_share", refuse)
    with pytest.raises(ValidationError):
        allocate(personas["team_manager"], youth_worker, person=child, on=TODAY, expected=first.pk)
    first.refresh_from_db()
    assert first.ended_on is None, "the old lead is only ended together with the new allocation"
    assert KeyLeadAllocation.objects.filter(person=child).count() == 1


def test_a_change_made_meanwhile_is_not_overwritten(child, personas, youth_worker) -> None:
    manager = personas["team_manager"]
    allocate(manager, personas["practitioner"], person=child)
    with pytest.raises(ValidationError, match="key lead changed while you were working"):
        allocate(manager, youth_worker, person=child, on=TODAY, expected=None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"on": TODAY + dt.timedelta(days=1)}, "start date must be today or in the past"),
        ({"reason": "  "}, "Say why this person is the key lead"),
    ],
)
def test_bad_allocations_are_refused(child, personas, change, message) -> None:
    fields = {
        "actor": personas["team_manager"],
        "lead": personas["practitioner"],
        "started_on": change.get("on", TODAY),
        "reason": change.get("reason", "Knows him well"),
        "expected_current_id": None,
        "person": child,
    }
    with pytest.raises(ValidationError, match=message):
        key_lead_allocate(**fields)


def test_the_lead_must_do_case_work_and_be_active(child, personas) -> None:
    for lead in (
        personas["administrator"],
        UserFactory.create(roles=["practitioner"], is_active=False),
    ):
        with pytest.raises(ValidationError, match="who does case work"):
            allocate(personas["team_manager"], lead, person=child)


def test_a_key_lead_is_for_a_young_person(personas) -> None:
    adult = make_person(personas["practitioner"], kind="adult_of_concern", given_name="Dean")
    with pytest.raises(ValidationError, match="young person"):
        allocate(personas["team_manager"], personas["practitioner"], person=adult)


def test_the_same_lead_again_and_a_start_before_the_current_are_refused(
    child, personas, youth_worker
) -> None:
    first = allocate(personas["team_manager"], personas["practitioner"], person=child)
    with pytest.raises(ValidationError, match="already the key lead"):
        allocate(
            personas["team_manager"], personas["practitioner"], person=child, expected=first.pk
        )
    with pytest.raises(ValidationError, match="on or after"):
        allocate(
            personas["team_manager"],
            youth_worker,
            person=child,
            on=LAST_MONTH - dt.timedelta(days=1),
            expected=first.pk,
        )


def test_a_lead_from_another_agency_gets_the_childs_record(child, personas, youth_worker) -> None:
    assert not youth_worker.has_perm("people.view_person", child)
    allocate(personas["team_manager"], youth_worker, person=child)
    share = RecordShare.objects.get(person=child, agency=youth_worker.agency)
    assert share.reason.startswith("Key lead for Jayden Kowalski")
    youth_worker.forget_roles()
    assert youth_worker.has_perm("people.view_person", child)
    # Anyone else in the youth service sees it too: the share is with the agency.
    colleague = UserFactory.create(agency=youth_worker.agency, roles=["practitioner"])
    assert colleague.has_perm("people.view_person", child)


def test_a_lead_in_the_holding_agency_adds_no_share(child, personas) -> None:
    before = RecordShare.objects.filter(person=child).count()
    allocate(personas["team_manager"], personas["practitioner"], person=child)
    assert RecordShare.objects.filter(person=child).count() == before


def test_the_new_and_the_old_lead_are_told(child, personas, youth_worker) -> None:
    first = allocate(personas["team_manager"], personas["practitioner"], person=child)
    allocate(personas["team_manager"], youth_worker, person=child, on=TODAY, expected=first.pk)
    told = Notification.objects.get(recipient=youth_worker)
    assert "You are now the key lead for a child" in told.message
    assert "Jayden" not in told.message
    assert told.link == f"/people/{child.pk}/"
    assert Notification.objects.filter(
        recipient=personas["practitioner"], message__contains="no longer the key lead"
    ).exists()


def test_allocating_and_ending_are_audited(child, personas, youth_worker) -> None:
    first = allocate(personas["team_manager"], personas["practitioner"], person=child)
    second = allocate(
        personas["team_manager"], youth_worker, person=child, on=TODAY, expected=first.pk
    )
    created = AccessEvent.objects.get(
        action=AccessAction.CREATE, object_type="casework.keyleadallocation", object_id=second.pk
    )
    assert created.changes["lead"] == "Priya Shah"
    assert created.changes["replaces"] == first.pk
    ended = AccessEvent.objects.get(
        action=AccessAction.CHANGE, object_type="casework.keyleadallocation", object_id=first.pk
    )
    assert ended.changes["ended_on"] == TODAY.isoformat()


def test_ending_without_a_successor(child, personas) -> None:
    allocation = allocate(personas["team_manager"], personas["practitioner"], person=child)
    with pytest.raises(ValidationError, match="Say why"):
        key_lead_end(
            actor=personas["team_manager"],
            allocation=allocation,
            expected_version=allocation.version,
            ended_on=TODAY,
            end_reason=" ",
        )
    with pytest.raises(ValidationError, match="on or after"):
        key_lead_end(
            actor=personas["team_manager"],
            allocation=allocation,
            expected_version=allocation.version,
            ended_on=LAST_MONTH - dt.timedelta(days=1),
            end_reason="Plan closed",
        )
    key_lead_end(
        actor=personas["team_manager"],
        allocation=allocation,
        expected_version=allocation.version,
        ended_on=TODAY,
        end_reason="Plan closed; risk outside the home has reduced",
    )
    assert not KeyLeadAllocation.objects.filter(person=child, ended_on__isnull=True).exists()
    with pytest.raises(ValidationError, match="already ended"):
        key_lead_end(
            actor=personas["team_manager"],
            allocation=allocation,
            expected_version=allocation.version,
            ended_on=TODAY,
            end_reason="Again",
        )


def test_ending_concurrently_is_a_conflict(child, personas) -> None:
    allocation = allocate(personas["team_manager"], personas["practitioner"], person=child)
    stale = KeyLeadAllocation.objects.get(pk=allocation.pk)
    KeyLeadAllocation.objects.filter(pk=allocation.pk).update(version=allocation.version + 1)
    with pytest.raises(EditConflict):
        key_lead_end(
            actor=personas["team_manager"],
            allocation=stale,
            expected_version=stale.version,
            ended_on=TODAY,
            end_reason="Plan closed",
        )


def test_contexts_have_key_leads_too(place, personas, youth_worker) -> None:
    first = allocate(personas["cs_lead"], youth_worker, context=place)
    assert first.context == place
    assert not RecordShare.objects.filter(agency=youth_worker.agency).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyLeadAllocation.objects.create(
            context=place,
            lead=personas["practitioner"],
            lead_agency=personas["practitioner"].agency,
            started_on=TODAY,
            recording_agency=personas["cs_lead"].agency,
            recorded_by=personas["cs_lead"],
        )


# --- my children, my contexts ------------------------------------------------------------------


def test_my_children_and_contexts_show_current_allocations_and_what_needs_doing(
    child, place, personas, youth_worker
) -> None:
    manager = personas["team_manager"]
    allocate(manager, youth_worker, person=child)
    allocate(manager, youth_worker, context=place)
    other = make_person(personas["practitioner"], given_name="Kai", family_name="Moss")
    ended = allocate(manager, youth_worker, person=other)
    key_lead_end(
        actor=manager,
        allocation=ended,
        expected_version=ended.version,
        ended_on=TODAY,
        end_reason="Closed",
    )
    consultation_ask(actor=personas["practitioner"], question="Is the park safe?", context=place)
    consultation_ask(actor=personas["practitioner"], question="Next steps?", person=child)
    nrm_refer(
        actor=personas["practitioner"],
        person=child,
        referred_on=TODAY - dt.timedelta(days=20),
        first_responder=personas["practitioner"].agency,
        decision_maker="home_office",
        exploitation_types=["cce"],
        summary="Found in a trap house in another county.",
    )
    children = my_children(viewer=youth_worker)
    assert [row.name for row in children] == ["Jayden Kowalski"]
    attention = [a.text for a in children[0].attention]
    assert any(t.startswith("NRM: Reasonable grounds overdue by") for t in attention)
    assert "1 question to the CS lead waiting for an answer" in attention
    assert children[0].attention[0].urgent
    contexts = my_contexts(viewer=youth_worker)
    assert [row.name for row in contexts] == [place.name]
    assert [a.text for a in contexts[0].attention] == [
        "1 question to the CS lead waiting for an answer"
    ]
    assert my_children(viewer=personas["practitioner"]) == []


def test_my_caseload_costs_the_same_for_one_child_or_ten(personas, youth_worker) -> None:
    manager = personas["team_manager"]

    def add_child(n: int) -> None:
        kid = make_person(personas["practitioner"], given_name=f"Child{n}")
        allocate(manager, youth_worker, person=kid)
        consultation_ask(actor=personas["practitioner"], question="Advice?", person=kid)
        place = make_location(personas["practitioner"], name=f"Place {n}")
        allocate(manager, youth_worker, context=place)

    add_child(0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        my_caseload(viewer=youth_worker)
    for n in range(1, 10):
        add_child(n)
    with CaptureQueriesContext(connection) as ten:
        caseload = my_caseload(viewer=youth_worker)
    assert len(caseload.children) == 10 and len(caseload.contexts) == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_the_caseload_partial_has_an_empty_state(client_for, personas) -> None:
    page = client_for(personas["practitioner"]).get("/casework/mine/").content.decode()
    assert "You are not the key lead for any child." in page
    assert "You are not the key lead for any place or group." in page


# --- through the pages -------------------------------------------------------------------------


def test_a_manager_finds_a_lead_in_another_agency_and_allocates(
    client_for, child, personas, youth_worker
) -> None:
    client = client_for(personas["team_manager"])
    url = f"/casework/key-lead/allocate/?person={child.pk}"
    page = client.get(url + "&q=youth").content.decode()
    assert "Priya Shah" in page and "Riverside Youth Service" in page
    assert "Detached youth work" in page
    search = AccessEvent.objects.filter(action=AccessAction.SEARCH, object_type="accounts.user")
    assert search.count() == 1
    response = client.post(
        url + f"&lead={youth_worker.pk}",
        {
            "lead": youth_worker.pk,
            "reason": "Detached worker he trusts",
            **date_fields("started_on", TODAY),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/casework/key-lead/history/?person={child.pk}"
    history = client.get(response["Location"]).content.decode()
    assert "Priya Shah" in history and "Detached worker he trusts" in history


def test_search_finds_only_active_case_workers(client_for, child, personas) -> None:
    UserFactory.create(first_name="Zed", last_name="Admin", roles=["administrator"])
    UserFactory.create(first_name="Zed", last_name="Gone", roles=["practitioner"], is_active=False)
    UserFactory.create(first_name="Zed", last_name="Worker", roles=["practitioner"])
    page = (
        client_for(personas["team_manager"])
        .get(f"/casework/key-lead/allocate/?person={child.pk}&q=zed")
        .content.decode()
    )
    assert "Zed Worker" in page
    assert "Zed Admin" not in page and "Zed Gone" not in page


def test_bad_allocation_input_is_explained_and_kept(
    client_for, child, personas, youth_worker
) -> None:
    client = client_for(personas["team_manager"])
    url = f"/casework/key-lead/allocate/?person={child.pk}&lead={youth_worker.pk}"
    tomorrow = TODAY + dt.timedelta(days=1)
    page = client.post(
        url,
        {"lead": youth_worker.pk, "reason": "Trusted adult", **date_fields("started_on", tomorrow)},
    ).content.decode()
    assert "The start date must be today or in the past" in page
    assert "Trusted adult" in page
    assert f'value="{tomorrow.day}"' in page
    page = client.post(
        url, {"lead": youth_worker.pk, "reason": "", **date_fields("started_on", TODAY)}
    ).content.decode()
    assert "Say why this person is the key lead" in page
    assert not KeyLeadAllocation.objects.exists()


def test_changing_the_lead_after_someone_else_did_is_explained(
    client_for, child, personas, youth_worker
) -> None:
    client = client_for(personas["team_manager"])
    url = f"/casework/key-lead/allocate/?person={child.pk}&lead={youth_worker.pk}"
    # The form was opened with no current lead; meanwhile a colleague allocates one.
    allocate(personas["cs_lead"], personas["practitioner"], person=child)
    page = client.post(
        url,
        {"lead": youth_worker.pk, "reason": "Trusted adult", **date_fields("started_on", TODAY)},
    ).content.decode()
    assert "The key lead changed while you were working" in page
    assert "Trusted adult" in page
    assert KeyLeadAllocation.objects.filter(person=child).count() == 1


def test_ending_through_the_page(client_for, child, personas) -> None:
    allocation = allocate(personas["team_manager"], personas["practitioner"], person=child)
    client = client_for(personas["team_manager"])
    url = f"/casework/key-lead/{allocation.pk}/end/"
    page = client.post(
        url, {"version": allocation.version, "end_reason": "", **date_fields("ended_on", TODAY)}
    ).content.decode()
    assert "Say why the key lead is ending" in page
    assert f'value="{TODAY.year}"' in page, "the date typed is kept"
    response = client.post(
        url,
        {
            "version": allocation.version,
            "end_reason": "Plan closed",
            **date_fields("ended_on", TODAY),
        },
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.ended_on == TODAY


def test_history_costs_the_same_however_long(client_for, child, personas, youth_worker) -> None:
    manager = personas["team_manager"]
    current = allocate(
        manager, personas["practitioner"], person=child, on=TODAY - dt.timedelta(100)
    )
    client = client_for(manager)
    url = f"/casework/key-lead/history/?person={child.pk}"
    before = queries(client, url)
    for n in range(8):
        lead = youth_worker if n % 2 == 0 else personas["practitioner"]
        current = allocate(
            manager, lead, person=child, on=TODAY - dt.timedelta(90 - n), expected=current.pk
        )
    assert KeyLeadAllocation.objects.filter(person=child).count() == 9
    assert queries(client, url) == before
