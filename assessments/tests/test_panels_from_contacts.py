"""The person and context panels offer to start the assessment a contact asked for, so an
assessment started there stays linked to that contact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from assessments import services
from assessments.selectors import context_panel, person_panel
from assessments.tests.conftest import (
    complete_context,
    complete_single,
    make_contact,
    start_context,
    start_single,
)
from contexts.models import Context
from frontdoor.models import Contact, ContactContext, ContactPerson, ScreeningDecision
from people.models import Person, RecordShare
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def decide(contact: Contact, outcome: str, by: User, approval: str = "approved") -> Contact:
    """A screening decision on the contact, written straight to the table: the front door's own
    services are not under test here."""
    ScreeningDecision.objects.create(
        contact=contact,
        outcome=outcome,
        reasons="Exploitation outside the home",
        decided_by=by,
        approval=approval,
        approved_by=by if approval == "approved" else None,
        approved_at=timezone.now() if approval == "approved" else None,
    )
    return contact


def render_panel(name: str, viewer: User, **context: object) -> str:
    request = RequestFactory().get("/")
    request.user = viewer
    return render_to_string(f"assessments/partials/{name}", context, request=request)


def person_panel_queries(viewer: User, person: Person) -> int:
    with CaptureQueriesContext(connection) as queries:
        person_panel(viewer=viewer, person=person)
    return len(queries)


def context_panel_queries(viewer: User, context: Context) -> int:
    with CaptureQueriesContext(connection) as queries:
        context_panel(viewer=viewer, context=context)
    return len(queries)


def sign_off_single(worker: User, manager: User, person: Person, contact: Contact) -> None:
    assessment = start_single(worker, person, contact=contact)
    complete_single(assessment, worker)
    services.single_assessment_submit(
        actor=worker, assessment=assessment, expected_version=assessment.version
    )
    services.assessment_sign_off(
        actor=manager, assessment=assessment, expected_version=assessment.version
    )


# --- the person's panel -------------------------------------------------------------------------


def test_the_person_panel_offers_the_contact_that_asked_for_a_single_assessment(
    worker, manager, child
) -> None:
    asked = decide(make_contact(worker, person=child), "single_assessment", manager)
    html = render_panel(
        "_person_panel.html",
        worker,
        panel=person_panel(viewer=worker, person=child),
        person=child,
    )
    assert (
        f'href="/assessments/single/new/?person={child.pk}&amp;contact={asked.pk}"'
        f' data-testid="start-from-contact">Start the single assessment asked for by contact '
        f"{asked.pk}</a>"
    ) in html
    # The plain start stays, for an assessment nobody asked for through a contact.
    assert (
        f'href="/assessments/single/new/?person={child.pk}">Start a single assessment without a '
        "contact</a>"
    ) in html


def test_only_approved_single_assessment_decisions_are_offered(worker, manager, child) -> None:
    decide(make_contact(worker, person=child), "single_assessment", manager, approval="pending")
    decide(make_contact(worker, person=child), "single_assessment", manager, approval="returned")
    decide(make_contact(worker, person=child), "early_help", manager)
    make_contact(worker, person=child)  # not screened yet
    panel = person_panel(viewer=worker, person=child)
    assert panel.can_start and panel.asked_for == ()
    html = render_panel("_person_panel.html", worker, panel=panel, person=child)
    assert "asked for by contact" not in html
    assert f'?person={child.pk}">Start a single assessment</a>' in html


def test_a_contact_naming_the_child_as_another_child_it_is_about_is_offered(
    worker, manager, child
) -> None:
    sister = make_person(worker, given_name="Amira")
    contact = decide(make_contact(worker, person=sister), "single_assessment", manager)
    ContactPerson.objects.create(contact=contact, person=child, role="child")
    parent = make_person(worker, given_name="Lena", kind="parent_carer")
    ContactPerson.objects.create(contact=contact, person=parent, role="parent_carer")
    assert person_panel(viewer=worker, person=child).asked_for == (contact,)
    assert person_panel(viewer=worker, person=sister).asked_for == (contact,)
    # Starting the sister's assessment from it does not use it up for the child.
    start_single(worker, sister, contact=contact)
    assert person_panel(viewer=worker, person=child).asked_for == (contact,)


def test_once_started_from_the_contact_it_is_no_longer_offered(worker, manager, child) -> None:
    contact = decide(make_contact(worker, person=child), "single_assessment", manager)
    sign_off_single(worker, manager, child, contact)
    panel = person_panel(viewer=worker, person=child)
    # A new assessment may be started, but not again from the contact already used.
    assert panel.can_start and panel.asked_for == ()
    later = decide(make_contact(worker, person=child), "single_assessment", manager)
    assert person_panel(viewer=worker, person=child).asked_for == (later,)


def test_nothing_is_offered_while_an_assessment_is_open(worker, manager, child) -> None:
    decide(make_contact(worker, person=child), "single_assessment", manager)
    start_single(worker, child)
    panel = person_panel(viewer=worker, person=child)
    assert not panel.can_start and panel.asked_for == ()
    html = render_panel("_person_panel.html", worker, panel=panel, person=child)
    assert "/assessments/single/new/" not in html


def test_only_contacts_the_viewer_may_read_are_offered(worker, manager, personas, child) -> None:
    """A contact about a child whose record the viewer's agency may not open, written by another
    agency, stays hidden even though it names this child."""
    police = personas["police_practitioner"]
    hidden = make_person(police, given_name="Tyler")
    contact = decide(make_contact(worker, person=hidden), "single_assessment", manager)
    Contact.objects.filter(pk=contact.pk).update(recording_agency=police.agency)
    contact.refresh_from_db()
    ContactPerson.objects.create(contact=contact, person=child, role="child")
    assert not worker.has_perm("assessments.use_contact", contact)
    assert person_panel(viewer=worker, person=child).asked_for == ()
    # Once the other child's record is shared, the same rule lets the viewer see it.
    RecordShare.objects.create(person=hidden, agency=worker.agency, route="shared")
    assert worker.has_perm("assessments.use_contact", contact)
    assert person_panel(viewer=worker, person=child).asked_for == (contact,)


def test_the_person_panel_costs_one_query_more_whatever_the_contacts(
    worker, manager, child
) -> None:
    """Three queries before (the child's sharing twice, the assessments), one for the contacts."""
    assert worker.role_set  # loaded once per request in real use
    none_asked = person_panel_queries(worker, child)
    decide(make_contact(worker, person=child), "single_assessment", manager)
    one_asked = person_panel_queries(worker, child)
    for _ in range(3):
        decide(make_contact(worker, person=child), "single_assessment", manager)
    many_asked = person_panel_queries(worker, child)
    assert none_asked == one_asked == many_asked == 4
    # With an assessment open nothing can be started, so the contacts are not looked up.
    start_single(worker, child)
    assert person_panel_queries(worker, child) == 2


# --- the context's panel ------------------------------------------------------------------------


def test_the_context_panel_offers_the_contact_that_asked_for_a_context_response(
    worker, manager, child, place
) -> None:
    about_place = decide(make_contact(worker, context=place), "context_response", manager)
    naming = decide(make_contact(worker, person=child), "context_response", manager)
    ContactContext.objects.create(contact=naming, context=place)
    decide(make_contact(worker, context=place), "single_assessment", manager)
    decide(make_contact(worker, context=place), "context_response", manager, approval="pending")
    panel = context_panel(viewer=worker, context=place)
    assert set(panel.asked_for) == {about_place, naming}
    html = render_panel("_context_panel.html", worker, panel=panel, context=place)
    assert (
        f'href="/assessments/context/new/?context={place.pk}&amp;contact={about_place.pk}"'
        f' data-testid="start-from-contact">Start the context assessment asked for by contact '
        f"{about_place.pk}</a>"
    ) in html
    assert f"asked for by contact {naming.pk}</a>" in html
    assert f'?context={place.pk}">Start a context assessment without a contact</a>' in html


def test_a_context_response_already_started_is_not_offered_again(
    worker, manager, personas, place
) -> None:
    contact = decide(make_contact(worker, context=place), "context_response", manager)
    assessment = start_context(worker, place, contact=contact)
    assert context_panel(viewer=worker, context=place).asked_for == ()
    complete_context(assessment, worker)
    services.context_assessment_submit(
        actor=worker, assessment=assessment, expected_version=assessment.version
    )
    services.assessment_sign_off(
        actor=personas["cs_lead"], assessment=assessment, expected_version=assessment.version
    )
    panel = context_panel(viewer=worker, context=place)
    assert panel.can_start and panel.asked_for == ()


def test_the_context_panel_hides_contacts_about_children_the_viewer_may_not_see(
    worker, manager, personas, place
) -> None:
    police = personas["police_practitioner"]
    hidden = make_person(police, given_name="Tyler")
    contact = decide(make_contact(worker, person=hidden), "context_response", manager)
    Contact.objects.filter(pk=contact.pk).update(recording_agency=police.agency)
    ContactContext.objects.create(contact=contact, context=place)
    assert context_panel(viewer=worker, context=place).asked_for == ()
    # The police wrote it, so the police see it.
    assert context_panel(viewer=police, context=place).asked_for == (contact,)


def test_the_context_panel_costs_one_query_more_whatever_the_contacts(
    worker, manager, place
) -> None:
    assert worker.role_set
    none_asked = context_panel_queries(worker, place)
    for _ in range(3):
        decide(make_contact(worker, context=place), "context_response", manager)
    assert context_panel_queries(worker, place) == none_asked <= 2
