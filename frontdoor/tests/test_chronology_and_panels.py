"""Contacts on chronologies and on the person's and context's pages, for the right viewer only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from events.chronology import ChronologyFilter, context_chronology, person_chronology
from frontdoor import services
from frontdoor.selectors import context_panel, person_panel
from frontdoor.tests.conftest import FrontDoor, send
from people.models import RecordShare
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db

EVERYTHING = ChronologyFilter()


def kinds(entries) -> list[str]:
    return [e.entry_type for e in entries if e.entry_type in {"contact", "screening"}]


def decided(fd: FrontDoor, **about):
    contact = send(fd.teacher, **about)
    services.screening_start(actor=fd.screener, contact=contact)
    decision = services.screening_decide(
        actor=fd.screener, contact=contact, outcome="nfa", reasons="Known and safe"
    )
    services.screening_approve(actor=fd.manager, decision=decision)
    return contact


def test_a_contact_and_its_decision_are_on_the_childs_chronology(fd: FrontDoor) -> None:
    contact = decided(fd, person=fd.child)
    entries = person_chronology(viewer=fd.screener, person=fd.child, filters=EVERYTHING)
    assert sorted(kinds(entries)) == ["contact", "screening"]
    entry = next(e for e in entries if e.entry_type == "contact")
    assert entry.link == f"/front-door/{contact.pk}/"
    assert entry.tags == ["Child criminal exploitation"]
    assert "Riverside Academy" in entry.title
    only = ChronologyFilter(entry_type="screening")
    assert kinds(person_chronology(viewer=fd.screener, person=fd.child, filters=only)) == [
        "screening"
    ]
    police_filter = ChronologyFilter(agency_id=fd.school.pk)
    assert kinds(person_chronology(viewer=fd.screener, person=fd.child, filters=police_filter)) == [
        "contact"
    ]


def test_other_children_named_and_linked_contexts_see_it_too(fd: FrontDoor, personas) -> None:
    sibling = make_person(personas["practitioner"], given_name="Ava", family_name="Stone")
    shop = make_location(personas["practitioner"], name="Bus station")
    decided(fd, person=fd.child, people=[(sibling, "child")], contexts=[(shop, "")])
    on_sibling = person_chronology(viewer=fd.screener, person=sibling, filters=EVERYTHING)
    on_shop = context_chronology(viewer=fd.screener, context=shop, filters=EVERYTHING)
    assert sorted(kinds(on_sibling)) == sorted(kinds(on_shop)) == ["contact", "screening"]


def test_a_contact_about_a_child_stays_off_pages_of_viewers_who_cannot_open_the_child(
    fd: FrontDoor, personas
) -> None:
    police = personas["police_practitioner"]
    # The police can open the sibling's record but not the child the contact is about.
    sibling = make_person(police, given_name="Ava", family_name="Stone")
    decided(fd, person=fd.child, people=[(sibling, "peer")], contexts=[(fd.place, "")])
    assert kinds(person_chronology(viewer=police, person=sibling, filters=EVERYTHING)) == []
    assert kinds(context_chronology(viewer=police, context=fd.place, filters=EVERYTHING)) == []
    # Once the police are given the child's record, the contact appears.
    RecordShare.objects.create(person=fd.child, agency=police.agency, route="shared")
    assert kinds(person_chronology(viewer=police, person=sibling, filters=EVERYTHING)) != []


def test_a_contact_about_a_context_is_on_its_chronology_for_every_case_worker(
    fd: FrontDoor, personas
) -> None:
    decided(fd, context=fd.place)
    police = personas["police_practitioner"]
    entries = context_chronology(viewer=police, context=fd.place, filters=EVERYTHING)
    assert sorted(kinds(entries)) == ["contact", "screening"]
    assert (
        kinds(
            context_chronology(
                viewer=personas["administrator"], context=fd.place, filters=EVERYTHING
            )
        )
        == []
    )


def test_the_chronology_pages_show_contacts(client_for, fd: FrontDoor) -> None:
    contact = decided(fd, person=fd.child, contexts=[(fd.place, "")])
    client = client_for(fd.screener)
    for url in (f"/people/{fd.child.pk}/chronology/", f"/contexts/{fd.place.pk}/chronology/"):
        text = client.get(url).content.decode()
        assert f"Contact {contact.pk} received from Riverside Academy" in text
        assert "Screening decision on contact" in text


def test_the_chronology_costs_the_same_for_one_contact_or_many(fd: FrontDoor) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            person_chronology(viewer=fd.screener, person=fd.child, filters=EVERYTHING)
        return len(ctx.captured_queries)

    decided(fd, person=fd.child)
    queries()  # the viewer's roles are read once, then remembered
    one = queries()
    for _ in range(4):
        decided(fd, person=fd.child, contexts=[(fd.place, "")])
    assert queries() == one


# --- panels -----------------------------------------------------------------------------------


def test_the_person_panel_lists_recent_contacts_with_status(fd: FrontDoor) -> None:
    first = decided(fd, person=fd.child)
    second = send(fd.teacher, person=fd.child)
    panel = person_panel(viewer=fd.screener, person=fd.child)
    assert [r.contact for r in panel.rows] == [second, first]
    assert panel.total == 2 and panel.can_add
    assert panel.add_href == f"/front-door/new/?person={fd.child.pk}"
    html = render_to_string(
        "frontdoor/partials/_person_panel.html", {"panel": panel, "person": fd.child}
    )
    assert "Record a contact" in html and "Awaiting screening" in html
    assert "No further action" in html


def test_the_person_panel_costs_the_same_however_many_contacts(fd: FrontDoor) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            person_panel(viewer=fd.screener, person=fd.child)
        return len(ctx.captured_queries)

    send(fd.teacher, person=fd.child)
    queries()  # the viewer's roles are read once, then remembered
    one = queries()
    for _ in range(7):
        decided(fd, person=fd.child)
    assert queries() == one
    panel = person_panel(viewer=fd.screener, person=fd.child)
    assert len(panel.rows) == 5 and panel.total == 8


def test_the_context_panel_and_who_sees_it(fd: FrontDoor, personas) -> None:
    about = send(fd.teacher, context=fd.place)
    linked = send(fd.teacher, person=fd.child, contexts=[(fd.place, "")])
    panel = context_panel(viewer=fd.screener, context=fd.place)
    assert {r.contact for r in panel.rows} == {about, linked}
    police = context_panel(viewer=personas["police_practitioner"], context=fd.place)
    assert [r.contact for r in police.rows] == [about]
    html = render_to_string(
        "frontdoor/partials/_context_panel.html", {"panel": panel, "context": fd.place}
    )
    assert f"/front-door/new/?context={fd.place.pk}" in html
    nobody = context_panel(viewer=personas["administrator"], context=fd.place)
    assert nobody.rows == [] and not nobody.can_add
