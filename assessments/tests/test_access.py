"""Who may start, read, change and sign off assessments: role by role, agency by agency."""

from __future__ import annotations

import pytest

from access.roles import Role
from accounts.models import AgencyKind
from assessments.tests.conftest import complete_single, start_single
from audit.models import AccessAction, AccessEvent
from people.models import RecordShare
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

EVERY_ROLE = [r.value for r in Role]
STARTERS = {"practitioner", "team_manager", "cs_lead"}

# permission -> roles (in children's social care, the child's holding agency) that hold it
EXPECTED = {
    "assessments.start_single_assessment": STARTERS,
    "assessments.view_single_assessment": {*STARTERS, "panel_chair"},
    "assessments.change_single_assessment": STARTERS,
    "assessments.sign_off_single_assessment": {"team_manager"},
    "assessments.view_context_assessment": {*STARTERS, "panel_chair"},
    "assessments.change_context_assessment": STARTERS,
    "assessments.sign_off_context_assessment": {"team_manager", "cs_lead"},
}


@pytest.fixture
def records(worker, child, place):
    from assessments.tests.conftest import start_context

    return {
        "person": child,
        "single": start_single(worker, child),
        "context": start_context(worker, place),
    }


def target(permission: str, records):
    if permission == "assessments.start_single_assessment":
        return records["person"]
    return records["single" if "single" in permission else "context"]


@pytest.mark.parametrize("role", EVERY_ROLE)
@pytest.mark.parametrize("permission", list(EXPECTED))
def test_role_matrix_in_the_holding_agency(personas, records, permission, role) -> None:
    user = personas[role]
    assert user.has_perm(permission, target(permission, records)) is (role in EXPECTED[permission])


@pytest.mark.parametrize(
    ("permission", "roles"),
    [
        ("assessments.view_assessments", {*STARTERS, "panel_chair"}),
        ("assessments.add_single_assessments", STARTERS),
        ("assessments.work_on_assessments", STARTERS),
        ("assessments.view_team_assessments", {"team_manager", "cs_lead"}),
    ],
)
def test_view_gates(personas, permission, roles) -> None:
    for role in EVERY_ROLE:
        assert personas[role].has_perm(permission) is (role in roles), role
    assert not personas["no_role"].has_perm(permission)


def test_another_agency_without_a_share_sees_no_single_assessment(personas, records) -> None:
    other_csc = AgencyFactory.create(name="Next Borough CSC", kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    outsider = UserFactory.create(agency=other_csc, roles=["team_manager"])
    assert not outsider.has_perm("assessments.view_single_assessment", records["single"])
    assert not outsider.has_perm("assessments.start_single_assessment", records["person"])
    # Context assessments are partnership records: every case worker reads them.
    assert outsider.has_perm("assessments.view_context_assessment", records["context"])
    assert outsider.has_perm("assessments.change_context_assessment", records["context"])


def test_a_police_officer_with_a_share_reads_but_never_starts_or_changes_one(
    personas, records
) -> None:
    police = personas["police_practitioner"]
    assert not police.has_perm("assessments.view_single_assessment", records["single"])
    RecordShare.objects.create(
        person=records["person"], agency=police.agency, route=RecordShare.Route.SHARED
    )
    assert police.has_perm("assessments.view_single_assessment", records["single"])
    assert police.has_perm("people.change_person", records["person"])
    assert not police.has_perm("assessments.start_single_assessment", records["person"])
    assert not police.has_perm("assessments.change_single_assessment", records["single"])
    assert not police.has_perm("assessments.add_single_assessments")
    assert police.has_perm("assessments.change_context_assessment", records["context"])


def test_a_break_glass_reader_cannot_start_an_assessment(personas, records) -> None:
    colleague = UserFactory.create(agency=personas["practitioner"].agency, roles=["practitioner"])
    other_csc = AgencyFactory.create(name="Far CSC", kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    reader = UserFactory.create(agency=other_csc, roles=["practitioner"])
    RecordShare.objects.create(
        person=records["person"],
        agency=other_csc,
        route=RecordShare.Route.BREAK_GLASS,
        user=reader,
    )
    assert reader.has_perm("assessments.view_single_assessment", records["single"])
    assert not reader.has_perm("assessments.start_single_assessment", records["person"])
    assert colleague.has_perm("assessments.start_single_assessment", records["person"])


# --- through the pages --------------------------------------------------------------------------


def test_another_agency_gets_not_found_and_the_refusal_is_audited(
    client_for, personas, records
) -> None:
    outsider = UserFactory.create(
        agency=AgencyFactory.create(name="Other CSC", kind=AgencyKind.CHILDRENS_SOCIAL_CARE),
        roles=["practitioner"],
    )
    client = client_for(outsider)
    single = records["single"]
    for url in (
        f"/assessments/single/{single.pk}/",
        f"/assessments/single/{single.pk}/section/analysis/",
        f"/assessments/single/new/?person={records['person'].pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert AccessEvent.objects.filter(
        action=AccessAction.PERMISSION_DENIED,
        actor=outsider,
        object_type="assessments.singleassessment",
    ).exists()
    assert client.get(f"/assessments/context/{records['context'].pk}/").status_code == 200


@pytest.mark.parametrize("role", ["administrator", "analyst", "auditor", "no_role"])
def test_oversight_roles_are_refused_every_page(client_for, personas, records, role) -> None:
    client = client_for(personas[role])
    single, context = records["single"], records["context"]
    for url in (
        f"/assessments/single/{single.pk}/",
        f"/assessments/single/new/?person={records['person'].pk}",
        f"/assessments/context/{context.pk}/",
        f"/assessments/context/new/?context={context.context_id}",
        "/assessments/team/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_panel_chair_reads_but_does_not_edit(client_for, personas, records) -> None:
    client = client_for(personas["panel_chair"])
    single = records["single"]
    html = client.get(f"/assessments/single/{single.pk}/").content.decode()
    assert "/section/" not in html and "Submit for sign-off" not in html
    assert client.get(f"/assessments/single/{single.pk}/section/analysis/").status_code == 403


def test_a_police_officer_cannot_reach_the_single_assessment_forms(
    client_for, personas, records
) -> None:
    police = client_for(personas["police_practitioner"])
    assert police.get(f"/assessments/single/new/?person={records['person'].pk}").status_code == 403


def test_every_change_is_audited_with_the_actor(worker, manager, records) -> None:
    single = records["single"]
    complete_single(single, worker)
    event = AccessEvent.objects.filter(
        action=AccessAction.CHANGE, object_type="assessments.singleassessment"
    ).get()
    assert event.actor == worker
    assert event.changes["cin_factors"] == {"old": [], "new": ["10A", "24A"]}
