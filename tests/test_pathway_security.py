"""Regression tests for what a security review of the pathway found (each failed before its fix)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from assessments.services import single_assessment_start
from core.models import Notification
from frontdoor.models import Contact, SharingDecision
from meetings.models import MarveReferral
from meetings.services import marve_referral_create
from missing.models import MissingEpisode, ThresholdPrompt
from missing.services import episode_create
from people.models import Person
from people.services import break_glass
from tests.factories import UserFactory, make_person

pytestmark = pytest.mark.django_db
Clients = Callable[[User], Client]


def _episode(actor: User, person: Person, days_ago: int) -> MissingEpisode:
    went = timezone.now() - dt.timedelta(days=days_ago)
    return episode_create(
        actor=actor,
        person=person,
        episode_type="M",
        went_missing_at=went,
        reported_at=went + dt.timedelta(hours=1),
        reported_by="Carer",
        police_risk_level="medium",
        returned_at=went + dt.timedelta(hours=5),
    )


def test_marve_reasons_follow_the_childs_record(
    personas: dict[str, User], client_for: Clients
) -> None:
    csc = personas["practitioner"]
    child = make_person(csc, given_name="Zebedee", family_name="Quartermain")
    for days in (30, 20, 10):
        _episode(csc, child, days)
    prompt = ThresholdPrompt.objects.get(person=child, rule__kind="repeat_episodes")
    url = f"/meetings/marve/new/?person={child.pk}&prompt={prompt.pk}"
    client_for(csc).post(
        url,
        {"referral_type": "individual", "reason": prompt.explanation, "what_has_been_tried": ""},
    )
    referral = MarveReferral.objects.get()
    chair = UserFactory.create(agency=personas["police_practitioner"].agency, roles=["panel_chair"])
    page = client_for(chair).get(f"/meetings/marve/{referral.pk}/").content.decode()
    assert 'data-testid="reasons-withheld"' in page
    assert "Zebedee" not in page and "Quartermain" not in page
    own = client_for(csc).get(f"/meetings/marve/{referral.pk}/").content.decode()
    assert "Zebedee" in own


def test_break_glass_reads_but_records_no_sharing_decision(
    personas: dict[str, User], client_for: Clients
) -> None:
    csc, officer = personas["practitioner"], personas["police_practitioner"]
    assert csc.agency is not None
    child = make_person(csc, given_name="Ulrika", family_name="Brandt")
    contact = Contact.objects.create(
        person=child,
        recording_agency=csc.agency,
        recorded_by=csc,
        channel="phone",
        referrer_name="A caller",
        referral_source="2A",
        what_happened="Seen with older youths",
        harm_source="outside",
        lawful_basis="safeguarding",
        urgency="urgent",
        respond_by=timezone.now(),
        receiving_team=csc.teams.all()[0],
    )
    break_glass(actor=officer, person=child, reason="Emergency: child missing tonight, need it")
    assert officer.has_perm("frontdoor.view_contact", contact)
    response = client_for(officer).post(
        f"/front-door/{contact.pk}/sharing/",
        {
            "shared": "yes",
            "information": "All of it",
            "shared_with": "Police",
            "reason": "Because",
            "lawful_basis": "safeguarding",
        },
    )
    assert response.status_code == 404
    assert not SharingDecision.objects.filter(decided_by=officer).exists()


def test_a_team_manager_lists_only_referrals_about_records_they_may_see(
    personas: dict[str, User], client_for: Clients
) -> None:
    csc = personas["practitioner"]
    child = make_person(csc, given_name="Ottoline", family_name="Vance")
    marve_referral_create(
        actor=csc,
        subject=child,
        referral_type="individual",
        reason="Reasons",
        what_has_been_tried="",
    )
    manager = UserFactory.create(
        agency=personas["police_practitioner"].agency, roles=["team_manager"]
    )
    page = client_for(manager).get("/meetings/marve/").content.decode()
    assert csc.get_full_name() not in page
    assert "A person whose record is held by" not in page


def test_notifications_never_name_the_child(personas: dict[str, User]) -> None:
    csc, manager = personas["practitioner"], personas["team_manager"]
    child = make_person(csc, given_name="Perpetua", family_name="Lyle")
    single_assessment_start(
        actor=manager,
        person=child,
        started_on=timezone.localdate(),
        lead=csc,
        team=csc.teams.all()[0],
    )
    assert Notification.objects.filter(recipient=csc).exists()
    assert not Notification.objects.filter(message__contains="Perpetua").exists()


@pytest.mark.parametrize(
    ("url", "role", "object_type"),
    [
        ("/front-door/sent/", "practitioner", "frontdoor.contact"),
        ("/missing/interviews/", "practitioner", "missing.returnhomeinterview"),
        ("/missing/prompts/", "practitioner", "missing.thresholdprompt"),
        ("/casework/nrm/", "practitioner", "casework.nrmreferral"),
        ("/casework/consultations/", "cs_lead", "casework.consultation"),
    ],
)
def test_work_lists_that_name_people_are_audited(
    url: str, role: str, object_type: str, personas: dict[str, User], client_for: Clients
) -> None:
    from audit.models import AccessEvent

    user = personas[role]
    assert client_for(user).get(url).status_code == 200
    assert AccessEvent.objects.filter(actor=user, action="search", object_type=object_type).exists()
