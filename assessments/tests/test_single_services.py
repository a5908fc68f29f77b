"""Single assessments: every rule of starting, saving, submitting and signing off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import services
from assessments.models import AssessmentStatus, ContextualFinding, SingleAssessment
from assessments.tests.conftest import (
    complete_single,
    make_contact,
    start_single,
    team_of,
)
from audit.models import AccessAction, AccessEvent
from contextsafe.lib.concurrency import EditConflict
from contextsafe.lib.working_days import add_working_days
from core.models import Notification
from frontdoor.models import ContactPerson
from tests.factories import TeamFactory, UserFactory, make_person

pytestmark = pytest.mark.django_db


def audits(obj, action=AccessAction.CHANGE):
    return AccessEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


# --- starting ----------------------------------------------------------------------------------


def test_starting_sets_the_statutory_due_date_and_is_audited(worker, child) -> None:
    started = dt.date(2026, 11, 20)
    assessment = start_single(worker, child, started_on=started)
    assert assessment.due_on == add_working_days(started, 45) == dt.date(2027, 1, 27)
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    assert assessment.recording_agency == worker.agency
    event = audits(assessment, AccessAction.CREATE).get()
    assert event.changes["due_on"] == "2027-01-27" and event.changes["person"] == child.pk


def test_a_start_date_in_the_future_is_refused(worker, child) -> None:
    with pytest.raises(ValidationError) as caught:
        start_single(worker, child, started_on=timezone.localdate() + dt.timedelta(days=1))
    assert caught.value.message_dict["started_on"] == [
        "The start date must be today or in the past"
    ]


def test_the_team_and_lead_must_be_the_agencys_own(worker, child, personas) -> None:
    other_team = TeamFactory.create()
    with pytest.raises(ValidationError, match="Choose one of your agency's teams"):
        start_single(worker, child, team=other_team)
    with pytest.raises(ValidationError, match="Choose a practitioner, team manager or CS lead"):
        start_single(worker, child, lead=personas["police_practitioner"])
    with pytest.raises(ValidationError, match="Choose a practitioner, team manager or CS lead"):
        start_single(worker, child, lead=personas["analyst"])


def test_a_contact_about_another_child_is_refused(worker, child) -> None:
    other = make_person(worker, given_name="Aaliyah", family_name="Stone")
    contact = make_contact(worker, person=other)
    with pytest.raises(ValidationError, match=r"is not about Jayden Kowalski"):
        start_single(worker, child, contact=contact)
    assert not SingleAssessment.objects.exists()


def test_a_contact_about_the_child_or_naming_them_is_accepted(worker, child) -> None:
    about = make_contact(worker, person=child)
    assert start_single(worker, child, contact=about).contact == about
    SingleAssessment.objects.update(status=AssessmentStatus.COMPLETED)
    other = make_person(worker, given_name="Aaliyah", family_name="Stone")
    naming = make_contact(worker, person=other)
    ContactPerson.objects.create(contact=naming, person=child, role="child")
    assert start_single(worker, child, contact=naming).contact == naming


def test_only_a_child_has_a_single_assessment(worker) -> None:
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean")
    with pytest.raises(ValidationError, match="an assessment of a child"):
        start_single(worker, adult)


def test_one_unfinished_assessment_at_a_time(worker, child, single) -> None:
    with pytest.raises(ValidationError, match="already has a single assessment that is not"):
        start_single(worker, child)


def test_the_lead_is_told_when_someone_else_starts_it(worker, manager, child) -> None:
    start_single(manager, child, lead=worker)
    assert Notification.objects.filter(recipient=worker).count() == 1


# --- saving sections ---------------------------------------------------------------------------


def test_a_section_saves_and_the_audit_holds_old_and_new(worker, single) -> None:
    services.single_assessment_update(
        actor=worker,
        assessment=single,
        expected_version=1,
        child_voice="  'I feel safe at my nan's.'  ",
    )
    single.refresh_from_db()
    assert single.child_voice == "'I feel safe at my nan's.'" and single.version == 2
    change = audits(single).get()
    assert change.changes == {"child_voice": {"old": "", "new": "'I feel safe at my nan's.'"}}


def test_two_editors_never_silently_overwrite_each_other(worker, manager, single) -> None:
    theirs = SingleAssessment.objects.get(pk=single.pk)
    services.single_assessment_update(
        actor=worker, assessment=single, expected_version=1, analysis="First analysis"
    )
    with pytest.raises(EditConflict) as clash:
        services.single_assessment_update(
            actor=manager, assessment=theirs, expected_version=1, analysis="Second analysis"
        )
    assert clash.value.current.analysis == "First analysis"  # type: ignore[attr-defined]
    single.refresh_from_db()
    assert single.analysis == "First analysis"


def test_21_no_factors_is_never_combined_with_others(worker, single) -> None:
    with pytest.raises(ValidationError) as caught:
        services.single_assessment_update(
            actor=worker, assessment=single, expected_version=1, cin_factors=["21", "11A"]
        )
    assert "cannot be combined" in caught.value.message_dict["cin_factors"][0]
    single.refresh_from_db()
    assert single.cin_factors == [] and single.version == 1
    services.single_assessment_update(
        actor=worker, assessment=single, expected_version=1, cin_factors=["21"]
    )


def test_unknown_codes_are_refused(worker, single) -> None:
    with pytest.raises(ValidationError, match="Choose factors from the list"):
        services.single_assessment_update(
            actor=worker, assessment=single, expected_version=1, cin_factors=["13A", "19A"]
        )
    with pytest.raises(ValidationError, match="Choose the primary need"):
        services.single_assessment_update(
            actor=worker, assessment=single, expected_version=1, primary_need="N12"
        )


def test_factors_are_kept_in_census_order_without_repeats(worker, single) -> None:
    services.single_assessment_update(
        actor=worker, assessment=single, expected_version=1, cin_factors=["24A", "10A", "24A"]
    )
    single.refresh_from_db()
    assert single.cin_factors == ["10A", "24A"]


# --- the contextual section ---------------------------------------------------------------------


def test_a_finding_links_a_context_of_the_right_kind(worker, single, place, group) -> None:
    finding = services.finding_add(
        actor=worker,
        assessment=single,
        expected_version=1,
        area="places",
        context=place,
        what_makes_it_unsafe="Older youths buy food for younger children here.",
    )
    assert finding.context == place and single.version == 2
    with pytest.raises(ValidationError) as caught:
        services.finding_add(
            actor=worker,
            assessment=single,
            expected_version=2,
            area="places",
            context=group,
            what_makes_it_unsafe="x",
        )
    assert caught.value.message_dict["context"] == [
        "Older boys at the parade is not a location. Link a location to this area."
    ]


def test_a_finding_says_what_makes_it_unsafe_or_safe(worker, single) -> None:
    with pytest.raises(ValidationError, match="Say what makes this context unsafe, safe"):
        services.finding_add(actor=worker, assessment=single, expected_version=1, area="online")


def test_findings_and_no_contextual_concerns_exclude_each_other(worker, single, place) -> None:
    services.finding_add(
        actor=worker,
        assessment=single,
        expected_version=1,
        area="places",
        context=place,
        what_makes_it_safe="Staff know the children.",
    )
    with pytest.raises(ValidationError, match="Remove them before recording"):
        services.single_assessment_update(
            actor=worker, assessment=single, expected_version=2, no_contextual_concerns="None"
        )
    finding = single.findings.get()
    services.finding_remove(actor=worker, finding=finding, expected_version=2)
    services.single_assessment_update(
        actor=worker, assessment=single, expected_version=3, no_contextual_concerns="None found"
    )
    with pytest.raises(ValidationError, match="Clear that reason"):
        services.finding_add(
            actor=worker,
            assessment=single,
            expected_version=4,
            area="peers",
            what_makes_it_safe="x",
        )


def test_changing_and_removing_findings_is_audited(worker, single, place) -> None:
    finding = services.finding_add(
        actor=worker,
        assessment=single,
        expected_version=1,
        area="places",
        context=place,
        what_makes_it_unsafe="Before",
    )
    finding.assessment = single
    services.finding_update(
        actor=worker,
        finding=finding,
        expected_version=2,
        area="places",
        context=None,
        what_makes_it_unsafe="After",
        what_makes_it_safe="",
    )
    services.finding_remove(actor=worker, finding=finding, expected_version=3)
    changes = [e.changes for e in audits(single).order_by("sequence")]
    assert changes[0]["finding_added"]["what_makes_it_unsafe"] == "Before"
    assert changes[1]["what_makes_it_unsafe"] == {"old": "Before", "new": "After"}
    assert changes[1]["context"] == {"old": place.pk, "new": None}
    assert changes[2]["finding_removed"]["what_makes_it_unsafe"] == "After"
    assert not ContextualFinding.objects.exists()


def test_a_stale_finding_edit_is_a_conflict(worker, single) -> None:
    finding = services.finding_add(
        actor=worker, assessment=single, expected_version=1, area="peers", what_makes_it_safe="x"
    )
    with pytest.raises(EditConflict):
        services.finding_remove(actor=worker, finding=finding, expected_version=1)
    assert single.findings.exists()


# --- submission ---------------------------------------------------------------------------------


def test_submission_lists_everything_missing(worker, single) -> None:
    with pytest.raises(ValidationError) as caught:
        services.single_assessment_submit(actor=worker, assessment=single, expected_version=1)
    missing = caught.value.message_dict
    assert set(missing) == {"contextual", "outcome", "factors", "primary_need"}
    assert "at least one contextual finding" in missing["contextual"][0]
    assert "factors identified" in missing["factors"][0]


def test_missing_factors_alone_block_submission(worker, single) -> None:
    complete_single(single, worker)
    services.single_assessment_update(
        actor=worker, assessment=single, expected_version=single.version, cin_factors=[]
    )
    with pytest.raises(ValidationError) as caught:
        services.single_assessment_submit(
            actor=worker, assessment=single, expected_version=single.version
        )
    assert set(caught.value.message_dict) == {"factors"}


def test_outcome_reasons_are_needed(worker, single) -> None:
    complete_single(single, worker)
    services.single_assessment_update(
        actor=worker, assessment=single, expected_version=single.version, outcome_reasons=""
    )
    with pytest.raises(ValidationError, match="Give the reasons for the outcome"):
        services.single_assessment_submit(
            actor=worker, assessment=single, expected_version=single.version
        )


def test_a_finding_satisfies_the_contextual_section(worker, single, place) -> None:
    complete_single(single, worker)
    services.single_assessment_update(
        actor=worker, assessment=single, expected_version=single.version, no_contextual_concerns=""
    )
    services.finding_add(
        actor=worker,
        assessment=single,
        expected_version=single.version,
        area="places",
        context=place,
        what_makes_it_unsafe="Exploitation by older youths",
    )
    assert services.single_submission_problems(single) == {}


@pytest.fixture
def submitted(worker, single):
    complete_single(single, worker)
    return services.single_assessment_submit(
        actor=worker, assessment=single, expected_version=single.version
    )


def test_submitting_locks_it_and_tells_the_teams_managers(submitted, worker, manager) -> None:
    assert submitted.status == AssessmentStatus.AWAITING_SIGN_OFF
    assert submitted.submitted_by == worker
    note = Notification.objects.get(recipient=manager)
    assert "waiting for your sign-off" in note.message
    assert not Notification.objects.filter(recipient=worker).exists()
    with pytest.raises(ValidationError, match="waiting for a manager's sign-off"):
        services.single_assessment_update(
            actor=worker, assessment=submitted, expected_version=submitted.version, analysis="x"
        )


def test_a_manager_signs_off_and_it_becomes_read_only(submitted, worker, manager) -> None:
    services.assessment_sign_off(
        actor=manager, assessment=submitted, expected_version=submitted.version, comment="Good"
    )
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.COMPLETED
    assert submitted.signed_off_by == manager and submitted.signed_off_at is not None
    assert Notification.objects.filter(recipient=worker, message__contains="signed off").exists()
    for change in (
        lambda: services.single_assessment_update(
            actor=worker, assessment=submitted, expected_version=submitted.version, analysis="x"
        ),
        lambda: services.finding_add(
            actor=worker,
            assessment=submitted,
            expected_version=submitted.version,
            area="peers",
            what_makes_it_safe="x",
        ),
        lambda: services.single_assessment_submit(
            actor=worker, assessment=submitted, expected_version=submitted.version
        ),
        lambda: services.assessment_return(
            actor=manager, assessment=submitted, expected_version=submitted.version, comment="x"
        ),
    ):
        with pytest.raises(ValidationError):
            change()
    submitted.refresh_from_db()
    assert submitted.analysis == "" and submitted.status == AssessmentStatus.COMPLETED


def test_a_manager_returns_it_with_a_comment(submitted, worker, manager) -> None:
    with pytest.raises(ValidationError, match="Say what needs to change"):
        services.assessment_return(
            actor=manager, assessment=submitted, expected_version=submitted.version, comment=" "
        )
    services.assessment_return(
        actor=manager,
        assessment=submitted,
        expected_version=submitted.version,
        comment="Add the child's own words about the parade.",
    )
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.IN_PROGRESS
    assert submitted.manager_comment == "Add the child's own words about the parade."
    assert Notification.objects.filter(recipient=worker, message__contains="returned").exists()
    event = audits(submitted).order_by("-sequence").first()
    assert event is not None and event.changes["status"]["new"] == "in_progress"


def test_nobody_signs_off_or_returns_their_own_work(worker, manager, child) -> None:
    assessment = start_single(manager, child)
    complete_single(assessment, manager)
    services.single_assessment_submit(
        actor=manager, assessment=assessment, expected_version=assessment.version
    )
    for decide in (services.assessment_sign_off, services.assessment_return):
        with pytest.raises(ValidationError, match=r"cannot be .* by you"):
            decide(
                actor=manager,
                assessment=assessment,
                expected_version=assessment.version,
                comment="x",
            )
    # A manager who submitted someone else's assessment may not sign it off either.
    SingleAssessment.objects.filter(pk=assessment.pk).update(lead=worker)
    assessment.refresh_from_db()
    with pytest.raises(ValidationError, match="by you"):
        services.assessment_sign_off(
            actor=manager, assessment=assessment, expected_version=assessment.version
        )


def test_only_an_assessment_awaiting_sign_off_can_be_signed_off(single, manager) -> None:
    with pytest.raises(ValidationError, match="Only an assessment waiting for sign-off"):
        services.assessment_sign_off(actor=manager, assessment=single, expected_version=1)


def test_two_managers_signing_off_at_once_cannot_both_succeed(submitted, manager) -> None:
    second = UserFactory.create(agency=manager.agency, roles=["team_manager"])
    second.teams.add(team_of(manager))
    stale = SingleAssessment.objects.get(pk=submitted.pk)
    services.assessment_sign_off(
        actor=manager, assessment=submitted, expected_version=submitted.version
    )
    with pytest.raises(EditConflict):
        services.assessment_return(
            actor=second, assessment=stale, expected_version=stale.version, comment="More work"
        )
    stale.refresh_from_db()
    assert stale.status == AssessmentStatus.COMPLETED and stale.manager_comment == ""
