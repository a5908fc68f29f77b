"""The panel pack and the minutes as PDF files, each made for one recipient.

A pack leaves the system: it is printed, emailed, read on a train. So it holds only what its
recipient may see, computed with the recipient's own permissions through the same selectors the
pages use. When the chair prepares a pack for someone else, it holds only what both of them may
see: the chair never reads, through someone else's pack, a record their own agency may not open.

Where children may not be named to the recipient (a context conference, a partner outside the
statutory agencies) nothing that names a person goes in: chronology entries with people are
left out and the names of the children linked to the places on the agenda are withheld from
free text, in case someone wrote one where they should not have.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from contexts.models import Context, ContextKind, ContextLink
from events.chronology import ChronologyEntry, ChronologyFilter, context_chronology
from events.chronology import person_chronology as _person_chronology
from events.models import EventKind
from panels import selectors
from panels.minimap import MiniMap, location_minimap
from panels.models import AgendaItem, Contribution, Meeting, MeetingKind, PanelAction
from panels.rules import names_children_to
from people.models import Person, PersonName
from plans.models import Action, Plan, PlanStatus
from plans.selectors import ActionRow, action_rows, plan_detail

CHRONOLOGY_DAYS = 90
CHRONOLOGY_ENTRIES = 15
MARKING = "OFFICIAL-SENSITIVE"
WITHHELD = "[name withheld]"
UNNAMED_PERSON = "A person not named in this pack"
# Chronology entries that are about people by their nature (who knows whom, who goes where).
NAMING_ENTRY_TYPES = frozenset({"association", "context_link"})
SAFE_ENTRY_TYPES = frozenset({*EventKind.values, "record"})


# --- who the document is for -------------------------------------------------------------------


@dataclass(frozen=True)
class Readers:
    """The recipient, and the person downloading (the same user, or the chair)."""

    recipient: User
    requester: User

    @property
    def both(self) -> tuple[User, ...]:
        if self.recipient.pk == self.requester.pk:
            return (self.recipient,)
        return (self.recipient, self.requester)

    def all_may(self, permission: str, obj: Any) -> bool:
        return all(user.has_perm(permission, obj) for user in self.both)

    def may_name_children(self, meeting: Meeting) -> bool:
        return all(names_children_to(u, meeting) for u in self.both)


def recipient_line(user: User) -> str:
    name = user.get_full_name() or user.get_username()
    return f"{name}, {user.agency}" if user.agency_id else name


# --- names withheld -----------------------------------------------------------------------------


class Redactor:
    """Withholds the names of children from free text where they may not be named."""

    def __init__(self, names: Iterable[str]) -> None:
        words = sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True)
        self.pattern = (
            re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
            if words
            else None
        )

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(WITHHELD, text)


def _names_on_agenda(items: list[AgendaItem]) -> set[str]:
    """Every name of the children on the agenda and of everyone linked to its contexts."""
    people = {i.person_id for i in items if i.person_id}
    contexts = [i.context_id for i in items if i.context_id]
    people |= set(
        ContextLink.objects.filter(context_id__in=contexts, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    names: set[str] = set()
    for person in Person.objects.filter(pk__in=people):
        names |= {person.given_name, person.family_name, person.known_as or ""}
        names.add(f"{person.given_name} {person.family_name}")
    names |= set(PersonName.objects.filter(person_id__in=people).values_list("name", flat=True))
    return names


def _no_redaction(text: str) -> str:
    return text


# --- the pieces of an item ----------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    when: dt.datetime
    date_only: bool
    type_label: str
    title: str
    body: str
    agency: str
    people: list[tuple[str, str]]  # (name, role)
    restricted: bool


@dataclass(frozen=True)
class ContributionRow:
    agency: str
    author: str
    submitted_at: dt.datetime
    in_advance: bool
    text: str


@dataclass(frozen=True)
class ActionLine:
    description: str
    owner: str
    due_on: dt.date | None
    status: str
    overdue: bool
    target: str = ""
    item_label: str = ""


@dataclass(frozen=True)
class GoalLine:
    statement: str
    measure: str
    status: str
    actions: list[ActionLine]


@dataclass(frozen=True)
class PlanSummary:
    title: str
    started_on: dt.date
    next_review_due: dt.date | None
    key_lead: str
    safety: str
    goals: list[GoalLine]
    other_actions: list[ActionLine]
    hidden_actions: int


@dataclass
class ItemSection:
    number: int
    label: str
    kind: str
    source: str
    reason: str
    contributions: list[ContributionRow] = field(default_factory=list)
    chronology: list[EntryRow] = field(default_factory=list)
    chronology_more: bool = False
    plans: list[PlanSummary] = field(default_factory=list)
    minimap: MiniMap | None = None
    address: str = ""
    # Minutes
    concern: str = ""
    concern_reasons: str = ""
    concern_agreed_by: str = ""
    decision: str = ""
    actions: list[ActionLine] = field(default_factory=list)


def _kind(item: AgendaItem) -> str:
    if item.context_id is not None and item.context is not None:
        return str(item.context.get_kind_display())
    return "Young person"


def _entry_key(entry: ChronologyEntry) -> tuple[str, dt.datetime, str, str]:
    return (entry.entry_type, entry.when, entry.title, entry.body)


def _chronology_for(user: User, item: AgendaItem, since: dt.date) -> list[ChronologyEntry]:
    filters = ChronologyFilter(date_from=since)
    if item.person is not None:
        entries = _person_chronology(viewer=user, person=item.person, filters=filters)
        may_open = user.has_perm("people.view_person", item.person)
    elif item.context is not None:
        entries = context_chronology(viewer=user, context=item.context, filters=filters)
        may_open = user.has_perm("contexts.view_context", item.context)
    else:
        return []
    if not may_open:
        # Someone who may not open the record still sees the events their agency may see
        # (the events' own rules), never the record's links and history.
        entries = [e for e in entries if e.entry_type in EventKind.values]
    return entries


def chronology_rows(
    readers: Readers, item: AgendaItem, *, names: bool, redact: Callable[[str], str], today: dt.date
) -> tuple[list[EntryRow], bool]:
    """The recent chronology both readers may see: the last 90 days, newest first, at most 15.
    Returns the rows and whether there were more."""
    since = today - dt.timedelta(days=CHRONOLOGY_DAYS)
    entries = _chronology_for(readers.recipient, item, since)
    people_seen: dict[tuple[str, dt.datetime, str, str], list[tuple[str, str, str]]] = {}
    if readers.requester.pk != readers.recipient.pk:
        theirs = {_entry_key(e): e for e in _chronology_for(readers.requester, item, since)}
        entries = [e for e in entries if _entry_key(e) in theirs]
        people_seen = {k: e.people for k, e in theirs.items()}
    if not names:
        entries = [
            e
            for e in entries
            if not e.people
            and e.entry_type in SAFE_ENTRY_TYPES
            and e.entry_type not in NAMING_ENTRY_TYPES
        ]
    rows = []
    for e in entries[:CHRONOLOGY_ENTRIES]:
        other = people_seen.get(_entry_key(e))
        people = []
        for i, (name, role, _link) in enumerate(e.people):
            # Where the two readers see a person differently, neither name goes in.
            same = other is None or (i < len(other) and other[i][0] == name)
            people.append((name if same else UNNAMED_PERSON, role))
        rows.append(
            EntryRow(
                when=e.when,
                date_only=e.date_only,
                type_label=e.type_label,
                title=redact(e.title),
                body=redact(e.body),
                agency=e.agency,
                people=people,
                restricted=e.restricted,
            )
        )
    return rows, len(entries) > CHRONOLOGY_ENTRIES


def _owner(action: Action) -> str:
    return action.owner_label or str(action.owner_agency or "")


def _plan_action_line(
    row: ActionRow,
    *,
    requester: dict[int, tuple[str, str]],
    names: bool,
    redact: Callable[[str], str],
) -> ActionLine:
    action = row.action
    target = ", ".join(t for t in (row.target, row.participant) if t)
    if action.target_person_id or action.participant_person_id:
        if not names:
            target = "A young person" if action.participant_person_id else UNNAMED_PERSON
        elif requester and requester.get(action.pk) != (
            row.target,
            row.participant,
        ):
            # The two readers see the person differently: name no one.
            target = UNNAMED_PERSON
    return ActionLine(
        description=redact(action.description),
        owner=_owner(action),
        due_on=action.due_on,
        status=str(action.get_status_display()),
        overdue=row.overdue,
        target=redact(target),
    )


def plan_summaries(
    readers: Readers, item: AgendaItem, *, names: bool, redact: Callable[[str], str], today: dt.date
) -> list[PlanSummary]:
    """The subject's active plans that both readers may view, with the actions they may view."""
    subject = Q(person=item.person) if item.person_id else Q(context=item.context)
    plans = Plan.objects.filter(subject, status=PlanStatus.ACTIVE).order_by("-started_on", "pk")
    summaries = []
    for plan in plans:
        if not readers.all_may("plans.view_plan", plan):
            continue
        detail = plan_detail(viewer=readers.recipient, plan=plan)
        allowed = {
            row.action.pk
            for row in detail.actions
            if readers.all_may("plans.view_action", row.action)
        }
        requester_targets: dict[int, tuple[str, str]] = {}
        if readers.requester.pk != readers.recipient.pk:
            theirs = action_rows(readers.requester, [r.action for r in detail.actions], today)
            requester_targets = {r.action.pk: (r.target, r.participant) for r in theirs}

        line = partial(_plan_action_line, requester=requester_targets, names=names, redact=redact)
        goals = [
            GoalLine(
                statement=redact(block.goal.statement),
                measure=redact(block.goal.measure),
                status=str(block.goal.get_status_display()),
                actions=[line(r) for r in block.actions if r.action.pk in allowed],
            )
            for block in detail.goals
        ]
        lead = detail.key_lead
        summaries.append(
            PlanSummary(
                title=str(plan.get_kind_display()),
                started_on=plan.started_on,
                next_review_due=plan.next_review_due,
                key_lead=(
                    f"{lead.lead.get_full_name()}, {lead.lead_agency}" if lead is not None else ""
                ),
                safety=redact(plan.extra_familial_safety) if names else "",
                goals=goals,
                other_actions=[line(r) for r in detail.other_actions if r.action.pk in allowed],
                hidden_actions=len(detail.actions) - len(allowed),
            )
        )
    return summaries


def _minimap(item: AgendaItem) -> MiniMap | None:
    context: Context | None = item.context
    if context is None or context.kind != ContextKind.LOCATION:
        return None
    return location_minimap(context.geometry, context.latitude, context.longitude, key=str(item.pk))


def _panel_action_line(
    action: PanelAction, labels: dict[int, str], redact: Callable[[str], str], today: dt.date
) -> ActionLine:
    return ActionLine(
        description=redact(action.description),
        owner=(
            f"{action.owner_user.get_full_name()}, {action.owner_agency}"
            if action.owner_user is not None
            else str(action.owner_agency)
        ),
        due_on=action.due_on,
        status=str(action.get_status_display()),
        overdue=action.is_overdue(today),
        item_label=(
            "The partnership"
            if action.item_id is None
            else labels.get(action.item_id, "An item on the agenda")
        ),
    )


# --- the documents ------------------------------------------------------------------------------


def _visible_items(readers: Readers, meeting: Meeting) -> list[AgendaItem]:
    items = selectors.items_for_viewer(readers.recipient, meeting)
    if readers.requester.pk != readers.recipient.pk:
        theirs = {i.pk for i in selectors.items_for_viewer(readers.requester, meeting)}
        items = [i for i in items if i.pk in theirs]
    return items


def _visible_contributions(readers: Readers, item: AgendaItem) -> list[Contribution]:
    contributions = selectors.contributions_for_viewer(readers.recipient, item)
    if readers.requester.pk != readers.recipient.pk:
        theirs = {c.pk for c in selectors.contributions_for_viewer(readers.requester, item)}
        contributions = [c for c in contributions if c.pk in theirs]
    return contributions


def _visible_actions(readers: Readers, meeting: Meeting) -> list[PanelAction]:
    actions = selectors.actions_for_viewer(readers.recipient, meeting)
    if readers.requester.pk != readers.recipient.pk:
        theirs = {a.pk for a in selectors.actions_for_viewer(readers.requester, meeting)}
        actions = [a for a in actions if a.pk in theirs]
    return actions


def _label(readers: Readers, item: AgendaItem, names: bool) -> str:
    if not names and item.person_id is not None:
        return "A young person"
    return selectors.item_label(readers.recipient, item)


def _common(
    meeting: Meeting, readers: Readers, *, document: str, now: dt.datetime
) -> dict[str, Any]:
    recipient = readers.recipient
    names = readers.may_name_children(meeting)
    return {
        "document": document,
        "document_noun": "these minutes" if document == "Minutes" else "this pack",
        "marking": MARKING,
        "meeting": meeting,
        "meeting_when": timezone.localtime(meeting.scheduled_for),
        "chair_name": meeting.chair.get_full_name() or meeting.chair.get_username(),
        "recipient_name": recipient.get_full_name() or recipient.get_username(),
        "recipient_agency": str(recipient.agency) if recipient.agency_id else "",
        "recipient_line": recipient_line(recipient),
        "prepared_by_chair": readers.requester.pk != recipient.pk,
        "generated_at": timezone.localtime(now),
        "names_children": names,
        "is_conference": meeting.kind == MeetingKind.CONFERENCE,
    }


def pack_context(
    *, meeting: Meeting, recipient: User, requester: User, now: dt.datetime | None = None
) -> dict[str, Any]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    readers = Readers(recipient=recipient, requester=requester)
    names = readers.may_name_children(meeting)
    items = _visible_items(readers, meeting)
    redact = _no_redaction if names else Redactor(_names_on_agenda(items))
    sections = []
    for number, item in enumerate(items, 1):
        chronology, more = chronology_rows(readers, item, names=names, redact=redact, today=today)
        sections.append(
            ItemSection(
                number=number,
                label=redact(_label(readers, item, names)),
                kind=_kind(item),
                source=str(item.get_source_display()),
                reason=redact(item.reason),
                contributions=[
                    _contribution_row(c, redact) for c in _visible_contributions(readers, item)
                ],
                chronology=chronology,
                chronology_more=more,
                plans=plan_summaries(readers, item, names=names, redact=redact, today=today),
                minimap=_minimap(item),
                address=item.context.address if item.context is not None else "",
            )
        )
    context = _common(meeting, readers, document="Meeting pack", now=now)
    views_shown = meeting.kind == MeetingKind.CONFERENCE and not meeting.is_context_conference
    context.update(
        {
            "sections": sections,
            "chronology_days": CHRONOLOGY_DAYS,
            "chronology_entries": CHRONOLOGY_ENTRIES,
            "young_person_views": meeting.young_person_views if views_shown and items else "",
            "family_views": meeting.family_views if views_shown and items else "",
        }
    )
    return context


def _contribution_row(c: Contribution, redact: Callable[[str], str]) -> ContributionRow:
    return ContributionRow(
        agency=str(c.agency),
        author=c.author.get_full_name() or c.author.get_username(),
        submitted_at=timezone.localtime(c.submitted_at),
        in_advance=c.in_advance,
        text=redact(c.text),
    )


def minutes_context(
    *, meeting: Meeting, recipient: User, requester: User, now: dt.datetime | None = None
) -> dict[str, Any]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    readers = Readers(recipient=recipient, requester=requester)
    names = readers.may_name_children(meeting)
    items = _visible_items(readers, meeting)
    redact = _no_redaction if names else Redactor(_names_on_agenda(items))
    labels = {item.pk: redact(_label(readers, item, names)) for item in items}
    actions = _visible_actions(readers, meeting)
    by_item: dict[int | None, list[ActionLine]] = {}
    for action in actions:
        key = action.item_id if action.item_id in labels else None
        by_item.setdefault(key, []).append(_panel_action_line(action, labels, redact, today))
    sections = [
        ItemSection(
            number=number,
            label=labels[item.pk],
            kind=_kind(item),
            source=str(item.get_source_display()),
            reason=redact(item.reason),
            concern=str(item.get_concern_level_display()) if item.concern_level else "",
            concern_reasons=redact(item.concern_reasons),
            concern_agreed_by=redact(item.concern_agreed_by),
            decision=redact(item.decision),
            actions=by_item.get(item.pk, []),
        )
        for number, item in enumerate(items, 1)
    ]
    sees_agenda = all(selectors.sees_whole_agenda(u, meeting) for u in readers.both)
    context = _common(meeting, readers, document="Minutes", now=now)
    context.update(
        {
            "sections": sections,
            "other_actions": by_item.get(None, []),
            "attendance": list(meeting.participants.select_related("agency")),
            # The minutes' own text covers the whole meeting: it goes to whoever saw the whole
            # agenda, never to someone who keeps only the actions they own.
            "minutes_text": redact(meeting.minutes) if sees_agenda else "",
            "minutes_withheld": bool(meeting.minutes) and not sees_agenda,
            "held_at": timezone.localtime(meeting.held_at) if meeting.held_at else None,
        }
    )
    return context


# --- rendering ----------------------------------------------------------------------------------


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Packs are built offline: WeasyPrint may read data: URLs, nothing from a network."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher  # type: ignore[import-untyped]

        return default_url_fetcher(url)  # type: ignore[no-any-return]
    raise ValueError(f"Packs do not fetch {url[:40]}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(template, context)
    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return pdf


def filename(meeting: Meeting, what: str) -> str:
    """Names the meeting's kind and date, never a child or a place."""
    if meeting.kind == MeetingKind.PANEL and meeting.panel is not None:
        kind = f"{meeting.panel.kind}-panel"
    else:
        kind = slugify(meeting.title)
    day = timezone.localdate(meeting.scheduled_for)
    return f"{kind}-{day:%Y-%m-%d}-{what}.pdf"


def build_pack(*, meeting: Meeting, recipient: User, requester: User) -> bytes:
    return render_pdf(
        "panels/pdf/pack.html",
        pack_context(meeting=meeting, recipient=recipient, requester=requester),
    )


def build_minutes(*, meeting: Meeting, recipient: User, requester: User) -> bytes:
    return render_pdf(
        "panels/pdf/minutes.html",
        minutes_context(meeting=meeting, recipient=recipient, requester=requester),
    )
