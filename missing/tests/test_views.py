"""The pages, through the test client: forms keep what was typed, searches lose nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AccessAction, AccessEvent
from events.models import Event
from missing.models import MissingEpisode, PromptStatus, ThresholdPrompt, ThresholdRule
from missing.services import episode_update, interview_record
from missing.tests.conftest import ago, record_episode
from people.models import RecordShare
from people.services import association_create
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db


def moment(name: str, when: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(when)
    return {
        f"{name}_day": str(local.day),
        f"{name}_month": str(local.month),
        f"{name}_year": str(local.year),
        f"{name}_time": f"{local:%H:%M}",
    }


def episode_form(**extra: Any) -> dict[str, Any]:
    went = ago(hours=30)
    data: dict[str, Any] = {
        "episode_type": "M",
        **moment("went_missing_at", went),
        **moment("reported_at", went + dt.timedelta(hours=1)),
        "reported_by": "Oakwood children's home",
        "police_reference": "TV-2611-0042",
        "police_risk_level": "high",
        "narrative": "Left after tea.",
        "action": "save",
    }
    data.update(extra)
    return data


@pytest.fixture
def client(client_for, worker):
    return client_for(worker)


def test_a_practitioner_records_an_episode_and_later_the_return(client, worker, child) -> None:
    response = client.get(f"/missing/episodes/new/?person={child.pk}")
    assert response.status_code == 200
    response = client.post(f"/missing/episodes/new/?person={child.pk}", episode_form())
    episode = MissingEpisode.objects.get()
    assert response["Location"] == f"/missing/episodes/{episode.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Missing now" in page and "Record their return" in page

    place = make_location(worker, name="Cobbett Street Takeaway", status="under_assessment")
    friend = make_person(worker, given_name="Kai", family_name="Reed")
    association_create(
        actor=worker, person=child, other=friend, kind="peer", source="school",
        reliability="reported",
    )  # fmt: skip
    edit = f"/missing/episodes/{episode.pk}/edit/"
    form = client.get(edit).content.decode()
    assert "Kai Reed" in form  # the child's associations are offered to pick
    back = ago(hours=3)
    data = episode_form(
        **moment("returned_at", back),
        found_location=str(place.pk),
        found_with=[str(friend.pk)],
        found_with_description="Two older boys in a car",
        version="1",
    )
    response = client.post(edit, data)
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.found_location == place
    assert list(episode.found_with.all()) == [friend]
    assert Event.objects.get().location == place
    page = client.get(f"/missing/episodes/{episode.pk}/").content.decode()
    assert "Returned" in page and "Cobbett Street Takeaway" in page
    assert "This is" not in page  # one episode: no repeat prompt
    assert "Found at Cobbett Street Takeaway, a location with open concerns" in page
    assert "Interview due by" in page


def test_searching_for_a_place_and_picking_it_keeps_everything_typed(client, worker, child) -> None:
    place = make_location(worker, name="Cobbett Street Takeaway")
    url = f"/missing/episodes/new/?person={child.pk}"
    typed = episode_form(reported_by="Typed carer", action="find_place", place="Cobbett")
    typed.pop("episode_type")
    page = client.post(url, typed).content.decode()
    assert "There is a problem" not in page
    assert 'value="Typed carer"' in page and 'value="TV-2611-0042"' in page
    assert f'name="pick_place" value="{place.pk}"' in page
    typed.pop("action")
    page = client.post(url, typed | {"pick_place": str(place.pk)}).content.decode()
    assert 'data-testid="chosen-location"' in page
    assert f'name="found_location" value="{place.pk}"' in page
    assert 'value="Typed carer"' in page
    assert not MissingEpisode.objects.exists()


def test_searching_for_people_offers_only_records_the_viewer_may_open(
    client, worker, child, personas
) -> None:
    make_person(worker, given_name="Dean", family_name="Marsh", kind="adult_of_concern")
    make_person(personas["police_practitioner"], given_name="Dean", family_name="Quillfeather")
    url = f"/missing/episodes/new/?person={child.pk}"
    page = client.post(
        url, episode_form(action="find_people", people_query="Dean")
    ).content.decode()
    assert "Dean Marsh (adult of concern)" in page
    assert "Quillfeather" not in page
    assert 'value="Oakwood children&#x27;s home"' in page


def test_an_empty_form_says_what_is_missing(client, child) -> None:
    response = client.post(f"/missing/episodes/new/?person={child.pk}", {"action": "save"})
    page = response.content.decode()
    for message in (
        "Choose missing or away without authorisation",
        "Enter the date they went missing",
        "Enter the date they were reported missing",
        "Enter who reported them missing",
    ):
        assert message in page
    assert not MissingEpisode.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"went_missing_at_time": "25:99"}, "Enter a time like 21:30"),
        ({"went_missing_at_time": ""}, "Enter the time they went missing, for example 21:30"),
        ({"went_missing_at_month": "13"}, "must be a real date"),
        ({**moment("returned_at", ago(hours=40))}, "must be after the time they went missing"),
        ({**moment("returned_at", ago(hours=-30))}, "must not be in the future"),
        ({**moment("went_missing_at", ago(hours=-30))}, "must not be in the future"),
        ({"returned_at_day": "3", "returned_at_month": "11", "returned_at_year": "2026"},
         "Enter the time they returned or were found"),
    ],
)  # fmt: skip
def test_bad_times_get_a_clear_message_and_lose_nothing(
    client, child, change: dict[str, str], message: str
) -> None:
    data = episode_form(reported_by="Kept carer", narrative="Kept narrative", **change)
    page = client.post(f"/missing/episodes/new/?person={child.pk}", data).content.decode()
    assert "There is a problem" in page
    assert message in page
    assert 'value="Kept carer"' in page and "Kept narrative" in page
    for value in change.values():
        if value:
            assert f'value="{value}"' in page
    assert not MissingEpisode.objects.exists()


def test_a_found_location_that_is_not_a_location_is_refused(client, worker, child) -> None:
    group = make_location(worker, kind="peer_group", name="Older boys", location_type="")
    data = episode_form(**moment("returned_at", ago(hours=2)), found_location=str(group.pk))
    page = client.post(f"/missing/episodes/new/?person={child.pk}", data).content.decode()
    assert "Older boys is a peer group, not a location" in page
    assert 'href="#place"' in page
    assert not MissingEpisode.objects.exists()


def test_picking_the_child_or_a_hidden_person_is_refused(client, child, personas) -> None:
    hidden = make_person(personas["police_practitioner"], given_name="Hidden")
    for chosen in (child, hidden):
        data = episode_form(found_with=[str(chosen.pk)])
        page = client.post(f"/missing/episodes/new/?person={child.pk}", data).content.decode()
        assert "Choose people from the list" in page
    assert not MissingEpisode.objects.exists()


def test_a_second_open_episode_is_refused_on_the_page(client, worker, child) -> None:
    record_episode(worker, child, went_missing_at=ago(hours=50), returned_at=None)
    page = client.post(f"/missing/episodes/new/?person={child.pk}", episode_form()).content.decode()
    assert "still recorded as missing from" in page
    assert MissingEpisode.objects.count() == 1


def test_the_edit_page_says_who_is_kept_unnamed(client_for, worker, child, personas) -> None:
    officer = personas["police_practitioner"]
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    adult = make_person(
        worker, kind="adult_of_concern", given_name="Zebedee", family_name="Quillfeather"
    )
    episode = record_episode(worker, child, found_with=[adult])
    page = client_for(officer).get(f"/missing/episodes/{episode.pk}/edit/").content.decode()
    assert "Also recorded: 1 person whose record your agency cannot open" in page
    assert "Zebedee" not in page and "Quillfeather" not in page


def test_a_stale_edit_is_a_conflict_and_keeps_what_was_typed(client, worker, child) -> None:
    episode = record_episode(worker, child, returned_at=None)
    url = f"/missing/episodes/{episode.pk}/edit/"
    episode_update(actor=worker, episode=episode, expected_version=1, narrative="Theirs")
    data = episode_form(
        **moment("went_missing_at", episode.went_missing_at),
        **moment("reported_at", episode.reported_at),
        narrative="Mine",
        version="1",
    )
    page = client.post(url, data).content.decode()
    assert "Someone else saved changes" in page
    assert "Mine" in page and 'name="version" value="2"' in page
    episode.refresh_from_db()
    assert episode.narrative == "Theirs"
    assert client.post(url, data | {"version": "2"}).status_code == 302


# --- interviews -----------------------------------------------------------------------------------


def test_the_interview_form_refuses_bad_input_and_keeps_it(client, worker, child) -> None:
    episode = record_episode(worker, child, went_missing_at=ago(days=2), returned_at=ago(days=1))
    url = f"/missing/episodes/{episode.pk}/interview/"
    assert "Interview due by" in client.get(url).content.decode()
    data = {
        **moment("offered_at", ago(hours=20)),
        "offered_by": "Sam Okoro",
        "accepted": "no",
        "child_account": "Typed account",
    }
    page = client.post(url, data).content.decode()
    assert "Say why the interview was declined" in page
    assert 'value="Sam Okoro"' in page and "Typed account" in page
    page = client.post(url, {"offered_by": "Sam"}).content.decode()
    assert "Enter the date the interview was offered" in page
    data |= {"accepted": "yes", **moment("completed_at", ago(hours=10)), "conducted_by": "Sam"}
    assert client.post(url, data).status_code == 302
    page = client.get(f"/missing/episodes/{episode.pk}/").content.decode()
    assert "Completed within 72 hours" in page and "Typed account" in page


def test_interviews_due_and_overdue_are_listed_oldest_first(client, worker, child) -> None:
    other = make_person(worker, given_name="Amira", family_name="Shah")
    done = make_person(worker, given_name="Done", family_name="Already")
    overdue = record_episode(worker, child, went_missing_at=ago(days=6), returned_at=ago(days=5))
    due = record_episode(worker, other, went_missing_at=ago(days=2), returned_at=ago(days=1))
    finished = record_episode(worker, done, went_missing_at=ago(days=2), returned_at=ago(days=1))
    interview_record(
        actor=worker, episode=finished, expected_version=None, offered_at=ago(hours=20),
        completed_at=ago(hours=10), conducted_by="Sam",
    )  # fmt: skip
    page = client.get("/missing/interviews/").content.decode()
    assert page.index("Jayden Kowalski") < page.index("Amira Shah")
    assert "Overdue" in page and "Interview due by" in page
    assert "Done Already" not in page
    assert overdue.pk != due.pk


# --- prompts ----------------------------------------------------------------------------------


@pytest.fixture
def prompt(worker, child) -> ThresholdPrompt:
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean", family_name="Marsh")
    record_episode(worker, child, found_with=[adult])
    return ThresholdPrompt.objects.get()


def test_a_prompt_explains_itself_and_offers_three_choices(client, prompt) -> None:
    page = client.get(f"/missing/prompts/{prompt.pk}/").content.decode()
    assert "Found with an adult of concern." in page
    assert "Dean Marsh" in page  # named at display time: this viewer may open his record
    assert "Arrange a strategy meeting" in page and "Refer to MARVE" in page
    assert "Nothing has been arranged or referred automatically" in page
    assert "Found with someone recorded as an adult of concern" in page  # the rule in words


def test_an_adult_the_viewer_cannot_open_is_not_named(client_for, personas, child) -> None:
    officer = personas["police_practitioner"]
    RecordShare.objects.create(person=child, agency=officer.agency, route="shared")
    adult = make_person(
        personas["practitioner"], kind="adult_of_concern", given_name="Zebedee", family_name="Qx"
    )
    record_episode(personas["practitioner"], child, found_with=[adult])
    prompt = ThresholdPrompt.objects.get()
    page = client_for(officer).get(f"/missing/prompts/{prompt.pk}/").content.decode()
    assert "Zebedee" not in page
    assert "A person whose record your agency cannot open" in page


def test_not_needed_without_a_reason_is_refused_then_recorded(client, prompt) -> None:
    url = f"/missing/prompts/{prompt.pk}/"
    page = client.post(url, {"status": "not_needed", "reason": ""}).content.decode()
    assert "Explain why a strategy meeting or MARVE referral is not needed" in page
    assert 'value="not_needed" checked' in page
    assert client.post(url, {"status": "not_needed", "reason": "Safety plan agreed"}).status_code
    prompt.refresh_from_db()
    assert prompt.status == PromptStatus.NOT_NEEDED
    page = client.get(url).content.decode()
    assert "Safety plan agreed" in page and "Record decision" not in page
    page = client.post(url, {"status": "marve_referred"}).content.decode()
    assert "already decided by" in page


def test_open_prompts_are_listed(client, prompt) -> None:
    page = client.get("/missing/prompts/").content.decode()
    assert "Jayden Kowalski" in page and f"/missing/prompts/{prompt.pk}/" in page
    ThresholdPrompt.objects.update(status=PromptStatus.NOT_NEEDED)
    assert "Jayden Kowalski" not in client.get("/missing/prompts/").content.decode()


# --- rules ------------------------------------------------------------------------------------


def test_rules_are_shown_in_plain_words_and_edited_by_cs_leads(client_for, personas) -> None:
    page = client_for(personas["practitioner"]).get("/missing/rules/").content.decode()
    assert "3 or more missing episodes within 90 days" in page
    assert "/edit/" not in page
    rule = ThresholdRule.objects.get(kind="repeat_episodes")
    url = f"/missing/rules/{rule.pk}/edit/"
    assert client_for(personas["practitioner"]).get(url).status_code == 403
    lead = client_for(personas["cs_lead"])
    bad = {"is_active": "on", "episode_count": "1", "window_days": "abc", "version": "1",
           "prompts_strategy_discussion": "on"}  # fmt: skip
    page = lead.post(url, bad).content.decode()
    assert "The number of episodes must be 2 or more" in page
    assert "Enter the number of days as a whole number" in page
    assert 'value="abc"' in page
    good = bad | {"episode_count": "4", "window_days": "60"}
    assert lead.post(url, good)["Location"] == "/missing/rules/"
    assert (
        "4 or more missing episodes within 60 days" in lead.get("/missing/rules/").content.decode()
    )
    page = client_for(personas["administrator"]).post(url, good | {"episode_count": "5"})
    assert "Someone else saved changes" in page.content.decode()
    rule.refresh_from_db()
    assert rule.episode_count == 4


# --- printable record ---------------------------------------------------------------------------


def test_the_episode_page_prints_cleanly_and_is_audited(client, worker, child) -> None:
    episode = record_episode(worker, child)
    page = client.get(f"/missing/episodes/{episode.pk}/").content.decode()
    assert "data-print" in page and "cs-no-print" in page
    assert AccessEvent.objects.filter(
        action=AccessAction.VIEW, object_type="missing.missingepisode", object_id=str(episode.pk)
    ).exists()


def test_no_person_sends_the_recorder_to_find_the_child(client) -> None:
    response = client.get("/missing/episodes/new/")
    assert response["Location"] == "/people/"


# --- what the browser review found ------------------------------------------------------------


def test_the_prompt_page_links_name_the_prompt_so_the_meeting_settles_it(client, prompt) -> None:
    page = client.get(f"/missing/prompts/{prompt.pk}/").content.decode()
    person = prompt.person_id
    assert f'href="/meetings/strategy/new/?person={person}&amp;prompt={prompt.pk}"' in page
    assert f'href="/meetings/marve/new/?person={person}&amp;prompt={prompt.pk}"' in page
    assert "records this decision for you" in page


def test_the_prompt_page_says_strategy_meeting_throughout(client, prompt) -> None:
    page = client.get(f"/missing/prompts/{prompt.pk}/").content.decode()
    assert "A strategy meeting has been arranged" in page
    assert "Prompts people to consider a strategy meeting" in page
    assert "discussion" not in page.split("<main")[1].lower()
    client.post(f"/missing/prompts/{prompt.pk}/", {"status": "strategy_arranged", "reason": ""})
    page = client.get(f"/missing/prompts/{prompt.pk}/").content.decode()
    assert "Strategy meeting arranged" in page
    assert PromptStatus.STRATEGY_ARRANGED.label == "Strategy meeting arranged"
    assert PromptStatus.STRATEGY_ARRANGED.value == "strategy_arranged"  # stored value unchanged


def test_the_reason_is_not_called_optional_and_says_when_it_is_needed(client, prompt) -> None:
    page = client.get(f"/missing/prompts/{prompt.pk}/").content.decode()
    label = page.split('for="id_reason"')[1].split("</label>")[0]
    assert "Reason or note" in label and "optional" not in label
    assert "Needed if neither is needed" in page


def _success_messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_recording_an_episode_that_meets_a_rule_says_so_with_a_link(client, worker, child) -> None:
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean", family_name="Marsh")
    response = client.post(
        f"/missing/episodes/new/?person={child.pk}",
        episode_form(**moment("returned_at", ago(hours=3)), found_with=[str(adult.pk)]),
        follow=True,
    )
    episode = MissingEpisode.objects.get()
    [message] = _success_messages(response)
    assert message.startswith("Missing episode recorded")
    assert "A threshold rule was met" in message
    assert f'href="/missing/episodes/{episode.pk}/#prompts"' in message
    page = response.content.decode()
    # The link survives the redirect as a link, not as escaped text.
    link = f'href="/missing/episodes/{episode.pk}/#prompts"'
    assert f'<a class="govuk-notification-banner__link" {link}>' in page
    # The prompts come before the episode's details, so nobody has to scroll to find them.
    assert page.index('id="prompts"') < page.index("Going missing")
    assert page.index("Found with an adult of concern.") < page.index("Their return")
    assert "Someone must decide whether a strategy meeting" in page


def test_saving_an_episode_that_meets_no_new_rule_says_nothing_of_thresholds(
    client, worker, child
) -> None:
    response = client.post(f"/missing/episodes/new/?person={child.pk}", episode_form(), follow=True)
    assert _success_messages(response) == [
        "Missing episode recorded. The child is shown as missing now."
    ]
    page = response.content.decode()
    assert 'id="prompts"' not in page
    assert "No threshold rule has been met by this episode." in page
    adult = make_person(worker, kind="adult_of_concern", given_name="Dean", family_name="Marsh")
    episode = MissingEpisode.objects.get()
    edit = f"/missing/episodes/{episode.pk}/edit/"
    data = episode_form(
        **moment("returned_at", ago(hours=3)), found_with=[str(adult.pk)], version="1"
    )
    assert "A threshold rule was met" in _success_messages(client.post(edit, data, follow=True))[0]
    # Saving again raises nothing new, so the message does not say so again.
    again = _success_messages(client.post(edit, data | {"version": "2"}, follow=True))
    assert again == ["Missing episode updated."]


def test_a_late_episode_that_makes_a_later_one_meet_a_rule_links_to_that_prompt(
    client, worker, child
) -> None:
    for days in (10, 20):
        record_episode(worker, child, went_missing_at=ago(days=days))
    assert not ThresholdPrompt.objects.exists()
    went = ago(days=40)
    data = episode_form(
        **moment("went_missing_at", went),
        **moment("reported_at", went + dt.timedelta(hours=1)),
        **moment("returned_at", went + dt.timedelta(hours=5)),
    )
    response = client.post(f"/missing/episodes/new/?person={child.pk}", data, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    prompt = ThresholdPrompt.objects.get()
    late = MissingEpisode.objects.get(went_missing_at__lte=ago(days=30))
    assert prompt.episode_id != late.pk
    [message] = _success_messages(response)
    assert "A threshold rule was met by another of the child" in message
    assert f'href="/missing/prompts/{prompt.pk}/">decide now</a>' in message
