"""The case pages as each agency and role sees them, through the test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessAction, AccessEvent
from contexts.models import Context, ContextLink
from events.models import Event
from events.services import event_record
from people.models import Person
from people.services import association_create
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db


def date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def test_a_practitioner_records_a_child_a_place_a_group_links_and_an_event(
    client_for, personas
) -> None:
    worker: Client = client_for(personas["practitioner"])
    person_form = {
        "kind": "young_person",
        "given_name": "Tyler",
        "family_name": "Brook",
        "known_as": "Ty",
        "sex": "male",
        "ethnicity": "mixed_white_black_caribbean",
        **date_fields("date_of_birth", dt.date(2011, 6, 2)),
    }
    response = worker.post("/people/new/", person_form)
    child = Person.objects.get(given_name="Tyler")
    assert response["Location"] == f"/people/{child.pk}/"

    response = worker.post(
        "/contexts/new/?kind=location",
        {
            "name": "Chicken shop, Larkspur Parade",
            "status": "noted",
            "location_type": "shop_takeaway",
            "owning_team": personas["practitioner"].teams.first().pk,
            "geometry": '{"type": "Point", "coordinates": [-0.91, 52.2]}',
        },
    )
    shop = Context.objects.get(kind="location")
    assert response["Location"] == f"/contexts/{shop.pk}/"
    worker.post(
        "/contexts/new/?kind=peer_group",
        {
            "name": "Older boys at the parade",
            "status": "noted",
            "owning_team": personas["practitioner"].teams.first().pk,
        },
    )
    group = Context.objects.get(kind="peer_group")

    for context in (shop, group):
        response = worker.post(
            f"/contexts/{context.pk}/people/link/",
            {
                "person": child.pk,
                "kind": "frequents" if context == shop else "member_of",
                "source": "School DSL referral",
                "reliability": "reported",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert ContextLink.objects.filter(person=child).count() == 2

    response = worker.post(
        f"/events/new/?person={child.pk}",
        {
            "kind": "sighting",
            **date_fields("occurred_on", timezone.localdate() - dt.timedelta(days=1)),
            "occurred_time": "22:15",
            "role": "harmed",
            "location": shop.pk,
            "narrative": "Seen with two older males after 10pm.",
            "harm_types": ["cce"],
            "sensitivity": "standard",
        },
    )
    assert response["Location"] == f"/people/{child.pk}/chronology/"
    person_page = worker.get(f"/people/{child.pk}/chronology/").content.decode()
    place_page = worker.get(f"/contexts/{shop.pk}/chronology/").content.decode()
    for page in (person_page, place_page):
        assert "Seen with two older males after 10pm." in page
        assert "Child criminal exploitation" in page
    assert "Tyler Brook (Ty)" in place_page


@pytest.fixture
def story(personas):
    worker = personas["practitioner"]
    child = make_person(
        worker,
        given_name="Mia",
        family_name="Stone",
        date_of_birth=dt.date(2010, 1, 9),
        identifiers=[("la_case_number", "LA-77")],
    )
    adult = make_person(worker, kind="adult_of_concern", given_name="Carl", family_name="Dane")
    shop = make_location(worker)
    event_record(
        actor=worker,
        kind="sighting",
        occurred_at=timezone.now() - dt.timedelta(days=2),
        narrative="Seen at the takeaway late at night.",
        participants=[(child, "harmed"), (adult, "harming")],
        location=shop,
        harm_types=["cse"],
    )
    association_create(
        actor=worker,
        person=adult,
        other=child,
        kind="adult_of_concern",
        source="Police report",
        reliability="reported",
    )
    return child, adult, shop


@pytest.mark.parametrize("role", ["practitioner", "team_manager", "cs_lead", "panel_chair"])
def test_the_holding_agency_sees_profile_and_chronology(
    client_for, personas, story, role: str
) -> None:
    child, _adult, _shop = story
    client = client_for(personas[role])
    assert client.get(f"/people/{child.pk}/").status_code == 200
    page = client.get(f"/people/{child.pk}/chronology/").content.decode()
    assert "Seen at the takeaway late at night." in page
    assert "Carl Dane" in page and "causing harm" in page


@pytest.mark.parametrize("role", ["analyst", "administrator", "auditor", "no_role"])
def test_oversight_roles_never_open_case_pages(client_for, personas, story, role: str) -> None:
    child, _adult, shop = story
    client = client_for(personas[role])
    for url in (
        f"/people/{child.pk}/",
        f"/people/{child.pk}/chronology/",
        "/people/?name=Mia",
        f"/contexts/{shop.pk}/",
    ):
        assert client.get(url).status_code == 403, url


def test_another_agency_sees_that_a_record_exists_and_nothing_more(
    client_for, personas, story
) -> None:
    child, _adult, shop = story
    police = client_for(personas["police_practitioner"])
    assert police.get(f"/people/{child.pk}/").status_code == 404
    assert police.get(f"/people/{child.pk}/chronology/").status_code == 404
    results = police.get("/people/?name=Mia+Stone").content.decode()
    assert "A record exists, held by Test Children" in results
    table = results.split("<table", 1)[1]
    assert "9 Jan 2010" not in table and "Mia Stone" not in table
    assert f'href="/people/{child.pk}/"' not in table
    place = police.get(f"/contexts/{shop.pk}/chronology/").content.decode()
    assert "Seen at the takeaway late at night." in place, (
        "standard events at a location are shared"
    )
    assert "Mia Stone" not in place and "A person whose record your agency cannot open" in place
    denied = AccessEvent.objects.filter(
        action=AccessAction.PERMISSION_DENIED, actor=personas["police_practitioner"]
    )
    assert denied.count() == 2


def test_restricted_events_do_not_reach_other_agencies_pages(client_for, personas, story) -> None:
    child, _adult, shop = story
    officer = personas["police_practitioner"]
    event_record(
        actor=officer,
        kind="intelligence",
        occurred_at=timezone.now() - dt.timedelta(days=1),
        narrative="Unverified: a line phone seen.",
        location=shop,
        sensitivity="restricted",
    )
    assert (
        "Unverified: a line phone seen."
        in client_for(officer).get(f"/contexts/{shop.pk}/chronology/").content.decode()
    )
    csc = client_for(personas["practitioner"])
    assert "Unverified" not in csc.get(f"/contexts/{shop.pk}/chronology/").content.decode()
    assert "Unverified" not in csc.get(f"/people/{child.pk}/chronology/").content.decode()


def test_identifiers_on_the_profile_follow_the_agency(client_for, personas, story) -> None:
    child, _adult, _shop = story
    page = client_for(personas["practitioner"]).get(f"/people/{child.pk}/").content.decode()
    assert "LA-77" in page


def test_break_glass_through_the_pages(client_for, personas, story) -> None:
    child, _adult, _shop = story
    police = client_for(personas["police_practitioner"])
    page = police.post(f"/people/{child.pk}/break-glass/", {"reason": "short"}).content.decode()
    assert "at least 20 characters" in page and "short</textarea>" in page
    response = police.post(
        f"/people/{child.pk}/break-glass/",
        {"reason": "Found at 2am with adults of concern, need history"},
    )
    assert response["Location"] == f"/people/{child.pk}/"
    assert police.get(f"/people/{child.pk}/").status_code == 200
    assert AccessEvent.objects.filter(action=AccessAction.BREAK_GLASS).count() == 1
    home = client_for(personas["cs_lead"]).get("/").content.decode()
    assert "Break-glass" in home


def test_access_request_approved_by_the_holding_manager(client_for, personas, story) -> None:
    child, _adult, _shop = story
    police = client_for(personas["police_practitioner"])
    police.post(f"/people/{child.pk}/request-access/", {"reason": "Joint visit planned on Friday"})
    manager = client_for(personas["team_manager"])
    page = manager.get("/people/access-requests/").content.decode()
    assert "Joint visit planned on Friday" in page
    request_id = child.access_requests.get().pk
    manager.post(f"/people/access-requests/{request_id}/decide/", {"decision": "approve"})
    assert police.get(f"/people/{child.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {**date_fields("date_of_birth", timezone.localdate() + dt.timedelta(days=3))},
            "today or in the past",
        ),
        (
            {"date_of_birth_day": "31", "date_of_birth_month": "2", "date_of_birth_year": "2012"},
            "must be a real date",
        ),
        ({}, "Enter a date of birth, or choose an age range"),
    ],
)
def test_bad_person_input_is_explained_and_kept(client_for, personas, fields, message) -> None:
    client = client_for(personas["practitioner"])
    page = client.post(
        "/people/new/",
        {"kind": "young_person", "given_name": "Robin", "family_name": "Ashe", **fields},
    ).content.decode()
    assert "There is a problem" in page and message in page
    assert 'value="Robin"' in page and 'value="Ashe"' in page
    assert not Person.objects.filter(given_name="Robin").exists()


def test_a_likely_duplicate_is_flagged_before_a_new_record(client_for, personas, story) -> None:
    client = client_for(personas["practitioner"])
    form = {
        "kind": "young_person",
        "given_name": "Mia",
        "family_name": "Stone",
        **date_fields("date_of_birth", dt.date(2010, 1, 9)),
    }
    page = client.post("/people/new/", form).content.decode()
    assert "This person may already have a record" in page
    assert Person.objects.filter(given_name="Mia").count() == 1
    response = client.post("/people/new/", {**form, "confirm_new": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(given_name="Mia").count() == 2


def test_a_duplicate_identifier_is_refused_on_the_form(client_for, personas, story) -> None:
    _child, _adult, _shop = story
    other = make_person(personas["practitioner"], given_name="Other", family_name="Child")
    page = (
        client_for(personas["practitioner"])
        .post(
            f"/people/{other.pk}/identifiers/new/", {"scheme": "la_case_number", "value": "la-77"}
        )
        .content.decode()
    )
    assert "Another person&#x27;s record already has" in page and 'value="la-77"' in page


def test_self_association_is_refused_on_the_form(client_for, personas, story) -> None:
    child, _adult, _shop = story
    page = (
        client_for(personas["practitioner"])
        .post(
            f"/people/{child.pk}/associations/new/",
            {"other": child.pk, "kind": "peer", "source": "x", "reliability": "reported"},
        )
        .content.decode()
    )
    assert "cannot be associated with themself" in page


def test_malformed_geojson_is_explained_and_kept(client_for, personas) -> None:
    client = client_for(personas["practitioner"])
    page = client.post(
        "/contexts/new/?kind=location",
        {
            "name": "Bus station",
            "status": "noted",
            "location_type": "transport_hub",
            "owning_team": personas["practitioner"].teams.first().pk,
            "geometry": '{"type": "Point", "coordinates": [999, 0]}',
        },
    ).content.decode()
    assert (
        "Longitude must be between" in page
        and 'value="Bus station"' in page
        and "999, 0]}</textarea>" in page
    )


def test_merge_moves_everything_and_explains_itself(client_for, personas, story) -> None:
    child, _adult, _shop = story
    duplicate = make_person(
        personas["practitioner"], given_name="Mya", family_name="Stone", aliases=["Mimi"]
    )
    manager = client_for(personas["team_manager"])
    response = manager.post(
        f"/people/{child.pk}/merge/",
        {"duplicate": duplicate.pk, "reason": "Same child; name misspelt by school"},
    )
    assert response["Location"] == f"/people/{child.pk}/"
    duplicate.refresh_from_db()
    assert duplicate.merged_into == child
    assert {"Mimi", "Mya Stone"} <= set(child.names.values_list("name", flat=True))
    assert manager.get(f"/people/{duplicate.pk}/")["Location"] == f"/people/{child.pk}/"
    merge = AccessEvent.objects.get(action=AccessAction.CHANGE, reason__startswith="Merged record")
    assert merge.changes["merged_from"] == duplicate.pk
    assert (
        client_for(personas["practitioner"]).post(f"/people/{child.pk}/merge/", {}).status_code
        == 404
    )


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm: the session's once-a-minute touch is not part of the page's cost
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_profile_and_chronology_cost_the_same_whatever_the_record_size(
    client_for, personas, story
) -> None:
    child, _adult, shop = story
    client = client_for(personas["practitioner"])
    urls = [
        f"/people/{child.pk}/",
        f"/people/{child.pk}/chronology/",
        f"/people/{child.pk}/associations/",
        f"/contexts/{shop.pk}/chronology/",
        f"/contexts/{shop.pk}/people/",
    ]
    before = [_queries(client, u) for u in urls]
    worker = personas["practitioner"]
    for n in range(15):
        friend = make_person(worker, given_name=f"Friend{n}", family_name="Lane")
        event_record(
            actor=worker,
            kind="sighting",
            occurred_at=timezone.now() - dt.timedelta(hours=n + 1),
            narrative=f"Sighting {n}",
            participants=[(child, "harmed"), (friend, "witness")],
            location=shop,
        )
        association_create(
            actor=worker,
            person=child,
            other=friend,
            kind="peer",
            source="school",
            reliability="reported",
        )
    assert Event.objects.count() == 16
    after = [_queries(client, u) for u in urls]
    assert after == before


def test_the_event_form_finds_locations_by_search(client_for, personas, story) -> None:
    child, _adult, shop = story
    worker = personas["practitioner"]
    make_location(
        worker, kind="peer_group", name="Chicken shop regulars", location_type="", geometry=""
    )
    client = client_for(worker)
    page = client.get(f"/events/new/?person={child.pk}&place=chicken").content.decode()
    results = page.split('data-testid="location-results"', 1)[1].split("</ul>", 1)[0]
    assert "Chicken shop, Market Street" in results
    assert "regulars" not in results, "only locations, not peer groups"
    chosen = client.get(f"/events/new/?person={child.pk}&location={shop.pk}").content.decode()
    assert "At <strong>Chicken shop, Market Street</strong>" in chosen


def test_an_event_recorded_from_nowhere_must_name_its_place(client_for, personas) -> None:
    page = (
        client_for(personas["practitioner"])
        .post(
            "/events/new/",
            {
                "kind": "sighting",
                **date_fields("occurred_on", dt.date(2026, 1, 5)),
                "narrative": "Group gathering after dark.",
                "sensitivity": "standard",
            },
        )
        .content.decode()
    )
    assert "Choose the location this event happened at" in page
    assert "Group gathering after dark." in page
    assert not Event.objects.exists()
