"""Who sees what of a panel meeting: the rules and selectors, member by member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from contexts.models import Context
from panels import selectors, services
from panels.models import (
    AgendaItem,
    ConferenceForm,
    ConferenceStage,
    ContributionAudience,
    Meeting,
    MeetingKind,
)
from people.models import Person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(meeting: Meeting, chair: User, child: Person, place: Context) -> Meeting:
    services.item_add(actor=chair, meeting=meeting, person=child, reason="Third missing episode")
    services.item_add(actor=chair, meeting=meeting, context=place, reason="Approaches at night")
    return meeting


def _close(meeting: Meeting, chair: User) -> Meeting:
    meeting = services.meeting_hold(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        held_at=timezone.now() - dt.timedelta(hours=1),
    )
    meeting = services.minutes_save(
        actor=chair, meeting=meeting, expected_version=meeting.version, minutes="Heard."
    )
    return services.meeting_close(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        summary_sent_on=timezone.localdate(),
    )


def test_members_see_every_item_while_the_meeting_is_open(
    agenda: Meeting, officer: User, youth_worker: User
) -> None:
    for member in (officer, youth_worker):
        assert member.has_perm("panels.view_meeting", agenda)
        assert len(selectors.items_for_viewer(member, agenda)) == 2


def test_after_the_meeting_closes_members_keep_only_their_own_actions(
    agenda: Meeting, chair: User, officer: User, youth_worker: User
) -> None:
    item = agenda.items.get(person__isnull=False)
    mine = services.panel_action_add(
        actor=chair,
        meeting=agenda,
        item=item,
        description="Share the intelligence log with the key lead",
        owner_agency=None,
        owner_user=officer,
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    theirs = services.panel_action_add(
        actor=chair,
        meeting=agenda,
        item=None,
        description="Detached sessions on the parade",
        owner_agency=youth_worker.agency,
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    place_item = agenda.items.get(context__isnull=False)
    services.contribution_add(actor=officer, item=place_item, text="Two calls this month.")
    assert len(selectors.contributions_for_viewer(officer, place_item)) == 1
    agenda = _close(agenda, chair)
    assert not officer.has_perm("panels.view_meeting", agenda)
    assert not officer.has_perm("panels.view_item", item)
    # The child's item goes; the place's stays, as every partnership record about a place does,
    # but what each agency said at the meeting does not.
    assert [i.context_id for i in selectors.items_for_viewer(officer, agenda)] == [
        agenda.items.get(context__isnull=False).context_id
    ]
    assert (
        selectors.contributions_for_viewer(officer, agenda.items.get(context__isnull=False)) == []
    )
    assert selectors.actions_for_viewer(officer, agenda) == [mine]
    assert selectors.actions_for_viewer(youth_worker, agenda) == [theirs]
    assert not officer.has_perm("panels.view_panel_action", theirs)
    assert list(selectors.my_panel_actions(officer)) == [mine]
    # The chair keeps the whole record.
    assert chair.has_perm("panels.view_meeting", agenda)
    assert len(selectors.items_for_viewer(chair, agenda)) == 2


def test_someone_outside_the_meeting_sees_nothing_of_a_childs_item(
    agenda: Meeting, police_agency: object
) -> None:
    outsider = UserFactory.create(agency=police_agency, roles=["practitioner"])
    item = agenda.items.get(person__isnull=False)
    assert not outsider.has_perm("panels.view_meeting", agenda)
    assert not outsider.has_perm("panels.view_item", item)
    assert list(selectors.meetings_for_viewer(outsider)) == []


def test_the_childs_own_social_worker_sees_the_item_on_the_childs_record(
    agenda: Meeting, personas: dict[str, User]
) -> None:
    item = agenda.items.get(person__isnull=False)
    worker = personas["practitioner"]
    assert not worker.has_perm("panels.view_meeting", agenda)
    assert worker.has_perm("panels.view_item", item)


def test_statutory_only_information_never_reaches_a_partner_outside_them(
    agenda: Meeting, officer: User, youth_worker: User, chair: User
) -> None:
    item = agenda.items.get(person__isnull=False)
    services.contribution_add(
        actor=officer,
        item=item,
        text="Seen with Darren Vince at the parade on 3 November.",
        audience=ContributionAudience.STATUTORY,
    )
    services.contribution_add(actor=officer, item=item, text="Patrols increased at the parade.")
    assert len(selectors.contributions_for_viewer(chair, item)) == 2
    shown = selectors.contributions_for_viewer(youth_worker, item)
    assert [c.text for c in shown] == ["Patrols increased at the parade."]


def _context_conference(chair: User, place: Context, participants: list[User]) -> Meeting:
    agency = chair.agency
    assert agency is not None
    meeting = Meeting.objects.create(
        kind=MeetingKind.CONFERENCE,
        form=ConferenceForm.CONTEXT,
        stage=ConferenceStage.INITIAL,
        scheduled_for=timezone.now() + dt.timedelta(days=3),
        chair=chair,
        recording_agency=agency,
        recorded_by=chair,
    )
    for user in participants:
        services.participant_add(actor=chair, meeting=meeting, user=user)
    AgendaItem.objects.create(
        meeting=meeting,
        position=1,
        source="conference",
        context=place,
        reason="Approaches at the interchange",
        recording_agency=agency,
        recorded_by=chair,
    )
    return meeting


def test_a_context_conference_names_no_children_to_partners_outside_the_statutory_agencies(
    chair: User, place: Context, officer: User, youth_worker: User, child: Person
) -> None:
    meeting = _context_conference(chair, place, [officer, youth_worker])
    item = meeting.items.get()
    assert selectors.item_label(youth_worker, item) == place.name
    from panels.rules import names_children_to

    assert names_children_to(officer, meeting)
    assert not names_children_to(youth_worker, meeting)
    with pytest.raises(Exception, match="children's names"):
        services.contribution_add(
            actor=youth_worker,
            item=item,
            text="Tayla was there",
            audience=ContributionAudience.STATUTORY,
        )


def test_a_child_item_is_labelled_without_a_name_where_names_are_not_shared(
    agenda: Meeting, youth_worker: User, officer: User, child: Person
) -> None:
    item = agenda.items.get(person__isnull=False)
    # A panel meeting shares names with its members (they are there to discuss the child).
    assert selectors.item_label(youth_worker, item) == child.display_name
    assert selectors.item_label(officer, item) == child.display_name
