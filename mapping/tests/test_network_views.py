"""The network pages and their JSON: only what the viewer may see, audited, hubs capped."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from audit.models import AccessAction, AccessEvent
from mapping.graph import HUB_CAP
from mapping.network import context_node, person_node
from mapping.tests.test_graph import associate, frequents, together
from people.services import record_share
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db

HIDDEN = ("Hiddenadult", "Throughhidden", "Restrictedpeer", "police intelligence")


@pytest.fixture
def web(personas: dict[str, User]) -> dict[str, Any]:
    worker, officer = personas["practitioner"], personas["police_practitioner"]
    jay = make_person(worker, given_name="Jay", family_name="Reed")
    kai = make_person(worker, given_name="Kai", family_name="Osei", known_as="K")
    through = make_person(worker, given_name="Dara", family_name="Throughhidden")
    restricted_peer = make_person(worker, given_name="Remy", family_name="Restrictedpeer")
    adult = make_person(
        officer, kind="adult_of_concern", given_name="Vic", family_name="Hiddenadult"
    )
    place = make_location(worker, name="Sallowmere Parade takeaway")
    associate(worker, jay, kai, source="school DSL", reliability="confirmed")
    frequents(worker, jay, place)
    frequents(worker, kai, place)
    associate(officer, jay, adult, kind="adult_of_concern", source="police intelligence")
    associate(officer, adult, through, kind="adult_of_concern", source="police intelligence")
    together(officer, jay, restricted_peer, sensitivity="restricted")
    return {
        "jay": jay,
        "kai": kai,
        "adult": adult,
        "place": place,
        "through": through,
        "restricted_peer": restricted_peer,
    }


def get(client: Client, name: str, pk: int, **params: Any) -> Any:
    return client.get(reverse(f"mapping:{name}", args=[pk]), params)


def test_the_person_page_draws_peers_and_places_with_their_evidence(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    client = client_for(personas["practitioner"])
    response = get(client, "person-network", web["jay"].pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kai Osei (K)" in html
    assert "Sallowmere Parade takeaway" in html
    assert "school DSL" in html and "Confirmed" in html and "Peer or friend" in html
    assert "Links are observations with a source, not facts about a child" in html
    assert "Only records you may see are shown" in html
    assert 'aria-current="page" href="/mapping/network/person/' in html
    assert 'id="network-data"' in html  # the diagram's data, for the script
    assert (
        reverse("mapping:person-network", args=[web["jay"].pk])
        in client.get(reverse("people:profile", args=[web["jay"].pk])).content.decode()
    )


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_nothing_outside_the_viewers_permission_reaches_the_page_or_the_json(
    personas: dict[str, User],
    web: dict[str, Any],
    client_for: Callable[[User], Client],
    depth: int,
) -> None:
    client = client_for(personas["practitioner"])
    html = get(client, "person-network", web["jay"].pk, depth=depth).content.decode()
    data = get(client, "person-network-data", web["jay"].pk, depth=depth)
    text = data.content.decode()
    for secret in HIDDEN:
        assert secret not in html
        assert secret not in text
    nodes = {n["id"] for n in data.json()["nodes"]}
    assert person_node(web["adult"].pk) not in nodes
    assert person_node(web["through"].pk) not in nodes
    assert len(nodes) == 3  # Jay, Kai and the takeaway
    assert "sighting" not in text  # the restricted event is not evidence for this viewer
    # The context's own network hides the same people.
    context_html = get(client, "context-network", web["place"].pk, depth=depth).content.decode()
    for secret in HIDDEN:
        assert secret not in context_html


def test_the_context_page_and_json(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    client = client_for(personas["practitioner"])
    response = get(client, "context-network", web["place"].pk)
    assert response.status_code == 200
    assert "Jay Reed" in response.content.decode()
    data = get(client, "context-network-data", web["place"].pk).json()
    assert {n["label"] for n in data["nodes"]} == {
        "Sallowmere Parade takeaway",
        "Jay Reed",
        "Kai Osei (K)",
    }
    place = context_node(web["place"].pk)
    [edge] = [
        e
        for e in data["edges"]
        if person_node(web["jay"].pk) == e["source"] and e["target"] == place
    ]
    # The diagram's JSON summarises each line; its observations come on request.
    assert "observations" not in edge
    assert (edge["kinds"], edge["count"], edge["reliability"]) == (
        ["Spends time at"],
        1,
        "Confirmed",
    )
    assert edge["latest"]
    detail = client.get(
        reverse("mapping:network-link-data"), {"a": edge["source"], "b": edge["target"]}
    ).json()
    assert detail["id"] == edge["id"]
    [observation] = detail["observations"]
    assert observation["kind"] == "Spends time at"
    assert observation["reliability"] == "Confirmed"
    assert observation["source"] == "youth worker"
    assert observation["date"]


def test_a_record_the_viewer_may_not_open_is_not_found_and_the_refusal_audited(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    viewer = personas["practitioner"]
    client = client_for(viewer)
    for name in ("person-network", "person-network-data"):
        assert get(client, name, web["adult"].pk).status_code == 404
    denied = AccessEvent.objects.filter(
        actor=viewer, action=AccessAction.PERMISSION_DENIED, object_id=str(web["adult"].pk)
    )
    assert denied.count() == 2


def test_reads_are_audited_as_views_of_the_centre_record(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    viewer = personas["practitioner"]
    client = client_for(viewer)
    get(client, "person-network-data", web["jay"].pk)
    assert AccessEvent.objects.filter(
        actor=viewer,
        action=AccessAction.VIEW,
        object_type="people.person",
        object_id=str(web["jay"].pk),
    ).exists()


def test_people_without_case_roles_are_refused(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    for role in ("analyst", "administrator"):
        client = client_for(personas[role])
        assert get(client, "person-network-data", web["jay"].pk).status_code in (403, 404)
        assert get(client, "context-network", web["place"].pk).status_code in (403, 404)


def test_a_hub_is_capped_and_show_more_returns_the_next_ones(
    personas: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    worker = personas["practitioner"]
    adult = make_person(worker, kind="adult_of_concern", given_name="Hub")
    for i in range(HUB_CAP + 7):
        associate(worker, adult, make_person(worker, given_name=f"Young{i:02d}"))
    client = client_for(worker)
    html = get(client, "person-network", adult.pk).content.decode()
    assert "7 more linked" in html
    data = get(client, "person-network-data", adult.pk).json()
    assert len(data["nodes"]) == HUB_CAP + 1
    assert data["nodes"][0]["more"] == 7
    shown = ",".join(n["id"] for n in data["nodes"])
    page = get(
        client, "person-network-data", adult.pk, expand=person_node(adult.pk), shown=shown
    ).json()
    assert len(page["nodes"]) == 7 and page["remaining"] == 0
    assert not {n["id"] for n in page["nodes"]} & set(shown.split(","))


def test_show_more_refuses_a_hub_the_viewer_may_not_see(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    client = client_for(personas["practitioner"])
    response = get(
        client, "person-network-data", web["jay"].pk, expand=person_node(web["adult"].pk)
    )
    assert response.status_code == 404
    assert "Throughhidden" not in response.content.decode()


def test_json_query_count_does_not_grow_with_the_neighbourhood(
    personas: dict[str, User], client_for: Callable[[User], Client]
) -> None:
    worker = personas["practitioner"]
    small, large = make_person(worker, given_name="Small"), make_person(worker, given_name="Large")
    friend = make_person(worker, given_name="Friend")
    associate(worker, small, friend)
    frequents(worker, friend, make_location(worker, name="Park"))
    for i in range(30):
        friend = make_person(worker, given_name=f"F{i}")
        associate(worker, large, friend)
        frequents(worker, friend, make_location(worker, name=f"Place {i}"))
    client = client_for(worker)
    get(client, "person-network-data", small.pk)  # warm the graph and the session
    counts = []
    for person in (small, large, small):
        with CaptureQueriesContext(connection) as captured:
            response = get(client, "person-network-data", person.pk, depth=2)
        assert response.status_code == 200
        counts.append(len(captured))
    assert len(json.loads(response.content)["nodes"]) == 3
    assert counts[0] == counts[1] == counts[2]


def test_show_more_is_audited_as_a_read_of_the_hub_not_only_of_the_page_s_child(
    personas: dict[str, User], client_for: Callable[[User], Client]
) -> None:

    worker = personas["practitioner"]
    page_child = make_person(worker, given_name="Pagechild")
    other = make_person(worker, kind="adult_of_concern", given_name="Otheradult")
    associate(worker, other, make_person(worker, given_name="Otherpeer"))
    client = client_for(worker)
    before = AccessEvent.objects.count()
    response = get(client, "person-network-data", page_child.pk, expand=person_node(other.pk))
    assert response.status_code == 200
    read = AccessEvent.objects.order_by("pk")[before:].values_list("object_type", "object_id")
    assert ("people.person", str(other.pk)) in set(read)


def link(client: Client, a: str, b: str) -> Any:
    return client.get(reverse("mapping:network-link-data"), {"a": a, "b": b})


def test_a_lines_observations_are_sent_on_request_and_the_read_of_both_ends_audited(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    viewer = personas["practitioner"]
    client = client_for(viewer)
    jay, kai = web["jay"], web["kai"]
    response = link(client, person_node(kai.pk), person_node(jay.pk))  # either order
    assert response.status_code == 200
    data = response.json()
    assert data["source"] == person_node(jay.pk) and data["target"] == person_node(kai.pk)
    [observation] = data["observations"]
    assert observation == {
        "kind": "Peer or friend",
        "source": "school DSL",
        "date": data["latest"],
        "reliability": "Confirmed",
        "agency": observation["agency"],
    }
    assert observation["agency"] and observation["date"]
    for person in (jay, kai):
        assert AccessEvent.objects.filter(
            actor=viewer,
            action=AccessAction.VIEW,
            object_type="people.person",
            object_id=str(person.pk),
        ).exists()


def test_a_line_is_refused_unless_the_viewer_may_see_both_ends_and_its_evidence(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    viewer = personas["practitioner"]
    client = client_for(viewer)
    jay = person_node(web["jay"].pk)
    refused = [
        (jay, person_node(web["adult"].pk)),  # an end the viewer may not open
        (person_node(web["adult"].pk), person_node(web["through"].pk)),  # a hidden adult's line
        # Linked only by a restricted event that another agency recorded:
        (jay, person_node(web["restricted_peer"].pk)),
        (jay, person_node(web["through"].pk)),  # no line between them
        (jay, jay),
        (jay, "person:x"),
        ("", jay),
    ]
    for a, b in refused:
        response = link(client, a, b)
        assert response.status_code == 404, (a, b)
        text = response.content.decode()
        for secret in HIDDEN:
            assert secret not in text
    assert AccessEvent.objects.filter(
        actor=viewer, action=AccessAction.PERMISSION_DENIED, object_id=str(web["adult"].pk)
    ).exists()
    # The police, who recorded the restricted event and may open both records, see it.
    officer = personas["police_practitioner"]
    assert officer.agency is not None
    for key in ("jay", "restricted_peer"):
        record_share(actor=None, person=web[key], agency=officer.agency, reason="Joint work")
    data = link(client_for(officer), jay, person_node(web["restricted_peer"].pk)).json()
    assert [o["kind"] for o in data["observations"]] == ["Recorded in the same event"]


def test_people_without_case_roles_may_not_read_a_line(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    jay, kai = person_node(web["jay"].pk), person_node(web["kai"].pk)
    for role in ("analyst", "administrator"):
        assert link(client_for(personas[role]), jay, kai).status_code in (403, 404)


def test_the_page_table_lists_every_observation_and_the_diagram_json_only_summaries(
    personas: dict[str, User], web: dict[str, Any], client_for: Callable[[User], Client]
) -> None:
    client = client_for(personas["practitioner"])
    html = get(client, "person-network", web["jay"].pk, depth=2).content.decode()
    assert "school DSL" in html  # the table
    start = html.index('id="network-data"')
    embedded = html[html.index(">", start) + 1 : html.index("</script>", start)]
    graph = json.loads(embedded)
    assert graph["edges"] and all("observations" not in e for e in graph["edges"])
    assert "data-link-url=" in html
