"""Casework on the chronologies and the person and context panels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.selectors import context_panel, person_panel
from casework.services import (
    consultation_answer,
    consultation_ask,
    key_lead_allocate,
    key_lead_end,
    nrm_record_reasonable_grounds,
    nrm_refer,
)
from events.chronology import (
    LIMIT,
    ChronologyFilter,
    context_chronology,
    entry_types,
    person_chronology,
)
from people.models import RecordShare
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def history(child, place, personas, youth_worker):
    manager, worker = personas["team_manager"], personas["practitioner"]
    first = key_lead_allocate(
        actor=manager,
        lead=worker,
        started_on=dt.date(2026, 9, 1),
        reason="Allocated social worker",
        expected_current_id=None,
        person=child,
    )
    key_lead_allocate(
        actor=manager,
        lead=youth_worker,
        started_on=dt.date(2026, 10, 1),
        reason="He trusts the detached worker",
        expected_current_id=first.pk,
        person=child,
    )
    question = consultation_ask(actor=worker, question="Is a MARVE referral needed?", person=child)
    consultation_answer(
        actor=personas["cs_lead"],
        consultation=question,
        expected_version=question.version,
        answer="Yes: refer to MARVE.",
    )
    referral = nrm_refer(
        actor=worker,
        person=child,
        referred_on=dt.date(2026, 9, 10),
        first_responder=worker.agency,
        decision_maker="home_office",
        exploitation_types=["county_lines"],
        summary="Found in another county.",
    )
    nrm_record_reasonable_grounds(
        actor=worker,
        referral=referral,
        expected_version=referral.version,
        decision="positive",
        decided_on=dt.date(2026, 9, 14),
    )
    consultation_ask(actor=worker, question="Who guards the park at night?", context=place)
    key_lead_allocate(
        actor=manager,
        lead=worker,
        started_on=dt.date(2026, 11, 2),
        reason="Leads the context work",
        expected_current_id=None,
        context=place,
    )
    return referral


def titles(entries, entry_type=None):
    return [e.title for e in entries if entry_type is None or e.entry_type == entry_type]


def test_the_entry_types_are_offered_in_the_filter() -> None:
    offered = dict(entry_types())
    assert offered["key_lead"] == "Key lead"
    assert offered["consultation"] == "Consultation with the CS lead"
    assert offered["nrm"] == "National Referral Mechanism"


def test_the_person_chronology_shows_leads_consultations_and_nrm(history, child, personas):
    entries = person_chronology(
        viewer=personas["practitioner"], person=child, filters=ChronologyFilter()
    )
    found = titles(entries)
    assert "Key lead allocated: Priya Shah (Riverside Youth Service)" in found
    assert any(t.startswith("Key lead ended: ") for t in found)
    assert "Question to the CS lead" in found and "Answer from the CS lead" in found
    assert "NRM referral by Test Children's Services (county lines)" in found
    assert "NRM reasonable-grounds decision: positive" in found
    assert "Who guards the park at night?" not in [e.body for e in entries]
    ended = next(e for e in entries if e.title.startswith("Key lead ended"))
    assert ended.when.date() == dt.date(2026, 10, 1)


def test_the_context_chronology_shows_its_own(history, place, personas):
    entries = context_chronology(
        viewer=personas["police_practitioner"], context=place, filters=ChronologyFilter()
    )
    assert set(titles(entries, "consultation")) == {"Question to the CS lead"}
    assert titles(entries, "key_lead")[0].startswith("Key lead allocated:")
    assert not titles(entries, "nrm")


def test_filters_by_type_date_and_agency(history, child, personas, youth_worker):
    viewer = personas["practitioner"]
    only_nrm = person_chronology(
        viewer=viewer, person=child, filters=ChronologyFilter(entry_type="nrm")
    )
    assert {e.entry_type for e in only_nrm} == {"nrm"} and len(only_nrm) == 2
    september = person_chronology(
        viewer=viewer,
        person=child,
        filters=ChronologyFilter(date_from=dt.date(2026, 9, 1), date_to=dt.date(2026, 9, 12)),
    )
    assert set(titles(september)) >= {
        "Key lead allocated: " + f"{viewer.get_full_name()} ({viewer.agency})",
        "NRM referral by Test Children's Services (county lines)",
    }
    assert "NRM reasonable-grounds decision: positive" not in titles(september)
    elsewhere = person_chronology(
        viewer=viewer, person=child, filters=ChronologyFilter(agency_id=youth_worker.agency_id)
    )
    assert not [e for e in elsewhere if e.entry_type in {"key_lead", "consultation", "nrm"}]


def test_another_agency_without_the_record_sees_nothing(history, child, personas):
    police = personas["police_practitioner"]
    entries = person_chronology(viewer=police, person=child, filters=ChronologyFilter())
    assert not [e for e in entries if e.entry_type in {"key_lead", "consultation", "nrm"}]
    for role in ("administrator", "analyst", "auditor"):
        entries = person_chronology(viewer=personas[role], person=child, filters=ChronologyFilter())
        assert not [e for e in entries if e.entry_type in {"key_lead", "consultation", "nrm"}]
    RecordShare.objects.create(person=child, agency=police.agency, route="shared")
    entries = person_chronology(viewer=police, person=child, filters=ChronologyFilter())
    assert titles(entries, "nrm")


def test_the_chronology_page_shows_the_entries(client_for, history, child, personas):
    page = client_for(personas["practitioner"]).get(f"/people/{child.pk}/chronology/")
    text = page.content.decode()
    assert "Key lead allocated: Priya Shah" in text and "Yes: refer to MARVE." in text


def test_a_source_returns_at_most_the_limit(child, personas, monkeypatch):
    monkeypatch.setattr("casework.chronology.LIMIT", 3)
    for n in range(5):
        consultation_ask(actor=personas["practitioner"], question=f"Q{n}", person=child)
    entries = person_chronology(
        viewer=personas["practitioner"],
        person=child,
        filters=ChronologyFilter(entry_type="consultation"),
    )
    assert len(entries) == 3 and LIMIT >= 3
    assert [e.body for e in entries] == ["Q4", "Q3", "Q2"]


# --- panels -----------------------------------------------------------------------------------


def test_the_person_panel_for_a_manager(history, child, personas, youth_worker):
    panel = person_panel(viewer=personas["team_manager"], person=child)
    assert panel.key_lead is not None and panel.key_lead.lead == youth_worker
    assert panel.can_allocate and panel.can_ask and panel.can_refer
    assert [c.question for c in panel.consultations] == ["Is a MARVE referral needed?"]
    assert panel.referrals[0].status.text.startswith("Conclusive grounds expected from 14 Oct")
    html = render_to_string(
        "casework/partials/_person_panel.html", {"panel": panel, "person": child}
    )
    assert "Priya Shah" in html and "Detached youth work" in html
    assert f"/casework/key-lead/allocate/?person={child.pk}" in html and ">Change<" in html
    assert f"/casework/nrm/new/?person={child.pk}" in html


def test_the_person_panel_for_a_practitioner_and_for_an_adult(child, personas):
    panel = person_panel(viewer=personas["practitioner"], person=child)
    assert panel.key_lead is None and not panel.can_allocate and panel.can_ask
    html = render_to_string(
        "casework/partials/_person_panel.html", {"panel": panel, "person": child}
    )
    assert "None allocated" in html and "/casework/key-lead/allocate/" not in html
    adult = make_person(personas["practitioner"], kind="adult_of_concern", given_name="Dean")
    adult_panel = person_panel(viewer=personas["team_manager"], person=adult)
    assert not adult_panel.can_allocate and not adult_panel.can_refer


def test_the_context_panel(history, place, personas):
    panel = context_panel(viewer=personas["cs_lead"], context=place)
    assert panel.key_lead is not None and panel.can_allocate
    html = render_to_string(
        "casework/partials/_context_panel.html", {"panel": panel, "context": place}
    )
    assert "Who guards the park at night?" in html
    assert f"/casework/consultations/new/?context={place.pk}" in html


def test_panels_cost_the_same_however_much_is_recorded(child, personas, youth_worker):
    manager, worker = personas["team_manager"], personas["practitioner"]
    place = make_location(worker)

    def cost() -> tuple[int, int]:
        counts = []
        for build in (
            lambda: person_panel(viewer=manager, person=child),
            lambda: context_panel(viewer=manager, context=place),
        ):
            with CaptureQueriesContext(connection) as captured:
                build()
            counts.append(len(captured.captured_queries))
        return counts[0], counts[1]

    first = key_lead_allocate(
        actor=manager,
        lead=worker,
        started_on=dt.date(2026, 9, 1),
        reason="r",
        expected_current_id=None,
        person=child,
    )
    key_lead_allocate(
        actor=manager,
        lead=worker,
        started_on=TODAY,
        reason="r",
        expected_current_id=None,
        context=place,
    )
    cost()  # warm: the viewer's roles are read once per request
    before = cost()
    key_lead_allocate(
        actor=manager,
        lead=youth_worker,
        started_on=TODAY,
        reason="r",
        expected_current_id=first.pk,
        person=child,
    )
    for n in range(8):
        consultation_ask(actor=worker, question=f"Q{n}", person=child)
        consultation_ask(actor=worker, question=f"Q{n}", context=place)
        nrm_refer(
            actor=worker,
            person=child,
            referred_on=TODAY,
            first_responder=worker.agency,
            decision_maker="home_office",
            exploitation_types=["cce"],
            summary="s",
        )
    assert cost() == before


def test_key_lead_ended_leaves_the_panel_empty(child, personas):
    allocation = key_lead_allocate(
        actor=personas["team_manager"],
        lead=personas["practitioner"],
        started_on=TODAY,
        reason="r",
        expected_current_id=None,
        person=child,
    )
    key_lead_end(
        actor=personas["team_manager"],
        allocation=allocation,
        expected_version=allocation.version,
        ended_on=TODAY,
        end_reason="Closed",
    )
    assert person_panel(viewer=personas["team_manager"], person=child).key_lead is None
