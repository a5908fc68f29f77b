"""The suggested-contexts queue in the browser's terms: who may reach it, what each lead sees,
and the accept / dismiss / snooze decisions with their version check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team, User
from audit.models import AccessAction, AccessEvent
from contexts.models import Context, ContextKind, ContextLink
from events.models import Event
from mapping.models import SuggestedContext, SuggestionKind, SuggestionStatus
from mapping.suggestions import refresh_suggestions, suggestion_queue
from mapping.tests.test_suggestions_engine import CENTRE, befriend, plant_hotspot, young
from mapping.views.suggestions import guess_location_type
from people.codes import Reliability
from people.models import Person
from people.services import association_create
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

Clients = Callable[[User], Client]


@pytest.fixture
def lead(personas: dict[str, User]) -> User:
    lead = personas["cs_lead"]
    lead.first_name, lead.last_name = "Dana", "Whitlock"
    lead.save()
    return lead


@pytest.fixture
def team(lead: User) -> Team:
    team: Team = lead.teams.get()
    return team


def hotspot(lead: User) -> SuggestedContext:
    plant_hotspot(lead)
    refresh_suggestions()
    return SuggestedContext.objects.get(kind=SuggestionKind.HOTSPOT)


def group_of(actor: User, n: int, prefix: str) -> list[Person]:
    people = young(actor, n, prefix)
    befriend(actor, people)
    return people


# --- who may reach it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("cs_lead", 200),
        ("practitioner", 403),
        ("team_manager", 403),
        ("panel_chair", 403),
        ("analyst", 403),
        ("administrator", 403),
        ("auditor", 403),
        ("police_practitioner", 403),
        ("no_role", 403),
    ],
)
def test_only_the_cs_lead_reaches_the_queue(
    personas: dict[str, User], client_for: Clients, persona: str, status: int
) -> None:
    plant_hotspot(personas["cs_lead"])
    refresh_suggestions()
    pk = SuggestedContext.objects.get().pk
    client = client_for(personas[persona])
    assert client.get(reverse("mapping:suggestions")).status_code == status
    assert client.get(reverse("mapping:suggestion", args=[pk])).status_code == status
    response = client.post(reverse("mapping:suggestion-dismiss", args=[pk]), {"reason": "No"})
    assert response.status_code == status
    assert SuggestedContext.objects.get().status == SuggestionStatus.OPEN


def test_signed_out_people_are_sent_to_sign_in(db: None) -> None:
    response = Client().get(reverse("mapping:suggestions"))
    assert response.status_code == 302 and "next=" in response["Location"]


# --- what the lead sees --------------------------------------------------------------------------


def test_the_queue_lists_suggestions_with_the_latest_run(lead: User, client_for: Clients) -> None:
    group_of(lead, 4, "Peer")
    suggestion = hotspot(lead)
    page = client_for(lead).get(reverse("mapping:suggestions")).content.decode()
    assert "Possible hotspot: Underpass by the canal" in page
    assert "Possible peer group" in page
    assert reverse("mapping:suggestion", args=[suggestion.pk]) in page
    assert "Last computed at" in page and "(25 events, 6 links considered)" in page
    assert "Suggestions built mostly from records you cannot open are not listed" in page
    assert "4 young people you may see" in page


def test_the_hotspot_page_shows_counts_and_only_events_the_lead_may_open(
    lead: User, personas: dict[str, User], client_for: Clients
) -> None:
    suggestion = hotspot(lead)
    # A restricted police event in the same cell is neither listed nor counted: the count is of
    # the events this lead may open (the reviewer found the old count disclosed hidden records).
    hidden = Event.objects.filter(h3_cell=CENTRE).first()
    assert hidden is not None
    Event.objects.filter(pk=hidden.pk).update(
        sensitivity="restricted", recording_agency=personas["police_practitioner"].agency
    )
    response = client_for(lead).get(reverse("mapping:suggestion", args=[suggestion.pk]))
    page = response.content.decode()
    assert response.context["view"].hotspot.total == 14
    shown = {e.pk for e in response.context["view"].hotspot.events}
    assert len(shown) == 14 and hidden.pk not in shown
    assert "Events you may open (14, most recent first)" in page
    assert f"/mapping/map/cells/{CENTRE}/" in page or reverse("mapping:cell", args=[CENTRE]) in page
    assert AccessEvent.objects.filter(
        action=AccessAction.VIEW, object_type="mapping.suggestedcontext", actor=lead
    ).exists()


def test_a_person_the_lead_may_not_open_is_never_shown(
    lead: User, personas: dict[str, User], client_for: Clients
) -> None:
    police = personas["police_practitioner"]
    visible = group_of(lead, 4, "Seen")
    hidden = make_hidden(police)
    for person in visible:
        association_create(
            actor=police, person=hidden, other=person, kind="peer", source="police report",
            reliability="reported",
        )  # fmt: skip
    refresh_suggestions()
    suggestion = SuggestedContext.objects.get(kind=SuggestionKind.PEER_GROUP)
    assert hidden.pk in suggestion.people  # the engine sees the whole partnership

    client = client_for(lead)
    for url in (
        reverse("mapping:suggestions"),
        reverse("mapping:suggestion", args=[suggestion.pk]),
        reverse("mapping:suggestion-accept", args=[suggestion.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Hidden" not in page and "Secretname" not in page
        assert "5 young people" not in page  # no count that discloses the hidden child
    detail = client.get(reverse("mapping:suggestion", args=[suggestion.pk]))
    assert [p.pk for p in detail.context["view"].group.young_people] == sorted(
        p.pk for p in visible
    )
    assert "4 young people you may see" in detail.content.decode()
    # Links to the hidden child are left out too.
    assert all(
        hidden.pk not in (a.person_id, a.other_id)
        for a in detail.context["view"].group.associations
    )
    assert len(detail.context["view"].group.associations) == 6


def make_hidden(police: User) -> Person:
    from tests.factories import make_person

    return make_person(police, given_name="Hidden", family_name="Secretname")


def test_a_group_with_too_few_visible_young_people_is_not_listed(
    lead: User, personas: dict[str, User], client_for: Clients
) -> None:
    police = personas["police_practitioner"]
    people = group_of(police, 4, "Police")
    refresh_suggestions()
    suggestion = SuggestedContext.objects.get(kind=SuggestionKind.PEER_GROUP)
    assert set(suggestion.people) == {p.pk for p in people}
    assert suggestion_queue(viewer=lead, status=SuggestionStatus.OPEN) == []
    client = client_for(lead)
    page = client.get(reverse("mapping:suggestions")).content.decode()
    assert "Possible peer group" not in page
    assert "To review: 0 suggestions" in page
    assert client.get(reverse("mapping:suggestion", args=[suggestion.pk])).status_code == 404
    assert client.get(reverse("mapping:suggestion-accept", args=[suggestion.pk])).status_code == 404


# --- decisions -----------------------------------------------------------------------------------


def test_accepting_a_hotspot_opens_a_location_with_the_events(
    lead: User, team: Team, client_for: Clients
) -> None:
    suggestion = hotspot(lead)
    client = client_for(lead)
    url = reverse("mapping:suggestion-accept", args=[suggestion.pk])
    form = client.get(url).context["form"]
    assert form.initial["name"] == "Underpass by the canal"
    assert form.initial["location_type"] == "transport_hub"
    assert form.initial["owning_team"] == team
    events = list(Event.objects.filter(h3_cell=CENTRE).values_list("pk", flat=True))
    assert sorted(form.initial["events"]) == sorted(events)
    chosen = events[:10]
    response = client.post(
        url,
        {
            "name": "Canal underpass",
            "location_type": "transport_hub",
            "owning_team": team.pk,
            "events": chosen,
            "version": suggestion.version,
        },
    )
    context = Context.objects.get(name="Canal underpass")
    assert response.status_code == 302
    assert response["Location"] == reverse("contexts:profile", args=[context.pk])
    assert context.kind == ContextKind.LOCATION
    assert sorted(context.events.values_list("pk", flat=True)) == sorted(chosen)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert suggestion.created_context == context and suggestion.decided_by == lead
    # Now covered: the next recompute does not suggest it again, and the decision stays.
    run = refresh_suggestions()
    assert run.hotspots_found == 0
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED


def test_accepting_a_group_links_visible_members_as_intelligence(
    lead: User, team: Team, personas: dict[str, User], client_for: Clients
) -> None:
    members = group_of(lead, 4, "Member")
    refresh_suggestions()
    suggestion = SuggestedContext.objects.get(kind=SuggestionKind.PEER_GROUP)
    client = client_for(lead)
    url = reverse("mapping:suggestion-accept", args=[suggestion.pk])
    assert sorted(client.get(url).context["form"].initial["members"]) == sorted(
        p.pk for p in members
    )
    response = client.post(
        url,
        {
            "name": "Canal friendship group",
            "owning_team": team.pk,
            "members": [p.pk for p in members[:3]],
            "version": suggestion.version,
        },
    )
    group = Context.objects.get(name="Canal friendship group")
    assert response["Location"] == reverse("contexts:profile", args=[group.pk])
    assert group.kind == ContextKind.PEER_GROUP
    links = ContextLink.objects.filter(context=group)
    assert sorted(link.person_id or 0 for link in links) == sorted(p.pk for p in members[:3])
    for link in links:
        assert link.kind == "member_of"
        assert link.reliability == Reliability.INTELLIGENCE
        assert link.source == "Suggested by network analysis; accepted by Dana Whitlock"
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.created_context == group


def test_a_group_cannot_name_someone_the_lead_may_not_open(
    lead: User, team: Team, personas: dict[str, User], client_for: Clients
) -> None:
    members = group_of(lead, 4, "Member")
    hidden = make_hidden(personas["police_practitioner"])
    for person in members:
        association_create(
            actor=lead, person=hidden, other=person, kind="peer", source="DSL",
            reliability="reported",
        )  # fmt: skip
    refresh_suggestions()
    suggestion = SuggestedContext.objects.get(kind=SuggestionKind.PEER_GROUP)
    response = client_for(lead).post(
        reverse("mapping:suggestion-accept", args=[suggestion.pk]),
        {
            "name": "Group",
            "owning_team": team.pk,
            "members": [hidden.pk],
            "version": suggestion.version,
        },
    )
    assert response.status_code == 200
    assert not Context.objects.filter(name="Group").exists()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN


def test_initials_only_partnerships_get_a_group_without_named_members(
    lead: User, team: Team, client_for: Clients, settings: object
) -> None:
    settings.PEER_GROUP_MEMBERS = "initials"  # type: ignore[attr-defined]
    members = group_of(lead, 4, "Member")
    refresh_suggestions()
    suggestion = SuggestedContext.objects.get(kind=SuggestionKind.PEER_GROUP)
    client = client_for(lead)
    url = reverse("mapping:suggestion-accept", args=[suggestion.pk])
    page = client.get(url)
    assert "members" not in page.context["form"].fields
    assert "records peer-group members by their initials only" in page.content.decode()
    response = client.post(
        url,
        {
            "name": "Canal group",
            "owning_team": team.pk,
            "members": [p.pk for p in members],
            "version": suggestion.version,
        },
        follow=True,
    )
    group = Context.objects.get(name="Canal group")
    assert not ContextLink.objects.filter(context=group).exists()
    assert "without named members" in response.content.decode()


def test_dismissing_needs_a_reason(lead: User, client_for: Clients) -> None:
    suggestion = hotspot(lead)
    client = client_for(lead)
    url = reverse("mapping:suggestion-dismiss", args=[suggestion.pk])
    response = client.post(url, {"reason": "  ", "version": suggestion.version})
    assert response.status_code == 200
    assert "Say why this suggestion is dismissed" in response.content.decode()
    response = client.post(
        url, {"reason": "A car wash, busy by day", "version": suggestion.version}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED
    assert suggestion.reason == "A car wash, busy by day"
    assert suggestion.decided_by == lead
    audit = AccessEvent.objects.filter(
        action=AccessAction.CHANGE, object_type="mapping.suggestedcontext"
    ).latest("sequence")
    assert audit.changes["reason"] == "A car wash, busy by day"
    # Listed under Dismissed, not under To review.
    assert (
        "A car wash, busy by day"
        in client.get(reverse("mapping:suggestions") + "?status=dismissed").content.decode()
    )
    assert "To review: 0 suggestions" in client.get(reverse("mapping:suggestions")).content.decode()


def test_snoozing_needs_a_future_date(lead: User, client_for: Clients) -> None:
    suggestion = hotspot(lead)
    client = client_for(lead)
    url = reverse("mapping:suggestion-snooze", args=[suggestion.pk])
    default = client.get(url).context["form"].initial["until"]
    assert default == timezone.localdate() + dt.timedelta(weeks=4)
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "until_day": today.day,
            "until_month": today.month,
            "until_year": today.year,
            "version": suggestion.version,
        },
    )
    assert "The date must be in the future" in response.content.decode()
    later = today + dt.timedelta(days=10)
    response = client.post(
        url,
        {
            "until_day": later.day,
            "until_month": later.month,
            "until_year": later.year,
            "version": suggestion.version,
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.snoozed_until) == (SuggestionStatus.SNOOZED, later)


def test_two_leads_deciding_at_once_never_silently_overwrite(
    lead: User, personas: dict[str, User], client_for: Clients
) -> None:
    from tests.factories import UserFactory

    other = UserFactory.create(agency=lead.agency, roles=["cs_lead"], first_name="Sam")
    suggestion = hotspot(lead)
    opened = suggestion.version
    # The other lead dismisses first.
    client_for(other).post(
        reverse("mapping:suggestion-dismiss", args=[suggestion.pk]),
        {"reason": "Known already", "version": opened},
    )
    # This lead, who opened the page before that, tries to snooze it.
    later = timezone.localdate() + dt.timedelta(days=10)
    response = client_for(lead).post(
        reverse("mapping:suggestion-snooze", args=[suggestion.pk]),
        {
            "until_day": later.day,
            "until_month": later.month,
            "until_year": later.year,
            "version": opened,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else decided this suggestion while you were looking at it" in page
    assert "it is now dismissed" in page and "Known already" in page
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED
    # Accepting from a stale page creates nothing either.
    response = client_for(lead).post(
        reverse("mapping:suggestion-accept", args=[suggestion.pk]),
        {
            "name": "Canal underpass",
            "location_type": "transport_hub",
            "owning_team": TeamFactory.create(agency=lead.agency).pk,
            "events": [],
            "version": opened,
        },
    )
    assert response.status_code == 200
    assert not Context.objects.filter(name="Canal underpass").exists()
    # Submitting again, deliberately, with the version the conflict form now carries, works.
    fresh = response.context["form"].data["version"]
    response = client_for(lead).post(
        reverse("mapping:suggestion-snooze", args=[suggestion.pk]),
        {
            "until_day": later.day,
            "until_month": later.month,
            "until_year": later.year,
            "version": fresh,
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SNOOZED


@pytest.mark.parametrize(
    ("place", "kind"),
    [
        ("Underpass beneath the Greyfallow ring road", "transport_hub"),
        ("Car park behind Fenwhistle Retail Park", "other"),
        ("Brackenmoor Common", "park"),
        ("Chicken shop on Linden Court", "shop_takeaway"),
    ],
)
def test_the_location_type_is_guessed_from_the_place(place: str, kind: str) -> None:
    assert guess_location_type(place) == kind


def test_the_queue_warns_when_the_latest_recompute_failed(lead: User, client_for: Clients) -> None:
    from mapping.models import SuggestionRun

    hotspot(lead)
    SuggestionRun.objects.create(error="RuntimeError('graph unavailable')")
    page = client_for(lead).get(reverse("mapping:suggestions")).content.decode()
    assert "did not finish" in page
    assert "Possible hotspot: Underpass by the canal" in page  # the previous run's queue stays


def test_a_group_is_dated_by_the_records_the_lead_may_open(
    lead: User, personas: dict[str, User], client_for: Clients
) -> None:
    from mapping.graph import forget_partnership_graph
    from people.models import Association

    visible = group_of(lead, 4, "Seen")
    hidden = make_hidden(personas["police_practitioner"])
    for person in visible:
        association_create(
            actor=lead, person=hidden, other=person, kind="peer", source="DSL",
            reliability="reported",
        )  # fmt: skip
    old = timezone.now() - dt.timedelta(days=400)
    Association.objects.filter(person=hidden).update(created_at=old)
    forget_partnership_graph()  # a queryset update is not seen by the cached graph at once
    refresh_suggestions()
    suggestion = SuggestedContext.objects.get(kind=SuggestionKind.PEER_GROUP)
    assert suggestion.period_start == timezone.localdate(old)  # the engine saw it
    view = client_for(lead).get(reverse("mapping:suggestion", args=[suggestion.pk])).context["view"]
    assert view.period_start == timezone.localdate()  # the lead is not told it exists


def test_a_hotspot_built_from_records_the_lead_cannot_open_is_neither_listed_nor_shown(
    lead: User, personas: dict[str, User], client_for: Clients
) -> None:
    # Police events with no recorded place and nobody the lead's agency may open.
    plant_hotspot(personas["police_practitioner"])
    refresh_suggestions()
    suggestion = SuggestedContext.objects.get(kind=SuggestionKind.HOTSPOT)
    client = client_for(lead)
    queue = client.get(reverse("mapping:suggestions")).content.decode()
    assert (
        "Underpass by the canal" not in queue and "Underpass by the canal" not in suggestion.title
    )
    assert reverse("mapping:suggestion", args=[suggestion.pk]) not in queue
    assert client.get(reverse("mapping:suggestion", args=[suggestion.pk])).status_code == 404
