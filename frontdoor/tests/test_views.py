"""The front door through the test client: a referrer's journey, screening, approval."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessEvent
from contexts.models import Context
from core.models import Notification
from frontdoor import services
from frontdoor.forms import person_ref
from frontdoor.models import Contact, ContactStatus, ResponseTimescale, ScreeningTeam
from frontdoor.tests.conftest import FrontDoor, send
from people.models import Person
from tests.factories import TeamFactory, UserFactory, make_person

pytestmark = pytest.mark.django_db

FORM = {
    "channel": "online",
    "referral_source": "2A",
    "what_happened": "Seen at the chicken shop with older youths after 10pm.",
    "where": "Larkspur Parade, most evenings",
    "with_whom": "Two older boys, one called 'T'",
    "harm_indicators": ["cce", "missing"],
    "harm_source": "outside",
    "child_views": "She says they are her friends.",
    "lawful_basis": "safeguarding",
    "lawful_basis_notes": "Asking the family could put her at risk.",
    "urgency": "urgent",
    "action": "send",
}


def page(response: Any) -> str:
    return str(html.unescape(response.content.decode()))


def link_to_contact_form(text: str) -> str:
    found = re.search(r'href="(/front-door/new/\?(?:person|held|context)=[^"]+)"', text)
    assert found, "no link to the contact form"
    return html.unescape(found.group(1))


# --- a referrer's journey ---------------------------------------------------------------------


def test_the_start_page_asks_who_or_what_the_contact_is_about(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)
    assert "Who or what is this contact about?" in page(client.get("/front-door/new/"))
    response = client.get("/front-door/new/?about=somebody")
    assert "Choose who or what this contact is about" in page(response)


def test_a_school_refers_a_child_whose_record_it_cannot_open(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)
    found = page(client.get("/front-door/new/?about=child&search=1&name=Mia+Stone"))
    results = found[found.index('data-testid="person-results"') :]
    assert "A record held by Test Children's Services" in results
    assert "Mia Stone" not in results
    form_url = link_to_contact_form(found)
    assert "held=" in form_url
    form_page = page(client.get(form_url))
    assert "A child whose record is held by Test Children's Services" in form_page

    response = client.post(form_url, FORM)
    contact = Contact.objects.get()
    assert response["Location"] == f"/front-door/{contact.pk}/sent/"
    assert contact.person == fd.child and contact.referrer_user == fd.teacher
    assert contact.harm_indicators == ["cce", "missing"]
    sent = page(client.get(response["Location"]))
    assert f">{contact.pk}<" in sent
    due = timezone.localtime(contact.respond_by)
    assert f"{due:%-d %B %Y}" in sent
    # The school still cannot open the child's record, but sees its own contact.
    assert client.get(f"/people/{fd.child.pk}/").status_code == 404
    detail = page(client.get(f"/front-door/{contact.pk}/"))
    assert "Mia Stone" not in detail and "Seen at the chicken shop" in detail


def test_a_forged_or_stale_reference_finds_nothing(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)
    assert client.get("/front-door/new/?held=12:forged").status_code == 404
    # A plain record number for a record the school cannot open is refused, and audited.
    assert client.get(f"/front-door/new/?person={fd.child.pk}").status_code == 404
    assert AccessEvent.objects.filter(
        action=AccessAction.PERMISSION_DENIED, object_type="people.person"
    ).exists()


def test_bad_input_gets_clear_errors_and_keeps_what_was_typed(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)
    url = f"/front-door/new/?held={person_ref(fd.child.pk)}"
    bad = FORM | {"what_happened": "", "harm_source": "", "lawful_basis_notes": ""}
    text = page(client.post(url, bad))
    assert "There is a problem" in text
    assert "Say what happened or what you are worried about" in text
    assert "Say whether the harm is inside or outside the family" in text
    assert "Say why you are sharing without consent" in text
    assert "Larkspur Parade, most evenings" in text
    assert "Two older boys, one called 'T'" in text
    assert 'value="missing" checked' in text
    assert not Contact.objects.exists()


def test_without_a_screening_team_the_form_says_so_and_keeps_the_text(
    client_for, fd: FrontDoor
) -> None:
    ScreeningTeam.objects.all().delete()
    client = client_for(fd.teacher)
    url = f"/front-door/new/?held={person_ref(fd.child.pk)}"
    assert 'data-testid="no-route"' in page(client.get(url))
    text = page(client.post(f"/front-door/new/?held={person_ref(fd.child.pk)}", FORM))
    assert "No team is set up to screen contacts" in text
    assert "Seen at the chicken shop with older youths after 10pm." in text


def test_finding_contexts_and_people_inside_the_form_keeps_everything(
    client_for, fd: FrontDoor, personas
) -> None:
    worker = personas["practitioner"]
    friend = make_person(worker, given_name="Tia", family_name="Brook")
    client = client_for(worker)
    url = f"/front-door/new/?person={fd.child.pk}"
    typed = FORM | {"action": "find", "context_query": "chicken", "person_query": "Tia Brook"}
    text = page(client.post(url, typed))
    assert "There is a problem" not in text
    assert "Larkspur Parade, most evenings" in text
    assert f'name="link_context" type="checkbox" value="{fd.place.pk}"' in text
    assert "Tia Brook" in text
    ref = re.search(r'name="role_([^"]+)"', text)
    assert ref is not None
    response = client.post(
        url,
        FORM | {"link_context": [str(fd.place.pk)], f"role_{html.unescape(ref.group(1))}": "peer"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert [c.context for c in contact.contexts.all()] == [fd.place]
    assert [(p.person, p.role) for p in contact.people.all()] == [(friend, "peer")]


def test_a_forged_person_reference_names_nobody(client_for, fd: FrontDoor, personas) -> None:
    client = client_for(personas["practitioner"])
    response = client.post(
        f"/front-door/new/?person={fd.child.pk}", FORM | {f"role_{fd.place.pk}": "peer"}
    )
    assert response.status_code == 302
    assert not Contact.objects.get().people.exists()


def test_the_front_door_records_a_phone_call(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.screener)
    url = f"/front-door/new/?person={fd.child.pk}"
    call = FORM | {"channel": "phone", "referral_source": "1A"}
    text = page(client.post(url, call))
    assert "Enter the name of the person making the referral" in text
    assert "Seen at the chicken shop with older youths after 10pm." in text
    response = client.post(
        url, call | {"referrer_name": "Ms Ali", "referrer_phone": "01632 960001"}
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.channel == "phone" and contact.referrer_user is None


def test_a_new_child_is_checked_for_duplicates_first(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)
    person = {
        "kind": "young_person",
        "given_name": "Mia",
        "family_name": "Stone",
        "age_band": "14_15",
    }
    text = page(client.post("/front-door/new/person/", person))
    assert "This child may already have a record" in text
    assert "A record held by Test Children's Services" in text
    assert "held=" in text
    response = client.post("/front-door/new/person/", person | {"confirm_new": "on"})
    created = Person.objects.exclude(pk=fd.child.pk).get(given_name="Mia")
    assert response["Location"] == f"/front-door/new/?person={created.pk}"


def test_a_new_context_for_the_contact(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)
    assert "What kind of context is it?" in page(client.get("/front-door/new/context/"))
    text = page(client.post("/front-door/new/context/?kind=peer_group", {"status": "noted"}))
    assert "Enter a name" in text
    response = client.post(
        "/front-door/new/context/?kind=peer_group",
        {
            "name": "Year 10 group at the parade",
            "status": "noted",
            "owning_team": fd.teacher.teams.get().pk,
        },
    )
    group = Context.objects.get(kind="peer_group")
    assert response["Location"] == f"/front-door/new/?context={group.pk}"
    assert "Year 10 group at the parade" in page(client.get(response["Location"]))


def test_referrers_see_the_contacts_they_sent(client_for, fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    other = send(fd.screener, person=fd.child)
    text = page(client_for(fd.teacher).get("/front-door/sent/"))
    assert f"Contact {contact.pk}" in text and f"Contact {other.pk}" not in text
    assert "Awaiting screening" in text
    services.screening_start(actor=fd.screener, contact=contact)
    decision = services.screening_decide(
        actor=fd.screener,
        contact=contact,
        outcome="early_help",
        reasons="x",
        allocated_team=fd.team,
    )
    services.screening_approve(actor=fd.manager, decision=decision)
    text = page(client_for(fd.teacher).get("/front-door/sent/"))
    assert "Decided" in text and "Early help" in text


def test_the_sent_list_costs_the_same_for_one_contact_or_many(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)

    def queries() -> int:
        client.get("/front-door/sent/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/front-door/sent/")
        return len(ctx.captured_queries)

    send(fd.teacher, person=fd.child)
    one = queries()
    for _ in range(5):
        contact = send(fd.teacher, context=fd.place)
        services.screening_start(actor=fd.screener, contact=contact)
        services.screening_approve(
            actor=fd.manager,
            decision=services.screening_decide(
                actor=fd.screener, contact=contact, outcome="nfa", reasons="Safe"
            ),
        )
    assert queries() == one


# --- reading a contact ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "named"),
    [
        ("teacher", 200, False),  # the referring agency sees its own contact
        ("screener", 200, True),  # the screening agency was given the child's record
        ("practitioner", 200, True),  # children's social care holds the record
        ("police_practitioner", 404, False),
        ("administrator", 403, False),
        ("auditor", 403, False),
        ("analyst", 403, False),
        ("no_role", 403, False),
    ],
)
def test_who_may_read_a_contact(
    client_for, fd: FrontDoor, personas, who: str, status: int, named: bool
) -> None:
    contact = send(fd.teacher, person=fd.child)
    user = getattr(fd, who, None) or personas[who]
    response = client_for(user).get(f"/front-door/{contact.pk}/")
    assert response.status_code == status
    if status == 200:
        assert ("Mia Stone" in page(response)) is named
        assert AccessEvent.objects.filter(
            actor=user, action=AccessAction.VIEW, object_type="frontdoor.contact"
        ).exists()
    if status == 404:
        assert AccessEvent.objects.filter(
            actor=user, action=AccessAction.PERMISSION_DENIED, object_type="frontdoor.contact"
        ).exists()


def test_a_colleague_in_the_referring_agency_sees_the_contact(client_for, fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    colleague = UserFactory.create(agency=fd.school, roles=["team_manager"])
    assert client_for(colleague).get(f"/front-door/{contact.pk}/").status_code == 200


def test_a_contact_about_a_context_is_a_partnership_record(
    client_for, fd: FrontDoor, personas
) -> None:
    contact = send(fd.teacher, context=fd.place)
    text = page(client_for(personas["police_practitioner"]).get(f"/front-door/{contact.pk}/"))
    assert "Chicken shop, Market Street" in text


def test_the_contact_page_costs_the_same_however_much_it_names(
    client_for, fd: FrontDoor, personas
) -> None:
    worker = personas["practitioner"]
    client = client_for(fd.screener)

    def queries_for(n: int) -> int:
        people = [
            (make_person(worker, given_name=f"Peer{n}{i}", family_name="X"), "peer")
            for i in range(n)
        ]
        places = [
            (Context.objects.create(kind="location", name=f"P{n}{i}", owning_team=fd.team), "")
            for i in range(n)
        ]
        contact = send(fd.teacher, person=fd.child, people=people, contexts=places)
        client.get(f"/front-door/{contact.pk}/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/front-door/{contact.pk}/").status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(1) == queries_for(6)


def test_sharing_decisions_are_recorded_from_the_contact_page(client_for, fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    client = client_for(fd.screener)
    url = f"/front-door/{contact.pk}/sharing/"
    assert f'action="{url}"' in page(client.get(f"/front-door/{contact.pk}/"))
    text = page(client.post(url, {"shared": "yes", "information": "School attendance"}))
    assert "Say who the information was, or was not, shared with" in text
    assert "Give the reason for the decision" in text
    assert "Choose the lawful basis for sharing" in text
    assert "School attendance" in text
    response = client.post(
        url,
        {
            "shared": "no",
            "information": "School attendance",
            "shared_with": "Housing",
            "reason": "Not needed for their enquiry",
        },
    )
    assert response["Location"] == f"/front-door/{contact.pk}/#sharing"
    text = page(client.get(f"/front-door/{contact.pk}/"))
    assert "Not shared" in text and "Not needed for their enquiry" in text
    assert client_for(fd.teacher).get(url).status_code == 200


# --- the queue --------------------------------------------------------------------------------


def _aged(fd: FrontDoor, hours_ago: float, urgency: str = "urgent", **kw: Any) -> Contact:
    fields = {"person": fd.child} | kw
    return send(
        fd.teacher,
        urgency=urgency,
        received_at=timezone.now() - dt.timedelta(hours=hours_ago),
        **fields,
    )


def test_the_queue_shows_the_soonest_deadline_first_and_highlights_breaches(
    client_for, fd: FrontDoor
) -> None:
    late = _aged(fd, 26)  # urgent: 24 hours, so 2 hours over
    soon = _aged(fd, 1, urgency="immediate")  # due in 3 hours
    later = _aged(fd, 1, urgency="standard")  # due in 47 hours
    decided = _aged(fd, 30)
    services.screening_start(actor=fd.screener, contact=decided)
    services.screening_approve(
        actor=fd.manager,
        decision=services.screening_decide(
            actor=fd.screener, contact=decided, outcome="nfa", reasons="Known, safe"
        ),
    )
    text = page(client_for(fd.screener).get("/front-door/queue/"))
    order = [int(n) for n in re.findall(r">Contact (\d+)</a>", text)]
    assert order == [late.pk, soon.pk, later.pk]
    assert "Overdue by 2 hours" in text and "Decision due in 2 hours" in text
    assert text.count('data-testid="breached"') == 1
    assert "1 contact past its decision time" in text
    decided_page = page(client_for(fd.screener).get("/front-door/queue/?status=decided"))
    assert re.findall(r">Contact (\d+)</a>", decided_page) == [str(decided.pk)]


def test_the_queue_costs_the_same_for_three_contacts_or_ten(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.screener)

    def queries() -> int:
        client.get("/front-door/queue/")
        with CaptureQueriesContext(connection) as ctx:
            client.get("/front-door/queue/")
        return len(ctx.captured_queries)

    for hours in (1, 2, 30):
        _aged(fd, hours)
    three = queries()
    for hours in range(7):
        contact = _aged(fd, hours, context=fd.place, person=None)
        if hours % 2:
            services.screening_start(actor=fd.screener, contact=contact)
    assert queries() == three


def test_the_queue_is_paginated(client_for, fd: FrontDoor) -> None:
    for _ in range(27):
        _aged(fd, 1)
    client = client_for(fd.screener)
    text = page(client.get("/front-door/queue/"))
    assert text.count('data-testid="queue-row"') == 25 and "Page 1 of 2" in text
    assert page(client.get("/front-door/queue/?page=2")).count('data-testid="queue-row"') == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("screener", 200),
        ("manager", 200),
        ("practitioner", 403),  # a case worker outside the screening team
        ("teacher", 403),
        ("administrator", 403),
        ("no_role", 403),
    ],
)
def test_only_screening_team_members_see_the_queue(
    client_for, fd: FrontDoor, personas, who: str, status: int
) -> None:
    user = getattr(fd, who, None) or personas[who]
    assert client_for(user).get("/front-door/queue/").status_code == status


# --- screening through the pages --------------------------------------------------------------


def test_screen_decide_return_decide_approve(client_for, fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    screener, manager = client_for(fd.screener), client_for(fd.manager)

    response = screener.post(f"/front-door/{contact.pk}/screen/")
    assert response["Location"] == f"/front-door/{contact.pk}/"
    assert "Record the decision" in page(screener.get(response["Location"]))
    again = client_for(fd.other_screener).post(f"/front-door/{contact.pk}/screen/", follow=True)
    assert "already being screened" in page(again)

    url = f"/front-door/{contact.pk}/decision/"
    # Only the screener records the decision; anyone else is sent back to the contact.
    assert client_for(fd.other_screener).get(url)["Location"] == f"/front-door/{contact.pk}/"
    text = page(screener.post(url, {"reasons": "Older youths, late nights"}))
    assert "Choose the outcome" in text and "Older youths, late nights" in text
    text = page(screener.post(url, {"outcome": "single_assessment", "reasons": "x"}))
    assert "Choose the team that will take this on" in text
    response = screener.post(
        url, {"outcome": "single_assessment", "reasons": "Pattern", "allocated_team": fd.team.pk}
    )
    assert response.status_code == 302

    # The screener cannot approve their own decision; the page says so and offers no form.
    review = f"/front-door/{contact.pk}/decision/review/"
    assert client_for(fd.screener).get(review).status_code == 403  # a practitioner
    text = page(manager.post(review, {"decision": "return"}))
    assert "Say why you are returning the decision" in text
    manager.post(review, {"decision": "return", "comment": "Consider a strategy discussion"})
    contact.refresh_from_db()
    assert contact.status == ContactStatus.IN_SCREENING
    text = page(screener.get(url))
    assert "Consider a strategy discussion" in text

    screener.post(
        url, {"outcome": "strategy_discussion", "reasons": "Harm", "allocated_team": fd.team.pk}
    )
    response = manager.post(review, {"decision": "approve"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.status == ContactStatus.DECIDED
    assert Notification.objects.filter(recipient=fd.teacher).exists()
    text = page(manager.get(f"/front-door/{contact.pk}/"))
    assert "Returned by" in text
    assert "Outcome: Strategy discussion" in text


def test_a_manager_who_screened_sees_that_someone_else_must_approve(
    client_for, fd: FrontDoor
) -> None:
    contact = send(fd.teacher, person=fd.child)
    services.screening_start(actor=fd.manager, contact=contact)
    services.screening_decide(actor=fd.manager, contact=contact, outcome="nfa", reasons="Safe")
    client = client_for(fd.manager)
    review = f"/front-door/{contact.pk}/decision/review/"
    assert 'data-testid="own-decision"' in page(client.get(review))
    text = page(client.post(review, {"decision": "approve"}))
    assert "You made this decision" in text
    contact.refresh_from_db()
    assert contact.status == ContactStatus.AWAITING_APPROVAL
    assert "Approve or return the decision" not in page(client.get(f"/front-door/{contact.pk}/"))


def test_a_context_contact_is_not_offered_a_single_assessment(client_for, fd: FrontDoor) -> None:
    contact = send(fd.teacher, context=fd.place)
    services.screening_start(actor=fd.screener, contact=contact)
    text = page(client_for(fd.screener).get(f"/front-door/{contact.pk}/decision/"))
    assert 'value="context_response"' in text
    assert 'value="single_assessment"' not in text


def test_a_phone_referrer_is_told_with_the_referrer_told_button(client_for, fd: FrontDoor) -> None:
    contact = send(
        fd.screener,
        person=fd.child,
        channel="phone",
        referrer={"referrer_name": "Ms Ali", "referrer_phone": "01632 960001"},
    )
    services.screening_start(actor=fd.screener, contact=contact)
    services.screening_approve(
        actor=fd.manager,
        decision=services.screening_decide(
            actor=fd.screener, contact=contact, outcome="nfa", reasons="Safe"
        ),
    )
    client = client_for(fd.screener)
    text = page(client.get(f"/front-door/{contact.pk}/"))
    assert "Tell the referrer" in text and "01632 960001" in text
    client.post(f"/front-door/{contact.pk}/referrer-told/")
    contact.refresh_from_db()
    assert contact.outcome_sent_at is not None
    assert "Tell the referrer" not in page(client.get(f"/front-door/{contact.pk}/"))


@pytest.mark.urls("frontdoor.tests.pathway_urls")
@pytest.mark.parametrize(
    ("subject", "outcome", "expected"),
    [
        ("child", "single_assessment", "assessments:single_create|person={p}&contact={c}"),
        ("child", "strategy_discussion", "meetings:strategy_create|person={p}&contact={c}"),
        ("context", "strategy_discussion", "meetings:strategy_create|context={x}&contact={c}"),
        ("child", "refer_marve", "meetings:marve_create|person={p}"),
        ("context", "context_response", "assessments:context_create|context={x}&contact={c}"),
        ("linked", "context_response", "assessments:context_create|context={x}&contact={c}"),
    ],
)
def test_the_approved_decision_links_to_the_next_step(
    client_for, fd: FrontDoor, subject: str, outcome: str, expected: str
) -> None:
    subjects: dict[str, dict[str, Any]] = {
        "child": {"person": fd.child},
        "context": {"context": fd.place},
        "linked": {"person": fd.child, "contexts": [(fd.place, "")]},
    }
    about = subjects[subject]
    contact = send(fd.teacher, **about)
    services.screening_start(actor=fd.screener, contact=contact)
    decision = services.screening_decide(
        actor=fd.screener, contact=contact, outcome=outcome, reasons="x", allocated_team=fd.team
    )
    services.screening_approve(actor=fd.manager, decision=decision)
    name, query = expected.split("|")
    href = f"{reverse(name)}?" + query.format(p=fd.child.pk, c=contact.pk, x=fd.place.pk)
    text = client_for(fd.screener).get(f"/front-door/{contact.pk}/").content.decode()
    assert f'href="{html.escape(href)}"' in text


def test_without_the_next_page_the_contact_page_still_works(client_for, fd: FrontDoor) -> None:
    contact = send(fd.teacher, person=fd.child)
    services.screening_start(actor=fd.screener, contact=contact)
    services.screening_approve(
        actor=fd.manager,
        decision=services.screening_decide(
            actor=fd.screener,
            contact=contact,
            outcome="single_assessment",
            reasons="x",
            allocated_team=fd.team,
        ),
    )
    assert client_for(fd.screener).get(f"/front-door/{contact.pk}/").status_code == 200


# --- timescales -------------------------------------------------------------------------------


def test_administrators_set_timescales_and_screening_teams(client_for, fd, personas) -> None:
    admin = client_for(personas["administrator"])
    mash = TeamFactory.create(agency=fd.team.agency, name="MASH")
    assert admin.get("/front-door/timescales/").status_code == 200
    bad = {"immediate": "0", "urgent": "twelve", "standard": "48", "default_team": ""}
    text = page(admin.post("/front-door/timescales/", bad))
    assert "Enter at least 1 hour" in text
    assert "Enter a whole number of hours" in text
    assert "Choose the team new contacts go to" in text
    assert 'value="twelve"' in text
    response = admin.post(
        "/front-door/timescales/",
        {
            "immediate": "2",
            "urgent": "12",
            "standard": "48",
            "default_team": mash.pk,
            "teams": [fd.team.pk],
        },
    )
    assert response.status_code == 302
    assert ResponseTimescale.objects.get(urgency="urgent").hours == 12
    assert services.default_screening_team() == mash
    assert set(ScreeningTeam.objects.values_list("team_id", flat=True)) == {fd.team.pk, mash.pk}
    assert AccessEvent.objects.filter(
        actor=personas["administrator"], object_type="frontdoor.responsetimescale"
    ).exists()


@pytest.mark.parametrize("role", ["practitioner", "team_manager", "cs_lead", "auditor", "analyst"])
def test_only_administrators_set_timescales(client_for, personas, role: str) -> None:
    assert client_for(personas[role]).get("/front-door/timescales/").status_code == 403
