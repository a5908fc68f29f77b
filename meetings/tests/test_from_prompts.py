"""Arranging a meeting or referring to MARVE from a threshold prompt records the decision on the
prompt in the same request; and the meeting page lists the child's open prompts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone

from audit.models import AccessAction, AccessEvent
from meetings import services
from meetings.models import MarveReferral, StrategyMeeting
from meetings.tests.conftest import Scene, arrange, ready_to_conclude
from missing.models import MissingEpisode, PromptStatus, ThresholdPrompt, ThresholdRule
from people.models import Person
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def open_prompt(scene: Scene, person: Person | None = None) -> ThresholdPrompt:
    child = person or scene.child
    now = timezone.now()
    episode = MissingEpisode.objects.create(
        person=child,
        episode_type="M",
        went_missing_at=now - dt.timedelta(days=2),
        reported_at=now - dt.timedelta(days=2),
        returned_at=now - dt.timedelta(days=1),
        reported_by="Carer",
        recording_agency=scene.csc,
        recorded_by=scene.worker,
    )
    rule = ThresholdRule.objects.get(kind="found_with_adult_of_concern")
    return ThresholdPrompt.objects.create(
        episode=episode, rule=rule, person=child, explanation="Found with an adult of concern."
    )


def meeting_form(day: dt.date) -> dict[str, Any]:
    return {
        "held_on_day": str(day.day),
        "held_on_month": str(day.month),
        "held_on_year": str(day.year),
        "held_time": "10:00",
        "reason": "Found with an adult of concern",
    }


def long_date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


# --- arranging a strategy meeting from the prompt ----------------------------------------------


def test_arranging_the_meeting_from_the_prompt_records_the_decision(scene, client_for) -> None:
    prompt = open_prompt(scene)
    client = client_for(scene.worker)
    url = f"/meetings/strategy/new/?person={scene.child.pk}&prompt={prompt.pk}"
    page = client.get(url).content.decode()
    assert "Arranged from the threshold prompt: Found with an adult of concern." in page
    reason = page.split('name="reason"')[1].split("</textarea>")[0]
    assert "Found with an adult of concern." in reason  # a start on why the meeting is held
    day = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(url, meeting_form(day) | {"chair": scene.worker.pk}, follow=True)
    meeting = StrategyMeeting.objects.get()
    assert response.redirect_chain[0][0] == f"/meetings/strategy/{meeting.pk}/"
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.STRATEGY_ARRANGED
    assert prompt.decided_by == scene.worker
    assert prompt.decision_reason == f"Strategy meeting arranged for {long_date(day)}"
    assert "The threshold prompt is recorded as decided." in response.content.decode()
    assert AccessEvent.objects.filter(
        action=AccessAction.CHANGE, object_type="missing.thresholdprompt", object_id=str(prompt.pk)
    ).exists()


def test_a_prompt_about_someone_else_or_already_decided_is_left_alone(scene, client_for) -> None:
    other = open_prompt(scene, make_person(scene.worker, given_name="Other", family_name="Child"))
    decided = open_prompt(scene)
    ThresholdPrompt.objects.filter(pk=decided.pk).update(status=PromptStatus.NOT_NEEDED)
    client = client_for(scene.worker)
    for prompt in (other, decided):
        url = f"/meetings/strategy/new/?person={scene.child.pk}&prompt={prompt.pk}"
        assert "Arranged from the threshold prompt" not in client.get(url).content.decode()
        response = client.post(url, meeting_form(timezone.localdate()) | {"chair": scene.worker.pk})
        assert response.status_code == 302
    assert StrategyMeeting.objects.count() == 2
    assert ThresholdPrompt.objects.get(pk=other.pk).status == PromptStatus.OPEN
    assert ThresholdPrompt.objects.get(pk=decided.pk).status == PromptStatus.NOT_NEEDED
    assert ThresholdPrompt.objects.get(pk=decided.pk).decided_by is None


def test_a_viewer_who_may_not_decide_the_prompt_does_not_settle_it(scene, personas) -> None:
    from meetings.selectors import prompt_to_settle

    prompt = open_prompt(scene)
    officer = personas["police_practitioner"]  # cannot change the child's record
    assert prompt_to_settle(viewer=officer, prompt_id=str(prompt.pk), subject=scene.child) is None
    assert prompt_to_settle(viewer=scene.worker, prompt_id="x", subject=scene.child) is None
    assert (
        prompt_to_settle(viewer=scene.worker, prompt_id=str(prompt.pk), subject=scene.place) is None
    )
    assert prompt_to_settle(viewer=scene.worker, prompt_id=str(prompt.pk), subject=scene.child) == (
        prompt
    )


def test_the_meeting_and_the_decision_are_saved_together_or_not_at_all(
    scene, client_for, monkeypatch
) -> None:
    prompt = open_prompt(scene)

    def decided_meanwhile(**kwargs: Any) -> None:
        raise ValidationError("This prompt was already decided by Someone Else.")

    monkeypatch.setattr("meetings.views.prompt_decide", decided_meanwhile)
    url = f"/meetings/strategy/new/?person={scene.child.pk}&prompt={prompt.pk}"
    typed = meeting_form(timezone.localdate()) | {"chair": scene.worker.pk}
    page = client_for(scene.worker).post(url, typed).content.decode()
    assert "already decided by Someone Else" in page
    assert "Found with an adult of concern" in page  # the typing is kept
    assert not StrategyMeeting.objects.exists()


# --- referring to MARVE from the prompt ---------------------------------------------------------


def test_referring_to_marve_from_the_prompt_records_the_decision(scene, client_for) -> None:
    prompt = open_prompt(scene)
    client = client_for(scene.worker)
    url = f"/meetings/marve/new/?person={scene.child.pk}&prompt={prompt.pk}"
    page = client.get(url).content.decode()
    assert "From the threshold prompt: Found with an adult of concern." in page
    response = client.post(url, {"referral_type": "individual", "reason": "Exploited by a line"})
    referral = MarveReferral.objects.get()
    assert response["Location"] == f"/meetings/marve/{referral.pk}/"
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.MARVE_REFERRED
    assert prompt.decision_reason == (
        f"Referred to MARVE on {long_date(timezone.localtime(referral.referred_at).date())}"
    )


def test_a_refused_referral_leaves_the_prompt_open(scene, client_for) -> None:
    prompt = open_prompt(scene)
    url = f"/meetings/marve/new/?person={scene.child.pk}&prompt={prompt.pk}"
    page = client_for(scene.worker).post(url, {"referral_type": "individual", "reason": ""})
    assert "Say why you are referring" in page.content.decode()
    assert ThresholdPrompt.objects.get(pk=prompt.pk).status == PromptStatus.OPEN


# --- the meeting page lists the child's open prompts ---------------------------------------------


def test_open_prompts_are_linked_beside_the_checklist_and_in_what_happens_next(
    scene, client_for, personas
) -> None:
    prompt = open_prompt(scene)
    meeting = ready_to_conclude(scene, arrange(scene))
    client = client_for(scene.worker)
    link = f'href="/missing/prompts/{prompt.pk}/"'
    page = client.get(f"/meetings/strategy/{meeting.pk}/").content.decode()
    assert link in page.split('data-testid="missing-summary"')[1].split("</div>")[0]
    services.meeting_conclude(actor=scene.worker, meeting=meeting, expected_version=meeting.version)
    page = client.get(f"/meetings/strategy/{meeting.pk}/").content.decode()
    steps = page.split('data-testid="next-steps"')[1].split("</ul>")[0]
    assert "A threshold prompt is waiting for a decision" in steps and link in steps
    record = client.get(f"/meetings/strategy/{meeting.pk}/record/").content.decode()
    assert link not in record  # the printed record carries no links into the service
    # A viewer from an agency that cannot open the child is not offered a link that would 404.
    officer = personas["police_practitioner"]
    meeting.recording_agency = officer.agency
    meeting.save()
    page = client_for(officer).get(f"/meetings/strategy/{meeting.pk}/").content.decode()
    assert "A threshold prompt is waiting for a decision" in page and link not in page
    ThresholdPrompt.objects.update(status=PromptStatus.NOT_NEEDED)
    page = client.get(f"/meetings/strategy/{meeting.pk}/").content.decode()
    assert "A threshold prompt is waiting for a decision" not in page
