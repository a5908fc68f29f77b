"""Reading panels and meetings as one viewer may see them.

Every function that returns an agenda item's content takes the viewer: the rules in
``panels.rules`` decide which items, contributions and actions reach a page or a pack, and
whether children may be named to that viewer at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from access.guard import authorize
from accounts.models import STATUTORY_AGENCY_KINDS
from meetings.models import MarveReferral, MarveStatus
from panels.models import (
    OPEN_MEETING_STATUSES,
    AgendaItem,
    Contribution,
    ContributionAudience,
    Meeting,
    MeetingStatus,
    Panel,
    PanelAction,
    PanelActionStatus,
)
from panels.rules import names_children_to


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("panel", "chair", "strategy_meeting")


def get_meeting_for_viewer(
    *, viewer: Any, pk: int, permission: str = "panels.view_meeting"
) -> Meeting:
    meeting = _meetings().filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return authorize(viewer, permission, meeting)


def get_panel_for_viewer(*, viewer: Any, pk: int, permission: str = "panels.view_panel") -> Panel:
    panel = Panel.objects.select_related("chair").filter(pk=pk).first()
    if panel is None:
        raise Http404
    return authorize(viewer, permission, panel)


def _items() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.select_related(
        "meeting__panel", "meeting__chair", "person", "context", "plan", "marve_referral"
    )


def get_item_for_viewer(
    *, viewer: Any, pk: int, permission: str = "panels.view_item"
) -> AgendaItem:
    item = _items().filter(pk=pk).first()
    if item is None:
        raise Http404
    return authorize(viewer, permission, item)


def get_panel_action_for_viewer(
    *, viewer: Any, pk: int, permission: str = "panels.view_panel_action"
) -> PanelAction:
    action = (
        PanelAction.objects.select_related(
            "meeting__panel", "item__person", "item__context", "owner_agency", "owner_user"
        )
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    return authorize(viewer, permission, action)


def panels_for_viewer(viewer: Any) -> QuerySet[Panel]:
    """Organisers (panel chairs, CS leads) see every panel; others the panels they chair."""
    panels = Panel.objects.select_related("chair").order_by("-active", "name")
    if viewer.has_perm("panels.add_panel"):
        return panels
    return panels.filter(chair=viewer)


def meetings_for_viewer(viewer: Any) -> QuerySet[Meeting]:
    """Meetings the viewer chairs (any status) or takes part in while they are open."""
    if viewer is None or not viewer.is_authenticated:
        return Meeting.objects.none()
    chaired = Q(chair=viewer) | Q(panel__chair=viewer)
    invited = Q(participants__user=viewer, status__in=OPEN_MEETING_STATUSES)
    ids = Meeting.objects.filter(chaired | invited).values("pk")
    return _meetings().filter(pk__in=ids)


def upcoming_meetings(viewer: Any, today: dt.date) -> list[Meeting]:
    """Open meetings for "My work": scheduled ones from today on, and held ones whose summary
    the viewer, as chair, still has to send."""
    meetings = meetings_for_viewer(viewer).filter(
        Q(status=MeetingStatus.SCHEDULED) | Q(status=MeetingStatus.HELD, chair=viewer)
    )
    return list(meetings.order_by("scheduled_for"))


def sees_whole_agenda(viewer: Any, meeting: Meeting) -> bool:
    return bool(viewer.has_perm("panels.view_meeting", meeting))


def items_for_viewer(viewer: Any, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda as the viewer may see it: all of it for the chair and, while the
    meeting is open, its participants; otherwise only items the viewer may open anyway."""
    items = list(_items().filter(meeting=meeting).order_by("position", "pk"))
    if sees_whole_agenda(viewer, meeting):
        return items
    return [item for item in items if viewer.has_perm("panels.view_item", item)]


def contributions_for_viewer(viewer: Any, item: AgendaItem) -> list[Contribution]:
    """What the agencies shared about an item. It stays with the meeting: the chair and, while
    the meeting is open, its participants read it; afterwards only those who may open the
    child's record do (for a context, a partnership record, the item's decision stays visible but
    not what each agency said). Contributions written for the statutory agencies only name
    children: others never get them."""
    if not sees_whole_agenda(viewer, item.meeting) and not (
        item.person_id is not None and viewer.has_perm("people.view_person", item.person)
    ):
        return []
    contributions = Contribution.objects.filter(item=item).select_related(
        "agency", "author", "item__meeting"
    )
    agency = getattr(viewer, "agency", None)
    statutory = agency is not None and agency.kind in STATUTORY_AGENCY_KINDS
    if not statutory or not names_children_to(viewer, item.meeting):
        contributions = contributions.filter(audience=ContributionAudience.EVERYONE)
    return list(contributions.order_by("agency__name", "submitted_at"))


def item_label(viewer: Any, item: AgendaItem) -> str:
    """What the item is called on this viewer's page or pack: the child's or context's name,
    or — where children may not be named to them — "A young person"."""
    if item.context_id is not None:
        return str(item.context)
    if not names_children_to(viewer, item.meeting) or item.person is None:
        return "A young person"
    return str(item.person.display_name)


def item_subject_url(viewer: Any, item: AgendaItem) -> str:
    """A link to the child's or context's record, only where the viewer may open it."""
    if item.context_id is not None:
        if viewer.has_perm("contexts.view_context", item.context):
            return reverse("contexts:profile", args=[item.context_id])
        return ""
    if item.person is not None and viewer.has_perm("people.view_person", item.person):
        return reverse("people:profile", args=[item.person_id])
    return ""


def actions_for_viewer(viewer: Any, meeting: Meeting) -> list[PanelAction]:
    """The meeting's actions: all of them for whoever sees the whole agenda, otherwise the ones
    the viewer owns."""
    actions = PanelAction.objects.filter(meeting=meeting).select_related(
        "item__person", "item__context", "owner_agency", "owner_user"
    )
    if sees_whole_agenda(viewer, meeting):
        return list(actions)
    return [a for a in actions if viewer.has_perm("panels.view_panel_action", a)]


def my_panel_actions(viewer: Any) -> QuerySet[PanelAction]:
    """Open meeting actions owned by the viewer or, where no person is named, their agency."""
    if getattr(viewer, "agency_id", None) is None:
        return PanelAction.objects.none()
    mine = Q(owner_user=viewer) | Q(owner_user__isnull=True, owner_agency_id=viewer.agency_id)
    return (
        PanelAction.objects.filter(mine, status=PanelActionStatus.OPEN)
        .select_related("meeting__panel", "owner_agency", "owner_user")
        .order_by("due_on", "pk")
    )


def overdue_actions_for_chair(viewer: Any, today: dt.date) -> QuerySet[PanelAction]:
    """Open actions past their due date from meetings the viewer chairs."""
    return (
        PanelAction.objects.filter(
            Q(meeting__chair=viewer) | Q(meeting__panel__chair=viewer),
            status=PanelActionStatus.OPEN,
            due_on__lt=today,
        )
        .select_related("meeting__panel", "owner_agency", "owner_user")
        .order_by("due_on", "pk")
    )


def referrals_waiting(viewer: Any) -> QuerySet[MarveReferral]:
    """MARVE referrals a chair can put on an agenda: waiting or accepted and not yet on an open
    meeting's agenda."""
    on_agenda = AgendaItem.objects.filter(
        marve_referral__isnull=False, meeting__status__in=OPEN_MEETING_STATUSES
    ).values("marve_referral_id")
    return (
        MarveReferral.objects.filter(status__in=[MarveStatus.REFERRED, MarveStatus.ACCEPTED])
        .exclude(pk__in=on_agenda)
        .select_related("person", "context")
        .order_by("referred_at")
    )


# How far back the agenda builder offers concluded strategy meetings and decided context
# assessments: older ones have usually been heard already or acted on elsewhere.
SOURCES_WITHIN_DAYS = 90


def strategy_meetings_to_hear(viewer: Any) -> list[Any]:
    """Concluded strategy meetings the viewer may open, recent first, whose subject is not on an
    open meeting's agenda yet — where a MARVE agenda item often comes from."""
    from meetings.models import MeetingStatus as StrategyStatus
    from meetings.selectors import visible_meetings

    since = timezone.now() - dt.timedelta(days=SOURCES_WITHIN_DAYS)
    on_agenda = AgendaItem.objects.filter(
        strategy_meeting__isnull=False, meeting__status__in=OPEN_MEETING_STATUSES
    ).values("strategy_meeting_id")
    return list(
        visible_meetings(viewer)
        .filter(status=StrategyStatus.CONCLUDED, held_at__gte=since)
        .exclude(pk__in=on_agenda)
        .select_related("person__holding_agency", "context")
        .order_by("-held_at")[:20]
    )


def context_assessments_to_hear(viewer: Any) -> list[Any]:
    """Context assessments completed recently that decided on a conference or a safety plan,
    not yet on an open meeting's agenda. Context records are the partnership's."""
    from assessments.models import AssessmentStatus, ContextAssessment

    if not viewer.has_perm("contexts.view_context"):
        return []
    since = timezone.localdate() - dt.timedelta(days=SOURCES_WITHIN_DAYS)
    on_agenda = AgendaItem.objects.filter(
        context_assessment__isnull=False, meeting__status__in=OPEN_MEETING_STATUSES
    ).values("context_assessment_id")
    return list(
        ContextAssessment.objects.filter(
            status=AssessmentStatus.COMPLETED,
            decision__in=["context_conference", "safety_plan", "monitor"],
            started_on__gte=since - dt.timedelta(days=SOURCES_WITHIN_DAYS),
        )
        .exclude(pk__in=on_agenda)
        .select_related("context")
        .order_by("-started_on")[:20]
    )


@dataclass(frozen=True)
class MeetingDeadline:
    meeting: Meeting
    what: str
    due_on: dt.date | None
    overdue: bool


def chair_deadlines(viewer: Any, today: dt.date | None = None) -> list[MeetingDeadline]:
    """Summaries to send (2 working days after the meeting) for meetings the viewer chairs."""
    today = today or timezone.localdate()
    held = _meetings().filter(chair=viewer, status=MeetingStatus.HELD).order_by("summary_due_by")
    return [
        MeetingDeadline(
            meeting=m,
            what="Send the summary and minutes",
            due_on=m.summary_due_by,
            overdue=m.summary_overdue(today),
        )
        for m in held
    ]
