"""Who may hold, read and record strategy meetings, refer to MARVE and run the MARVE list:
role by role and agency by agency."""

from __future__ import annotations

import pytest

from audit.models import AccessAction, AccessEvent
from meetings import services
from meetings.tests.conftest import arrange
from people.models import RecordShare
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CASE_ROLES = ["practitioner", "team_manager", "cs_lead", "panel_chair"]
OVERSIGHT = ["analyst", "administrator", "auditor", "no_role"]


@pytest.mark.parametrize(
    ("role", "holds"),
    [
        ("practitioner", True),
        ("team_manager", True),
        ("cs_lead", True),
        ("panel_chair", False),
        ("analyst", False),
        ("administrator", False),
        ("auditor", False),
        ("no_role", False),
    ],
)
def test_who_may_hold_a_meeting_and_refer_in_the_holding_agency(
    scene, personas, role: str, holds: bool
) -> None:
    user = personas[role]
    for subject in (scene.child, scene.place):
        assert user.has_perm("meetings.hold_meeting", subject) is holds
        assert user.has_perm("meetings.refer_to_marve", subject) is holds
    assert user.has_perm("meetings.start_meeting") is holds
    meeting = arrange(scene)
    assert user.has_perm("meetings.record_meeting", meeting) is holds
    assert user.has_perm("meetings.view_meeting", meeting) is (role in CASE_ROLES)


def test_another_agency_needs_the_childs_record_shared(scene, personas) -> None:
    officer = personas["police_practitioner"]
    meeting = arrange(scene)
    assert not officer.has_perm("meetings.hold_meeting", scene.child)
    assert not officer.has_perm("meetings.view_meeting", meeting)
    assert officer.has_perm("meetings.hold_meeting", scene.place), (
        "contexts are partnership records"
    )
    share = RecordShare.objects.create(person=scene.child, agency=officer.agency, route="shared")
    assert officer.has_perm("meetings.hold_meeting", scene.child)
    assert officer.has_perm("meetings.view_meeting", meeting)
    assert officer.has_perm("meetings.record_meeting", meeting)
    share.route = "break_glass"
    share.user = officer
    share.save()
    assert officer.has_perm("meetings.view_meeting", meeting)
    assert not officer.has_perm("meetings.record_meeting", meeting), "break-glass is read-only"
    assert not officer.has_perm("meetings.hold_meeting", scene.child)


def test_the_writing_agency_keeps_seeing_its_own_meeting(scene, personas) -> None:
    officer = personas["police_practitioner"]
    share = RecordShare.objects.create(person=scene.child, agency=officer.agency, route="shared")
    meeting = services.meeting_create(
        actor=officer,
        subject=scene.child,
        held_at=arrange(scene).held_at,
        chair=officer,
        reason="Police-led strategy discussion",
    )
    share.delete()
    assert officer.has_perm("meetings.view_meeting", meeting)
    assert personas["practitioner"].has_perm("meetings.view_meeting", meeting)


@pytest.mark.parametrize(
    ("role", "lists", "decides"),
    [
        ("practitioner", False, False),
        ("team_manager", True, False),
        ("cs_lead", True, True),
        ("panel_chair", True, True),
        ("analyst", False, False),
        ("administrator", False, False),
        ("auditor", False, False),
        ("no_role", False, False),
    ],
)
def test_the_marve_list_and_decisions(
    scene, personas, role: str, lists: bool, decides: bool
) -> None:
    user = personas[role]
    referral = services.marve_referral_create(
        actor=scene.worker, subject=scene.child, referral_type="individual", reason="x"
    )
    assert user.has_perm("meetings.view_marve_list") is lists
    assert user.has_perm("meetings.decide_marve") is decides
    assert user.has_perm("meetings.decide_marve", referral) is decides
    assert user.has_perm("meetings.view_marve", referral) is (role in CASE_ROLES)


# --- through the pages --------------------------------------------------------------------------


def test_another_agency_gets_not_found_and_the_refusal_is_audited(
    scene, personas, client_for
) -> None:
    officer = personas["police_practitioner"]
    meeting = arrange(scene)
    client = client_for(officer)
    for url in (
        f"/meetings/strategy/{meeting.pk}/",
        f"/meetings/strategy/{meeting.pk}/record/",
        f"/meetings/strategy/new/?person={scene.child.pk}",
        f"/meetings/marve/new/?person={scene.child.pk}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/meetings/strategy/{meeting.pk}/attendees/",
        {
            "attendee-agency": officer.agency_id,
            "attendee-name": "Me",
            "attendee-attended": "yes",
            "attendee-version": "1",
        },
    )
    assert response.status_code == 404
    assert not meeting.attendees.exists()
    refusals = AccessEvent.objects.filter(action=AccessAction.PERMISSION_DENIED, actor=officer)
    assert refusals.filter(object_type="meetings.strategymeeting").count() == 3
    assert refusals.filter(object_type="people.person").count() == 2


@pytest.mark.parametrize("role", ["administrator", "auditor", "analyst"])
def test_oversight_roles_are_refused_every_page(scene, personas, client_for, role: str) -> None:
    meeting = arrange(scene)
    referral = services.marve_referral_create(
        actor=scene.worker, subject=scene.child, referral_type="individual", reason="x"
    )
    client = client_for(personas[role])
    for url in (
        f"/meetings/strategy/{meeting.pk}/",
        f"/meetings/strategy/new/?person={scene.child.pk}",
        f"/meetings/marve/{referral.pk}/",
        "/meetings/marve/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_panel_chair_reads_but_does_not_record(scene, personas, client_for) -> None:
    meeting = arrange(scene)
    client = client_for(personas["panel_chair"])
    page = client.get(f"/meetings/strategy/{meeting.pk}/")
    assert page.status_code == 200
    assert "Add an attendee" not in page.content.decode()
    assert client.get(f"/meetings/strategy/new/?person={scene.child.pk}").status_code == 403
    response = client.post(f"/meetings/strategy/{meeting.pk}/conclude/", {"conclude-version": "1"})
    assert response.status_code == 403


def test_reading_a_meeting_is_audited(scene, personas, client_for) -> None:
    meeting = arrange(scene)
    client_for(personas["team_manager"]).get(f"/meetings/strategy/{meeting.pk}/")
    assert AccessEvent.objects.filter(
        action=AccessAction.VIEW,
        actor=personas["team_manager"],
        object_type="meetings.strategymeeting",
        object_id=str(meeting.pk),
    ).exists()


def test_a_panel_chair_in_another_agency_sees_the_referral_but_not_the_childs_name(
    scene, personas, client_for
) -> None:
    chair = UserFactory.create(agency=personas["police_practitioner"].agency, roles=["panel_chair"])
    referral = services.marve_referral_create(
        actor=scene.worker, subject=scene.child, referral_type="individual", reason="Line activity"
    )
    client = client_for(chair)
    page = client.get(f"/meetings/marve/{referral.pk}/").content.decode()
    assert "Line activity" not in page and 'data-testid="reasons-withheld"' in page
    assert scene.child.given_name not in page
    assert "A person whose record is held by Test Children" in page
    listing = client.get("/meetings/marve/").content.decode()
    assert scene.child.given_name not in listing
    manager = UserFactory.create(agency=chair.agency, roles=["team_manager"])
    listing = client_for(manager).get("/meetings/marve/").content.decode()
    assert f'href="/meetings/marve/{referral.pk}/"' not in listing
    assert client_for(manager).get(f"/meetings/marve/{referral.pk}/").status_code == 404


def test_a_practitioner_cannot_decide_a_referral(scene, personas, client_for) -> None:
    referral = services.marve_referral_create(
        actor=scene.worker, subject=scene.child, referral_type="individual", reason="x"
    )
    for role in ("practitioner", "team_manager"):
        response = client_for(personas[role]).post(
            f"/meetings/marve/{referral.pk}/accept/", {"version": "1"}
        )
        assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "referred"
