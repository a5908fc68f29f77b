"""Context assessments: starting, the triangle, context weighting, decision and sign-off."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import AssessmentStatus, ContextAssessment, ContextWeighting
from assessments.selectors import weighting_candidates
from assessments.tests.conftest import complete_context, make_contact, start_context, start_single
from assessments.triangles import TRIANGLES, triangle_for
from audit.models import AccessAction, AccessEvent
from contexts.models import Context, ContextStatus
from contexts.services import context_link_create
from contextsafe.lib.concurrency import EditConflict
from core.models import Notification
from frontdoor.models import ContactContext
from tests.factories import TeamFactory, make_location, make_person

pytestmark = pytest.mark.django_db


def test_starting_puts_the_context_under_assessment_through_its_service(worker, place) -> None:
    assessment = start_context(worker, place)
    place.refresh_from_db()
    assert place.status == ContextStatus.UNDER_ASSESSMENT and place.version == 2
    # The contexts app's own service wrote its audit record.
    change = AccessEvent.objects.get(
        object_type="contexts.context", object_id=str(place.pk), action=AccessAction.CHANGE
    )
    assert change.changes["status"]["new"] == "under_assessment"
    assert AccessEvent.objects.filter(
        object_type="assessments.contextassessment",
        object_id=str(assessment.pk),
        action=AccessAction.CREATE,
    ).exists()


def test_a_context_on_a_plan_stays_on_it(worker, group) -> None:
    Context.objects.filter(pk=group.pk).update(status=ContextStatus.ON_PLAN)
    group.refresh_from_db()
    start_context(worker, group)
    group.refresh_from_db()
    assert group.status == ContextStatus.ON_PLAN


def test_peer_groups_and_schools_are_assessed_too(worker, group, school) -> None:
    assert start_context(worker, group).context == group
    assert start_context(worker, school).context == school
    school.refresh_from_db()
    assert school.status == ContextStatus.UNDER_ASSESSMENT


def test_an_online_space_is_refused_with_a_reason(worker, online) -> None:
    with pytest.raises(ValidationError, match="Online spaces are not assessed"):
        start_context(worker, online)
    online.refresh_from_db()
    assert online.status == ContextStatus.NOTED
    assert not ContextAssessment.objects.exists()


def test_each_kind_has_its_own_triangle_and_the_school_one_says_it_is_local(
    place, group, school
) -> None:
    assert triangle_for(place.kind).sides[1].label.startswith("Guardianship: adults with a caring")
    assert triangle_for(group.kind).sides[0].label == "Group functioning"
    assert triangle_for(school.kind).local_adaptation
    assert not triangle_for(place.kind).local_adaptation
    assert "online_space" not in TRIANGLES


def test_a_contact_about_another_context_is_refused(worker, place, group) -> None:
    contact = make_contact(worker, context=group)
    with pytest.raises(ValidationError, match="is not about Chicken shop, Market Street"):
        start_context(worker, place, contact=contact)
    ContactContext.objects.create(contact=contact, context=place)
    assert start_context(worker, place, contact=contact).contact == contact


def test_one_unfinished_assessment_per_context(worker, place, context_assessment) -> None:
    with pytest.raises(ValidationError, match="already has a context assessment"):
        start_context(worker, place)


def test_any_agencys_practitioner_may_start_one(personas, place) -> None:
    police = personas["police_practitioner"]
    team = TeamFactory.create(agency=police.agency)
    assessment = start_context(police, place, team=team)
    assert assessment.recording_agency == police.agency


# --- context weighting --------------------------------------------------------------------------


def add(worker, assessment, context, why="Because"):
    return services.weighting_add(
        actor=worker,
        assessment=assessment,
        expected_version=assessment.version,
        context=context,
        rationale=why,
    )


def test_weightings_join_the_bottom_of_the_list(worker, context_assessment, place, group) -> None:
    first = add(worker, context_assessment, place, "Where the harm happens")
    second = add(worker, context_assessment, group, "Group norms drive it")
    assert (first.rank, second.rank) == (1, 2)
    with pytest.raises(ValidationError, match="already in the ranked list"):
        add(worker, context_assessment, group)
    with pytest.raises(ValidationError, match="Say why this context is ranked here"):
        add(worker, context_assessment, make_location(worker, name="Bus stop"), "  ")


def test_reranking_keeps_every_rationale(worker, context_assessment, place, group, school) -> None:
    a = add(worker, context_assessment, place, "Where the harm happens")
    b = add(worker, context_assessment, group, "Group norms drive knife carrying")
    c = add(worker, context_assessment, school, "Threats in the toilets")
    services.weighting_rerank(
        actor=worker,
        assessment=context_assessment,
        expected_version=context_assessment.version,
        entries={
            a.pk: (3, a.rationale),
            b.pk: (1, b.rationale),
            c.pk: (7, "Threats in the toilets; pupils carry for protection"),
        },
    )
    ranked = list(context_assessment.weightings.values_list("context__name", "rank", "rationale"))
    assert ranked == [
        ("Older boys at the parade", 1, "Group norms drive knife carrying"),
        ("Chicken shop, Market Street", 2, "Where the harm happens"),
        ("Larkspur Academy", 3, "Threats in the toilets; pupils carry for protection"),
    ]


def test_a_duplicate_rank_is_refused_and_nothing_changes(
    worker, context_assessment, place, group
) -> None:
    a = add(worker, context_assessment, place)
    b = add(worker, context_assessment, group)
    with pytest.raises(ValidationError) as caught:
        services.weighting_rerank(
            actor=worker,
            assessment=context_assessment,
            expected_version=context_assessment.version,
            entries={a.pk: (1, "x"), b.pk: (1, "")},
        )
    errors = caught.value.message_dict
    assert errors[f"rank_{a.pk}"] == ["Give each context its own rank: 1 is given to 2 contexts"]
    assert errors[f"rank_{b.pk}"] == errors[f"rank_{a.pk}"]
    assert "Say why Older boys at the parade is ranked here" in errors[f"rationale_{b.pk}"][0]
    assert list(context_assessment.weightings.values_list("rank", flat=True)) == [1, 2]


def test_a_stale_ranking_is_a_conflict(worker, context_assessment, place, group) -> None:
    a = add(worker, context_assessment, place)
    stale_version = context_assessment.version
    add(worker, context_assessment, group)
    with pytest.raises(EditConflict):
        services.weighting_rerank(
            actor=worker,
            assessment=context_assessment,
            expected_version=stale_version,
            entries={a.pk: (1, "x")},
        )


def test_removing_closes_the_gap(worker, context_assessment, place, group, school) -> None:
    add(worker, context_assessment, place)
    middle = add(worker, context_assessment, group)
    add(worker, context_assessment, school)
    middle.assessment = context_assessment
    services.weighting_remove(
        actor=worker, weighting=middle, expected_version=context_assessment.version
    )
    assert list(context_assessment.weightings.values_list("rank", flat=True)) == [1, 2]
    assert not ContextWeighting.objects.filter(context=group).exists()


def test_candidates_are_the_context_and_those_sharing_people_in_constant_queries(
    worker, context_assessment, place, group, school, django_assert_num_queries
) -> None:
    def link(context: Context, person) -> None:
        context_link_create(
            actor=worker,
            context=context,
            kind="frequents",
            person=person,
            source="School",
            reliability="reported",
        )

    children = [make_person(worker, given_name=f"Child{i}") for i in range(3)]
    for person in children:
        link(place, person)
    link(group, children[0])
    link(group, children[1])
    link(school, children[2])
    make_location(worker, name="Unrelated park")
    with django_assert_num_queries(2):
        found = weighting_candidates(assessment=context_assessment)
    assert [(c.context.name, c.shared_people) for c in found] == [
        ("Chicken shop, Market Street", 0),
        ("Older boys at the parade", 2),
        ("Larkspur Academy", 1),
    ]
    assert found[1].reason == "2 people are linked to both contexts"
    for person in [make_person(worker, given_name=f"More{i}") for i in range(5)]:
        link(place, person)
        link(group, person)
    add(worker, context_assessment, place)
    with django_assert_num_queries(2):
        found = weighting_candidates(assessment=context_assessment)
    assert [c.context.name for c in found] == ["Older boys at the parade", "Larkspur Academy"]


# --- decision and sign-off ----------------------------------------------------------------------


def test_submission_needs_the_triangle_and_a_decision_with_reasons(
    worker, context_assessment
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.context_assessment_submit(
            actor=worker, assessment=context_assessment, expected_version=1
        )
    assert set(caught.value.message_dict) == {"triangle", "decision"}
    complete_context(context_assessment, worker)
    services.context_assessment_update(
        actor=worker,
        assessment=context_assessment,
        expected_version=context_assessment.version,
        decision_reasons="",
    )
    with pytest.raises(ValidationError, match="Give the reasons for the decision"):
        services.context_assessment_submit(
            actor=worker,
            assessment=context_assessment,
            expected_version=context_assessment.version,
        )


def test_a_cs_lead_signs_off_a_context_assessment(worker, personas, context_assessment) -> None:
    complete_context(context_assessment, worker)
    services.context_assessment_submit(
        actor=worker, assessment=context_assessment, expected_version=context_assessment.version
    )
    lead = personas["cs_lead"]
    assert Notification.objects.filter(recipient=lead).exists(), "CS leads are told too"
    services.assessment_sign_off(
        actor=lead, assessment=context_assessment, expected_version=context_assessment.version
    )
    context_assessment.refresh_from_db()
    assert context_assessment.status == AssessmentStatus.COMPLETED
    with pytest.raises(ValidationError, match="signed off"):
        add(worker, context_assessment, context_assessment.context)
    with pytest.raises(ValidationError, match="signed off"):
        services.context_assessment_update(
            actor=worker,
            assessment=context_assessment,
            expected_version=context_assessment.version,
            decision="monitor",
        )


def test_an_unknown_decision_is_refused(worker, context_assessment) -> None:
    with pytest.raises(ValidationError, match="Choose the decision from the list"):
        services.context_assessment_update(
            actor=worker, assessment=context_assessment, expected_version=1, decision="close_it"
        )


# --- the context's status once the assessment is signed off --------------------------------------


def sign_off_with(decision: str, worker, lead, assessment: ContextAssessment) -> ContextAssessment:
    complete_context(assessment, worker)
    services.context_assessment_update(
        actor=worker,
        assessment=assessment,
        expected_version=assessment.version,
        decision=decision,
    )
    services.context_assessment_submit(
        actor=worker, assessment=assessment, expected_version=assessment.version
    )
    return services.assessment_sign_off(
        actor=lead, assessment=assessment, expected_version=assessment.version
    )


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        ("safety_plan", ContextStatus.ON_PLAN),
        ("nfa", ContextStatus.NOTED),
        ("monitor", ContextStatus.NOTED),
        # The conference is still to come: the context stays under assessment until then.
        ("context_conference", ContextStatus.UNDER_ASSESSMENT),
    ],
)
def test_signing_off_sets_the_contexts_status_from_the_decision(
    worker, personas, place, context_assessment, decision, status
) -> None:
    place.refresh_from_db()
    assert place.status == ContextStatus.UNDER_ASSESSMENT
    sign_off_with(decision, worker, personas["cs_lead"], context_assessment)
    place.refresh_from_db()
    assert place.status == status
    changes = [
        e.changes["status"]["new"]
        for e in AccessEvent.objects.filter(
            object_type="contexts.context", object_id=str(place.pk), action=AccessAction.CHANGE
        ).order_by("pk")
        if "status" in e.changes
    ]
    # Through the contexts app's own service, which audits each change.
    expected = (
        ["under_assessment"]
        if status == ContextStatus.UNDER_ASSESSMENT
        else [
            "under_assessment",
            status,
        ]
    )
    assert changes == expected


def test_returning_leaves_the_context_under_assessment(worker, personas, place, context_assessment):
    complete_context(context_assessment, worker)
    services.context_assessment_update(
        actor=worker,
        assessment=context_assessment,
        expected_version=context_assessment.version,
        decision="safety_plan",
    )
    services.context_assessment_submit(
        actor=worker, assessment=context_assessment, expected_version=context_assessment.version
    )
    services.assessment_return(
        actor=personas["cs_lead"],
        assessment=context_assessment,
        expected_version=context_assessment.version,
        comment="Say who owns the lighting",
    )
    place.refresh_from_db()
    assert place.status == ContextStatus.UNDER_ASSESSMENT


def test_a_context_on_a_plan_stays_on_it_until_a_conference_decides(
    worker, personas, group
) -> None:
    Context.objects.filter(pk=group.pk).update(status=ContextStatus.ON_PLAN)
    sign_off_with("context_conference", worker, personas["cs_lead"], start_context(worker, group))
    group.refresh_from_db()
    assert group.status == ContextStatus.ON_PLAN
    # A reassessment that ends the plan moves it back to noted.
    sign_off_with("nfa", worker, personas["cs_lead"], start_context(worker, group))
    group.refresh_from_db()
    assert group.status == ContextStatus.NOTED


def test_a_context_closed_during_the_assessment_stays_closed(
    worker, personas, place, context_assessment
) -> None:
    Context.objects.filter(pk=place.pk).update(status=ContextStatus.CLOSED)
    sign_off_with("safety_plan", worker, personas["cs_lead"], context_assessment)
    place.refresh_from_db()
    assert place.status == ContextStatus.CLOSED


def test_a_context_edited_meanwhile_does_not_block_sign_off(
    worker, personas, place, context_assessment
) -> None:
    """The status is set on the context as it is at sign-off, not as it was when opened."""
    Context.objects.filter(pk=place.pk).update(version=place.version + 5, name="Chicken shop")
    signed = sign_off_with("monitor", worker, personas["cs_lead"], context_assessment)
    place.refresh_from_db()
    assert place.status == ContextStatus.NOTED and place.name == "Chicken shop"
    assert signed.status == AssessmentStatus.COMPLETED


def test_single_assessments_leave_contexts_alone(worker, manager, child, place) -> None:
    assessment = start_single(worker, child)
    services.finding_add(
        actor=worker,
        assessment=assessment,
        expected_version=assessment.version,
        area="places",
        context=place,
        what_makes_it_unsafe="Older youths give him lifts",
    )
    services.single_assessment_update(
        actor=worker,
        assessment=assessment,
        expected_version=assessment.version,
        outcome="refer_marve",
        outcome_reasons="Exploitation at the takeaway",
        cin_factors=["24A"],
        primary_need="N1",
    )
    services.single_assessment_submit(
        actor=worker, assessment=assessment, expected_version=assessment.version
    )
    services.assessment_sign_off(
        actor=manager, assessment=assessment, expected_version=assessment.version
    )
    place.refresh_from_db()
    assert place.status == ContextStatus.NOTED


def test_a_context_record_missing_details_stops_sign_off_with_a_clear_message(
    worker, personas, place, context_assessment
) -> None:
    Context.objects.filter(pk=place.pk).update(location_type="")
    with pytest.raises(ValidationError, match="Complete the context record, then sign it off"):
        sign_off_with("safety_plan", worker, personas["cs_lead"], context_assessment)
    context_assessment.refresh_from_db()
    place.refresh_from_db()
    assert context_assessment.status == AssessmentStatus.AWAITING_SIGN_OFF
    assert place.status == ContextStatus.UNDER_ASSESSMENT
