"""Panels in the demo, in every state, written through the panels services like a user would.

- The Brackenmoor MARVE panel (fortnightly, chaired by Marcus Bell): a meeting a month ago,
  closed, with levels of concern, decisions and actions (one done, one overdue); a meeting held
  yesterday whose summary is still to send; and the next meeting, in five days, with two children
  (one from Kayden's MARVE referral) and a place on its agenda and police information already in.
- The Brackenmoor MACE (quarterly, chaired by Dana Whitlock): last quarter's meeting with
  strategic actions, and the next one.

Conferences are in ``demo.conference_stories``. Every name is invented.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from meetings.models import MarveReferral, MarveStatus
from panels import services as panels
from panels.models import AttendanceStatus, ConcernLevel, ContributionAudience, Meeting, Panel
from people.models import Person

if TYPE_CHECKING:
    from demo.pathway import Cast

POLICE = "Vale and Brackenmoor Police"
EDUCATION = "Brackenmoor Education Service"
COMMUNITY_SAFETY = "Brackenmoor Community Safety Partnership"
MARVE_NAME = "Brackenmoor MARVE panel"
MACE_NAME = "Brackenmoor MACE"


def load_panel_stories(cast: Cast, *, takeaways: str, stairwells: str, common: str) -> None:
    marve = _marve_panel(cast)
    _marve_last_month(cast, marve, stairwells)
    _marve_yesterday(cast, marve, common)
    _marve_next(cast, marve, takeaways)
    mace = _mace_panel(cast)
    _mace_last_quarter(cast, mace)
    _mace_next(cast, mace)


def _person(given: str, family: str) -> Person:
    return Person.objects.get(given_name=given, family_name=family)


def _at(cast: Cast, days_ago: float, hour: int = 10) -> dt.datetime:
    day = cast.day(int(days_ago))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _marve_panel(cast: Cast) -> Panel:
    chair = cast.users["marcus.bell"]
    panel = panels.panel_create(
        actor=chair,
        name=MARVE_NAME,
        kind="marve",
        frequency="fortnightly",
        chair=chair,
        purpose=(
            "Multi-agency risk, vulnerability and exploitation panel: named young people, groups, "
            "places and adults of concern, after an exploitation strategy meeting."
        ),
    )
    members = [
        ("dana.whitlock", "Contextual Safeguarding lead"),
        ("sam.okafor", "Adolescent safeguarding social worker"),
        ("nina.kowalski", "Child Exploitation Unit"),
        ("helen.marsh", "Education safeguarding"),
        ("tom.reid", "Detached youth work"),
    ]
    for username, role in members:
        panels.panel_member_add(actor=chair, panel=panel, user=cast.users[username], role=role)
    return panel


def _attend(cast: Cast, meeting: Meeting, *, apologies: tuple[str, ...] = ()) -> None:
    statuses = {}
    for participant in meeting.participants.select_related("user"):
        user = participant.user
        away = user is not None and user.username in apologies
        statuses[participant.pk] = AttendanceStatus.APOLOGIES if away else AttendanceStatus.ATTENDED
    panels.attendance_record(actor=meeting.chair, meeting=meeting, statuses=statuses)


def _close(cast: Cast, meeting: Meeting, *, held_days_ago: int, minutes: str, sent: bool) -> None:
    meeting.refresh_from_db()
    meeting = panels.meeting_hold(
        actor=meeting.chair,
        meeting=meeting,
        expected_version=meeting.version,
        held_at=_at(cast, held_days_ago, hour=12),
    )
    meeting = panels.minutes_save(
        actor=meeting.chair, meeting=meeting, expected_version=meeting.version, minutes=minutes
    )
    if sent:
        panels.meeting_close(
            actor=meeting.chair,
            meeting=meeting,
            expected_version=meeting.version,
            summary_sent_on=cast.day(held_days_ago - 1),
        )


def _marve_last_month(cast: Cast, panel: Panel, stairwells: str) -> None:
    chair = panel.chair
    meeting = panels.meeting_schedule(
        actor=chair, panel=panel, scheduled_for=_at(cast, 30), venue="Brackenmoor Civic Centre"
    )
    leon = panels.item_add(
        actor=chair,
        meeting=meeting,
        person=_person("Leon", "Farrow"),
        reason="Found in a trap house in another county; NRM referral made.",
    )
    place = panels.item_add(
        actor=chair,
        meeting=meeting,
        context=cast.places[stairwells],
        reason="Drug storage and hand-overs in the stairwells; younger children approached.",
    )
    _attend(cast, meeting, apologies=("helen.marsh",))
    police = cast.users["nina.kowalski"]
    panels.contribution_add(
        actor=police,
        item=leon,
        text="Leon was found with two adults now charged; he is treated as a victim.",
        audience=ContributionAudience.STATUTORY,
    )
    panels.contribution_add(
        actor=police,
        item=place,
        text="Six calls about the stairwells in eight weeks; a flat in block C is linked.",
    )
    panels.contribution_add(
        actor=cast.users["tom.reid"],
        item=place,
        text="Detached team met eleven young people on the estate; most want somewhere dry.",
    )
    for item, level, reasons, decision in (
        (
            leon,
            ConcernLevel.HIGH,
            "Trafficked across county lines; the adults who exploited him have associates locally.",
            "Keep on the MARVE list; key lead to review safety plan with Leon and his mother.",
        ),
        (
            place,
            ConcernLevel.HIGH,
            "Repeated drug activity in a shared space used by younger children.",
            "Hold a location CS&E conference for the stairwells.",
        ),
    ):
        item.refresh_from_db()
        panels.concern_record(
            actor=chair,
            item=item,
            expected_version=item.version,
            level=level,
            reasons=reasons,
            agreed_by="Children's services, police and Open Doors Youth Trust",
        )
        item.refresh_from_db()
        panels.item_decision_record(
            actor=chair, item=item, expected_version=item.version, decision=decision
        )
    done = panels.panel_action_add(
        actor=chair,
        meeting=meeting,
        item=place,
        description="Share police call data for the estate with the context assessment",
        owner_agency=None,
        owner_user=police,
        due_on=cast.day(23),
    )
    panels.panel_action_add(
        actor=chair,
        meeting=meeting,
        item=place,
        description="Ask the housing provider for CCTV coverage of stairwells B and C",
        owner_agency=cast.agencies[COMMUNITY_SAFETY],
        due_on=cast.day(9),
    )
    _close(
        cast,
        meeting,
        held_days_ago=30,
        minutes="Two items heard. Stairwells to a location conference; Leon stays on the list.",
        sent=True,
    )
    panels.panel_action_complete(
        actor=police,
        action=done,
        expected_version=done.version,
        completed_on=cast.day(25),
        evidence="Call data for eight weeks sent to Dana Whitlock by secure email.",
    )
    cast.created.append("MARVE panel a month ago: closed, one action done and one overdue")


def _marve_yesterday(cast: Cast, panel: Panel, common: str) -> None:
    chair = panel.chair
    meeting = panels.meeting_schedule(
        actor=chair, panel=panel, scheduled_for=_at(cast, 1), venue="Brackenmoor Civic Centre"
    )
    item = panels.item_add(
        actor=chair,
        meeting=meeting,
        context=cast.places[common],
        reason="Evening gatherings on the common; reports of older males selling cannabis.",
    )
    _attend(cast, meeting)
    panels.concern_record(
        actor=chair,
        item=item,
        expected_version=item.version,
        level=ConcernLevel.MEDIUM,
        reasons="Reports are second-hand; no child yet known to be exploited there.",
        agreed_by="All members present",
    )
    item.refresh_from_db()
    panels.item_decision_record(
        actor=chair,
        item=item,
        expected_version=item.version,
        decision="Detached youth work to visit on two evenings and report back.",
    )
    panels.panel_action_add(
        actor=chair,
        meeting=meeting,
        item=item,
        description="Two detached sessions on the common and a short report",
        owner_agency=None,
        owner_user=cast.users["tom.reid"],
        due_on=cast.day(-13),
    )
    _close(
        cast,
        meeting,
        held_days_ago=1,
        minutes="One item: Brackenmoor Common. Youth work visits agreed.",
        sent=False,
    )
    cast.created.append("MARVE panel yesterday: held, summary still to send")


def _marve_next(cast: Cast, panel: Panel, takeaways: str) -> None:
    chair = panel.chair
    meeting = panels.meeting_schedule(
        actor=chair, panel=panel, scheduled_for=_at(cast, -5), venue="Brackenmoor Civic Centre"
    )
    referral = (
        MarveReferral.objects.filter(status=MarveStatus.REFERRED, person__isnull=False)
        .order_by("referred_at")
        .first()
    )
    if referral is not None:
        kayden = panels.item_add(
            actor=chair,
            meeting=meeting,
            marve_referral=referral,
            reason="Referred from the exploitation strategy meeting: third missing episode.",
        )
        panels.contribution_add(
            actor=cast.users["nina.kowalski"],
            item=kayden,
            text="Seen twice with the adult of concern since the strategy meeting.",
            audience=ContributionAudience.STATUTORY,
        )
    panels.item_add(
        actor=chair,
        meeting=meeting,
        person=_person("Aisha", "Rahman"),
        reason="Missing now; found last time near the takeaways on Sallowmere Parade.",
    )
    panels.item_add(
        actor=chair,
        meeting=meeting,
        context=cast.places[takeaways],
        reason="Several children seen at the takeaways late at night; context assessment open.",
    )
    cast.created.append("MARVE panel in five days: two children and a place on the agenda")


def _mace_panel(cast: Cast) -> Panel:
    chair = cast.users["dana.whitlock"]
    panel = panels.panel_create(
        actor=chair,
        name=MACE_NAME,
        kind="mace",
        frequency="quarterly",
        chair=chair,
        purpose="Strategic multi-agency child exploitation panel: trends, places and responses.",
    )
    for username, role in (
        ("marcus.bell", "Conference and Review Service"),
        ("nina.kowalski", "Police"),
        ("helen.marsh", "Education"),
        ("tom.reid", "Voluntary sector"),
    ):
        panels.panel_member_add(actor=chair, panel=panel, user=cast.users[username], role=role)
    return panel


def _mace_last_quarter(cast: Cast, panel: Panel) -> None:
    chair = panel.chair
    meeting = panels.meeting_schedule(
        actor=chair, panel=panel, scheduled_for=_at(cast, 70), venue="Police station, Vale Road"
    )
    _attend(cast, meeting)
    done = panels.panel_action_add(
        actor=chair,
        meeting=meeting,
        description="Brief licensing officers on signs of exploitation in late-night takeaways",
        owner_agency=cast.agencies[COMMUNITY_SAFETY],
        due_on=cast.day(40),
    )
    panels.panel_action_add(
        actor=chair,
        meeting=meeting,
        description="Bring school exclusion figures by ward to the next MACE",
        owner_agency=cast.agencies[EDUCATION],
        owner_user=cast.users["helen.marsh"],
        due_on=cast.day(-20),
    )
    _close(
        cast,
        meeting,
        held_days_ago=70,
        minutes="Trends reviewed: county lines activity moving to the parade. Two actions.",
        sent=True,
    )
    panels.panel_action_complete(
        actor=chair,
        action=done,
        expected_version=done.version,
        completed_on=cast.day(45),
        evidence="Briefing given to eight licensing officers; slides in the MACE folder.",
    )
    cast.created.append("MACE last quarter: strategic actions, one done")


def _mace_next(cast: Cast, panel: Panel) -> None:
    panels.meeting_schedule(
        actor=panel.chair,
        panel=panel,
        scheduled_for=_at(cast, -21, hour=14),
        venue="Police station, Vale Road",
    )
    cast.created.append("MACE next quarter: scheduled")
