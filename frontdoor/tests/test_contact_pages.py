"""What a browser review of the front door asked for: who refers and whose details are asked for,
wording for a contact about a place, the contact page's way back and its next step, a search term
carried into a new place, and default referral sources for every kind of agency."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AgencyKind, User
from core.models import Notification
from frontdoor import services
from frontdoor.forms import SOURCE_BY_AGENCY, person_ref
from frontdoor.models import Contact, ReferralSource
from frontdoor.tests.conftest import FrontDoor, send
from frontdoor.tests.test_views import FORM, page
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

CONTEXT_LABELS = (
    "Where exactly, and when does it happen?",
    "Who is there, or who is involved?",
    "Young people's views",
    "Views of people who use or look after the place",
)
CHILD_LABELS = (
    "Where did it happen, or where does the child spend time?",
    "Who was the child with?",
    "The child's views",
    "The family's views",
)


def form_url(fd: FrontDoor) -> str:
    return f"/front-door/new/?held={person_ref(fd.child.pk)}"


def between(text: str, start: str, end: str) -> str:
    """The part of the page from ``start`` up to ``end``."""
    first = text.index(start)
    return text[first : text.index(end, first)]


# --- who refers: the referrer's details only when someone else refers ---------------------------


def test_the_referrers_details_are_revealed_only_for_someone_elses_referral(
    client_for, fd: FrontDoor
) -> None:
    text = page(client_for(fd.teacher).get(form_url(fd)))
    assert re.search(r'value="me" checked', text)
    assert re.search(r'value="someone_else"[^>]*data-aria-controls="conditional-referrer"', text)
    reveal = between(text, 'id="conditional-referrer"', 'id="id_referrer_phone"')
    for name in ("channel_0", "referrer_name", "referrer_role", "referrer_organisation"):
        assert f'id="id_{name}"' in reveal
    assert 'id="id_referrer_email"' in reveal
    assert 'value="online"' not in reveal  # "online" is "me", not a way someone else refers
    start = text.index('id="conditional-referrer"')
    opening = text[text.rindex("<div", 0, start) : text.index(">", start)]
    assert "govuk-radios__conditional--hidden" in opening
    # The user's own details are shown as theirs, under "me".
    assert "We use your details: " in text and "Riverside Academy" in text


def test_someone_elses_referral_needs_how_it_came_and_who_made_it(
    client_for, fd: FrontDoor
) -> None:
    client = client_for(fd.screener)
    url = f"/front-door/new/?person={fd.child.pk}"
    other = FORM | {"who_refers": "someone_else", "channel": "", "referrer_name": "Ms Ali"}
    text = page(client.post(url, other))
    assert "Say how the referral reached you" in text
    assert 'href="#id_channel_0"' in text  # the error summary finds the first shown choice
    assert 'value="Ms Ali"' in text
    start = text.index('id="conditional-referrer"')
    opening = text[text.rindex("<div", 0, start) : text.index(">", start)]
    assert "govuk-radios__conditional--hidden" not in opening  # the error is on show
    assert not Contact.objects.exists()

    sent = other | {"channel": "email", "referrer_email": "ali@example.org"}
    assert client.post(url, sent).status_code == 302
    contact = Contact.objects.get()
    assert contact.channel == "email" and contact.referrer_user is None
    assert (contact.referrer_name, contact.referrer_email) == ("Ms Ali", "ali@example.org")


def test_details_left_in_the_hidden_boxes_are_not_taken_as_the_users(
    client_for, fd: FrontDoor
) -> None:
    typed = FORM | {
        "who_refers": "me",
        "channel": "phone",
        "referrer_name": "Someone else",
        "referrer_organisation": "Elsewhere",
        "referrer_email": "not an email",
        "referrer_phone": "01632 960002",
    }
    response = client_for(fd.teacher).post(form_url(fd), typed)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.channel == "online" and contact.referrer_user == fd.teacher
    assert contact.referrer_organisation == "Riverside Academy"
    assert contact.referrer_email == fd.teacher.email
    assert contact.referrer_phone == "01632 960002"  # the phone box is theirs too


def test_who_refers_must_be_answered(client_for, fd: FrontDoor) -> None:
    unanswered = {k: v for k, v in FORM.items() if k != "channel"}
    text = page(client_for(fd.teacher).post(form_url(fd), unanswered))
    assert "Say whether you are the referrer or recording a referral" in text
    assert 'href="#id_who_refers_0"' in text
    assert not Contact.objects.exists()


# --- fields needed only sometimes are not marked optional -----------------------------------------


def test_fields_needed_in_some_cases_are_not_marked_optional(client_for, fd: FrontDoor) -> None:
    text = page(client_for(fd.teacher).get(form_url(fd)))
    assert "Why, and do the child and family know?</label>" in text
    assert "Why, and do the child and family know? (optional)" not in text
    assert "Needed if you share without consent" in text
    assert "Referrer's name</label>" in text
    assert "Phone number</label>" in text
    # Fields that really are optional still say so.
    assert "Their role (optional)" in text
    assert "Online spaces, apps or games (optional)" in text


# --- wording --------------------------------------------------------------------------------------


def test_a_contact_about_a_place_is_worded_for_a_place(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)
    text = page(client.get(f"/front-door/new/?context={fd.place.pk}"))
    for label in CONTEXT_LABELS:
        assert label in text
    for label in CHILD_LABELS:
        assert label not in text
    # Still so when the form comes back with an error.
    text = page(client.post(f"/front-door/new/?context={fd.place.pk}", FORM | {"urgency": ""}))
    assert "Choose how urgent this is" in text
    assert all(label in text for label in CONTEXT_LABELS)


def test_a_contact_about_a_child_is_worded_for_a_child(client_for, fd: FrontDoor) -> None:
    text = page(client_for(fd.teacher).get(form_url(fd)))
    for label in CHILD_LABELS:
        assert label in text
    for label in CONTEXT_LABELS:
        assert label not in text


def test_the_contact_page_words_views_for_its_subject(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.screener)
    about_place = page(client.get(f"/front-door/{send(fd.teacher, context=fd.place).pk}/"))
    assert "Young people's views" in about_place and "The child's views" not in about_place
    about_child = page(client.get(f"/front-door/{send(fd.teacher, person=fd.child).pk}/"))
    assert "The child's views" in about_child and "Young people's views" not in about_child


def test_the_harm_source_hint_says_what_it_is_for(client_for, fd: FrontDoor) -> None:
    text = page(client_for(fd.teacher).get(form_url(fd)))
    assert "This decides which team the contact goes to" not in text
    assert "helps the front door decide who should respond" in text


def test_the_two_find_buttons_have_different_names(client_for, fd: FrontDoor) -> None:
    text = page(client_for(fd.teacher).get(form_url(fd)))
    buttons = re.findall(r'value="find"[^>]*>([^<]+)</button>', text)
    assert buttons == ["Find place", "Find person"]


# --- the contact page: the way back and the next step ---------------------------------------------


def back_link(text: str) -> tuple[str, str]:
    found = re.search(r'<a href="([^"]+)" class="govuk-back-link[^"]*"[^>]*>([^<]+)</a>', text)
    assert found, "no back link"
    return found.group(1), found.group(2)


@pytest.mark.parametrize(
    ("who", "subject", "expected"),
    [
        ("screener", "person", ("/front-door/queue/", "Back to contacts to screen")),
        ("teacher", "person", ("/front-door/sent/", "Back to contacts you have sent")),
        ("practitioner", "person", ("/people/{child}/", "Back to Mia Stone")),
        ("police_practitioner", "context", ("/contexts/{place}/", "Back to {place_name}")),
    ],
)
def test_the_contact_page_leads_back_where_the_viewer_came_from(
    client_for, fd: FrontDoor, personas, who: str, subject: str, expected: tuple[str, str]
) -> None:
    about: dict[str, Any] = {"person": fd.child} if subject == "person" else {"context": fd.place}
    contact = send(fd.teacher, **about)
    user = getattr(fd, who, None) or personas[who]
    href, text = back_link(page(client_for(user).get(f"/front-door/{contact.pk}/")))
    values = {"child": fd.child.pk, "place": fd.place.pk, "place_name": fd.place.name}
    assert (href, text) == (expected[0].format(**values), expected[1].format(**values))


def test_the_allocated_team_follows_its_notice_to_the_next_step(
    client_for, fd: FrontDoor, personas
) -> None:
    worker: User = personas["practitioner"]  # Adolescent Safeguarding, not a screening team
    team = worker.teams.get()
    contact = send(fd.teacher, person=fd.child)
    services.screening_start(actor=fd.screener, contact=contact)
    decision = services.screening_decide(
        actor=fd.screener,
        contact=contact,
        outcome="single_assessment",
        reasons="A pattern of sightings.",
        allocated_team=team,
    )
    services.screening_approve(actor=fd.manager, decision=decision)
    notice = Notification.objects.get(recipient=worker)
    assert "Mia" not in notice.message
    text = page(client_for(worker).get(notice.link))
    steps = between(text, 'data-testid="next-steps"', "</div>\n    </div>")
    assert re.search(r'<h3 class="govuk-heading-m[^"]*">Next step</h3>', steps)
    href = reverse("assessments:single_create") + f"?person={fd.child.pk}&contact={contact.pk}"
    assert re.search(
        rf'<a class="govuk-button"[^>]*href="{re.escape(href)}">Start the single assessment</a>',
        steps.replace("&amp;", "&"),
    )


# --- a new place carries what was searched for ----------------------------------------------------


def test_recording_a_new_place_carries_the_search_term(client_for, fd: FrontDoor) -> None:
    client = client_for(fd.teacher)
    text = page(client.get("/front-door/new/?about=context&q=Market+St+%26+Co"))
    link = re.search(r'href="([^"]*)">None of these: record it', text)
    assert (
        link is not None and link.group(1) == "/front-door/new/context/?name=Market%20St%20%26%20Co"
    )
    chooser = page(client.get(link.group(1)))
    assert '<input type="hidden" name="name" value="Market St & Co">' in chooser
    chosen = page(
        client.get("/front-door/new/context/?choose=1&name=Market+St+%26+Co&kind=location")
    )
    assert re.search(r'name="name"[^>]*value="Market St & Co"', chosen)


# --- referral sources -----------------------------------------------------------------------------


def test_every_kind_of_agency_has_a_default_referral_source() -> None:
    assert set(SOURCE_BY_AGENCY) == set(AgencyKind)
    assert set(SOURCE_BY_AGENCY.values()) <= set(ReferralSource)
    # The census counts voluntary organisations under "8 Other".
    assert SOURCE_BY_AGENCY[AgencyKind.VOLUNTARY_SECTOR] == ReferralSource.OTHER


def test_a_youth_worker_starts_with_other_as_the_source(client_for, fd: FrontDoor) -> None:
    trust = AgencyFactory.create(name="Open Doors Youth Trust", kind=AgencyKind.VOLUNTARY_SECTOR)
    youth_worker = UserFactory.create(username="tom", agency=trust, roles=["practitioner"])
    text = page(client_for(youth_worker).get(f"/front-door/new/?context={fd.place.pk}"))
    assert re.search(r'<option value="8" selected>Other</option>', text)


def test_a_referrer_who_cannot_open_the_child_sees_the_outcome_not_the_reasons(
    fd: FrontDoor, client_for: Any
) -> None:
    contact = send(fd.teacher, person=fd.child)
    services.screening_start(actor=fd.screener, contact=contact)
    contact.refresh_from_db()
    decision = services.screening_decide(
        actor=fd.screener,
        contact=contact,
        outcome="single_assessment",
        reasons="Known to us: three previous contacts about exploitation",
        allocated_team=fd.team,
    )
    services.screening_approve(actor=fd.manager, decision=decision)
    teacher_page = page(client_for(fd.teacher).get(f"/front-door/{contact.pk}/"))
    assert "Single assessment" in teacher_page
    assert "three previous contacts" not in teacher_page
    assert 'data-testid="reasons-with-record"' in teacher_page
    screener_page = page(client_for(fd.screener).get(f"/front-door/{contact.pk}/"))
    assert "three previous contacts" in screener_page
