"""The demo holds records at every stage of the pathway from first contact to a decision."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from assessments.models import AssessmentStatus, ContextAssessment, SingleAssessment
from casework.models import Consultation, KeyLeadAllocation, NrmReferral
from frontdoor.models import Contact, ContactStatus
from meetings.models import MarveReferral, MeetingStatus, StrategyMeeting
from missing.models import MissingEpisode, ReturnHomeInterview, ThresholdPrompt

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway(settings, tmp_path) -> str:
    settings.DEMO_MODE = True
    settings.OTP_REQUIRED = False
    settings.VAR_DIR = tmp_path
    call_command("demo_setup", stdout=_Null())
    call_command("generate_borough", "--scale", "tiny", stdout=_Null())
    out = _Capture()
    call_command("demo_pathway", stdout=out)
    return out.text


class _Null:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


class _Capture(_Null):
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def test_every_stage_of_the_pathway_has_a_record(pathway: str) -> None:
    assert "Kayden Pryce" in pathway
    statuses = set(Contact.objects.values_list("status", flat=True))
    assert {
        ContactStatus.AWAITING_SCREENING,
        ContactStatus.AWAITING_APPROVAL,
        ContactStatus.DECIDED,
    } <= statuses
    assert Contact.objects.filter(context__isnull=False).exists()
    single = set(SingleAssessment.objects.values_list("status", flat=True))
    assert single == {s.value for s in AssessmentStatus}
    context = set(ContextAssessment.objects.values_list("status", flat=True))
    assert {AssessmentStatus.IN_PROGRESS, AssessmentStatus.COMPLETED} <= context
    assert MissingEpisode.objects.filter(returned_at__isnull=True).exists()
    assert ReturnHomeInterview.objects.filter(completed_at__isnull=True).exists()
    assert ThresholdPrompt.objects.exists()
    assert StrategyMeeting.objects.filter(status=MeetingStatus.CONCLUDED).exists()
    assert MarveReferral.objects.exists()
    assert NrmReferral.objects.exists()
    assert Consultation.objects.filter(status="answered").exists()
    assert Consultation.objects.filter(status="asked").exists()
    assert KeyLeadAllocation.objects.filter(context__isnull=False).exists()


def test_the_pathway_loads_once(pathway: str) -> None:
    contacts = Contact.objects.count()
    out = _Capture()
    call_command("demo_pathway", stdout=out)
    assert "already there" in out.text
    assert Contact.objects.count() == contacts


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_plans_in_every_state(pathway: str) -> None:
    from django.utils import timezone

    from plans.models import Action, ActionKind, ActionStatus, Plan, PlanKind, PlanStatus, Review

    today = timezone.localdate()
    assert {PlanKind.CONTEXT_SAFETY, PlanKind.CSE_PLAN, PlanKind.CHILD_PROTECTION} <= set(
        Plan.objects.values_list("kind", flat=True)
    )
    assert {PlanStatus.ACTIVE, PlanStatus.ENDED} <= set(
        Plan.objects.values_list("status", flat=True)
    )
    assert Action.objects.filter(status=ActionStatus.COMPLETED).exclude(evidence="").exists()
    assert Action.objects.filter(status=ActionStatus.NOT_STARTED, due_on__lt=today).exists()
    assert Action.objects.filter(kind=ActionKind.INTERVENTION, sessions__isnull=False).exists()
    notices = Action.objects.filter(kind=ActionKind.DISRUPTION, expires_on__isnull=False)
    assert "lapsing" in {n.lapse_state(today) for n in notices}
    assert Review.objects.count() >= 2


def test_the_demo_has_panels_and_meetings_in_every_state(pathway: str) -> None:
    from panels.models import (
        Meeting,
        PanelAction,
        PanelActionStatus,
        PanelKind,
    )
    from panels.models import (
        MeetingStatus as PanelMeetingStatus,
    )

    kinds = set(Meeting.objects.filter(panel__isnull=False).values_list("panel__kind", flat=True))
    assert {PanelKind.MARVE, PanelKind.MACE} <= kinds
    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert {
        PanelMeetingStatus.SCHEDULED,
        PanelMeetingStatus.HELD,
        PanelMeetingStatus.CLOSED,
    } <= statuses
    next_marve = Meeting.objects.get(
        panel__kind=PanelKind.MARVE, status=PanelMeetingStatus.SCHEDULED
    )
    items = next_marve.items.all()
    assert sum(1 for i in items if i.person_id) == 2
    assert sum(1 for i in items if i.context_id) == 1
    assert items.filter(marve_referral__isnull=False).exists()
    actions = set(PanelAction.objects.values_list("status", flat=True))
    assert {PanelActionStatus.OPEN, PanelActionStatus.DONE} <= actions
    assert PanelAction.objects.filter(item__isnull=True).exists()  # MACE strategic actions


def test_the_demo_has_conferences_of_every_form(pathway: str) -> None:
    from panels.models import ConferenceForm, ConferenceStage, Meeting, MeetingKind

    conferences = Meeting.objects.filter(kind=MeetingKind.CONFERENCE)
    assert set(conferences.values_list("form", flat=True)) == set(ConferenceForm.values)
    assert set(conferences.values_list("stage", flat=True)) == set(ConferenceStage.values)
    agreed = conferences.filter(items__plan__isnull=False, form=ConferenceForm.CHILD_EFH).get()
    plan = agreed.items.get().plan
    assert plan is not None and plan.kind == "cse_plan"
