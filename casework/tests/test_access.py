"""Who may do what in casework: role by role, agency by agency, and through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import AgencyKind
from audit.models import AccessAction, AccessEvent
from casework.services import consultation_ask, key_lead_allocate, nrm_refer
from people.models import RecordShare
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

CSC_ROLES = [
    "practitioner",
    "team_manager",
    "cs_lead",
    "panel_chair",
    "analyst",
    "administrator",
    "auditor",
    "no_role",
]


def holders(personas, permission, obj) -> set[str]:
    return {role for role in CSC_ROLES if personas[role].has_perm(permission, obj)}


def test_key_lead_permissions_on_a_child(child, personas) -> None:
    assert holders(personas, "casework.allocate_key_lead", child) == {"team_manager", "cs_lead"}
    assert holders(personas, "casework.view_key_leads", child) == {
        "practitioner",
        "team_manager",
        "cs_lead",
        "panel_chair",
    }


def test_key_lead_permissions_on_a_context(place, personas) -> None:
    assert holders(personas, "casework.allocate_key_lead", place) == {"team_manager", "cs_lead"}
    police_manager = UserFactory.create(
        agency=personas["police_practitioner"].agency, roles=["team_manager"]
    )
    assert police_manager.has_perm("casework.allocate_key_lead", place), "partnership record"


def test_another_agency_manages_a_childs_key_lead_only_with_the_record(child, personas) -> None:
    police_agency = personas["police_practitioner"].agency
    police_manager = UserFactory.create(agency=police_agency, roles=["team_manager"])
    assert not police_manager.has_perm("casework.allocate_key_lead", child)
    assert not personas["police_practitioner"].has_perm("casework.view_key_leads", child)
    RecordShare.objects.create(person=child, agency=police_agency, route="shared")
    assert police_manager.has_perm("casework.allocate_key_lead", child)


def test_break_glass_does_not_allow_allocating(child, personas) -> None:
    police_agency = personas["police_practitioner"].agency
    police_manager = UserFactory.create(agency=police_agency, roles=["team_manager"])
    RecordShare.objects.create(
        person=child,
        agency=police_agency,
        user=police_manager,
        route="break_glass",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert police_manager.has_perm("casework.view_key_leads", child)
    assert not police_manager.has_perm("casework.allocate_key_lead", child)


def test_consultation_permissions(child, place, personas) -> None:
    case_workers = {"practitioner", "team_manager", "cs_lead", "panel_chair"}
    assert holders(personas, "casework.ask_consultation", child) == case_workers
    assert holders(personas, "casework.ask_consultation", place) == case_workers
    assert not personas["police_practitioner"].has_perm("casework.ask_consultation", child)
    assert personas["police_practitioner"].has_perm("casework.ask_consultation", place)
    consultation = consultation_ask(actor=personas["practitioner"], question="?", person=child)
    assert holders(personas, "casework.answer_consultation", consultation) == {"cs_lead"}
    assert holders(personas, "casework.view_consultation", consultation) == case_workers
    assert not personas["police_practitioner"].has_perm("casework.view_consultation", consultation)


def test_the_asking_agency_keeps_sight_of_its_question(child, personas) -> None:
    police = personas["police_practitioner"]
    RecordShare.objects.create(person=child, agency=police.agency, route="shared")
    consultation = consultation_ask(actor=police, question="?", person=child)
    RecordShare.objects.filter(person=child, agency=police.agency).delete()
    assert police.has_perm("casework.view_consultation", consultation)


def test_nrm_permissions_by_role(child, personas) -> None:
    assert holders(personas, "casework.add_nrm_referral", child) == {
        "practitioner",
        "team_manager",
        "cs_lead",
    }
    referral = nrm_refer(
        actor=personas["practitioner"],
        person=child,
        referred_on=timezone.localdate(),
        first_responder=personas["practitioner"].agency,
        decision_maker="home_office",
        exploitation_types=["cse"],
        summary="Concern",
    )
    assert holders(personas, "casework.decide_nrm_referral", referral) == {
        "practitioner",
        "team_manager",
        "cs_lead",
    }
    assert holders(personas, "casework.view_nrm_referral", referral) == {
        "practitioner",
        "team_manager",
        "cs_lead",
        "panel_chair",
    }
    assert not personas["police_practitioner"].has_perm("casework.view_nrm_referral", referral)


@pytest.mark.parametrize(
    ("kind", "first_responder"),
    [
        (AgencyKind.POLICE, True),
        (AgencyKind.CHILDRENS_SOCIAL_CARE, True),
        (AgencyKind.YOUTH_JUSTICE, True),
        (AgencyKind.HEALTH, False),
        (AgencyKind.EDUCATION, False),
        (AgencyKind.HOUSING, False),
        (AgencyKind.COMMUNITY_SAFETY, False),
        (AgencyKind.VOLUNTARY_SECTOR, False),
        (AgencyKind.OTHER, False),
    ],
)
def test_only_first_responder_agencies_refer_to_the_nrm(child, kind, first_responder) -> None:
    agency = AgencyFactory.create(name=f"Agency {kind}", kind=kind)
    worker = UserFactory.create(agency=agency, roles=["practitioner"])
    RecordShare.objects.create(person=child, agency=agency, route="shared")
    assert worker.has_perm("casework.view_nrm_list")
    assert worker.has_perm("casework.refer_to_nrm") is first_responder
    assert worker.has_perm("casework.add_nrm_referral", child) is first_responder


# --- through the pages: 404 for another agency, 403 for oversight roles ----------------------


def _pages(child, place, consultation, allocation, referral) -> list[str]:
    return [
        f"/casework/key-lead/allocate/?person={child.pk}",
        f"/casework/key-lead/history/?person={child.pk}",
        f"/casework/key-lead/{allocation.pk}/end/",
        f"/casework/consultations/new/?person={child.pk}",
        f"/casework/consultations/{consultation.pk}/",
        f"/casework/nrm/new/?person={child.pk}",
        f"/casework/nrm/{referral.pk}/",
        f"/casework/nrm/{referral.pk}/decision/",
    ]


@pytest.fixture
def records(child, place, personas):
    worker = personas["practitioner"]
    consultation = consultation_ask(actor=worker, question="Advice?", person=child)
    allocation = key_lead_allocate(
        actor=personas["team_manager"],
        lead=worker,
        started_on=timezone.localdate(),
        reason="Knows him",
        expected_current_id=None,
        person=child,
    )
    referral = nrm_refer(
        actor=worker,
        person=child,
        referred_on=timezone.localdate(),
        first_responder=worker.agency,
        decision_maker="home_office",
        exploitation_types=["cce"],
        summary="Concern",
    )
    return _pages(child, place, consultation, allocation, referral)


def test_another_agency_without_the_record_gets_not_found(client_for, personas, records) -> None:
    police = UserFactory.create(
        agency=personas["police_practitioner"].agency, roles=["team_manager"]
    )
    client = client_for(police)
    for url in records:
        assert client.get(url).status_code == 404, url
    assert AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, actor=police).count()


@pytest.mark.parametrize("role", ["administrator", "auditor", "analyst", "no_role"])
def test_oversight_roles_are_refused_every_page(client_for, personas, records, role) -> None:
    client = client_for(personas[role])
    for url in [*records, "/casework/consultations/", "/casework/nrm/", "/casework/mine/"]:
        assert client.get(url).status_code == 403, url


def test_the_holding_agency_manager_opens_every_page(client_for, personas, records) -> None:
    client = client_for(personas["team_manager"])
    for url in records:
        assert client.get(url).status_code in (200, 302), url


def test_a_practitioner_may_not_allocate_but_may_read_the_history(
    client_for, child, personas, records
) -> None:
    client = client_for(personas["practitioner"])
    assert client.get(f"/casework/key-lead/allocate/?person={child.pk}").status_code == 403
    page = client.get(f"/casework/key-lead/history/?person={child.pk}").content.decode()
    assert "Allocate a key lead" not in page and "Change the key lead" not in page


def test_a_page_without_a_subject_is_not_found(client_for, personas) -> None:
    client = client_for(personas["team_manager"])
    assert client.get("/casework/key-lead/allocate/").status_code == 404
    assert client.get("/casework/consultations/new/?person=1&context=1").status_code == 404
