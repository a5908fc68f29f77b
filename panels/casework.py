"""The "Panels and conferences" card on a person's or a context's Casework tab."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse

from contexts.models import Context
from panels.models import AgendaItem, Meeting
from people.models import Person

ROWS = 6


@dataclass(frozen=True)
class ItemRow:
    item: AgendaItem
    meeting: Meeting
    label: str  # the meeting's title and date, as the viewer may see it
    url: str


@dataclass(frozen=True)
class SubjectPanel:
    rows: list[ItemRow]
    can_book_conference: bool
    conference_query: str


def _rows(viewer: Any, about: Q) -> list[ItemRow]:
    items = (
        AgendaItem.objects.filter(about)
        .select_related("meeting__panel", "meeting__chair", "person", "context", "recording_agency")
        .order_by("-meeting__scheduled_for", "-pk")
    )
    rows: list[ItemRow] = []
    for item in items[: ROWS * 3]:
        if not viewer.has_perm("panels.view_item", item):
            continue
        meeting = item.meeting
        rows.append(
            ItemRow(
                item=item,
                meeting=meeting,
                label=f"{meeting.title}, {meeting.scheduled_for:%d %b %Y}",
                url=reverse("panels:item_detail", args=[item.pk]),
            )
        )
        if len(rows) == ROWS:
            break
    return rows


def person_panel(*, viewer: Any, person: Person) -> SubjectPanel:
    return SubjectPanel(
        rows=_rows(viewer, Q(person=person)),
        can_book_conference=bool(viewer.has_perm("panels.add_conference")),
        conference_query=f"person={person.pk}",
    )


def context_panel(*, viewer: Any, context: Context) -> SubjectPanel:
    return SubjectPanel(
        rows=_rows(viewer, Q(context=context)),
        can_book_conference=bool(viewer.has_perm("panels.add_conference")),
        conference_query=f"context={context.pk}",
    )
