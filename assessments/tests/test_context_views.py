"""Context assessment pages: starting, the triangle by kind, weighting, decision, sign-off,
children's names, and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import AssessmentStatus, ContextAssessment
from assessments.tests.conftest import complete_context, date_fields, start_context, team_of
from contexts.models import Context, ContextStatus
from contexts.services import context_link_create
from tests.factories import TeamFactory, make_location, make_person

pytestmark = pytest.mark.django_db


def page(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_partner_starts_a_context_assessment_and_the_context_goes_under_assessment(
    client_for, personas, place
):
    police = personas["police_practitioner"]
    team = TeamFactory.create(agency=police.agency, name="Neighbourhood policing")
    police.teams.add(team)
    client = client_for(police)
    html = page(client.get(f"/assessments/context/new/?context={place.pk}"))
    assert "neighbourhood assessment triangle" in html
    response = client.post(
        f"/assessments/context/new/?context={place.pk}",
        {**date_fields("started_on", dt.date(2026, 11, 23)), "team": team.pk, "lead": police.pk},
    )
    assessment = ContextAssessment.objects.get()
    assert response["Location"] == f"/assessments/context/{assessment.pk}/"
    place.refresh_from_db()
    assert place.status == ContextStatus.UNDER_ASSESSMENT


def test_an_online_space_is_refused_with_a_clear_message(client_for, worker, online):
    html = page(client_for(worker).get(f"/assessments/context/new/?context={online.pk}"))
    assert 'data-testid="refusal"' in html and "Online spaces are not assessed" in html
    assert "Start assessment" not in html
    response = client_for(worker).post(
        f"/assessments/context/new/?context={online.pk}",
        {
            **date_fields("started_on", dt.date(2026, 11, 23)),
            "team": team_of(worker).pk,
            "lead": worker.pk,
        },
    )
    assert "Online spaces are not assessed" in page(response)
    assert not ContextAssessment.objects.exists()


@pytest.mark.parametrize(
    ("fixture", "label", "local"),
    [
        ("place", "Strengths and needs of young people collectively", False),
        ("group", "Group functioning", False),
        ("school", "Students&#x27; experiences and needs collectively", True),
    ],
)
def test_the_triangle_is_labelled_for_the_kind_of_context(
    request, client_for, worker, fixture, label, local
):
    assessment = start_context(worker, request.getfixturevalue(fixture))
    client = client_for(worker)
    form = page(client.get(f"/assessments/context/{assessment.pk}/section/triangle/"))
    detail = page(client.get(f"/assessments/context/{assessment.pk}/"))
    assert label in form and label in detail
    assert ('data-testid="local-adaptation"' in form) is local
    assert ('data-testid="local-adaptation"' in detail) is local


def test_a_decision_without_a_choice_keeps_the_reasons(client_for, worker, context_assessment):
    html = page(
        client_for(worker).post(
            f"/assessments/context/{context_assessment.pk}/section/decision/",
            {"decision": "", "decision_reasons": "Partners must act", "version": 1},
        )
    )
    assert "Choose the decision" in html and "Partners must act</textarea>" in html


def test_the_prompts_save_and_a_stale_save_is_a_conflict(
    client_for, worker, manager, context_assessment
):
    url = f"/assessments/context/{context_assessment.pk}/section/prompts/"
    client_for(manager).post(url, {"what_happens": "Drug dealing after 9pm", "version": 1})
    html = page(client_for(worker).post(url, {"what_happens": "Fights", "version": 1}))
    assert "Someone else saved" in html and "Fights</textarea>" in html
    assert "Drug dealing after 9pm" in html
    context_assessment.refresh_from_db()
    assert context_assessment.what_happens == "Drug dealing after 9pm"


# --- weighting ----------------------------------------------------------------------------------


def test_weighting_adds_ranks_and_keeps_rationales(
    client_for, worker, context_assessment, place, group
):
    child = make_person(worker)
    for context in (place, group):
        context_link_create(
            actor=worker,
            context=context,
            kind="frequents",
            person=child,
            source="School",
            reliability="reported",
        )
    client = client_for(worker)
    url = f"/assessments/context/{context_assessment.pk}/weighting/"
    html = page(client.get(url))
    assert "1 person is linked to both contexts" in html
    client.post(
        url, {"action": "add", "context": place.pk, "rationale": "Where it happens", "version": 1}
    )
    client.post(
        url, {"action": "add", "context": group.pk, "rationale": "Group norms", "version": 2}
    )
    ranked = list(context_assessment.weightings.values_list("pk", "context__name", "rank"))
    assert [(name, rank) for _, name, rank in ranked] == [
        ("Chicken shop, Market Street", 1),
        ("Older boys at the parade", 2),
    ]
    (shop_pk, _, _), (group_pk, _, _) = ranked
    response = client.post(
        url,
        {
            "action": "rank",
            "version": 3,
            f"rank_{shop_pk}": "2",
            f"rationale_{shop_pk}": "Where it happens",
            f"rank_{group_pk}": "1",
            f"rationale_{group_pk}": "Group norms drive it",
        },
    )
    assert response.status_code == 302
    assert list(context_assessment.weightings.values_list("context__name", "rationale")) == [
        ("Older boys at the parade", "Group norms drive it"),
        ("Chicken shop, Market Street", "Where it happens"),
    ]
    detail = page(client.get(f"/assessments/context/{context_assessment.pk}/"))
    assert detail.index("Older boys at the parade") < detail.index("Group norms drive it")


def test_a_duplicate_rank_is_refused_and_the_typed_ranking_is_kept(
    client_for, worker, context_assessment, place, group
):
    a = services.weighting_add(
        actor=worker,
        assessment=context_assessment,
        expected_version=1,
        context=place,
        rationale="One",
    )
    b = services.weighting_add(
        actor=worker,
        assessment=context_assessment,
        expected_version=2,
        context=group,
        rationale="Two",
    )
    html = page(
        client_for(worker).post(
            f"/assessments/context/{context_assessment.pk}/weighting/",
            {
                "action": "rank",
                "version": 3,
                f"rank_{a.pk}": "1",
                f"rationale_{a.pk}": "One!",
                f"rank_{b.pk}": "1",
                f"rationale_{b.pk}": "Two, rewritten",
            },
        )
    )
    assert "Give each context its own rank: 1 is given to 2 contexts" in html
    assert "One!</textarea>" in html and "Two, rewritten</textarea>" in html
    assert list(context_assessment.weightings.values_list("rationale", flat=True)) == [
        "One",
        "Two",
    ]


def test_adding_without_a_rationale_keeps_the_choice(client_for, worker, context_assessment):
    place = context_assessment.context
    html = page(
        client_for(worker).post(
            f"/assessments/context/{context_assessment.pk}/weighting/",
            {"action": "add", "context": place.pk, "rationale": "", "version": 1},
        )
    )
    assert "Say why this context is ranked here" in html
    assert f'value="{place.pk}" checked' in html


def test_a_context_found_by_search_can_be_added(client_for, worker, context_assessment):
    far = make_location(worker, name="Riverside bus station")
    client = client_for(worker)
    url = f"/assessments/context/{context_assessment.pk}/weighting/"
    assert "Riverside bus station" in page(client.get(url + "?q=riverside"))
    client.post(url, {"action": "add", "context": far.pk, "rationale": "Route", "version": 1})
    assert context_assessment.weightings.get().context == far


def test_removing_from_the_list(client_for, worker, context_assessment, place):
    w = services.weighting_add(
        actor=worker,
        assessment=context_assessment,
        expected_version=1,
        context=place,
        rationale="One",
    )
    client_for(worker).post(
        f"/assessments/context/{context_assessment.pk}/weighting/{w.pk}/remove/", {"version": 2}
    )
    assert not context_assessment.weightings.exists()


# --- sign-off and read-only ---------------------------------------------------------------------


def test_a_cs_lead_signs_off_and_it_becomes_read_only(
    client_for, worker, personas, context_assessment
):
    complete_context(context_assessment, worker)
    client = client_for(worker)
    client.post(
        f"/assessments/context/{context_assessment.pk}/submit/",
        {"version": context_assessment.version},
    )
    context_assessment.refresh_from_db()
    assert context_assessment.status == AssessmentStatus.AWAITING_SIGN_OFF
    lead = client_for(personas["cs_lead"])
    lead.post(
        f"/assessments/context/{context_assessment.pk}/sign-off/",
        {"decision": "sign_off", "comment": "", "version": context_assessment.version},
    )
    context_assessment.refresh_from_db()
    assert context_assessment.status == AssessmentStatus.COMPLETED
    html = page(client.get(f"/assessments/context/{context_assessment.pk}/"))
    assert 'data-testid="read-only"' in html and "/weighting/" not in html
    response = client.get(f"/assessments/context/{context_assessment.pk}/weighting/", follow=True)
    assert "can no longer be changed" in page(response)


def test_submitting_too_early_links_to_the_missing_sections(client_for, worker, context_assessment):
    html = page(
        client_for(worker).post(
            f"/assessments/context/{context_assessment.pk}/submit/", {"version": 1}
        )
    )
    assert f"/assessments/context/{context_assessment.pk}/section/triangle/" in html
    assert "Complete all three sides of the assessment triangle" in html


# --- children's names ---------------------------------------------------------------------------


def test_children_are_named_only_to_those_who_may_open_their_records(
    client_for, worker, personas, context_assessment, place
):
    child = make_person(worker, given_name="Tyrelle", family_name="Brookfield-Okoro")
    context_link_create(
        actor=worker,
        context=place,
        kind="frequents",
        person=child,
        source="School",
        reliability="reported",
    )
    assert "Tyrelle Brookfield-Okoro" in page(
        client_for(worker).get(f"/assessments/context/{context_assessment.pk}/")
    )
    police = page(
        client_for(personas["police_practitioner"]).get(
            f"/assessments/context/{context_assessment.pk}/"
        )
    )
    assert "Brookfield-Okoro" not in police and "A person whose record is held by" in police


def test_the_page_costs_the_same_however_many_weightings(
    client_for, worker, context_assessment, django_assert_num_queries
):
    client = client_for(worker)
    url = f"/assessments/context/{context_assessment.pk}/"

    def weigh(count: int) -> None:
        for i in range(count):
            services.weighting_add(
                actor=worker,
                assessment=context_assessment,
                expected_version=context_assessment.version,
                context=make_location(worker, name=f"Place {context_assessment.version} {i}"),
                rationale="Because",
            )
            child = make_person(worker, given_name=f"Kid{context_assessment.version}{i}")
            context_link_create(
                actor=worker,
                context=context_assessment.context,
                kind="frequents",
                person=child,
                source="School",
                reliability="reported",
            )

    weigh(1)
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        page(client.get(url))
    weigh(4)
    with django_assert_num_queries(len(first)):
        html = page(client.get(url))
    assert html.count("Because") == 5
    weighting_url = url + "weighting/"
    client.get(weighting_url)
    with CaptureQueriesContext(connection) as before:
        page(client.get(weighting_url))
    weigh(3)
    with django_assert_num_queries(len(before)):
        page(client.get(weighting_url))


# --- what is still missing, who is told, and what sign-off does to the context ------------------


def test_the_submit_button_shows_only_once_everything_is_recorded(
    client_for, worker, context_assessment
):
    client = client_for(worker)
    url = f"/assessments/context/{context_assessment.pk}/"
    html = page(client.get(url))
    assert "Submit for sign-off</button>" not in html
    assert 'data-testid="not-ready"' in html and "these 2 things" in html
    assert f'href="/assessments/context/{context_assessment.pk}/section/triangle/"' in html
    assert f'href="/assessments/context/{context_assessment.pk}/section/decision/"' in html
    complete_context(context_assessment, worker)
    html = page(client.get(url))
    assert "Submit for sign-off</button>" in html and 'data-testid="remaining"' not in html
    # Team managers and CS leads are told (services._submit), so the page says both.
    assert (
        "Everything needed for sign-off is recorded. The team managers and CS leads in "
        "Adolescent Safeguarding will be told."
    ) in html
    response = client.post(
        f"/assessments/context/{context_assessment.pk}/submit/",
        {"version": context_assessment.version},
        follow=True,
    )
    assert "The team&#x27;s managers and CS leads have been told." in page(response)


@pytest.mark.parametrize(
    ("decision", "note"),
    [
        (
            "safety_plan",
            "When you sign it off, Chicken shop, Market Street changes from ‘Under assessment’ "
            "to ‘On a plan’, because the decision is a location or context safety plan.",
        ),
        (
            "nfa",
            "When you sign it off, Chicken shop, Market Street changes from ‘Under assessment’ "
            "to ‘Noted’, because the decision is no further action.",
        ),
        (
            "monitor",
            "When you sign it off, Chicken shop, Market Street changes from ‘Under assessment’ "
            "to ‘Noted’, because the decision is to monitor it.",
        ),
        (
            "context_conference",
            "When you sign it off, Chicken shop, Market Street stays ‘Under assessment’ until "
            "the context conference decides what happens next.",
        ),
    ],
)
def test_the_sign_off_form_says_what_happens_to_the_context(
    client_for, worker, personas, place, context_assessment, decision, note
):
    complete_context(context_assessment, worker)
    services.context_assessment_update(
        actor=worker,
        assessment=context_assessment,
        expected_version=context_assessment.version,
        decision=decision,
    )
    services.context_assessment_submit(
        actor=worker, assessment=context_assessment, expected_version=context_assessment.version
    )
    lead = client_for(personas["cs_lead"])
    html = page(lead.get(f"/assessments/context/{context_assessment.pk}/"))
    assert f'<div class="govuk-inset-text" data-testid="status-after-sign-off">{note}</div>' in html
    assert html.index("Manager sign-off") < html.index(note) < html.index("Confirm decision")
    # The lead who wrote it sees no sign-off form, so no note either.
    assert 'data-testid="status-after-sign-off"' not in page(
        client_for(worker).get(f"/assessments/context/{context_assessment.pk}/")
    )
    lead.post(
        f"/assessments/context/{context_assessment.pk}/sign-off/",
        {"decision": "sign_off", "comment": "", "version": context_assessment.version},
    )
    place.refresh_from_db()
    expected = {"safety_plan": "on_plan", "context_conference": "under_assessment"}
    assert place.status == expected.get(decision, "noted")


def test_the_sign_off_note_for_a_closed_context(client_for, worker, personas, place):
    assessment = start_context(worker, place)
    complete_context(assessment, worker)
    services.context_assessment_submit(
        actor=worker, assessment=assessment, expected_version=assessment.version
    )
    Context.objects.filter(pk=place.pk).update(status=ContextStatus.CLOSED)
    html = page(client_for(personas["cs_lead"]).get(f"/assessments/context/{assessment.pk}/"))
    assert (
        "Chicken shop, Market Street is closed, so signing off will not change its status." in html
    )


def test_fields_needed_for_sign_off_are_not_marked_optional(client_for, worker, context_assessment):
    client = client_for(worker)
    base = f"/assessments/context/{context_assessment.pk}/section/"
    decision = page(client.get(base + "decision/"))
    assert "Reasons for the decision (optional)" not in decision
    assert "Reasons for the decision" in decision
    assert "Needed before you submit for sign-off." in decision
    triangle = page(client.get(base + "triangle/"))
    assert "(optional)" not in triangle and triangle.count("Needed before you submit") == 3
    # The prompts are not needed for sign-off: they stay optional.
    prompts = page(client.get(base + "prompts/"))
    assert "What happens there (optional)" in prompts and "Needed before" not in prompts
