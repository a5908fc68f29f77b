"""Consultations with the CS lead: asked, queued oldest first, answered once, both people told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AccessAction, AccessEvent
from casework.models import Consultation, ConsultationStatus
from casework.selectors import consultation_queue
from casework.services import consultation_answer, consultation_ask
from casework.tests.helpers import queries
from contextsafe.lib.concurrency import EditConflict
from core.models import Notification
from tests.factories import UserFactory, make_person

pytestmark = pytest.mark.django_db


def ask(personas, **subject):
    return consultation_ask(
        actor=personas["practitioner"],
        question="He is seen at the interchange late at night. Context assessment?",
        **subject,
    )


def test_every_cs_lead_is_told_when_nobody_is_named(child, personas) -> None:
    second_lead = UserFactory.create(roles=["cs_lead"])
    consultation = ask(personas, person=child)
    assert consultation.status == ConsultationStatus.ASKED
    told = set(
        Notification.objects.filter(message__contains="asks for a consultation").values_list(
            "recipient", flat=True
        )
    )
    assert told == {personas["cs_lead"].pk, second_lead.pk}
    note = Notification.objects.get(recipient=personas["cs_lead"])
    assert note.link == f"/casework/consultations/{consultation.pk}/"
    assert "Jayden" not in note.message, "the alert names no child"


def test_a_named_cs_lead_alone_is_told(child, personas) -> None:
    other_lead = UserFactory.create(roles=["cs_lead"])
    consultation_ask(
        actor=personas["practitioner"],
        question="Advice please",
        person=child,
        asked_of=personas["cs_lead"],
    )
    assert Notification.objects.filter(recipient=personas["cs_lead"]).count() == 1
    assert not Notification.objects.filter(recipient=other_lead).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"question": "   "}, "Enter your question"),
        ({"asked_of": "manager"}, "Choose a Contextual"),
    ],
)
def test_bad_questions_are_refused(child, personas, change, message) -> None:
    fields = {"actor": personas["practitioner"], "question": "Advice?", "person": child}
    if "question" in change:
        fields["question"] = change["question"]
    if "asked_of" in change:
        fields["asked_of"] = personas["team_manager"]
    with pytest.raises(ValidationError, match=message):
        consultation_ask(**fields)


def test_the_answer_is_recorded_once_and_the_asker_told(child, personas) -> None:
    consultation = ask(personas, person=child)
    lead = personas["cs_lead"]
    with pytest.raises(ValidationError, match="Only a Contextual Safeguarding lead"):
        consultation_answer(
            actor=personas["team_manager"],
            consultation=consultation,
            expected_version=consultation.version,
            answer="Yes",
        )
    with pytest.raises(ValidationError, match="Enter your answer"):
        consultation_answer(
            actor=lead, consultation=consultation, expected_version=consultation.version, answer=""
        )
    consultation_answer(
        actor=lead,
        consultation=consultation,
        expected_version=consultation.version,
        answer="Yes: open a context assessment of the interchange with transport police.",
    )
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ANSWERED
    assert consultation.answered_by == lead and consultation.answered_at is not None
    told = Notification.objects.get(recipient=personas["practitioner"])
    assert "answered your question" in told.message
    with pytest.raises(ValidationError, match="already been answered"):
        consultation_answer(
            actor=lead,
            consultation=consultation,
            expected_version=consultation.version,
            answer="Changed my mind",
        )
    events = AccessEvent.objects.filter(
        object_type="casework.consultation", object_id=str(consultation.pk)
    )
    assert set(events.values_list("action", flat=True)) == {
        AccessAction.CREATE,
        AccessAction.CHANGE,
    }


def test_two_leads_answering_at_once_is_a_conflict(child, personas) -> None:
    consultation = ask(personas, person=child)
    stale = Consultation.objects.get(pk=consultation.pk)
    consultation_answer(
        actor=personas["cs_lead"],
        consultation=consultation,
        expected_version=consultation.version,
        answer="First answer",
    )
    with pytest.raises(EditConflict):
        consultation_answer(
            actor=UserFactory.create(roles=["cs_lead"]),
            consultation=stale,
            expected_version=stale.version,
            answer="Second answer",
        )
    consultation.refresh_from_db()
    assert consultation.answer == "First answer"


def test_the_queue_is_oldest_first_and_names_only_children_the_lead_may_open(
    child, place, personas
) -> None:
    older = ask(personas, context=place)
    Consultation.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    police = personas["police_practitioner"]
    elsewhere = make_person(police, given_name="Mason", family_name="Reid")
    consultation_ask(actor=police, question="Police question", person=elsewhere)
    newest = ask(personas, person=child)
    rows = consultation_queue(viewer=personas["cs_lead"])
    assert rows[0].consultation.question == older.question
    assert rows[0].days_waiting == 3
    names = [r.subject for r in rows]
    assert names[0] == place.name
    assert "A child whose record is held by Test Police" in names
    assert "Jayden Kowalski" in names and "Mason Reid" not in names
    consultation_answer(
        actor=personas["cs_lead"],
        consultation=newest,
        expected_version=newest.version,
        answer="Done",
    )
    assert newest.pk not in [
        r.consultation.pk for r in consultation_queue(viewer=personas["cs_lead"])
    ]


# --- through the pages -------------------------------------------------------------------------


def test_ask_and_answer_through_the_pages(client_for, child, personas) -> None:
    worker = client_for(personas["practitioner"])
    response = worker.post(
        f"/casework/consultations/new/?person={child.pk}",
        {"question": "Should we refer the chicken shop to the MARVE panel?", "asked_of": ""},
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == f"/casework/consultations/{consultation.pk}/"
    page = worker.get(response["Location"]).content.decode()
    assert "Waiting for an answer" in page and "Save answer" not in page
    lead = client_for(personas["cs_lead"])
    queue = lead.get("/casework/consultations/").content.decode()
    assert "chicken shop" in queue
    page = lead.post(response["Location"], {"version": 1, "answer": ""}).content.decode()
    assert "Enter your answer" in page
    response = lead.post(
        response["Location"], {"version": 1, "answer": "Yes, and ask licensing to attend."}
    )
    assert response.status_code == 302
    page = lead.get(response["Location"]).content.decode()
    assert "ask licensing to attend" in page
    assert "Save answer" not in page, "an answered consultation is read-only"
    # A late second answer is refused with a clear message, not saved.
    response = lead.post(response["Location"], {"version": 2, "answer": "Another"})
    consultation.refresh_from_db()
    assert consultation.answer == "Yes, and ask licensing to attend."


def test_a_practitioner_cannot_answer(client_for, child, personas) -> None:
    consultation = ask(personas, person=child)
    response = client_for(personas["practitioner"]).post(
        f"/casework/consultations/{consultation.pk}/", {"version": 1, "answer": "My own answer"}
    )
    assert response.status_code == 404
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ASKED
    assert AccessEvent.objects.filter(
        action=AccessAction.PERMISSION_DENIED, reason="casework.answer_consultation"
    ).exists()
    assert client_for(personas["practitioner"]).get("/casework/consultations/").status_code == 403


def test_an_empty_question_is_explained_and_the_choice_kept(client_for, child, personas) -> None:
    page = (
        client_for(personas["practitioner"])
        .post(
            f"/casework/consultations/new/?person={child.pk}",
            {"question": "", "asked_of": personas["cs_lead"].pk},
        )
        .content.decode()
    )
    assert "Enter your question for the CS lead" in page
    assert f'<option value="{personas["cs_lead"].pk}" selected>' in page


def test_the_queue_and_detail_cost_the_same_however_many(client_for, child, place, personas):
    first = ask(personas, person=child)
    client = client_for(personas["cs_lead"])
    before = queries(client, "/casework/consultations/")
    detail = queries(client, f"/casework/consultations/{first.pk}/")
    for n in range(10):
        kid = make_person(personas["practitioner"], given_name=f"Kid{n}")
        ask(personas, person=kid)
        ask(personas, context=place)
    assert queries(client, "/casework/consultations/") == before
    assert queries(client, f"/casework/consultations/{first.pk}/") == detail
