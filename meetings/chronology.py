"""Strategy meetings and MARVE referrals on a person's or a context's chronology.

Two queries per source whatever the number of meetings: one for meetings (with their decisions
prefetched) and one for referrals, each limited to ``LIMIT`` rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from contexts.models import Context
from events.chronology import LIMIT, ChronologyEntry, ChronologyFilter, dated, wants
from meetings.models import MarveReferral, MeetingStatus, StrategyMeeting
from meetings.selectors import visible_meetings, visible_referrals
from people.models import Person

MEETING = "strategy_meeting"
REFERRAL = "marve_referral"
ENTRY_TYPES: tuple[tuple[str, str], ...] = (
    (MEETING, "Strategy meeting"),
    (REFERRAL, "MARVE referral"),
)


def _by_agency(qs: QuerySet[Any], f: ChronologyFilter) -> QuerySet[Any]:
    return qs.filter(recording_agency_id=f.agency_id) if f.agency_id else qs


def _meeting_entries(
    meetings: QuerySet[StrategyMeeting], f: ChronologyFilter
) -> list[ChronologyEntry]:
    if not wants(f, MEETING):
        return []
    rows = (
        dated(_by_agency(meetings, f), "held_at", f)
        .select_related("recording_agency", "chair")
        .prefetch_related("decisions")
        .order_by("-held_at")[:LIMIT]
    )
    entries = []
    for meeting in rows:
        concluded = meeting.status == MeetingStatus.CONCLUDED
        decisions = sorted(meeting.decisions.all(), key=lambda d: d.pk)
        lines = [f"Why: {meeting.reason}"]
        lines += [f"{d.get_kind_display()}: {d.reasons}" for d in decisions if concluded]
        entries.append(
            ChronologyEntry(
                when=meeting.held_at,
                entry_type=MEETING,
                type_label="Strategy meeting",
                title="Strategy meeting held" if concluded else "Strategy meeting arranged",
                body="\n".join(lines),
                agency=meeting.recording_agency.name,
                byline=f"Chair: {meeting.chair.get_full_name()}",
                tags=[d.get_kind_display() for d in decisions] if concluded else [],
                link=reverse("meetings:strategy_detail", args=[meeting.pk]),
            )
        )
    return entries


def _referral_entries(
    referrals: QuerySet[MarveReferral], f: ChronologyFilter
) -> list[ChronologyEntry]:
    if not wants(f, REFERRAL):
        return []
    rows = (
        dated(_by_agency(referrals, f), "referred_at", f)
        .select_related("recording_agency", "recorded_by")
        .order_by("-referred_at")[:LIMIT]
    )
    return [
        ChronologyEntry(
            when=r.referred_at,
            entry_type=REFERRAL,
            type_label="MARVE referral",
            title=f"Referred to the MARVE panel: {r.get_referral_type_display().lower()}",
            body=r.reason,
            agency=r.recording_agency.name,
            byline=r.recorded_by.get_full_name(),
            tags=[r.get_status_display()],
            link=reverse("meetings:marve_detail", args=[r.pk]),
        )
        for r in rows
    ]


def for_person(viewer: Any, person: Person, filters: ChronologyFilter) -> list[ChronologyEntry]:
    return _meeting_entries(
        visible_meetings(viewer).filter(person=person), filters
    ) + _referral_entries(visible_referrals(viewer).filter(person=person), filters)


def for_context(viewer: Any, context: Context, filters: ChronologyFilter) -> list[ChronologyEntry]:
    return _meeting_entries(
        visible_meetings(viewer).filter(context=context), filters
    ) + _referral_entries(visible_referrals(viewer).filter(context=context), filters)
