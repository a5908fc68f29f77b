"""The meeting and MARVE pages through the test client: forms keep what was typed, conflicts are
clear, concluded meetings are read-only, and pages cost a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contextsafe.lib.editing import CONFLICT_MESSAGE
from meetings import selectors, services
from meetings.models import MarveReferral, MeetingAction, MeetingStatus, StrategyMeeting
from meetings.tests.conftest import arrange, fresh, make_contact, ready_to_conclude
from missing.models import MissingEpisode, ThresholdPrompt, ThresholdRule

pytestmark = pytest.mark.django_db


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def detail(meeting: StrategyMeeting) -> str:
    return f"/meetings/strategy/{meeting.pk}/"


# --- arranging ---------------------------------------------------------------------------------


def test_arranging_a_meeting_for_a_child(scene, client_for) -> None:
    client = client_for(scene.worker)
    page = client.get(f"/meetings/strategy/new/?person={scene.child.pk}")
    assert page.status_code == 200
    assert f'value="{scene.worker.pk}" selected' in page.content.decode()
    day = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        f"/meetings/strategy/new/?person={scene.child.pk}",
        {
            **date_fields("held_on", day),
            "held_time": "14:30",
            "chair": scene.worker.pk,
            "reason": "Third missing episode",
        },
    )
    meeting = StrategyMeeting.objects.get()
    assert response["Location"] == detail(meeting)
    assert meeting.person == scene.child
    assert timezone.localtime(meeting.held_at).hour == 14


def test_a_meeting_can_follow_a_contact_about_the_same_subject(scene, client_for) -> None:
    contact = make_contact(scene, scene.place)
    client = client_for(scene.worker)
    url = f"/meetings/strategy/new/?context={scene.place.pk}&contact={contact.pk}"
    assert "Following the contact received on" in client.get(url).content.decode()
    wrong = f"/meetings/strategy/new/?person={scene.child.pk}&contact={contact.pk}"
    assert client.get(wrong).status_code == 404
    client.post(
        url,
        {
            **date_fields("held_on", timezone.localdate()),
            "held_time": "09:00",
            "chair": scene.worker.pk,
            "reason": "Several children groomed at the takeaway",
        },
    )
    assert StrategyMeeting.objects.get().contact == contact


def test_the_panels_render_with_their_links(scene, personas) -> None:
    from django.template.loader import render_to_string

    meeting = arrange(scene)
    services.action_add(
        actor=scene.worker,
        meeting=meeting,
        expected_version=1,
        description="Visit the family",
        owner_agency=scene.csc,
        due_on=timezone.localdate(),
    )
    panel = selectors.person_panel(viewer=scene.worker, person=scene.child)
    html = render_to_string(
        "meetings/partials/_person_panel.html", {"panel": panel, "person": scene.child}
    )
    assert f"/meetings/strategy/new/?person={scene.child.pk}" in html
    assert f"/meetings/marve/new/?person={scene.child.pk}" in html
    assert "Visit the family" in html and f"/meetings/strategy/{meeting.pk}/" in html
    chair_panel = selectors.context_panel(viewer=personas["panel_chair"], context=scene.place)
    html = render_to_string(
        "meetings/partials/_context_panel.html", {"panel": chair_panel, "context": scene.place}
    )
    assert "/meetings/strategy/new/" not in html, "panel chairs do not hold strategy meetings"
    assert "All MARVE referrals" in html


def test_bad_meeting_details_keep_what_was_typed(scene, client_for) -> None:
    client = client_for(scene.worker)
    response = client.post(
        f"/meetings/strategy/new/?context={scene.place.pk}",
        {
            "held_on_day": "31",
            "held_on_month": "2",
            "held_on_year": "2026",
            "held_time": "25:00",
            "chair": scene.worker.pk,
            "reason": "Children seen being groomed at the takeaway",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Date of the meeting must be a real date" in body
    assert "Enter a time like 14:30" in body
    assert "Children seen being groomed at the takeaway" in body
    assert 'value="25:00"' in body and 'value="31"' in body
    response = client.post(
        f"/meetings/strategy/new/?context={scene.place.pk}", {"held_time": "10:00"}
    )
    body = response.content.decode()
    assert "Enter the date of the meeting" in body and "Say why the meeting is being held" in body
    assert not StrategyMeeting.objects.exists()


def test_editing_the_details_with_a_stale_version_is_a_conflict(scene, client_for) -> None:
    meeting = arrange(scene)
    services.attendee_add(
        actor=scene.worker, meeting=meeting, expected_version=1, agency=scene.csc, name="Sam"
    )
    day = timezone.localdate()
    response = client_for(scene.worker).post(
        f"/meetings/strategy/{meeting.pk}/details/",
        {
            **date_fields("held_on", day),
            "held_time": "09:15",
            "chair": scene.worker.pk,
            "reason": "My new reason",
            "version": "1",
        },
    )
    body = response.content.decode()
    assert CONFLICT_MESSAGE.split(".")[0] in body
    assert "My new reason" in body and 'name="version" value="2"' in body
    assert fresh(meeting).reason != "My new reason"


# --- sections: bad input keeps what was typed --------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data", "error", "kept"),
    [
        (
            "attendees",
            {"attendee-name": "DC Rita Patel", "attendee-attended": "yes"},
            "Choose the attendee&#x27;s agency",
            "DC Rita Patel",
        ),
        (
            "information",
            {"information-summary": "", "information-agency": "POLICE"},
            "Enter what the agency shared",
            "selected>Test Police",
        ),
        (
            "decisions",
            {"decision-reasons": "He is at risk at the shop"},
            "Choose a decision",
            "He is at risk at the shop",
        ),
        (
            "actions",
            {
                "action-description": "Visit the shop owner",
                "action-due_on_day": "40",
                "action-due_on_month": "1",
                "action-due_on_year": "2027",
            },
            "Due date must be a real date",
            "Visit the shop owner",
        ),
        (
            "checklist",
            {"checklist-exploitation": "perhaps", "checklist-exploitation_note": "Two phones"},
            "Select a valid choice",
            "Two phones",
        ),
    ],
)
def test_each_section_keeps_what_was_typed_on_an_error(
    scene, client_for, url: str, data: dict[str, str], error: str, kept: str
) -> None:
    meeting = arrange(scene)
    data = {k: (str(scene.police.pk) if v == "POLICE" else v) for k, v in data.items()}
    prefix = next(iter(data)).split("-")[0]
    data[f"{prefix}-version"] = "1"
    response = client_for(scene.worker).post(f"/meetings/strategy/{meeting.pk}/{url}/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and error in body
    assert kept in body
    assert fresh(meeting).version == 1


def test_a_service_rule_lands_on_the_section_form(scene, client_for) -> None:
    meeting = arrange(scene)
    response = client_for(scene.worker).post(
        f"/meetings/strategy/{meeting.pk}/actions/",
        {
            "action-description": "Visit the shop owner",
            "action-owner_agency": scene.police.pk,
            **date_fields("action-due_on", timezone.localdate() - dt.timedelta(days=5)),
            "action-version": "1",
        },
    )
    body = response.content.decode()
    assert "The due date must be on or after the meeting date" in body
    assert "Visit the shop owner" in body


def test_adding_a_section_with_a_stale_version_keeps_the_typing_and_offers_the_latest(
    scene, client_for
) -> None:
    meeting = arrange(scene)
    services.attendee_add(
        actor=scene.worker, meeting=meeting, expected_version=1, agency=scene.csc, name="Sam"
    )
    response = client_for(scene.worker).post(
        f"/meetings/strategy/{meeting.pk}/attendees/",
        {
            "attendee-agency": scene.police.pk,
            "attendee-name": "DC Patel",
            "attendee-attended": "yes",
            "attendee-version": "1",
        },
    )
    body = response.content.decode()
    assert "Someone else saved changes to this record" in body
    assert 'value="DC Patel"' in body
    assert re.search(r'name="attendee-version" value="2"', body)
    assert meeting.attendees.count() == 1


def test_recording_a_meeting_section_by_section_and_concluding_it(
    scene, client_for, monkeypatch
) -> None:
    meeting = arrange(scene)
    client = client_for(scene.worker)
    base = f"/meetings/strategy/{meeting.pk}"

    def post(path: str, data: dict[str, object]) -> None:
        version = fresh(meeting).version
        prefix = next(iter(data)).split("-")[0]
        response = client.post(f"{base}/{path}/", {**data, f"{prefix}-version": version})
        assert response.status_code == 302, response.content.decode()[:3000]

    post(
        "attendees",
        {"attendee-agency": scene.csc.pk, "attendee-name": "Sam", "attendee-attended": "yes"},
    )
    post(
        "attendees",
        {
            "attendee-agency": scene.police.pk,
            "attendee-name": "DC Patel",
            "attendee-attended": "yes",
        },
    )
    post(
        "attendees",
        {"attendee-agency": scene.school.pk, "attendee-name": "Ms Ward", "attendee-attended": "no"},
    )
    post(
        "information",
        {"information-agency": scene.police.pk, "information-summary": "Stopped with cash"},
    )
    answers = {
        f"checklist-{code}": "yes"
        for code in (
            "s47_threshold",
            "harm_outside_family",
            "harm_inside_family",
            "missing_episodes",
            "exploitation",
            "trafficking",
            "linked_children",
            "adults_of_concern",
            "marve_criteria",
        )
    }
    post("checklist", {**answers, "checklist-trafficking_note": "Taken to Southend twice"})
    post(
        "decisions", {"decision-kind": "marve_referral", "decision-reasons": "Exploited by a line"}
    )
    post("decisions", {"decision-kind": "section_47", "decision-reasons": "Significant harm"})
    post(
        "actions",
        {
            "action-description": "NRM referral",
            "action-owner_agency": scene.csc.pk,
            "action-owner_name": "Sam",
            **date_fields("action-due_on", timezone.localdate()),
        },
    )
    page = client.get(base + "/").content.decode()
    assert "Before the meeting can be concluded" not in page
    assert "Both inside and outside the family" in page
    assert "Summary due by" in page
    post(
        "conclude",
        {
            "conclude-summary": "Referred to MARVE; s47 today.",
            "conclude-what_has_been_tried": "Youth worker",
        },
    )
    meeting = fresh(meeting)
    assert meeting.status == MeetingStatus.CONCLUDED
    referral = MarveReferral.objects.get()
    assert referral.what_has_been_tried == "Youth worker"
    monkeypatch.setattr(selectors, "link_to", lambda name, *a, query="": f"/{name}?{query}")
    page = client.get(base + "/").content.decode()
    assert f'href="/meetings/marve/{referral.pk}/"' in page
    assert f"/assessments:single_create?person={scene.child.pk}" in page
    assert (
        "<form" not in page.split("What happens next")[1].split("Attendees")[1].split("Actions")[0]
    )
    assert "Add an attendee" not in page and "Conclude meeting" not in page
    assert "Mark completed" in page
    response = client.post(
        f"{base}/attendees/",
        {
            "attendee-agency": scene.csc.pk,
            "attendee-name": "Late",
            "attendee-attended": "yes",
            "attendee-version": meeting.version,
        },
    )
    assert "has been concluded" in response.content.decode()
    action = MeetingAction.objects.get()
    assert client.post(f"{base}/actions/{action.pk}/complete/").status_code == 302
    assert MeetingAction.objects.get().completed_on == timezone.localdate()


def test_conclusion_problems_show_with_the_summary_kept(scene, client_for) -> None:
    meeting = arrange(scene)
    response = client_for(scene.worker).post(
        f"/meetings/strategy/{meeting.pk}/conclude/",
        {"conclude-summary": "Our summary so far", "conclude-version": "1"},
    )
    body = response.content.decode()
    assert "Record at least 2 agencies that attended" in body
    assert "Answer every question in the threshold checklist" in body
    assert "Record at least one decision" in body
    assert "Our summary so far" in body
    assert fresh(meeting).status == MeetingStatus.PLANNED


def test_the_context_assessment_step_for_a_context_meeting(scene, client_for, monkeypatch) -> None:
    meeting = ready_to_conclude(
        scene,
        arrange(scene, subject=scene.place),
        decisions=("context_assessment", "cse_conference"),
    )
    services.meeting_conclude(actor=scene.worker, meeting=meeting, expected_version=meeting.version)
    monkeypatch.setattr(selectors, "link_to", lambda name, *a, query="": f"/{name}?{query}")
    page = client_for(scene.worker).get(detail(meeting)).content.decode()
    assert f"/assessments:context_create?context={scene.place.pk}" in page
    # The worker may not book conferences: the step says who does, and when it is due.
    assert "A panel chair or the Contextual Safeguarding lead books it" in page
    assert "within 15 working days" in page
    assert "panels:conference_create" not in page


def test_the_summary_sent_is_recorded_and_the_due_date_goes(scene, client_for) -> None:
    meeting = ready_to_conclude(scene, arrange(scene))
    meeting, _ = services.meeting_conclude(
        actor=scene.worker, meeting=meeting, expected_version=meeting.version
    )
    client = client_for(scene.worker)
    future = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        f"/meetings/strategy/{meeting.pk}/summary-sent/",
        {**date_fields("sent-sent_on", future), "sent-version": meeting.version},
    )
    assert "cannot be in the future" in response.content.decode()
    assert f'value="{future.day}"' in response.content.decode()
    client.post(
        f"/meetings/strategy/{meeting.pk}/summary-sent/",
        {**date_fields("sent-sent_on", timezone.localdate()), "sent-version": meeting.version},
    )
    page = client.get(detail(meeting)).content.decode()
    assert "Summary due by" not in page and "Sent on" in page


def test_the_printable_record(scene, client_for) -> None:
    meeting = ready_to_conclude(scene, arrange(scene))
    page = client_for(scene.worker).get(f"/meetings/strategy/{meeting.pk}/record/").content.decode()
    assert "Strategy meeting record" in page and "data-print" in page
    assert "DC Patel" in page and "Note on exploitation" in page
    assert "Summary due by" in page
    assert '<form method="post"' not in page.split("<main")[1]


def test_the_missing_episodes_show_beside_the_checklist(scene, client_for) -> None:
    now = timezone.now()
    for days in (10, 40, 200):
        MissingEpisode.objects.create(
            person=scene.child,
            episode_type="M",
            went_missing_at=now - dt.timedelta(days=days),
            reported_at=now - dt.timedelta(days=days),
            reported_by="Carer",
            recording_agency=scene.csc,
            recorded_by=scene.worker,
        )
    episode = MissingEpisode.objects.order_by("-went_missing_at")[0]
    rule = ThresholdRule.objects.filter(
        kind="repeat_episodes"
    ).first() or ThresholdRule.objects.create(
        kind="repeat_episodes", episode_count=3, window_days=90
    )
    ThresholdPrompt.objects.create(
        episode=episode, rule=rule, person=scene.child, explanation="Three episodes in 90 days"
    )
    meeting = arrange(scene)
    page = client_for(scene.worker).get(detail(meeting)).content.decode()
    missing = page.split('data-testid="missing-summary"')[1].split("</div>")[0]
    assert "last 90 days: <strong>2</strong>" in missing
    assert "Three episodes in 90 days" in missing


# --- MARVE -------------------------------------------------------------------------------------


def test_a_marve_referral_from_a_meeting_prefills_its_reasons(scene, client_for) -> None:
    meeting = arrange(scene)
    services.decision_add(
        actor=scene.worker,
        meeting=meeting,
        expected_version=1,
        kind="marve_referral",
        reasons="A line is using him",
    )
    client = client_for(scene.worker)
    url = f"/meetings/marve/new/?person={scene.child.pk}&meeting={meeting.pk}"
    page = client.get(url).content.decode()
    assert "A line is using him" in page
    assert 'value="individual"' in page and 'value="group"' not in page
    response = client.post(
        url, {"referral_type": "individual", "reason": "", "what_has_been_tried": "Mentor"}
    )
    body = response.content.decode()
    assert "Say why you are referring to the MARVE panel" in body and "Mentor" in body
    response = client.post(
        url, {"referral_type": "individual", "reason": "A line", "what_has_been_tried": ""}
    )
    referral = MarveReferral.objects.get()
    assert response["Location"] == f"/meetings/marve/{referral.pk}/"
    assert referral.strategy_meeting == meeting
    other_place = client.get(f"/meetings/marve/new/?context={scene.place.pk}&meeting={meeting.pk}")
    assert other_place.status_code == 404


def test_a_context_referral_defaults_by_kind_and_warns_of_open_referrals(scene, client_for) -> None:
    client = client_for(scene.worker)
    page = client.get(f"/meetings/marve/new/?context={scene.group.pk}").content.decode()
    assert 'value="group" checked' in page and 'value="individual"' not in page
    services.marve_referral_create(
        actor=scene.worker, subject=scene.group, referral_type="group", reason="x"
    )
    page = client.get(f"/meetings/marve/new/?context={scene.group.pk}").content.decode()
    assert 'data-testid="open-referrals"' in page


def test_the_panel_decides_through_the_page(scene, client_for, personas) -> None:
    referral = services.marve_referral_create(
        actor=scene.worker, subject=scene.child, referral_type="individual", reason="x"
    )
    chair = client_for(personas["panel_chair"])
    page = chair.get(f"/meetings/marve/{referral.pk}/").content.decode()
    assert "Accept for a panel" in page
    response = chair.post(f"/meetings/marve/{referral.pk}/decline/", {"reason": "", "version": "1"})
    assert "Say why the panel is declining the referral" in response.content.decode()
    response = chair.post(
        f"/meetings/marve/{referral.pk}/accept/", {"reason": "Next panel", "version": "1"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    response = chair.post(
        f"/meetings/marve/{referral.pk}/heard/", {"reason": "Old", "version": "1"}
    )
    assert "Someone else saved changes" in response.content.decode()
    worker_page = client_for(scene.worker).get(f"/meetings/marve/{referral.pk}/").content.decode()
    assert "Accept for a panel" not in worker_page and "Mark as heard" not in worker_page


def test_the_marve_list_filters_and_pages(scene, client_for, personas) -> None:
    for n in range(30):
        services.marve_referral_create(
            actor=scene.worker,
            subject=scene.child if n % 2 else scene.place,
            referral_type="individual" if n % 2 else "location",
            reason=f"r{n}",
        )
    client = client_for(personas["cs_lead"])
    page = client.get("/meetings/marve/").content.decode()
    assert "30 referrals" in page and "Page 1 of 2" in page
    page = client.get("/meetings/marve/?referral_type=location").content.decode()
    assert "15 referrals" in page
    assert scene.child.given_name not in page.split("<tbody")[1]
    page = client.get("/meetings/marve/?status=accepted").content.decode()
    assert "0 referrals" in page and "No referrals match." in page


# --- query counts ------------------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_meeting_page_costs_the_same_however_full(scene, client_for) -> None:
    client = client_for(scene.worker)
    small = ready_to_conclude(scene, arrange(scene), decisions=("section_47",))
    big = ready_to_conclude(
        scene, arrange(scene), decisions=("section_47", "marve_referral", "cse_conference")
    )
    for n in range(8):
        services.attendee_add(
            actor=scene.worker,
            meeting=big,
            expected_version=big.version,
            agency=scene.school,
            name=f"Teacher {n}",
        )
        services.information_add(
            actor=scene.worker,
            meeting=big,
            expected_version=big.version,
            agency=scene.school,
            summary=f"Info {n}",
        )
        services.action_add(
            actor=scene.worker,
            meeting=big,
            expected_version=big.version,
            description=f"Action {n}",
            owner_agency=scene.school,
            due_on=timezone.localdate(),
        )
    _count(client, detail(small))  # warm caches that are not per request
    assert _count(client, detail(small)) == _count(client, detail(big))
    assert _count(client, f"{detail(small)}record/") == _count(client, f"{detail(big)}record/")


def test_the_marve_list_costs_the_same_however_long(scene, client_for, personas) -> None:
    client = client_for(personas["panel_chair"])

    def refer(n: int) -> None:
        for i in range(n):
            services.marve_referral_create(
                actor=scene.worker, subject=scene.child, referral_type="individual", reason=f"r{i}"
            )

    refer(2)
    _count(client, "/meetings/marve/")
    few = _count(client, "/meetings/marve/")
    refer(40)
    assert _count(client, "/meetings/marve/") == few


def test_the_panels_cost_the_same_however_many_meetings(scene, personas) -> None:
    viewer = scene.worker

    def cost(call) -> int:
        with CaptureQueriesContext(connection) as ctx:
            call()
        return len(ctx.captured_queries)

    arrange(scene)
    few = cost(lambda: selectors.person_panel(viewer=viewer, person=scene.child))
    for _ in range(7):
        m = arrange(scene)
        services.action_add(
            actor=viewer,
            meeting=m,
            expected_version=1,
            description="x",
            owner_agency=scene.csc,
            due_on=timezone.localdate(),
        )
        services.marve_referral_create(
            actor=viewer, subject=scene.child, referral_type="individual", reason="x"
        )
    panel = selectors.person_panel(viewer=viewer, person=scene.child)
    assert len(panel.meetings) == 5 and len(panel.open_actions) == 7 and len(panel.referrals) == 5
    assert panel.can_hold and panel.can_refer
    assert cost(lambda: selectors.person_panel(viewer=viewer, person=scene.child)) == few
    ctx_few = cost(lambda: selectors.context_panel(viewer=viewer, context=scene.place))
    arrange(scene, subject=scene.place)
    assert cost(lambda: selectors.context_panel(viewer=viewer, context=scene.place)) == ctx_few


# --- confirmations where the person is looking ------------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_section_save_lands_on_the_section_and_confirms_it_there(scene, client_for) -> None:
    meeting = arrange(scene)
    client = client_for(scene.worker)
    data = {
        "attendee-agency": scene.csc.pk,
        "attendee-name": "Sam",
        "attendee-attended": "yes",
        "attendee-version": meeting.version,
    }
    response = client.post(f"{detail(meeting)}attendees/", data)
    assert response["Location"] == f"{detail(meeting)}#attendee"
    response = client.get(detail(meeting))
    page = response.content.decode()
    assert _messages(response) == []  # no banner at the top, scrolled out of sight
    section = page.split('id="attendee"')[1].split("</section>")[0]
    assert 'data-testid="section-note"' in section and "Attendee added." in section
    assert "moj-alert--success" in section
    assert page.count('data-testid="section-note"') == 1
    assert 'data-testid="section-note"' not in client.get(detail(meeting)).content.decode()


def test_a_refused_removal_is_explained_beside_its_section(scene, client_for) -> None:
    meeting = arrange(scene)
    services.attendee_add(
        actor=scene.worker,
        meeting=meeting,
        expected_version=meeting.version,
        agency=scene.csc,
        name="Sam",
    )
    attendee = meeting.attendees.get()
    client = client_for(scene.worker)
    url = f"{detail(meeting)}attendee/{attendee.pk}/remove/"
    response = client.post(url, {"version": "1"})
    assert response["Location"] == f"{detail(meeting)}#attendee"
    section = client.get(detail(meeting)).content.decode().split('id="attendee"')[1]
    assert "moj-alert--error" in section.split("</section>")[0]
    client.post(url, {"version": str(fresh(meeting).version)})
    section = client.get(detail(meeting)).content.decode().split('id="attendee"')[1]
    assert "Removed." in section.split("</section>")[0]


def test_concluding_shows_one_confirmation_and_the_concluded_status(scene, client_for) -> None:
    meeting = ready_to_conclude(scene, arrange(scene), decisions=("marve_referral",))
    client = client_for(scene.worker)
    response = client.post(
        f"{detail(meeting)}conclude/",
        {"conclude-summary": "Referred", "conclude-version": meeting.version},
        follow=True,
    )
    assert response.redirect_chain == [(detail(meeting), 302)]
    assert _messages(response) == [
        "Meeting concluded. A referral to the MARVE panel has been made."
    ]
    page = response.content.decode()
    assert page.count("govuk-notification-banner__title") == 1
    assert "Important" not in page
    assert 'data-testid="meeting-status"' in page and "Concluded" in page
    assert "What happens next" in page
