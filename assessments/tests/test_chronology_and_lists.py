"""Assessments on chronologies (for the right viewers only), the person and context panels, and
the team's "Assessments in progress" list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.chronology import for_context, for_person
from assessments.models import SingleAssessment
from assessments.selectors import context_panel, person_panel
from assessments.tests.conftest import (
    complete_context,
    complete_single,
    start_context,
    start_single,
    team_of,
)
from contextsafe.lib.working_days import add_working_days
from events.chronology import ChronologyFilter
from people.models import RecordShare
from tests.factories import UserFactory, make_location, make_person

pytestmark = pytest.mark.django_db
EVERYTHING = ChronologyFilter()


@pytest.fixture
def signed_off(worker, manager, child, place):
    assessment = start_single(worker, child)
    services.finding_add(
        actor=worker,
        assessment=assessment,
        expected_version=1,
        area="places",
        context=place,
        what_makes_it_unsafe="Older youths give him food and lifts",
    )
    complete_single_with_finding(assessment, worker)
    services.single_assessment_submit(
        actor=worker, assessment=assessment, expected_version=assessment.version
    )
    return services.assessment_sign_off(
        actor=manager, assessment=assessment, expected_version=assessment.version
    )


def complete_single_with_finding(assessment, worker) -> None:
    services.single_assessment_update(
        actor=worker,
        assessment=assessment,
        expected_version=assessment.version,
        outcome="refer_marve",
        outcome_reasons="Exploitation at the parade",
        cin_factors=["24A"],
        primary_need="N1",
    )


# --- chronologies -------------------------------------------------------------------------------


def test_the_childs_chronology_shows_started_submitted_and_signed_off(
    worker, child, signed_off
) -> None:
    entries = for_person(worker, child, EVERYTHING)
    titles = [e.title for e in entries]
    assert titles == [
        "Single assessment signed off",
        "Single assessment submitted for sign-off",
        "Single assessment started",
    ]
    assert "24A Child criminal exploitation" in entries[0].body
    assert all(e.link == f"/assessments/single/{signed_off.pk}/" for e in entries)


def test_the_chronology_page_shows_them_and_filters_by_type(client_for, worker, child, signed_off):
    client = client_for(worker)
    html = client.get(f"/people/{child.pk}/chronology/").content.decode()
    assert "Single assessment signed off" in html
    html = client.get(f"/people/{child.pk}/chronology/?entry_type=association").content.decode()
    assert "Single assessment" not in html.split("moj-timeline", 1)[1]
    html = client.get(
        f"/people/{child.pk}/chronology/?entry_type=single_assessment"
    ).content.decode()
    assert "Single assessment started" in html


def test_the_chronology_honours_dates_and_agency(worker, child, signed_off) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert for_person(worker, child, ChronologyFilter(date_from=tomorrow)) == []
    assert for_person(worker, child, ChronologyFilter(agency_id=worker.agency_id + 999)) == []
    today = timezone.localdate()
    assert len(for_person(worker, child, ChronologyFilter(date_to=today))) == 3


def test_other_agencies_see_nothing_unless_the_record_is_shared(
    personas, child, signed_off
) -> None:
    police = personas["police_practitioner"]
    assert for_person(police, child, EVERYTHING) == []
    RecordShare.objects.create(person=child, agency=police.agency, route="shared")
    assert len(for_person(police, child, EVERYTHING)) == 3
    assert for_person(personas["administrator"], child, EVERYTHING) == []


def test_a_context_named_in_a_single_assessment_hides_the_child_from_other_agencies(
    worker, personas, place, signed_off
) -> None:
    mine = [
        e for e in for_context(worker, place, EVERYTHING) if e.entry_type == "single_assessment"
    ]
    assert len(mine) == 1
    assert mine[0].title == "Named in the single assessment of Jayden Kowalski (places)"
    assert "Older youths give him food" in mine[0].body
    police = personas["police_practitioner"]
    theirs = [
        e for e in for_context(police, place, EVERYTHING) if e.entry_type == "single_assessment"
    ]
    assert len(theirs) == 1
    entry = theirs[0]
    assert entry.title == "Named in a single assessment"
    assert "Jayden" not in entry.body and "Older youths" not in entry.body and entry.link == ""


def test_the_context_chronology_page_shows_context_assessments(
    client_for, personas, worker, manager, place
) -> None:
    assessment = start_context(worker, place)
    complete_context(assessment, worker)
    services.context_assessment_submit(
        actor=worker, assessment=assessment, expected_version=assessment.version
    )
    services.assessment_sign_off(
        actor=manager, assessment=assessment, expected_version=assessment.version
    )
    html = (
        client_for(personas["police_practitioner"])
        .get(f"/contexts/{place.pk}/chronology/")
        .content.decode()
    )
    assert "Context assessment started" in html and "Context assessment signed off" in html
    assert "Decision: Context conference" in html


def test_chronology_sources_cost_a_fixed_number_of_queries(
    worker, child, place, django_assert_num_queries
) -> None:
    first = start_single(worker, child)
    services.finding_add(
        actor=worker,
        assessment=first,
        expected_version=1,
        area="places",
        context=place,
        what_makes_it_safe="x",
    )
    with CaptureQueriesContext(connection) as one:
        for_person(worker, child, EVERYTHING)
        for_context(worker, place, EVERYTHING)
    SingleAssessment.objects.filter(pk=first.pk).update(status="completed")
    for i in range(3):
        other = start_single(worker, make_person(worker, given_name=f"Kid{i}"))
        services.finding_add(
            actor=worker,
            assessment=other,
            expected_version=1,
            area="places",
            context=place,
            what_makes_it_safe="x",
        )
    with django_assert_num_queries(len(one)):
        for_person(worker, child, EVERYTHING)
        assert len(for_context(worker, place, EVERYTHING)) == 4


# --- panels -------------------------------------------------------------------------------------


def render_panel(name: str, viewer, **context) -> str:
    request = RequestFactory().get("/")
    request.user = viewer
    return render_to_string(f"assessments/partials/{name}", context, request=request)


def test_the_person_panel_lists_assessments_and_offers_a_start(
    worker, personas, child, django_assert_max_num_queries
) -> None:
    panel = person_panel(viewer=worker, person=child)
    assert panel.can_start and panel.rows == []
    html = render_panel("_person_panel.html", worker, panel=panel, person=child)
    assert f"/assessments/single/new/?person={child.pk}" in html
    current = start_single(worker, child)
    with django_assert_max_num_queries(3):
        panel = person_panel(viewer=worker, person=child)
    assert not panel.can_start and panel.open_assessment == current
    html = render_panel("_person_panel.html", worker, panel=panel, person=child)
    assert "Working day 0 of 45" in html and "/assessments/single/new/" not in html
    police_panel = person_panel(viewer=personas["police_practitioner"], person=child)
    assert police_panel.rows == [] and not police_panel.can_start


def test_the_context_panel_offers_a_start_except_for_online_spaces(
    worker, place, online, django_assert_max_num_queries
) -> None:
    assert worker.role_set  # loaded once per request in real use
    with django_assert_max_num_queries(2):
        panel = context_panel(viewer=worker, context=place)
    assert panel.can_start
    html = render_panel("_context_panel.html", worker, panel=panel, context=place)
    assert f"/assessments/context/new/?context={place.pk}" in html
    online_panel = context_panel(viewer=worker, context=online)
    assert not online_panel.can_start and "Online spaces" in online_panel.refusal
    start_context(worker, place)
    panel = context_panel(viewer=worker, context=place)
    assert not panel.can_start and len(panel.rows) == 1


# --- the team's assessments in progress ---------------------------------------------------------


def test_managers_see_their_teams_assessments_with_overdue_highlighted(
    client_for, worker, manager
) -> None:
    late_start = timezone.localdate() - dt.timedelta(days=100)
    late = start_single(worker, make_person(worker, given_name="Late"), started_on=late_start)
    start_single(worker, make_person(worker, given_name="Fresh"))
    done = start_single(worker, make_person(worker, given_name="Done"))
    complete_single(done, worker)
    SingleAssessment.objects.filter(pk=done.pk).update(status="completed")
    html = client_for(manager).get("/assessments/team/").content.decode()
    assert html.index("Late Kowalski") < html.index("Fresh Kowalski"), "most urgent first"
    assert "Done Kowalski" not in html
    assert html.count("data-overdue") == 1 and "Overdue by" in html
    assert late.due_on < timezone.localdate()
    assert "2 single assessments not yet signed off" in html


def test_the_team_list_is_paginated_in_constant_queries(
    client_for, worker, manager, django_assert_num_queries
) -> None:
    for i in range(3):
        start_single(worker, make_person(worker, given_name=f"A{i}"))
    client = client_for(manager)
    client.get("/assessments/team/")
    with CaptureQueriesContext(connection) as few:
        client.get("/assessments/team/")
    for i in range(30):
        start_single(worker, make_person(worker, given_name=f"B{i}"))
    with django_assert_num_queries(len(few)):
        html = client.get("/assessments/team/").content.decode()
    assert "Page 1 of 2" in html and html.count("govuk-table__row") == 26


def test_other_teams_and_agencies_are_not_listed(client_for, worker, manager, personas) -> None:
    start_single(worker, make_person(worker, given_name="Ours"))
    stranger = UserFactory.create(agency=worker.agency, roles=["practitioner"])
    from tests.factories import TeamFactory

    other_team = TeamFactory.create(agency=worker.agency, name="Early help")
    stranger.teams.add(other_team)
    start_single(stranger, make_person(stranger, given_name="Theirs"), team=other_team)
    html = client_for(manager).get("/assessments/team/").content.decode()
    assert "Ours Kowalski" in html and "Theirs Kowalski" not in html
    html = client_for(manager).get("/assessments/team/?kind=context").content.decode()
    assert 'data-testid="queue-empty"' in html


def test_context_assessments_in_progress_are_listed_too(client_for, worker, manager) -> None:
    place = make_location(worker, name="Skate park")
    start_context(worker, place, started_on=timezone.localdate() - dt.timedelta(days=2))
    html = client_for(manager).get("/assessments/team/?kind=context").content.decode()
    assert "Skate park" in html
    assert team_of(worker).name in html
    due = add_working_days(timezone.localdate() - dt.timedelta(days=2), 45)
    assert f"due {due.day} {due:%B %Y}" in html
