"""Whoever made a MARVE referral, or chaired the meeting it came from, does not decide on it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import MarveReferral, MarveStatus
from meetings.tests.conftest import Scene, arrange, ready_to_conclude

pytestmark = pytest.mark.django_db


def referral_by(actor, scene: Scene) -> MarveReferral:
    return services.marve_referral_create(
        actor=actor, subject=scene.child, referral_type="individual", reason="Running for a line"
    )


def referral_from_meeting_chaired_by(chair, scene: Scene) -> MarveReferral:
    meeting = ready_to_conclude(scene, arrange(scene, chair=chair), decisions=("marve_referral",))
    _meeting, referral = services.meeting_conclude(
        actor=scene.worker, meeting=meeting, expected_version=meeting.version
    )
    assert referral is not None and referral.recorded_by == scene.worker
    return referral


@pytest.mark.parametrize("move", [services.marve_referral_accept, services.marve_referral_decline])
def test_the_referrer_may_not_accept_or_decline_their_own_referral(scene, personas, move) -> None:
    lead = personas["cs_lead"]
    referral = referral_by(lead, scene)
    with pytest.raises(ValidationError, match="You made this referral, so another panel chair"):
        move(actor=lead, referral=referral, expected_version=1, reason="Because")
    referral.refresh_from_db()
    assert referral.status == MarveStatus.REFERRED
    move(actor=personas["panel_chair"], referral=referral, expected_version=1, reason="Because")


def test_the_chair_of_the_meeting_may_not_decide_on_its_referral(scene, personas) -> None:
    lead = personas["cs_lead"]
    referral = referral_from_meeting_chaired_by(lead, scene)
    with pytest.raises(ValidationError, match="You chaired the strategy meeting this referral"):
        services.marve_referral_accept(actor=lead, referral=referral, expected_version=1)
    services.marve_referral_accept(
        actor=personas["panel_chair"], referral=referral, expected_version=1
    )
    referral.refresh_from_db()
    with pytest.raises(ValidationError, match="You chaired"):
        services.marve_referral_mark_heard(actor=lead, referral=referral, expected_version=2)


def test_the_rule_answers_per_referral(scene, personas) -> None:
    lead, chair = personas["cs_lead"], personas["panel_chair"]
    referral = referral_by(lead, scene)
    assert lead.has_perm("meetings.decide_marve")  # the route's gate, without a referral
    assert not lead.has_perm("meetings.decide_marve", referral)
    assert chair.has_perm("meetings.decide_marve", referral)
    chaired = referral_from_meeting_chaired_by(chair, scene)
    assert not chair.has_perm("meetings.decide_marve", chaired)
    assert lead.has_perm("meetings.decide_marve", chaired)
    assert not scene.worker.has_perm("meetings.decide_marve", chaired)  # not on the panel


def test_the_page_hides_the_form_from_the_referrer_and_says_why(
    scene, personas, client_for
) -> None:
    lead = personas["cs_lead"]
    referral = referral_by(lead, scene)
    client = client_for(lead)
    page = client.get(f"/meetings/marve/{referral.pk}/").content.decode()
    assert "Accept for a panel" not in page
    assert 'data-testid="own-referral"' in page and "You made this referral" in page
    response = client.post(f"/meetings/marve/{referral.pk}/accept/", {"reason": "", "version": "1"})
    assert response.status_code == 200
    assert "You made this referral, so another panel chair" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == MarveStatus.REFERRED
    page = client_for(personas["panel_chair"]).get(f"/meetings/marve/{referral.pk}/").content
    assert b"Accept for a panel" in page and b"own-referral" not in page
    # Someone who is not on the panel is not told about the panel's independence.
    page = client_for(scene.worker).get(f"/meetings/marve/{referral.pk}/").content
    assert b"own-referral" not in page
