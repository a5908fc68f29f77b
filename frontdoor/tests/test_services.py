"""Contacts, routing, sharing, screening and approval: every rule and its message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from audit.models import AccessAction, AccessEvent
from core.models import Notification
from frontdoor import services
from frontdoor.models import (
    ApprovalStatus,
    ContactStatus,
    ResponseTimescale,
    ScreeningDecision,
    ScreeningTeam,
    SharingDecision,
)
from frontdoor.selectors import timer
from frontdoor.tests.conftest import FrontDoor, send
from people.models import RecordShare
from people.services import person_merge
from tests.factories import TeamFactory, UserFactory, make_location, make_person

pytestmark = pytest.mark.django_db


# --- timescales and routing -------------------------------------------------------------------


@pytest.mark.parametrize(("urgency", "hours"), [("immediate", 4), ("urgent", 24), ("standard", 48)])
def test_respond_by_is_received_at_plus_the_partnerships_hours(
    fd: FrontDoor, urgency: str, hours: int
) -> None:
    received = timezone.now() - dt.timedelta(minutes=30)
    contact = send(fd.teacher, person=fd.child, urgency=urgency, received_at=received)
    assert contact.respond_by == received + dt.timedelta(hours=hours)


def test_a_changed_timescale_applies_to_new_contacts_only(fd: FrontDoor, personas) -> None:
    before = send(fd.teacher, person=fd.child, urgency="urgent")
    services.timescales_set(
        actor=personas["administrator"], hours={"immediate": 2, "urgent": 8, "standard": 72}
    )
    after = send(fd.teacher, person=fd.child, urgency="urgent")
    assert after.respond_by - after.received_at == dt.timedelta(hours=8)
    before.refresh_from_db()
    assert before.respond_by - before.received_at == dt.timedelta(hours=24)


def test_contacts_go_to_the_default_screening_team(fd: FrontDoor) -> None:
    other = TeamFactory.create(agency=fd.team.agency, name="MASH")
    ScreeningTeam.objects.create(team=other, is_default=False)
    contact = send(fd.teacher, person=fd.child)
    assert contact.receiving_team == fd.team


def test_without_a_screening_team_a_contact_cannot_be_sent(fd: FrontDoor) -> None:
    ScreeningTeam.objects.all().delete()
    with pytest.raises(ValidationError, match="No team is set up to screen contacts"):
        send(fd.teacher, person=fd.child)


def test_an_inactive_default_team_is_not_a_route(fd: FrontDoor) -> None:
    fd.team.is_active = False
    fd.team.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="No team is set up"):
        send(fd.teacher, person=fd.child)


# --- sharing ----------------------------------------------------------------------------------


def test_a_contact_shares_the_childs_record_with_the_screening_agency(
    fd: FrontDoor, personas, police_child
) -> None:
    sibling = make_person(personas["police_practitioner"], given_name="Ava", family_name="Mercer")
    adult = make_person(personas["police_practitioner"], kind="adult_of_concern", given_name="Dean")
    contact = send(
        fd.teacher, person=police_child, people=[(sibling, "child"), (adult, "adult_of_concern")]
    )
    csc = fd.team.agency
    shared = RecordShare.objects.filter(agency=csc, route="shared")
    assert set(shared.values_list("person_id", flat=True)) == {police_child.pk, sibling.pk}
    assert shared.get(person=police_child).reason == f"Contact {contact.pk} sent to the front door"
    # The school named the child but gains no access to the police's record.
    assert not fd.teacher.has_perm("people.view_person", police_child)
    assert fd.screener.has_perm("people.view_person", police_child)
    assert fd.teacher.has_perm("frontdoor.view_contact", contact)


def test_the_submission_records_the_lawful_basis_as_a_sharing_decision(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child, lawful_basis="consent", lawful_basis_notes="")
    decision = SharingDecision.objects.get(contact=contact)
    assert decision.shared and decision.lawful_basis == "consent"
    assert decision.decided_by == fd.teacher
    assert "Front Door" in decision.shared_with


def test_sharing_without_consent_needs_a_reason(fd: FrontDoor) -> None:
    with pytest.raises(ValidationError, match="sharing without consent"):
        send(fd.teacher, person=fd.child, lawful_basis="safeguarding", lawful_basis_notes=" ")


def test_a_decision_not_to_share_is_recorded_with_its_reason(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    decision = services.sharing_decision_record(
        actor=fd.screener,
        contact=contact,
        shared=False,
        information="Mother's health history",
        shared_with="Housing",
        reason="Not relevant to the concern",
        lawful_basis="safeguarding",
    )
    assert decision.lawful_basis == ""  # a basis only for sharing
    assert AccessEvent.objects.filter(
        action=AccessAction.CREATE, object_type="frontdoor.sharingdecision", object_id=decision.pk
    ).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shared": True, "lawful_basis": ""}, "Choose the lawful basis"),
        ({"reason": ""}, "Give the reason"),
        ({"information": ""}, "what information"),
        ({"shared_with": " "}, "who the information was"),
    ],
)
def test_bad_sharing_decisions_are_refused(fd: FrontDoor, change, message: str) -> None:
    contact = send(fd.teacher, person=fd.child)
    fields = {
        "shared": True,
        "information": "Chronology",
        "shared_with": "Police",
        "reason": "Strategy discussion",
        "lawful_basis": "safeguarding",
    } | change
    with pytest.raises(ValidationError, match=message):
        services.sharing_decision_record(actor=fd.screener, contact=contact, **fields)


# --- the subject and what is named ------------------------------------------------------------


def test_a_context_can_be_the_subject(fd: FrontDoor) -> None:
    contact = send(fd.teacher, context=fd.place, contexts=[])
    assert contact.is_about_context and contact.subject == fd.place
    assert not RecordShare.objects.filter(route="shared").exists()


@pytest.mark.parametrize(
    ("subject", "message"),
    [("none", "Choose who or what"), ("both", "Choose who or what"), ("adult", "not recorded")],
)
def test_subject_rules(fd: FrontDoor, personas, subject: str, message: str) -> None:
    adult = make_person(personas["practitioner"], kind="adult_of_concern", given_name="Carl")
    subjects: dict[str, dict[str, Any]] = {
        "none": {},
        "both": {"person": fd.child, "context": fd.place},
        "adult": {"person": adult},
    }
    about = subjects[subject]
    with pytest.raises(ValidationError, match=message):
        send(fd.teacher, **about)


def test_a_merged_record_cannot_be_the_subject(fd: FrontDoor, personas) -> None:
    worker = personas["team_manager"]
    duplicate = make_person(worker, given_name="Mia", family_name="Stone")
    person_merge(actor=worker, source=duplicate, target=fd.child, reason="Same child, same DOB")
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError, match="merged"):
        send(fd.teacher, person=duplicate)


def test_people_and_contexts_are_named_once(fd: FrontDoor, personas) -> None:
    with pytest.raises(ValidationError, match="named twice"):
        send(fd.teacher, person=fd.child, people=[(fd.child, "peer")])
    with pytest.raises(ValidationError, match="linked twice"):
        send(fd.teacher, context=fd.place, contexts=[(fd.place, "")])
    group = make_location(personas["practitioner"], name="Bus station")
    contact = send(fd.teacher, person=fd.child, contexts=[(fd.place, ""), (group, "evenings")])
    assert {c.context_id for c in contact.contexts.all()} == {fd.place.pk, group.pk}


def test_harm_indicators_come_from_the_list(fd: FrontDoor) -> None:
    with pytest.raises(ValidationError, match="from the list"):
        send(fd.teacher, person=fd.child, harm_indicators=["made_up"])


def test_a_recorded_call_needs_the_callers_details(fd: FrontDoor) -> None:
    with pytest.raises(ValidationError, match="name of the person making the referral"):
        send(fd.screener, person=fd.child, channel="phone", referrer={})
    with pytest.raises(ValidationError, match="phone number or email"):
        send(fd.screener, person=fd.child, channel="phone", referrer={"referrer_name": "Ms Ali"})
    contact = send(
        fd.screener,
        person=fd.child,
        channel="phone",
        referrer={"referrer_name": "Ms Ali", "referrer_phone": "01632 960001"},
    )
    assert contact.referrer_user is None and contact.referrer_name == "Ms Ali"


def test_online_the_signed_in_user_is_the_referrer(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child, referrer={"referrer_name": "Someone else"})
    assert contact.referrer_user == fd.teacher
    assert contact.referrer_organisation == "Riverside Academy"
    assert contact.referrer_role == "DSL"


def test_the_contact_is_audited(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child, urgency="immediate")
    event = AccessEvent.objects.get(object_type="frontdoor.contact", action=AccessAction.CREATE)
    assert event.object_id == str(contact.pk)
    assert event.changes["urgency"] == "immediate"
    # Immediate contacts reach the screening team at once.
    assert Notification.objects.filter(recipient=fd.screener).exists()


# --- screening --------------------------------------------------------------------------------


def screened(fd: FrontDoor, **overrides) -> ScreeningDecision:
    contact = send(fd.teacher, person=fd.child)
    services.screening_start(actor=fd.screener, contact=contact)
    fields: dict[str, Any] = {
        "outcome": "single_assessment",
        "reasons": "Pattern of sightings with older youths.",
        "allocated_team": fd.team,
    } | overrides
    return services.screening_decide(actor=fd.screener, contact=contact, **fields)


def test_picking_up_a_contact_twice_is_refused(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    services.screening_start(actor=fd.screener, contact=contact)
    assert contact.status == ContactStatus.IN_SCREENING and contact.screener == fd.screener
    assert AccessEvent.objects.filter(
        actor=fd.screener, action=AccessAction.CHANGE, object_id=str(contact.pk)
    ).exists()
    with pytest.raises(ValidationError, match="already being screened by Sam"):
        services.screening_start(actor=fd.other_screener, contact=contact)


def test_two_screeners_at_once_only_the_first_gets_it(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    stale = type(contact).objects.get(pk=contact.pk)  # opened by the second screener
    services.screening_start(actor=fd.screener, contact=contact)
    with pytest.raises(ValidationError, match="Someone else changed this contact"):
        services.screening_start(actor=fd.other_screener, contact=stale)
    stale.refresh_from_db()
    assert stale.screener == fd.screener


def test_a_decision_waits_for_approval(fd: FrontDoor) -> None:
    decision = screened(fd)
    decision.contact.refresh_from_db()
    assert decision.contact.status == ContactStatus.AWAITING_APPROVAL
    assert decision.approval == ApprovalStatus.PENDING
    assert Notification.objects.filter(
        recipient=fd.manager, message__contains="waiting for your approval"
    ).exists()
    assert not Notification.objects.filter(
        recipient=fd.screener, message__contains="waiting for your approval"
    ).exists()


def test_only_the_screener_decides_and_only_once_picked_up(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    with pytest.raises(ValidationError, match="Start screening"):
        services.screening_decide(
            actor=fd.screener, contact=contact, outcome="nfa", reasons="No concerns"
        )
    services.screening_start(actor=fd.screener, contact=contact)
    with pytest.raises(ValidationError, match=r"Sam .* is screening this contact"):
        services.screening_decide(
            actor=fd.other_screener, contact=contact, outcome="nfa", reasons="x"
        )


@pytest.mark.parametrize(
    ("subject", "outcome", "message"),
    [
        ("context", "single_assessment", "single assessment is of a child"),
        ("child", "context_response", "context response needs a place"),
    ],
)
def test_outcomes_must_fit_the_subject(fd: FrontDoor, subject, outcome, message) -> None:
    about: dict[str, Any] = {"context": fd.place} if subject == "context" else {"person": fd.child}
    contact = send(fd.teacher, **about)
    services.screening_start(actor=fd.screener, contact=contact)
    assert outcome not in dict(services.allowed_outcomes(contact, linked_contexts=0))
    with pytest.raises(ValidationError, match=message):
        services.screening_decide(
            actor=fd.screener,
            contact=contact,
            outcome=outcome,
            reasons="x",
            allocated_team=fd.team,
        )


def test_a_context_response_on_a_childs_contact_needs_a_linked_context(fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child, contexts=[(fd.place, "")])
    services.screening_start(actor=fd.screener, contact=contact)
    decision = services.screening_decide(
        actor=fd.screener,
        contact=contact,
        outcome="context_response",
        reasons="The shop is the pattern.",
        allocated_team=fd.team,
    )
    assert decision.outcome == "context_response"


def test_work_for_a_team_needs_the_team_and_reasons(fd: FrontDoor) -> None:
    with pytest.raises(ValidationError, match="Choose the team"):
        screened(fd, allocated_team=None)
    with pytest.raises(ValidationError, match="Give the reasons"):
        screened(fd, reasons="  ")


def test_approval_decides_and_tells_the_referrer(fd: FrontDoor) -> None:
    decision = screened(fd)
    services.screening_approve(actor=fd.manager, decision=decision, comment="Agreed")
    contact = decision.contact
    contact.refresh_from_db()
    assert contact.status == ContactStatus.DECIDED
    assert contact.outcome_sent_at is not None  # the teacher was told on their home page
    note = Notification.objects.get(recipient=fd.teacher)
    assert "Outcome: Single assessment" in note.message
    assert note.link == f"/front-door/{contact.pk}/"
    assert AccessEvent.objects.filter(
        action=AccessAction.CHANGE, object_type="frontdoor.screeningdecision"
    ).exists()


def test_approval_tells_the_allocated_team_without_naming_the_child(fd: FrontDoor) -> None:
    adolescents = TeamFactory.create(agency=fd.team.agency, name="Exploitation Response")
    worker = UserFactory.create(username="ade", agency=fd.team.agency, roles=["practitioner"])
    gone = UserFactory.create(
        username="left", agency=fd.team.agency, roles=["practitioner"], is_active=False
    )
    for user in (worker, gone, fd.manager):
        user.teams.add(adolescents)
    decision = screened(fd, allocated_team=adolescents)
    services.screening_approve(actor=fd.manager, decision=decision)
    told = Notification.objects.filter(message__startswith="A contact has been allocated")
    # Not the member who has left, nor the approver (in the team too), who has just done it.
    assert list(told.values_list("recipient", flat=True)) == [worker.pk]
    note = told.get()
    assert note.message == "A contact has been allocated to your team: Single assessment."
    assert note.link == f"/front-door/{decision.contact_id}/"
    assert "Mia" not in note.message and "Stone" not in note.message


def test_an_outcome_with_no_team_tells_no_team(fd: FrontDoor) -> None:
    decision = screened(fd, outcome="nfa", allocated_team=None)
    services.screening_approve(actor=fd.manager, decision=decision)
    assert not Notification.objects.filter(message__contains="allocated").exists()


def test_a_screener_may_not_approve_their_own_decision(fd: FrontDoor) -> None:
    manager_screener = fd.manager
    contact = send(fd.teacher, person=fd.child)
    services.screening_start(actor=manager_screener, contact=contact)
    decision = services.screening_decide(
        actor=manager_screener, contact=contact, outcome="nfa", reasons="Already known, safe"
    )
    with pytest.raises(ValidationError, match="You made this decision"):
        services.screening_approve(actor=manager_screener, decision=decision)
    decision.refresh_from_db()
    assert decision.approval == ApprovalStatus.PENDING


def test_a_practitioner_may_not_approve(fd: FrontDoor) -> None:
    decision = screened(fd)
    with pytest.raises(ValidationError, match="Only a team manager or CS lead"):
        services.screening_approve(actor=fd.other_screener, decision=decision)


def test_a_returned_decision_stays_on_record_and_the_screener_decides_again(
    fd: FrontDoor,
) -> None:
    first = screened(fd)
    with pytest.raises(ValidationError, match="Say why"):
        services.screening_return(actor=fd.manager, decision=first, comment=" ")
    services.screening_return(actor=fd.manager, decision=first, comment="Consider a strategy")
    contact = first.contact
    contact.refresh_from_db()
    assert contact.status == ContactStatus.IN_SCREENING and contact.screener == fd.screener
    assert Notification.objects.filter(recipient=fd.screener, message__contains="returned").exists()
    second = services.screening_decide(
        actor=fd.screener,
        contact=contact,
        outcome="strategy_discussion",
        reasons="Significant harm likely",
        allocated_team=fd.team,
    )
    services.screening_approve(actor=fd.other_manager, decision=second)
    history = list(
        contact.decisions.order_by("decided_at", "pk").values_list("approval", flat=True)
    )
    assert history == ["returned", "approved"]
    with pytest.raises(ValidationError, match="already been approved or returned"):
        services.screening_approve(actor=fd.manager, decision=first)


def test_two_managers_at_once_only_one_settles_it(fd: FrontDoor) -> None:
    decision = screened(fd)
    stale = ScreeningDecision.objects.select_related("contact").get(pk=decision.pk)
    services.screening_approve(actor=fd.manager, decision=decision)
    with pytest.raises(ValidationError, match="Another manager dealt with this decision"):
        services.screening_return(actor=fd.other_manager, decision=stale, comment="No")


def test_a_phone_referrer_is_told_by_the_front_door(fd: FrontDoor) -> None:
    contact = send(
        fd.screener,
        person=fd.child,
        channel="phone",
        referrer={"referrer_name": "Ms Ali", "referrer_phone": "01632 960001"},
    )
    with pytest.raises(ValidationError, match="once the decision is approved"):
        services.referrer_told(actor=fd.screener, contact=contact)
    services.screening_start(actor=fd.screener, contact=contact)
    decision = services.screening_decide(
        actor=fd.screener, contact=contact, outcome="information_advice", reasons="Advice given"
    )
    services.screening_approve(actor=fd.manager, decision=decision)
    contact.refresh_from_db()
    assert contact.outcome_sent_at is None
    services.referrer_told(actor=fd.screener, contact=contact)
    contact.refresh_from_db()
    assert contact.outcome_sent_at is not None
    with pytest.raises(ValidationError, match="already been told"):
        services.referrer_told(actor=fd.screener, contact=contact)


# --- the partnership's settings ---------------------------------------------------------------


def test_timescale_changes_are_validated_and_audited(personas) -> None:
    admin: User = personas["administrator"]
    with pytest.raises(ValidationError, match="from 1 to"):
        services.timescales_set(actor=admin, hours={"immediate": 0, "urgent": 24, "standard": 48})
    services.timescales_set(actor=admin, hours={"immediate": 4, "urgent": 12, "standard": 48})
    assert ResponseTimescale.objects.get(urgency="urgent").hours == 12
    event = AccessEvent.objects.get(object_type="frontdoor.responsetimescale")
    assert event.changes == {"urgent": {"old": 24, "new": 12}}


def test_screening_teams_have_one_default(fd: FrontDoor, personas) -> None:
    mash = TeamFactory.create(agency=fd.team.agency, name="MASH")
    admin = personas["administrator"]
    with pytest.raises(ValidationError, match="must be one of the screening teams"):
        services.screening_teams_set(actor=admin, teams=[fd.team], default=mash)
    services.screening_teams_set(actor=admin, teams=[fd.team, mash], default=mash)
    assert list(ScreeningTeam.objects.filter(is_default=True).values_list("team", flat=True)) == [
        mash.pk
    ]
    assert services.default_screening_team() == mash
    assert AccessEvent.objects.filter(object_type="frontdoor.screeningteam").exists()


# --- timers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "text", "breached"),
    [
        (dt.timedelta(hours=3, minutes=10), "Decision due in 3 hours", False),
        (dt.timedelta(minutes=20), "Decision due in 20 minutes", False),
        (dt.timedelta(hours=1), "Decision due in 1 hour", False),
        (-dt.timedelta(hours=2, minutes=5), "Overdue by 2 hours", True),
        (-dt.timedelta(days=3), "Overdue by 3 days", True),
    ],
)
def test_timer_text(offset: dt.timedelta, text: str, breached: bool) -> None:
    now = timezone.now()
    assert timer(now + offset, now) == type(timer(now, now))(text, breached)
