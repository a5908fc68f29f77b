"""Administrators manage users, agencies and teams; bad input loses nothing; edits never collide."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Agency, AgencyKind, Team, User
from audit.models import AccessAction, AccessEvent
from tests.factories import TeamFactory, UserFactory, totp_device_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client_for, personas: dict[str, User]) -> Client:
    return client_for(personas["administrator"])  # type: ignore[no-any-return]


def new_user_form(agency: Agency, **overrides: Any) -> dict[str, Any]:
    team = TeamFactory.create(agency=agency, name="Front door")
    data = {
        "username": "alex.morgan",
        "first_name": "Alex",
        "last_name": "Morgan",
        "email": "alex.morgan@example.org",
        "job_title": "Social worker",
        "agency": agency.pk,
        "teams": [team.pk],
        "roles": ["practitioner"],
    }
    data.update(overrides)
    return data


def test_an_administrator_adds_a_user_who_is_emailed_a_link(
    admin: Client,
    csc_agency: Agency,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/manage/users/new/", new_user_form(csc_agency))
    user = User.objects.get(username="alex.morgan")
    assert response["Location"] == f"/manage/users/{user.pk}/"
    assert user.role_set == {"practitioner"}
    assert [t.name for t in user.teams.all()] == ["Front door"]
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and "alex.morgan" in mail.outbox[0].body
    created = AccessEvent.objects.get(action=AccessAction.CREATE, object_id=str(user.pk))
    assert created.changes["new"]["roles"] == ["practitioner"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not an email"}, "Enter an email address in the correct format"),
        ({"first_name": ""}, "Enter a first name"),
        ({"username": "has spaces"}, "Username can only use letters"),
        ({"roles": ["administrator", "practitioner"]}, "cannot also hold case-work roles"),
        ({"roles": ["auditor", "analyst"]}, "One account cannot be both"),
        ({"username": "administrator"}, "That username is taken"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(
    admin: Client, csc_agency: Agency, overrides: dict[str, Any], message: str
) -> None:
    data = new_user_form(csc_agency, **overrides)
    response = admin.post("/manage/users/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert 'value="Morgan"' in page
    assert f'value="{data["job_title"]}"' in page
    assert not User.objects.filter(email="alex.morgan@example.org").exists()


def test_a_team_from_another_agency_is_refused(
    admin: Client, csc_agency: Agency, police_agency: Agency
) -> None:
    police_team = TeamFactory.create(agency=police_agency, name="Exploitation unit")
    data = new_user_form(csc_agency)
    data["teams"] = [police_team.pk]
    page = admin.post("/manage/users/new/", data).content.decode()
    assert "These teams belong to another agency: Exploitation unit" in page


def test_an_administrator_changes_roles_and_the_change_is_explained(
    admin: Client, personas: dict[str, User]
) -> None:
    target = personas["practitioner"]
    data = {
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "job_title": "Senior practitioner",
        "agency": target.agency_id,
        "roles": ["practitioner", "team_manager"],
        "is_active": "on",
        "version": target.version,
    }
    response = admin.post(f"/manage/users/{target.pk}/edit/", data)
    assert response["Location"] == f"/manage/users/{target.pk}/"
    target = User.objects.get(pk=target.pk)
    assert target.role_set == {"practitioner", "team_manager"}
    change = AccessEvent.objects.filter(action=AccessAction.CHANGE, object_id=str(target.pk)).get()
    assert change.changes["roles"] == {
        "old": ["practitioner"],
        "new": ["practitioner", "team_manager"],
    }
    assert change.changes["job_title"]["new"] == "Senior practitioner"


def test_two_administrators_editing_at_once_never_overwrite_silently(
    client_for,
    personas: dict[str, User],
    csc_agency: Agency,
) -> None:
    second_admin = UserFactory.create(username="admin2", agency=csc_agency, roles=["administrator"])
    first, second = client_for(personas["administrator"]), client_for(second_admin)
    target = personas["practitioner"]
    base = {
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "agency": target.agency_id,
        "roles": ["practitioner"],
        "is_active": "on",
        "version": target.version,
    }
    assert (
        first.post(
            f"/manage/users/{target.pk}/edit/", {**base, "job_title": "From the first"}
        ).status_code
        == 302
    )
    response = second.post(
        f"/manage/users/{target.pk}/edit/", {**base, "job_title": "From the second"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved changes" in page
    assert 'value="From the second"' in page, "what the second person typed is still on screen"
    assert User.objects.get(pk=target.pk).job_title == "From the first"
    # Saving again, having seen the other change, is a deliberate overwrite and succeeds.
    version = User.objects.get(pk=target.pk).version
    assert f'name="version" value="{version}"' in page
    response = second.post(
        f"/manage/users/{target.pk}/edit/",
        {**base, "job_title": "From the second", "version": version},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=target.pk).job_title == "From the second"


def test_administrators_cannot_change_their_own_account(
    admin: Client, personas: dict[str, User]
) -> None:
    me = personas["administrator"]
    response = admin.get(f"/manage/users/{me.pk}/edit/")
    assert response["Location"] == f"/manage/users/{me.pk}/"


def test_reset_second_factor_and_unlock(admin: Client, personas: dict[str, User]) -> None:
    target = personas["practitioner"]
    totp_device_for(target)
    AccessAttempt.objects.create(
        username=target.username, ip_address="127.0.0.1", failures_since_start=5
    )
    admin.post(f"/manage/users/{target.pk}/reset-second-factor/")
    admin.post(f"/manage/users/{target.pk}/unlock/")
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not AccessAttempt.objects.filter(username=target.username).exists()


def test_the_user_page_shows_a_timeline_of_activity(
    admin: Client, personas: dict[str, User]
) -> None:
    target = personas["practitioner"]
    page = admin.get(f"/manage/users/{target.pk}/").content.decode()
    assert "moj-timeline" in page and "moj-identity-bar" in page
    assert AccessEvent.objects.filter(action=AccessAction.VIEW, object_id=str(target.pk)).exists()


def test_the_user_list_filters_and_is_audited(admin: Client, personas: dict[str, User]) -> None:
    page = admin.get("/manage/users/?q=police_practitioner").content.decode()
    assert "police_practitioner" in page and ">auditor<" not in page
    assert AccessEvent.objects.filter(
        action=AccessAction.SEARCH, object_type="accounts.user"
    ).exists()


def test_agencies_and_teams(admin: Client) -> None:
    admin.post(
        "/manage/agencies/new/", {"name": "Parks Service", "kind": AgencyKind.COMMUNITY_SAFETY}
    )
    agency = Agency.objects.get(name="Parks Service")
    assert not agency.is_statutory
    page = admin.post(
        "/manage/agencies/new/", {"name": "Parks Service", "kind": "other"}
    ).content.decode()
    assert "An agency with this name already exists" in page
    page = admin.post("/manage/agencies/new/", {"name": "No kind"}).content.decode()
    assert "Choose the kind of agency" in page and 'value="No kind"' in page
    admin.post(f"/manage/agencies/{agency.pk}/teams/new/", {"name": "Rangers"})
    page = admin.post(
        f"/manage/agencies/{agency.pk}/teams/new/", {"name": "Rangers"}
    ).content.decode()
    assert "This agency already has a team with that name" in page
    team = Team.objects.get(name="Rangers")
    admin.post(
        f"/manage/teams/{team.pk}/edit/", {"name": "Park rangers", "is_active": "on", "version": 1}
    )
    assert Team.objects.get(pk=team.pk).name == "Park rangers"
    page = admin.post(
        f"/manage/teams/{team.pk}/edit/", {"name": "Stale", "version": 1}
    ).content.decode()
    assert "Someone else saved changes" in page and 'value="Stale"' in page


def test_administration_is_closed_to_everyone_else(client_for, personas: dict[str, User]) -> None:
    for role in ("practitioner", "team_manager", "cs_lead", "panel_chair", "analyst", "auditor"):
        assert client_for(personas[role]).get("/manage/users/").status_code == 403
