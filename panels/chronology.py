"""Panel meetings and conferences on a person's or a context's chronology.

Registered from ``PanelsConfig.ready()``. Each agenda item the viewer may see (``panels.view_item``)
is one entry at the meeting's date: where it was discussed, the level of concern the meeting agreed
and its decision. At most ``LIMIT`` entries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse

from access.roles import CASE_WORK_ROLES
from contexts.models import Context
from events.chronology import (
    LIMIT,
    ChronologyEntry,
    ChronologyFilter,
    ChronologySource,
    in_window,
    wants,
)
from panels.models import AgendaItem, MeetingStatus
from people.models import Person

PANEL_ITEM = ("panel_item", "Panel or conference")


def _body(item: AgendaItem) -> str:
    parts = [item.reason]
    if item.concern_level:
        parts.append(
            f"Level of concern agreed: {item.get_concern_level_display().lower()} — "
            f"{item.concern_reasons}"
        )
    if item.decision:
        parts.append(f"Decision: {item.decision}")
    return "\n".join(parts)


def _entries(viewer: Any, subject: Person | Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return []
    if not wants(f, PANEL_ITEM[0]):
        return []
    about = Q(person=subject) if isinstance(subject, Person) else Q(context=subject)
    items = (
        AgendaItem.objects.filter(about)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting__panel", "meeting__chair", "recording_agency", "person")
        .order_by("-meeting__scheduled_for", "-pk")
    )
    if f.agency_id:
        items = items.filter(recording_agency_id=f.agency_id)
    entries: list[ChronologyEntry] = []
    for item in items[: LIMIT * 2]:
        meeting = item.meeting
        when = meeting.held_at or meeting.scheduled_for
        if not in_window(when, f) or not viewer.has_perm("panels.view_item", item):
            continue
        held = meeting.status in (MeetingStatus.HELD, MeetingStatus.CLOSED)
        entries.append(
            ChronologyEntry(
                when=when,
                date_only=False,
                entry_type=PANEL_ITEM[0],
                type_label=PANEL_ITEM[1],
                title=f"{'Discussed at' if held else 'On the agenda of'} {meeting.title}",
                body=_body(item),
                agency=item.recording_agency.name,
                byline=str(meeting.chair.get_full_name() or meeting.chair.username),
                link=reverse("panels:item_detail", args=[item.pk]),
            )
        )
        if len(entries) == LIMIT:
            break
    return entries


def for_person(viewer: Any, person: Person, f: ChronologyFilter) -> list[ChronologyEntry]:
    return _entries(viewer, person, f)


def for_context(viewer: Any, context: Context, f: ChronologyFilter) -> list[ChronologyEntry]:
    return _entries(viewer, context, f)


SOURCE = ChronologySource(
    name="panels",
    entry_types=(PANEL_ITEM,),
    for_person=for_person,
    for_context=for_context,
)
