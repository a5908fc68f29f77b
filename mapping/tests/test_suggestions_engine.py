"""The suggestions engine on hand-made records: what is suggested, what is covered, and how a
recompute treats decisions already made."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from io import StringIO

import h3  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from contexts.models import Context, ContextStatus
from contexts.services import context_create, context_link_create, context_update
from events.models import Event
from events.services import event_record
from mapping import tasks
from mapping.hotspots import cell_of
from mapping.models import SuggestedContext, SuggestionKind, SuggestionRun, SuggestionStatus
from mapping.suggestions import find_groups, find_hotspots, refresh_suggestions
from people.models import Person
from people.services import association_create
from tests.factories import TeamFactory, make_location, make_person

pytestmark = pytest.mark.django_db

LAT, LON = 52.2, -0.9
RES = settings.HOTSPOT_H3_RESOLUTION
CENTRE = cell_of(LAT, LON, RES)
RING = sorted(c for c in h3.grid_disk(CENTRE, 1) if c != CENTRE)
# Quiet cells about 5 km out, so the area has something to compare the busy cell with.
FAR = [
    cell_of(LAT + dy, LON + dx, RES) for dy, dx in [(0.05, 0), (-0.05, 0), (0, 0.08), (0, -0.08)]
]


def record(
    actor: User,
    cell: str,
    n: int,
    *,
    location: Context | None = None,
    place: str = "Underpass by the canal",
    **kw: object,
) -> list[Event]:
    lat, lon = h3.cell_to_latlng(cell)
    return [
        event_record(
            actor=actor,
            kind="sighting",
            occurred_at=timezone.now() - dt.timedelta(days=3, minutes=i),
            narrative="Seen with older young people late at night.",
            harm_types=["cce"],
            latitude=lat,
            longitude=lon,
            place_description=place,
            location=location,
            **kw,  # type: ignore[arg-type]
        )
        for i in range(n)
    ]


def plant_hotspot(actor: User, *, location: Context | None = None) -> list[Event]:
    events = record(actor, CENTRE, 15, location=location)
    for cell in RING:
        record(actor, cell, 1)
    for cell in FAR:
        record(actor, cell, 1)
    return events


def point(cell: str) -> str:
    lat, lon = h3.cell_to_latlng(cell)
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


@pytest.fixture
def lead(personas: dict[str, User]) -> User:
    return personas["cs_lead"]


# --- hotspots ------------------------------------------------------------------------------------


def test_an_uncovered_hot_cluster_is_suggested(lead: User) -> None:
    events = plant_hotspot(lead)
    found, considered, _end = find_hotspots(timezone.now())
    assert considered == 15 + len(RING) + len(FAR)
    [candidate] = found
    assert candidate.centre == CENTRE
    assert candidate.covered_by == ""
    assert candidate.total == 15
    assert set(candidate.event_ids) == {e.pk for e in events}
    assert candidate.harm_counts == {"cce": 15}
    # At no recorded place: the stored title, read by every CS lead, never quotes their wording.
    assert candidate.place == ""

    refresh_suggestions()
    [suggestion] = SuggestedContext.objects.all()
    assert suggestion.kind == SuggestionKind.HOTSPOT
    assert suggestion.key == CENTRE and suggestion.cells == [CENTRE]
    assert suggestion.title.startswith("Possible hotspot around ")  # no ward file in tests
    assert suggestion.explanation.startswith("15 events in the 12 months to ")
    assert "1 map cell, most often child criminal exploitation" in suggestion.explanation
    assert "no open location record covers this area" in suggestion.explanation
    assert suggestion.evidence["event_total"] == 15
    assert suggestion.z_score is not None and suggestion.z_score > 2.576


def test_a_cluster_with_an_open_location_context_is_not_suggested(lead: User) -> None:
    plant_hotspot(lead)
    # Its point is in a neighbouring cell: "at or beside" still covers the place.
    make_location(lead, name="Canal underpass", geometry=point(RING[0]))
    [candidate], _n, _end = find_hotspots(timezone.now())
    assert "open location context" in candidate.covered_by
    refresh_suggestions()
    assert not SuggestedContext.objects.exists()


def test_a_closed_context_does_not_cover(lead: User) -> None:
    plant_hotspot(lead)
    place = make_location(lead, name="Canal underpass", geometry=point(CENTRE))
    context_update(
        actor=lead, context=place, expected_version=place.version, status=ContextStatus.CLOSED
    )
    refresh_suggestions()
    assert SuggestedContext.objects.filter(kind=SuggestionKind.HOTSPOT, key=CENTRE).exists()


def test_events_already_placed_at_an_open_location_cover_it(lead: User) -> None:
    # The context's recorded point is far away (an area drawn elsewhere), but the events here
    # were placed at it on purpose: the place is known.
    elsewhere = make_location(lead, name="Canal towpath", geometry=point(FAR[0]))
    plant_hotspot(lead, location=elsewhere)
    [candidate], _n, _end = find_hotspots(timezone.now())
    assert candidate.covered_by == "most of its events are placed at an open location context"


def test_old_events_are_outside_the_window(lead: User) -> None:
    plant_hotspot(lead)
    Event.objects.filter(h3_cell=CENTRE).update(occurred_at=timezone.now() - dt.timedelta(days=800))
    found, _n, _end = find_hotspots(timezone.now())
    assert found == []


# --- peer groups ---------------------------------------------------------------------------------


def young(actor: User, n: int, prefix: str = "Young") -> list[Person]:
    return [make_person(actor, given_name=f"{prefix}{i}", family_name="Tester") for i in range(n)]


def befriend(actor: User, people: list[Person]) -> None:
    for a, b in itertools.combinations(people, 2):
        association_create(
            actor=actor, person=a, other=b, kind="peer", source="school DSL", reliability="reported"
        )


def peer_group(actor: User, members: list[Person], status: str = ContextStatus.NOTED) -> Context:
    team = TeamFactory.create(agency=actor.agency)
    group = context_create(
        actor=actor, kind="peer_group", name="Canal group", owning_team=team, status=status
    )
    for person in members:
        context_link_create(
            actor=actor,
            context=group,
            kind="member_of",
            source="peer map",
            reliability="reported",
            person=person,
        )
    return group


def test_a_cluster_of_four_young_people_is_suggested(lead: User) -> None:
    group = young(lead, 4)
    befriend(lead, group)
    adult = make_person(lead, kind="adult_of_concern", given_name="Adult", family_name="Concern")
    for person in group[:3]:
        association_create(
            actor=lead,
            person=adult,
            other=person,
            kind="adult_of_concern",
            source="police",
            reliability="intelligence",
        )
    [candidate], links = find_groups()
    assert links == 6 + 3
    assert candidate.covered_by == ""
    assert candidate.young_people == sorted(p.pk for p in group)
    assert candidate.people[:4] == candidate.young_people  # young people first
    assert adult.pk in candidate.people
    assert len(candidate.associations) == 9

    refresh_suggestions()
    [suggestion] = SuggestedContext.objects.filter(kind=SuggestionKind.PEER_GROUP)
    # The title names a place, never a child; no one is named anywhere in the text.
    assert suggestion.title == "Possible peer group linked by recorded associations"
    for person in [*group, adult]:
        assert person.given_name not in suggestion.title + suggestion.explanation
    assert "not a finding about any child" in suggestion.explanation


def test_young_people_linked_only_through_a_place_are_not_a_group(lead: User) -> None:
    # Five young people who each spend time at the same park but are not linked to each other.
    team = TeamFactory.create(agency=lead.agency)
    park = context_create(
        actor=lead, kind="location", name="Park", owning_team=team, location_type="park"
    )
    for person in young(lead, 5):
        context_link_create(
            actor=lead, context=park, kind="frequents", source="youth worker",
            reliability="reported", person=person,
        )  # fmt: skip
    groups, _links = find_groups()
    assert groups == []


def test_a_group_that_is_mostly_an_open_peer_group_is_not_suggested(lead: User) -> None:
    group = young(lead, 4)
    befriend(lead, group)
    peer_group(lead, group[:2])  # half of them: "mostly"
    [candidate], _links = find_groups()
    assert candidate.covered_by == "most of them are members of an open peer-group context"
    refresh_suggestions()
    assert not SuggestedContext.objects.filter(kind=SuggestionKind.PEER_GROUP).exists()


def test_a_closed_peer_group_does_not_cover(lead: User) -> None:
    group = young(lead, 4)
    befriend(lead, group)
    peer_group(lead, group, status=ContextStatus.CLOSED)
    refresh_suggestions()
    assert SuggestedContext.objects.filter(kind=SuggestionKind.PEER_GROUP).count() == 1


def test_a_minority_in_an_open_peer_group_does_not_cover(lead: User) -> None:
    group = young(lead, 4)
    befriend(lead, group)
    peer_group(lead, group[:1])
    [candidate], _links = find_groups()
    assert candidate.covered_by == ""


# --- recompute -----------------------------------------------------------------------------


def test_recompute_is_idempotent_and_recorded(lead: User) -> None:
    plant_hotspot(lead)
    befriend(lead, young(lead, 4))
    first = refresh_suggestions()
    rows = {(s.kind, s.key, s.version) for s in SuggestedContext.objects.all()}
    second = refresh_suggestions()
    assert {(s.kind, s.key, s.version) for s in SuggestedContext.objects.all()} == rows
    assert len(rows) == 2
    assert SuggestionRun.objects.count() == 2
    assert (second.hotspots_found, second.groups_found) == (1, 1)
    assert second.events_considered == first.events_considered == 15 + len(RING) + len(FAR)
    assert second.links_considered == 6
    assert second.finished_at is not None and second.error == ""


def test_decisions_survive_a_recompute(lead: User) -> None:
    plant_hotspot(lead)
    befriend(lead, young(lead, 4))
    refresh_suggestions()
    hotspot = SuggestedContext.objects.get(kind=SuggestionKind.HOTSPOT)
    group = SuggestedContext.objects.get(kind=SuggestionKind.PEER_GROUP)
    SuggestedContext.objects.filter(pk=hotspot.pk).update(
        status=SuggestionStatus.DISMISSED, reason="Known to the police team already"
    )
    SuggestedContext.objects.filter(pk=group.pk).update(status=SuggestionStatus.ACCEPTED)
    refresh_suggestions()
    hotspot.refresh_from_db()
    group.refresh_from_db()
    assert hotspot.status == SuggestionStatus.DISMISSED
    assert hotspot.reason == "Known to the police team already"
    assert group.status == SuggestionStatus.ACCEPTED
    assert hotspot.current and group.current


def test_a_snoozed_suggestion_returns_when_its_date_comes(lead: User) -> None:
    plant_hotspot(lead)
    refresh_suggestions()
    today = timezone.localdate()
    SuggestedContext.objects.update(
        status=SuggestionStatus.SNOOZED, snoozed_until=today + dt.timedelta(days=1)
    )
    refresh_suggestions()
    assert SuggestedContext.objects.get().status == SuggestionStatus.SNOOZED
    SuggestedContext.objects.update(snoozed_until=today)
    refresh_suggestions()
    back = SuggestedContext.objects.get()
    assert back.status == SuggestionStatus.OPEN
    assert back.snoozed_until is None


def test_a_suggestion_not_found_again_is_no_longer_current(lead: User) -> None:
    plant_hotspot(lead)
    refresh_suggestions()
    make_location(lead, name="Canal underpass", geometry=point(CENTRE))
    run = refresh_suggestions()
    assert run.hotspots_found == 0
    stale = SuggestedContext.objects.get()
    assert stale.current is False
    assert stale.status == SuggestionStatus.OPEN  # kept as it was, for the record


def test_a_group_that_grows_is_the_same_suggestion(lead: User) -> None:
    group = young(lead, 4)
    befriend(lead, group)
    refresh_suggestions()
    before = SuggestedContext.objects.get(kind=SuggestionKind.PEER_GROUP)
    newcomer = make_person(lead, given_name="Newcomer", family_name="Tester")
    for person in group:
        association_create(
            actor=lead, person=newcomer, other=person, kind="peer", source="school DSL",
            reliability="reported",
        )  # fmt: skip
    refresh_suggestions()
    [after] = SuggestedContext.objects.filter(kind=SuggestionKind.PEER_GROUP)
    assert after.pk == before.pk and after.key == before.key
    assert newcomer.pk in after.people


def test_the_task_and_the_command_run_the_refresh(lead: User) -> None:
    plant_hotspot(lead)
    result = tasks.refresh_suggestions.enqueue()
    run_id = result.return_value
    assert run_id is not None
    assert SuggestionRun.objects.get(pk=run_id).hotspots_found == 1
    out = StringIO()
    call_command("refresh_suggestions", stdout=out)
    assert "1 possible hotspots and 0 possible peer groups" in out.getvalue()
    assert SuggestionRun.objects.count() == 2


def test_a_failed_recompute_changes_nothing_and_is_recorded(
    lead: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    plant_hotspot(lead)
    refresh_suggestions()
    before = list(SuggestedContext.objects.values_list("pk", "version", "current"))

    def broken() -> tuple[list[object], int]:
        raise RuntimeError("graph unavailable")

    monkeypatch.setattr("mapping.suggestions.find_groups", broken)
    with pytest.raises(RuntimeError):
        refresh_suggestions()
    assert list(SuggestedContext.objects.values_list("pk", "version", "current")) == before
    failed = SuggestionRun.objects.first()
    assert failed is not None and "graph unavailable" in failed.error
    assert SuggestionRun.objects.count() == 2
