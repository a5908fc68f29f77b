"""Single assessment pages through the test client: forms keep what was typed, conflicts,
submission, sign-off, read-only, print, and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentStatus, SingleAssessment
from assessments.tests.conftest import (
    complete_single,
    date_fields,
    make_contact,
    start_single,
    team_of,
)
from audit.models import AccessAction, AccessEvent
from contexts.models import Context
from contexts.services import context_link_create
from contextsafe.lib.working_days import add_working_days, working_days_between
from frontdoor.models import ContactContext
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db


def page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- starting -----------------------------------------------------------------------------------


def test_the_start_form_defaults_to_today_the_user_and_their_team(client_for, worker, child):
    html = page(client_for(worker).get(f"/assessments/single/new/?person={child.pk}"))
    today = timezone.localdate()
    assert 'name="started_on_day" id="id_started_on_0" class="govuk-input' in html
    assert f'value="{today.day}"' in html and f'value="{today.year}"' in html
    assert f'<option value="{worker.pk}" selected>' in html
    assert f'<option value="{team_of(worker).pk}" selected>' in html


def test_starting_from_a_contact_about_the_child(client_for, worker, child):
    contact = make_contact(worker, person=child)
    started = dt.date(2026, 11, 2)
    response = client_for(worker).post(
        f"/assessments/single/new/?person={child.pk}&contact={contact.pk}",
        {**date_fields("started_on", started), "team": team_of(worker).pk, "lead": worker.pk},
    )
    assessment = SingleAssessment.objects.get()
    assert response["Location"] == f"/assessments/single/{assessment.pk}/"
    assert assessment.contact == contact
    assert assessment.due_on == add_working_days(started, 45)


def test_a_contact_about_another_child_is_refused_and_the_form_is_kept(client_for, worker, child):
    other = make_person(worker, given_name="Aaliyah", family_name="Stone")
    contact = make_contact(worker, person=other)
    html = page(
        client_for(worker).post(
            f"/assessments/single/new/?person={child.pk}&contact={contact.pk}",
            {
                **date_fields("started_on", dt.date(2026, 11, 3)),
                "team": team_of(worker).pk,
                "lead": worker.pk,
            },
        )
    )
    assert "There is a problem" in html and "is not about Jayden Kowalski" in html
    assert 'value="3"' in html and 'value="11"' in html and 'value="2026"' in html
    assert not SingleAssessment.objects.exists()


def test_bad_start_input_gets_clear_errors_and_keeps_what_was_typed(client_for, worker, child):
    html = page(
        client_for(worker).post(
            f"/assessments/single/new/?person={child.pk}",
            {
                "started_on_day": "31",
                "started_on_month": "2",
                "started_on_year": "2026",
                "team": "",
                "lead": worker.pk,
            },
        )
    )
    assert "Start date must be a real date" in html
    assert "Choose the team doing the assessment" in html
    assert 'value="31"' in html and f'<option value="{worker.pk}" selected>' in html


def test_a_contact_the_viewer_cannot_read_is_not_found(client_for, worker, child, personas):
    police = personas["police_practitioner"]
    from tests.factories import TeamFactory

    police.teams.add(TeamFactory.create(agency=police.agency))
    secret = make_contact(police, person=make_person(police, given_name="Other"))
    response = client_for(worker).get(
        f"/assessments/single/new/?person={child.pk}&contact={secret.pk}"
    )
    assert response.status_code == 404


# --- the assessment page ------------------------------------------------------------------------


def test_the_page_shows_the_timescale_and_every_section(client_for, worker, child):
    started = timezone.localdate() - dt.timedelta(days=7)
    assessment = start_single(worker, child, started_on=started)
    html = page(client_for(worker).get(f"/assessments/single/{assessment.pk}/"))
    due, day = assessment.due_on, working_days_between(started, timezone.localdate())
    assert f"Working day {day} of 45 — due {due.day} {due:%B %Y}" in html
    for heading in (
        "The child and family",
        "Contextual section: places, peers, school and online",
        "The child&#x27;s voice",
        "Strengths",
        "Analysis",
        "Outcome",
        "Factors identified at the end of assessment",
    ):
        assert heading in html, heading
    assert "data-print" in html and "Submit for sign-off" in html
    assert AccessEvent.objects.filter(
        action=AccessAction.VIEW, object_type="assessments.singleassessment"
    ).exists()


def test_an_overdue_assessment_says_so(client_for, worker, child):
    started = add_working_days(timezone.localdate() - dt.timedelta(days=120), 0)
    assessment = start_single(worker, child, started_on=started)
    html = page(client_for(worker).get(f"/assessments/single/{assessment.pk}/"))
    assert "govuk-tag--red" in html and "Overdue by" in html


def test_the_page_costs_the_same_however_many_findings(
    client_for, worker, child, django_assert_num_queries
):
    assessment = start_single(worker, child)
    client = client_for(worker)
    url = f"/assessments/single/{assessment.pk}/"

    def add_findings(count: int) -> None:
        for i in range(count):
            place = make_location(worker, name=f"Place {assessment.version}-{i}")
            services.finding_add(
                actor=worker,
                assessment=assessment,
                expected_version=assessment.version,
                area="places",
                context=place,
                what_makes_it_unsafe="Older youths",
            )

    add_findings(1)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        page(client.get(url))
    add_findings(4)
    with django_assert_num_queries(len(first)):
        html = page(client.get(url))
    assert html.count('data-testid="finding"') == 5


# --- sections -----------------------------------------------------------------------------------


def test_a_section_saves_on_its_own(client_for, worker, single):
    client = client_for(worker)
    response = client.post(
        f"/assessments/single/{single.pk}/section/domains/",
        {"developmental_needs": "Doing well in art", "version": single.version},
    )
    assert response["Location"] == f"/assessments/single/{single.pk}/#domains"
    single.refresh_from_db()
    assert single.developmental_needs == "Doing well in art"
    assert single.parenting_capacity == ""


def test_an_outcome_without_a_choice_keeps_the_reasons_typed(client_for, worker, single):
    html = page(
        client_for(worker).post(
            f"/assessments/single/{single.pk}/section/outcome/",
            {"outcome": "", "outcome_reasons": "Because of the parade", "version": single.version},
        )
    )
    assert "Choose the outcome of the assessment" in html
    assert "Because of the parade</textarea>" in html


def test_21_combined_with_other_factors_is_refused_on_the_form(client_for, worker, single):
    html = page(
        client_for(worker).post(
            f"/assessments/single/{single.pk}/section/factors/",
            {
                "extra_familial_factors": ["11A", "24A"],
                "cin_factors": ["21"],
                "primary_need": "N1",
                "version": single.version,
            },
        )
    )
    assert "cannot be combined with other factors" in html
    assert 'value="11A" checked' in html and 'value="24A" checked' in html
    assert 'value="21" checked' in html and 'value="N1" checked' in html
    assert '<details class="govuk-details" open>' in html, "the full list opens on an error"
    single.refresh_from_db()
    assert single.cin_factors == []


def test_the_factor_form_puts_extra_familial_harm_first(client_for, worker, single):
    html = page(client_for(worker).get(f"/assessments/single/{single.pk}/section/factors/"))
    assert html.index("11A Child sexual exploitation") < html.index("1A Alcohol misuse")
    assert html.index("24A Child criminal exploitation") < html.index("21 No factors identified")
    client_for(worker).post(
        f"/assessments/single/{single.pk}/section/factors/",
        {
            "extra_familial_factors": ["24A"],
            "cin_factors": ["16A"],
            "primary_need": "N1",
            "version": single.version,
        },
    )
    single.refresh_from_db()
    assert single.cin_factors == ["16A", "24A"] and single.primary_need == "N1"


def test_a_concurrent_edit_is_a_conflict_and_nothing_typed_is_lost(
    client_for, worker, manager, single
):
    services.single_assessment_update(
        actor=manager, assessment=single, expected_version=1, analysis="The manager's words"
    )
    html = page(
        client_for(worker).post(
            f"/assessments/single/{single.pk}/section/analysis/",
            {"analysis": "My careful analysis", "version": "1"},
        )
    )
    assert "Someone else saved" in html
    assert "My careful analysis</textarea>" in html
    assert "The manager&#x27;s words" in html, "what is saved now is shown"
    assert 'name="version" value="2"' in html
    single.refresh_from_db()
    assert single.analysis == "The manager's words"
    # Saving again is a deliberate choice, and now succeeds.
    client_for(worker).post(
        f"/assessments/single/{single.pk}/section/analysis/",
        {"analysis": "My careful analysis", "version": "2"},
    )
    single.refresh_from_db()
    assert single.analysis == "My careful analysis"


def test_an_unknown_section_is_not_found(client_for, worker, single):
    assert client_for(worker).get(f"/assessments/single/{single.pk}/section/x/").status_code == 404


# --- contextual findings ------------------------------------------------------------------------


def test_the_childs_own_contexts_are_offered_first_and_others_by_search(
    client_for, worker, child, single, place
):
    context_link_create(
        actor=worker,
        context=place,
        kind="frequents",
        person=child,
        source="School",
        reliability="reported",
    )
    make_location(worker, name="Bus station")
    client = client_for(worker)
    html = page(client.get(f"/assessments/single/{single.pk}/findings/new/?area=places"))
    assert "Chicken shop, Market Street" in html and "Bus station" not in html
    html = page(client.get(f"/assessments/single/{single.pk}/findings/new/?area=places&q=bus"))
    assert "Bus station" in html
    html = page(client.get(f"/assessments/single/{single.pk}/findings/new/?area=places&q=zzz"))
    assert 'data-testid="no-contexts-found"' in html


def test_a_finding_is_recorded_and_shown(client_for, worker, child, single, place):
    context_link_create(
        actor=worker,
        context=place,
        kind="frequents",
        person=child,
        source="School",
        reliability="reported",
    )
    client = client_for(worker)
    response = client.post(
        f"/assessments/single/{single.pk}/findings/new/?area=places",
        {
            "area": "places",
            "context": place.pk,
            "what_makes_it_unsafe": "Older youths",
            "what_makes_it_safe": "",
            "version": single.version,
        },
    )
    assert response.status_code == 302
    html = page(client.get(f"/assessments/single/{single.pk}/"))
    assert "Older youths" in html and f"/contexts/{place.pk}/" in html


def test_a_finding_of_the_wrong_kind_keeps_what_was_typed(client_for, worker, single, group):
    html = page(
        client_for(worker).post(
            f"/assessments/single/{single.pk}/findings/new/?area=places&q=older",
            {
                "area": "places",
                "context": group.pk,
                "what_makes_it_unsafe": "Typed words",
                "what_makes_it_safe": "Safe words",
                "version": single.version,
            },
        )
    )
    assert "is not a location. Link a location to this area." in html
    assert "Typed words</textarea>" in html and "Safe words</textarea>" in html
    assert f'value="{group.pk}" checked' in html


def test_a_finding_without_any_text_is_refused(client_for, worker, single):
    html = page(
        client_for(worker).post(
            f"/assessments/single/{single.pk}/findings/new/",
            {
                "area": "online",
                "context": "",
                "what_makes_it_unsafe": "",
                "what_makes_it_safe": "",
                "version": single.version,
            },
        )
    )
    assert "Say what makes this context unsafe, safe, or both" in html
    assert 'value="online" checked' in html


def test_findings_can_be_changed_and_removed(client_for, worker, single, place):
    finding = services.finding_add(
        actor=worker,
        assessment=single,
        expected_version=1,
        area="places",
        context=place,
        what_makes_it_unsafe="Before",
    )
    client = client_for(worker)
    html = page(client.get(f"/assessments/single/{single.pk}/findings/{finding.pk}/"))
    assert "Before</textarea>" in html and f'value="{place.pk}" checked' in html
    client.post(
        f"/assessments/single/{single.pk}/findings/{finding.pk}/",
        {
            "area": "places",
            "context": place.pk,
            "what_makes_it_unsafe": "After",
            "what_makes_it_safe": "",
            "version": 2,
        },
    )
    finding.refresh_from_db()
    assert finding.what_makes_it_unsafe == "After"
    client.post(f"/assessments/single/{single.pk}/findings/{finding.pk}/remove/", {"version": 3})
    assert not single.findings.exists()


def test_a_stale_remove_is_refused_with_a_message(client_for, worker, single, place):
    finding = services.finding_add(
        actor=worker,
        assessment=single,
        expected_version=1,
        area="places",
        context=place,
        what_makes_it_unsafe="x",
    )
    response = client_for(worker).post(
        f"/assessments/single/{single.pk}/findings/{finding.pk}/remove/",
        {"version": 1},
        follow=True,
    )
    assert "Someone else saved changes" in page(response)
    assert single.findings.exists()


# --- submission and sign-off --------------------------------------------------------------------


def test_submitting_too_early_lists_what_is_missing_with_links(client_for, worker, single):
    html = page(
        client_for(worker).post(
            f"/assessments/single/{single.pk}/submit/", {"version": single.version}
        )
    )
    assert "This assessment cannot be submitted yet" in html
    assert f'href="/assessments/single/{single.pk}/section/factors/"' in html
    assert f'href="/assessments/single/{single.pk}/section/outcome/"' in html
    assert "Choose the primary need" in html
    single.refresh_from_db()
    assert single.status == AssessmentStatus.IN_PROGRESS


def submit(client, assessment, worker) -> None:
    complete_single(assessment, worker)
    response = client.post(
        f"/assessments/single/{assessment.pk}/submit/", {"version": assessment.version}
    )
    assert response.status_code == 302


def test_a_manager_signs_off_and_the_record_becomes_read_only(client_for, worker, manager, single):
    submit(client_for(worker), single, worker)
    single.refresh_from_db()
    boss = client_for(manager)
    html = page(boss.get(f"/assessments/single/{single.pk}/"))
    assert "Manager sign-off" in html
    response = boss.post(
        f"/assessments/single/{single.pk}/sign-off/",
        {"decision": "sign_off", "comment": "Thorough", "version": single.version},
    )
    assert response["Location"] == f"/assessments/single/{single.pk}/"
    html = page(client_for(worker).get(f"/assessments/single/{single.pk}/"))
    assert 'data-testid="read-only"' in html and "Completed on working day" in html
    assert "/section/" not in html and "Submit for sign-off</button>" not in html
    response = client_for(worker).get(
        f"/assessments/single/{single.pk}/section/analysis/", follow=True
    )
    assert "can no longer be changed" in page(response)


def test_returning_needs_a_comment_and_keeps_the_choice(client_for, worker, manager, single):
    submit(client_for(worker), single, worker)
    single.refresh_from_db()
    html = page(
        client_for(manager).post(
            f"/assessments/single/{single.pk}/sign-off/",
            {"decision": "return", "comment": "", "version": single.version},
        )
    )
    assert "Say what needs to change before you can sign it off" in html
    assert 'value="return" checked' in html
    client_for(manager).post(
        f"/assessments/single/{single.pk}/sign-off/",
        {"decision": "return", "comment": "Add the child's views", "version": single.version},
    )
    html = page(client_for(worker).get(f"/assessments/single/{single.pk}/"))
    assert "Returned by a manager: Add the child&#x27;s views" in html


def test_a_manager_cannot_sign_off_their_own_assessment(client_for, manager, child):
    assessment = start_single(manager, child)
    submit(client_for(manager), assessment, manager)
    assessment.refresh_from_db()
    client = client_for(manager)
    html = page(client.get(f"/assessments/single/{assessment.pk}/"))
    assert 'data-testid="own-work"' in html and "Confirm decision" not in html
    html = page(
        client.post(
            f"/assessments/single/{assessment.pk}/sign-off/",
            {"decision": "sign_off", "comment": "", "version": assessment.version},
        )
    )
    assert "cannot be signed off by you" in html
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.AWAITING_SIGN_OFF


def test_a_practitioner_cannot_sign_off(client_for, worker, personas, single):
    colleague = personas["cs_lead"]
    submit(client_for(worker), single, worker)
    single.refresh_from_db()
    response = client_for(colleague).post(
        f"/assessments/single/{single.pk}/sign-off/",
        {"decision": "sign_off", "version": single.version},
    )
    assert response.status_code == 404, "CS leads do not sign off single assessments"
    response = client_for(worker).post(
        f"/assessments/single/{single.pk}/sign-off/",
        {"decision": "sign_off", "version": single.version},
    )
    assert response.status_code == 403
    single.refresh_from_db()
    assert single.status == AssessmentStatus.AWAITING_SIGN_OFF


def test_sign_off_by_a_stale_page_is_a_conflict(client_for, worker, manager, single):
    submit(client_for(worker), single, worker)
    single.refresh_from_db()
    response = client_for(manager).post(
        f"/assessments/single/{single.pk}/sign-off/",
        {"decision": "sign_off", "version": single.version - 1},
        follow=True,
    )
    assert "Someone else saved changes" in page(response)
    single.refresh_from_db()
    assert single.status == AssessmentStatus.AWAITING_SIGN_OFF


def test_no_contextual_concerns_is_refused_while_findings_exist(client_for, worker, single, place):
    services.finding_add(
        actor=worker,
        assessment=single,
        expected_version=1,
        area="places",
        context=place,
        what_makes_it_unsafe="x",
    )
    html = page(
        client_for(worker).post(
            f"/assessments/single/{single.pk}/section/contextual/",
            {"no_contextual_concerns": "Nothing to see", "version": 2},
        )
    )
    assert "Remove them before recording that there are no contextual concerns" in html
    assert "Nothing to see</textarea>" in html


# --- the finding form's order and search --------------------------------------------------------


def test_the_context_choices_come_straight_after_the_question_and_the_search_after_them(
    client_for, worker, child, single, place
):
    context_link_create(
        actor=worker,
        context=place,
        kind="frequents",
        person=child,
        source="School",
        reliability="reported",
    )
    html = page(client_for(worker).get(f"/assessments/single/{single.pk}/findings/new/"))
    order = [
        ">Area</legend>",
        "Which context is it about? (optional)</legend>",
        "Places and groups linked to Jayden.</div>",
        "Chicken shop, Market Street (",
        "Not linked to a context record",
        'data-testid="context-search"',
        "Find context</button>",
        "What makes it unsafe",
        "Save contextual finding</button>",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    # A child's own contexts only: the assessment was not started from a contact.
    assert "named in the contact" not in html


def test_the_hint_names_the_contact_when_the_assessment_started_from_one(
    client_for, worker, child, group
):
    contact = make_contact(worker, person=child)
    ContactContext.objects.create(contact=contact, context=group)
    assessment = start_single(worker, child, contact=contact)
    html = page(client_for(worker).get(f"/assessments/single/{assessment.pk}/findings/new/"))
    assert "Places and groups linked to Jayden or named in the contact.</div>" in html
    assert "Older boys at the parade (" in html


def test_a_child_with_no_contexts_is_told_how_to_find_one(client_for, worker, single):
    html = page(client_for(worker).get(f"/assessments/single/{single.pk}/findings/new/?area=peers"))
    assert (
        "No places or groups of this kind are linked to Jayden yet. Find one below, or record "
        "the finding without linking it."
    ) in html


def test_finding_a_context_keeps_everything_typed_and_saves_nothing(
    client_for, worker, single, place
):
    make_location(worker, name="Bus station")
    response = client_for(worker).post(
        f"/assessments/single/{single.pk}/findings/new/",
        {
            "find": "1",
            "q": "bus",
            "area": "places",
            "context": "",
            "what_makes_it_unsafe": "A grey car waits here",
            "what_makes_it_safe": "Staff know him",
            "version": single.version,
        },
    )
    html = page(response)
    assert not single.findings.exists()
    assert "A grey car waits here</textarea>" in html and "Staff know him</textarea>" in html
    assert 'value="places" checked' in html
    assert "Bus station (" in html and 'value="bus"' in html
    assert "then those matching ‘bus’" not in html  # the child has no places of their own
    assert "No places or groups of this kind are linked to Jayden. These match ‘bus’." in html
    assert "There is a problem" not in html  # a search is not a failed save
    # The version the editor opened is kept, so a later save still detects a concurrent edit.
    assert f'name="version" value="{single.version}"' in html
    bus = Context.objects.get(name="Bus station")
    saved = client_for(worker).post(
        f"/assessments/single/{single.pk}/findings/new/",
        {
            "area": "places",
            "context": bus.pk,
            "what_makes_it_unsafe": "A grey car waits here",
            "what_makes_it_safe": "Staff know him",
            "version": single.version,
        },
    )
    assert saved.status_code == 302
    assert single.findings.get().context == bus


def test_a_search_that_finds_nothing_says_so(client_for, worker, single):
    html = page(
        client_for(worker).post(
            f"/assessments/single/{single.pk}/findings/new/",
            {"find": "1", "q": "zzz", "area": "places", "version": single.version},
        )
    )
    assert 'data-testid="no-contexts-found"' in html and "No context record matches ‘zzz’" in html


# --- fields needed for sign-off, and the submit button ------------------------------------------


def test_fields_needed_for_sign_off_are_not_marked_optional(client_for, worker, single):
    client = client_for(worker)
    base = f"/assessments/single/{single.pk}/section/"
    factors = page(client.get(base + "factors/"))
    assert "(optional)" not in factors
    assert "Primary need</legend>" in factors
    assert "Needed before you submit for sign-off." in factors
    assert "Before you submit for sign-off, choose at least one factor" in factors
    outcome = page(client.get(base + "outcome/"))
    assert "(optional)" not in outcome
    assert "Reasons for the outcome</label>" in outcome
    assert "Needed before you submit for sign-off." in outcome
    # What sign-off does not need stays optional.
    voice = page(client.get(base + "voice/"))
    assert "The child&#x27;s voice (optional)" in voice and "Needed before" not in voice


def test_the_submit_button_shows_only_once_everything_is_recorded(client_for, worker, single):
    client = client_for(worker)
    html = page(client.get(f"/assessments/single/{single.pk}/"))
    assert "Submit for sign-off</button>" not in html
    assert "You can submit it for sign-off once you have done these 4 things:" in html
    remaining = html[html.index('data-testid="remaining"') :]
    for section in ("factors", "outcome"):
        assert f'href="/assessments/single/{single.pk}/section/{section}/"' in remaining
    assert f'href="/assessments/single/{single.pk}/#contextual"' in remaining
    complete_single(single, worker)
    html = page(client.get(f"/assessments/single/{single.pk}/"))
    assert "Submit for sign-off</button>" in html and 'data-testid="remaining"' not in html
    assert (
        "Everything needed for sign-off is recorded. The team managers in Adolescent "
        "Safeguarding will be told."
    ) in html
