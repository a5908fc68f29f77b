"""Who may record, see and decide: role by role, agency by agency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from access.roles import Role
from audit.models import AccessAction, AccessEvent
from missing.models import PromptStatus, ThresholdPrompt
from missing.tests.conftest import record_episode
from people.models import RecordShare
from tests.factories import UserFactory, make_person

pytestmark = pytest.mark.django_db

EVERY_ROLE = [r.value for r in Role]
CASE_WORK = {"practitioner", "team_manager", "cs_lead", "panel_chair"}
DECIDERS = {"practitioner", "team_manager", "cs_lead"}
# permission (no object) -> the roles that hold it
GATES: dict[str, set[str]] = {
    "missing.access": CASE_WORK,
    "missing.view_interview_list": DECIDERS,
    "missing.view_prompt_list": DECIDERS,
    "missing.view_rules": CASE_WORK | {"administrator"},
    "missing.change_rules": {"cs_lead", "administrator"},
}


@pytest.mark.parametrize(("permission", "role"), [(p, r) for p in GATES for r in EVERY_ROLE])
def test_page_permissions_by_role(permission: str, role: str) -> None:
    user = UserFactory.create(roles=[role])
    assert user.has_perm(permission) is (role in GATES[permission])


@pytest.fixture
def prompt(worker, child) -> ThresholdPrompt:
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean")
    record_episode(worker, child, found_with=[adult])
    return ThresholdPrompt.objects.select_related("episode").get()


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_record_permissions_by_role_in_the_holding_agency(
    role: str, personas, child, prompt
) -> None:
    user = personas[role]
    episode = prompt.episode
    case_worker = role in CASE_WORK
    assert user.has_perm("missing.add_episode", child) is case_worker
    assert user.has_perm("missing.view_episode", episode) is case_worker
    assert user.has_perm("missing.change_episode", episode) is case_worker
    assert user.has_perm("missing.record_interview", episode) is case_worker
    assert user.has_perm("missing.view_prompt", prompt) is case_worker
    assert user.has_perm("missing.decide_prompt", prompt) is (role in DECIDERS)


def test_another_agency_needs_the_record_shared(personas, child, prompt) -> None:
    officer = personas["police_practitioner"]
    episode = prompt.episode
    perms = ("missing.view_episode", "missing.change_episode", "missing.record_interview")
    assert not any(officer.has_perm(p, episode) for p in perms)
    assert not officer.has_perm("missing.add_episode", child)
    assert not officer.has_perm("missing.decide_prompt", prompt)
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    officer = type(officer).objects.get(pk=officer.pk)  # fresh: no cached answers
    assert all(officer.has_perm(p, episode) for p in perms)
    assert officer.has_perm("missing.add_episode", child)
    assert officer.has_perm("missing.decide_prompt", prompt)


def test_break_glass_reads_but_never_records(personas, child, prompt) -> None:
    officer = personas["police_practitioner"]
    RecordShare.objects.create(
        person=child,
        agency=officer.agency,
        user=officer,
        route="break_glass",
        expires_at=timezone.now() + dt.timedelta(hours=24),
    )
    assert officer.has_perm("missing.view_episode", prompt.episode)
    assert officer.has_perm("missing.view_prompt", prompt)
    assert not officer.has_perm("missing.add_episode", child)
    assert not officer.has_perm("missing.change_episode", prompt.episode)
    assert not officer.has_perm("missing.decide_prompt", prompt)


def test_the_recording_agency_keeps_its_own_episode(personas, child) -> None:
    officer = personas["police_practitioner"]
    share = RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    episode = record_episode(officer, child)
    share.delete()
    officer = type(officer).objects.get(pk=officer.pk)
    assert officer.has_perm("missing.view_episode", episode)
    assert not officer.has_perm("missing.add_episode", child)


# --- through the pages ---------------------------------------------------------------------------


def test_another_agency_gets_not_found_and_it_is_audited(client_for, personas, prompt) -> None:
    officer = client_for(personas["police_practitioner"])
    episode = prompt.episode
    for url in (
        f"/missing/episodes/{episode.pk}/",
        f"/missing/episodes/{episode.pk}/edit/",
        f"/missing/episodes/{episode.pk}/interview/",
        f"/missing/prompts/{prompt.pk}/",
        f"/missing/episodes/new/?person={episode.person_id}",
    ):
        assert officer.get(url).status_code == 404, url
    refusals = AccessEvent.objects.filter(
        action=AccessAction.PERMISSION_DENIED, actor=personas["police_practitioner"]
    )
    assert refusals.count() == 5
    assert "Jayden" not in officer.get("/missing/interviews/").content.decode()
    assert "Jayden" not in officer.get("/missing/prompts/").content.decode()


@pytest.mark.parametrize("role", ["administrator", "auditor", "analyst"])
def test_oversight_roles_are_refused_every_case_page(client_for, personas, prompt, role) -> None:
    client = client_for(personas[role])
    episode = prompt.episode
    for url in (
        f"/missing/episodes/{episode.pk}/",
        f"/missing/episodes/new/?person={episode.person_id}",
        f"/missing/prompts/{prompt.pk}/",
        "/missing/prompts/",
        "/missing/interviews/",
    ):
        assert client.get(url).status_code == 403, url


def test_a_panel_chair_sees_a_prompt_but_cannot_decide_it(client_for, personas, prompt) -> None:
    chair = client_for(personas["panel_chair"])
    page = chair.get(f"/missing/prompts/{prompt.pk}/").content.decode()
    assert "Found with an adult of concern." in page and "Record decision" not in page
    response = chair.post(f"/missing/prompts/{prompt.pk}/", {"status": "marve_referred"})
    assert response.status_code == 404
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.OPEN


def test_the_rules_page_is_open_to_administrators_and_closed_to_auditors(
    client_for, personas
) -> None:
    assert client_for(personas["administrator"]).get("/missing/rules/").status_code == 200
    assert client_for(personas["auditor"]).get("/missing/rules/").status_code == 403
