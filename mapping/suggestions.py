"""Suggested contexts: the engine that finds them, and the queue as each CS lead may read it.

**Finding** (``refresh_suggestions``, run by the background task ``mapping.tasks``, never on a page
load) looks at the whole partnership's records, because a place or a group nobody has recorded is
by definition spread across agencies' separate files:

- *Candidate hotspots*: Getis-Ord Gi* over the H3 cells of every positioned event in the last
  ``WINDOW_DAYS`` days. A cell is hot when its z-score is significant at 99% and the cell itself
  holds at least ``MIN_CELL_EVENTS`` events, or at 95% with at least ``MIN_CELL_EVENTS_95``. The
  99% band alone still calls cells hot that are busy only by chance once a borough has hundreds
  of cells (1 in 100 would be), and Gi* includes the neighbours, so an empty cell beside a busy
  one scores high too: the minimum counts keep the candidates to places where things happen. The
  95% band with a higher count catches a busy cell in an otherwise busy area (its z is held down
  by its busy neighbours). Adjacent hot cells make one candidate. A candidate is *covered*, so
  not suggested, when an open location context's point lies in its cells or their first ring, or
  when most of its events are already placed at an open location context.
- *Candidate peer groups*: Leiden communities (``mapping.network.communities``) over the
  partnership graph (``mapping.graph.partnership_index``), clustered on *ties* only (see
  ``_ties``: single chance meetings and school or neighbourhood links join crowds, not groups),
  with a cluster too big to be one group clustered again on its own (``_clusters``). The group
  is the cluster's *core*: young people each tied directly to at least two others of it
  (``_core``). A candidate has at least ``MIN_GROUP_YOUNG_PEOPLE`` such young people and is not
  mostly (at least half of them) named as members by one open peer-group context.

**Reading** (``suggestion_queue``, ``suggestion_for_viewer``): stored evidence is record ids, and
each viewer sees only the records they may open, read live. Peer-group suggestions are described
from the visible records only (never "7 people" when the viewer may see 4: the difference would
disclose linked children they may not see), and one with fewer than ``MIN_GROUP_YOUNG_PEOPLE``
visible young people is not listed at all. Hotspot counts describe a place, so they are shown.

No score is ever computed about a person: hotspots score cells, and groups are listed, not ranked.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import h3  # type: ignore[import-untyped]  # h3 4.x ships no py.typed marker
import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextKind, ContextLink, ContextLinkKind, ContextStatus
from events.models import Event, HarmType, Sensitivity
from events.selectors import visible_events
from mapping.counting import _cell_counts
from mapping.graph import partnership_index
from mapping.hotspots import Z_95, Z_99, gi_star, study_area
from mapping.models import SuggestedContext, SuggestionKind, SuggestionRun, SuggestionStatus
from mapping.network import (
    CO_OCCURRENCE,
    CONTEXT,
    SUGGESTION_NOTE,
    Cluster,
    Edge,
    NetworkIndex,
    NodeId,
    communities,
)
from mapping.selectors import ward_name
from mapping.suppression import SuppressedCounts, suppress
from people.codes import PersonKind
from people.models import Association, Person
from people.selectors import visible_people

logger = logging.getLogger(__name__)

# --- Tuning, explained in the module docstring ---------------------------------------------------

WINDOW_DAYS = 365
MIN_CELL_EVENTS = 3
MIN_CELL_EVENTS_95 = 10
MIN_HOTSPOT_EVENTS = (
    10  # a candidate (all its cells) holding fewer is not worth a practitioner's time
)
EVIDENCE_EVENTS = 200  # the most recent event ids kept as evidence; totals are kept as well
MIN_GROUP_YOUNG_PEOPLE = 3
# A community with more young people than this is a school year or an estate, not a peer group
# someone could work with as one: it is not suggested as a whole.
MAX_GROUP_YOUNG_PEOPLE = 12
# Links that put many unrelated young people together: left out of the clustering (see _ties).
CROWD_LINKS = frozenset({ContextLinkKind.ATTENDS.value, ContextLinkKind.LIVES_NEAR.value})
SPLIT_DEPTH = 2  # how many times a too-big cluster is clustered again on its own
COVERED_SHARE = 0.5  # "mostly": at least half
GROUP_MATCH_JACCARD = 0.5  # a recomputed group is the stored one when the member sets overlap so

# --- Candidates -------------------------------------------------------------------------------


@dataclass
class HotspotCandidate:
    cells: list[str]  # centre (highest z) first
    z: float
    counts: dict[str, int]
    total: int
    average: float  # average events per cell across the study area
    study_cells: int
    event_ids: list[int]  # most recent first, at most EVIDENCE_EVENTS
    harm_counts: dict[str, int]
    period_start: dt.date
    period_end: dt.date
    place: str  # the most common place description, "" when none
    covered_by: str = ""  # why it is not suggested, "" when it is

    @property
    def centre(self) -> str:
        return self.cells[0]


@dataclass
class GroupCandidate:
    people: list[int]  # young people first
    young_people: list[int]
    contexts: list[int]
    associations: list[int]
    context_links: list[int]
    events: list[int]
    period_start: dt.date | None
    period_end: dt.date | None
    place: str
    explanation: str
    covered_by: str = ""


@dataclass
class Findings:
    hotspots: list[HotspotCandidate]
    groups: list[GroupCandidate]
    events_considered: int
    links_considered: int
    window_end: dt.datetime


# --- Hotspots ---------------------------------------------------------------------------------


def _resolution() -> int:
    return int(settings.HOTSPOT_H3_RESOLUTION)


def _window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The ``WINDOW_DAYS`` up to the latest event recorded (or now, if that is earlier).

    Anchoring on the latest event, not the clock, means a partnership that has not imported
    events for a while (or a demo borough with a fixed date range) is not compared over an
    empty window.
    """
    latest = (
        Event.objects.exclude(h3_cell="")
        .filter(occurred_at__lte=now)
        .aggregate(latest=Max("occurred_at"))["latest"]
    )
    end = min(latest, now) if latest else now
    return end - dt.timedelta(days=WINDOW_DAYS), end


def _hot_cells(counts: dict[str, int]) -> tuple[dict[str, float], float, int]:
    area = study_area(counts, k=1)
    results = gi_star(area, k=1)
    hot = {
        r.cell: r.z
        for r in results
        if (r.z >= Z_99 and r.count >= MIN_CELL_EVENTS)
        or (r.z >= Z_95 and r.count >= MIN_CELL_EVENTS_95)
    }
    average = sum(area.values()) / len(area) if area else 0.0
    return hot, average, len(area)


def _merge_adjacent(hot: dict[str, float]) -> list[list[str]]:
    """Connected groups of hot cells (cells sharing an edge), each centre-first."""
    unseen = set(hot)
    groups: list[list[str]] = []
    for start in sorted(hot, key=lambda c: (-hot[c], c)):
        if start not in unseen:
            continue
        unseen.discard(start)
        group, frontier = [start], [start]
        while frontier:
            cell = frontier.pop()
            for neighbour in h3.grid_disk(cell, 1):
                if neighbour in unseen:
                    unseen.discard(neighbour)
                    group.append(neighbour)
                    frontier.append(neighbour)
        groups.append([start, *sorted(group[1:], key=lambda c: (-hot[c], c))])
    return groups


def _open_locations() -> QuerySet[Context]:
    return Context.objects.filter(kind=ContextKind.LOCATION).exclude(status=ContextStatus.CLOSED)


def find_hotspots(now: dt.datetime) -> tuple[list[HotspotCandidate], int, dt.datetime]:
    """Every candidate hotspot in the window, covered ones included (with ``covered_by`` set)."""
    start, end = _window(now)
    # Standard events only: a restricted record is its agency's alone and never feeds a
    # partnership-wide suggestion, not even as a number.
    events = Event.objects.exclude(h3_cell="").filter(
        occurred_at__gt=start, occurred_at__lte=end, sensitivity=Sensitivity.STANDARD
    )
    counts = _cell_counts(events)
    considered = sum(counts.values())
    if not counts:
        return [], 0, end
    hot, average, study_cells = _hot_cells(counts)
    groups = _merge_adjacent(hot)
    open_ids = set(_open_locations().values_list("pk", flat=True))
    open_cells = {
        h3.latlng_to_cell(lat, lon, _resolution())
        for lat, lon in _open_locations()
        .exclude(latitude__isnull=True)
        .exclude(longitude__isnull=True)
        .values_list("latitude", "longitude")
    }
    rows_by_cell: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    rows = (
        events.filter(h3_cell__in=list(hot))
        .order_by("-occurred_at", "-pk")
        .values_list(
            "pk", "h3_cell", "occurred_at", "harm_types", "place_description", "location_id",
            "sensitivity",
        )
    )  # fmt: skip
    for row in rows:
        rows_by_cell[row[1]].append(row)
    found = []
    for cells in groups:
        mine = sorted(
            (r for c in cells for r in rows_by_cell[c]), key=lambda r: (r[2], r[0]), reverse=True
        )
        total = len(mine)
        if total < MIN_HOTSPOT_EVENTS:
            continue
        harms: Counter[str] = Counter(h for r in mine for h in r[3] if h in HarmType.values)
        # The stored title is read by every CS lead, so it is named only from events at a
        # recorded place (which every case worker may open); each viewer's page names the place
        # again from the events they may open.
        places = Counter(r[4].strip() for r in mine if r[4].strip() and r[5] is not None)
        candidate = HotspotCandidate(
            cells=cells,
            z=hot[cells[0]],
            counts={c: counts.get(c, 0) for c in cells},
            total=total,
            average=average,
            study_cells=study_cells,
            event_ids=[r[0] for r in mine[:EVIDENCE_EVENTS]],
            harm_counts=dict(harms.most_common()),
            period_start=timezone.localdate(mine[-1][2]),
            period_end=timezone.localdate(mine[0][2]),
            place=places.most_common(1)[0][0] if places else "",
        )
        ring = {n for c in cells for n in h3.grid_disk(c, 1)}
        at_open = sum(1 for r in mine if r[5] in open_ids)
        if ring & open_cells:
            candidate.covered_by = "an open location context lies in or beside these cells"
        elif at_open >= COVERED_SHARE * total:
            candidate.covered_by = "most of its events are placed at an open location context"
        found.append(candidate)
    return found, considered, end


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def explain_hotspot(candidate: HotspotCandidate, window_end: dt.date) -> str:
    cells = len(candidate.cells)
    where = "1 map cell" if cells == 1 else f"{cells} neighbouring map cells"
    parts = [
        f"{_plural(candidate.total, 'event')} in the 12 months to {window_end:%-d %B %Y} in {where}"
    ]
    if candidate.harm_counts:
        top = max(candidate.harm_counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        parts[0] += f", most often {HarmType(top).label.lower()}"
    per_cell = candidate.total / cells
    if candidate.average > 0:
        ratio = per_cell / candidate.average
        parts.append(f"about {ratio:.0f} times the average cell" if ratio >= 2 else "above average")
    parts.append("no open location record covers this area")
    return "; ".join(parts) + (
        f". Getis-Ord Gi* z = {candidate.z:.1f} for the busiest cell, significant at "
        f"{'99' if candidate.z >= Z_99 else '95'}% confidence."
    )


def hotspot_title(candidate: HotspotCandidate) -> str:
    if candidate.place:
        return f"Possible hotspot: {candidate.place}"[:200]
    lat, lon = h3.cell_to_latlng(candidate.centre)
    ward = ward_name(float(lat), float(lon))
    if ward:
        return (
            f"Possible hotspot in {ward} ward"
            if not ward.startswith("near ")
            else (f"Possible hotspot {ward}")
        )
    return f"Possible hotspot around {lat:.4f}, {lon:.4f}"


# --- Peer groups ------------------------------------------------------------------------------


def _partnership_index() -> tuple[NetworkIndex, int]:
    """The whole partnership graph (``mapping.graph``, cached and kept current), and how many
    observations built it."""
    index = partnership_index()
    return index, len(index.observations)


def _node_pk(node: str) -> int:
    return int(node.split(":", 1)[1])


def _open_group_members() -> list[set[int]]:
    """The people each open peer-group context names as members, now or before.

    Former members count: the open record already names them, so the practitioners working it
    know them, and a group that is mostly a recorded group's current and former members is that
    group, not a new one. (Counting current members only, a group that three members left would
    be suggested as "new" at every recompute.)
    """
    members: dict[int, set[int]] = defaultdict(set)
    rows = (
        ContextLink.objects.filter(
            kind=ContextLinkKind.MEMBER_OF,
            person__isnull=False,
            context__kind=ContextKind.PEER_GROUP,
        )
        .exclude(context__status=ContextStatus.CLOSED)
        .values_list("context_id", "person_id")
    )
    for context_id, person_id in rows:
        members[context_id].add(person_id)
    return list(members.values())


@dataclass
class _Evidence:
    contexts: list[int]
    associations: list[int]
    context_links: list[int]
    events: list[int]
    first: dt.date | None
    last: dt.date | None
    by_kind: Counter[str]
    by_reliability: Counter[str]


def _group_evidence(index: NetworkIndex, people: Collection[NodeId]) -> _Evidence:
    """The observations among the group's people, and their links to places two or more share.

    Read from the whole graph (crowd links and single meetings included): what the clustering
    left out is still evidence a practitioner should see.
    """
    g = index.graph
    mine = {index.position[p] for p in people}
    linked: Counter[int] = Counter(
        u for v in mine for u in g.neighbors(v) if index.kinds[u] == CONTEXT
    )
    places = {u for u, n in linked.items() if n >= 2}
    records: dict[str, set[int]] = defaultdict(set)
    dates: list[dt.date] = []
    by_kind: Counter[str] = Counter()
    by_reliability: Counter[str] = Counter()
    for v in mine:
        for u in g.neighbors(v):
            if (u in mine and u > v) or u in places:
                for edge in index.observed(g.get_eid(v, u)):
                    kind, pk = edge.evidence.record.split(":", 1)
                    records[kind].add(int(pk))
                    by_kind[edge.kind] += 1
                    by_reliability[edge.evidence.reliability] += 1
                    if edge.evidence.recorded_on:
                        dates.append(edge.evidence.recorded_on)
    return _Evidence(
        contexts=sorted(_node_pk(index.node_ids[c]) for c in places),
        associations=sorted(records["association"]),
        context_links=sorted(records["link"]),
        events=sorted(records["event"]),
        first=min(dates) if dates else None,
        last=max(dates) if dates else None,
        by_kind=by_kind,
        by_reliability=by_reliability,
    )


def _explain_group(n_young: int, evidence: _Evidence, place: str) -> str:
    """In the words of ``mapping.network``'s cluster explanation, for the group's core."""
    total = sum(evidence.by_kind.values())
    kinds = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(evidence.by_kind.items()))
    reliabilities = ", ".join(f"{n} {r}" for r, n in sorted(evidence.by_reliability.items()))
    text = (
        f"{n_young} young people are each linked directly to at least two of the others, and "
        f"more closely to each other than to anyone else: {total} recorded observations "
        f"({kinds}; reliability: {reliabilities})."
    )
    if place:
        text += f" Most often seen at {place}."
    return f"{text} No recorded peer-group context covers most of them yet. {SUGGESTION_NOTE}"


def _group_place(contexts: Sequence[int], events: Sequence[int], people: Collection[int]) -> str:
    """Where the group is most often seen: a place recorded on their shared events or links."""
    seen: Counter[str] = Counter()
    rows = Event.objects.filter(pk__in=events, sensitivity=Sensitivity.STANDARD).values_list(
        "location__name", "place_description"
    )
    for location, description in rows:
        name = (location or description or "").strip()
        if name:
            seen[name] += 1
    places = Context.objects.filter(pk__in=contexts).exclude(kind=ContextKind.PEER_GROUP)
    for name, n in places.annotate(
        n=Count("links__person", filter=Q(links__person__in=list(people)), distinct=True)
    ).values_list("name", "n"):
        if n >= 2:
            seen[name] += n
    if not seen:
        return ""
    return max(seen.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _ties(index: NetworkIndex) -> NetworkIndex:
    """The graph the clustering runs on: ties, not chance meetings.

    Two people recorded once in the same event, and linked no other way, were in the same place
    at the same time: at a busy place that joins everyone who passes through, and Leiden then
    finds "the crowd at the interchange" rather than a group. Attending the same school or living
    near the same place is the same kind of crowd: Leiden finds year groups. Those links are left
    out of the clustering (they still count as evidence); repeated co-occurrence, associations
    and the links that say where someone spends time (frequents, member of, exploited at) stay.
    """
    # Vectorised per edge: a Python loop over every edge is slow at county scale.
    observations = index.observations
    crowd = np.fromiter((e.kind in CROWD_LINKS for e in observations), bool, len(observations))
    chance = np.fromiter((e.kind == CO_OCCURRENCE for e in observations), bool, len(observations))
    edges = index.graph.ecount()
    chances = np.bincount(index.edge_of[chance], minlength=edges)
    others = np.bincount(index.edge_of[~chance & ~crowd], minlength=edges)
    tie = (others > 0) | (chances >= 2)
    keep = [observations[i] for i in np.flatnonzero(tie[index.edge_of] & ~crowd).tolist()]
    kinds = dict(zip(index.node_ids, index.kinds, strict=True))
    return NetworkIndex.build(keep, node_kinds=kinds, labels=index.labels)


def _young(index: NetworkIndex, cluster: Cluster) -> list[NodeId]:
    return [p for p in cluster.people if index.kind(p) == PersonKind.YOUNG_PERSON.value]


def _core(index: NetworkIndex, cluster: Cluster) -> tuple[list[NodeId], list[NodeId]]:
    """The cluster's young people tied directly to at least two others of them, and the others
    (adults, family) tied directly to one of those.

    A cluster also gathers young people linked only through a place or one friend; the group a
    practitioner could work with is the part whose members know each other: the 2-core of the
    young people's direct ties (associations, repeated meetings).
    """
    g = index.graph
    young = sorted(index.position[p] for p in _young(index, cluster))
    coreness = g.induced_subgraph(young).coreness() if young else []
    core = [young[i] for i, k in enumerate(coreness) if k >= 2]
    inner = set(core)
    others = [
        p
        for p in cluster.people
        if index.kind(p) != PersonKind.YOUNG_PERSON.value
        and any(u in inner for u in g.neighbors(index.position[p]))
    ]
    return [index.node_ids[v] for v in core], others


def _observations_among(index: NetworkIndex, nodes: Collection[NodeId]) -> list[Edge]:
    """Every observation between two of ``nodes``, read from their own edges only."""
    inside = {index.position[n] for n in nodes}
    g = index.graph
    eids = {eid for v in inside for eid in g.incident(v)}
    return [
        e
        for eid in sorted(eids)
        if int(index.ends[eid][0]) in inside and int(index.ends[eid][1]) in inside
        for e in index.observed(eid)
    ]


def _clusters(index: NetworkIndex, depth: int = 0) -> list[tuple[NetworkIndex, Cluster]]:
    """Leiden clusters; one too big to be a peer group is clustered again on its own.

    Modularity cannot see communities much smaller than the whole graph (its resolution limit),
    so at a partnership's scale several groups that share a place come out as one. Within the
    big cluster alone, the groups stand out again.
    """
    found: list[tuple[NetworkIndex, Cluster]] = []
    for cluster in communities(index, min_people=MIN_GROUP_YOUNG_PEOPLE).clusters:
        if len(_young(index, cluster)) > MAX_GROUP_YOUNG_PEOPLE and depth < SPLIT_DEPTH:
            members = set(cluster.people) | set(cluster.contexts)
            inner = _observations_among(index, members)
            kinds = {v: index.kind(v) for v in members}
            sub = NetworkIndex.build(inner, node_kinds=kinds, labels=index.labels)
            parts = _clusters(sub, depth + 1)
            if len(parts) > 1:
                found.extend(parts)
                continue
        found.append((index, cluster))
    return found


def find_groups() -> tuple[list[GroupCandidate], int]:
    """Every candidate peer group, covered ones included (with ``covered_by`` set)."""
    whole, observations = _partnership_index()
    index = _ties(whole)
    if index.graph.ecount() == 0:
        return [], observations
    recorded = _open_group_members()
    candidates = []
    for part, cluster in _clusters(index):
        core, others = _core(part, cluster)
        if len(core) < MIN_GROUP_YOUNG_PEOPLE:
            continue
        young = sorted(_node_pk(p) for p in core)
        evidence = _group_evidence(whole, [*core, *others])
        people = young + sorted(_node_pk(p) for p in others)
        place = _group_place(evidence.contexts, evidence.events, people)
        candidate = GroupCandidate(
            people=people,
            young_people=young,
            contexts=evidence.contexts,
            associations=evidence.associations,
            context_links=evidence.context_links,
            events=evidence.events,
            period_start=evidence.first,
            period_end=evidence.last,
            place=place,
            explanation=_explain_group(len(young), evidence, place),
        )
        if len(young) > MAX_GROUP_YOUNG_PEOPLE:
            candidate.covered_by = "too many young people to be one peer group"
        elif any(len(group & set(young)) >= COVERED_SHARE * len(young) for group in recorded):
            candidate.covered_by = "most of them are members of an open peer-group context"
        candidates.append(candidate)
    return candidates, observations


def group_title(candidate: GroupCandidate) -> str:
    if candidate.place:
        return f"Possible peer group seen at {candidate.place}"[:200]
    return "Possible peer group linked by recorded associations"


# --- Recompute --------------------------------------------------------------------------------


def find_all(now: dt.datetime | None = None) -> Findings:
    now = now or timezone.now()
    hotspots, events, window_end = find_hotspots(now)
    groups, links = find_groups()
    return Findings(hotspots, groups, events, links, window_end)


def _jaccard(a: Collection[int], b: Collection[int]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def _unique_key(kind: str, key: str, taken: set[str]) -> str:
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        candidate = f"{key}-{n}"
    taken.add(candidate)
    return candidate


def _hotspot_fields(c: HotspotCandidate, window_end: dt.date) -> dict[str, Any]:
    lat, lon = h3.cell_to_latlng(c.centre)
    return {
        "title": hotspot_title(c),
        "cells": c.cells,
        "latitude": float(lat),
        "longitude": float(lon),
        "people": [],
        "contexts": [],
        "evidence": {
            "events": c.event_ids,
            "associations": [],
            "context_links": [],
            "event_total": c.total,
            "cell_counts": c.counts,
            "harm_counts": c.harm_counts,
            "average_per_cell": round(c.average, 3),
            "study_cells": c.study_cells,
            "window_end": window_end.isoformat(),
        },
        "period_start": c.period_start,
        "period_end": c.period_end,
        "explanation": explain_hotspot(c, window_end),
        "z_score": c.z,
    }


def _group_fields(c: GroupCandidate) -> dict[str, Any]:
    return {
        "title": group_title(c),
        "cells": [],
        "latitude": None,
        "longitude": None,
        "people": c.people,
        "contexts": c.contexts,
        "evidence": {
            "events": c.events,
            "associations": c.associations,
            "context_links": c.context_links,
            "young_people": c.young_people,
            "place": c.place,
        },
        "period_start": c.period_start,
        "period_end": c.period_end,
        "explanation": c.explanation,
        "z_score": None,
    }


@dataclass
class _Upsert:
    kind: str
    now: dt.datetime
    rows: list[SuggestedContext]
    taken: set[str] = field(default_factory=set)
    touched: set[int] = field(default_factory=set)
    created: int = 0

    def __post_init__(self) -> None:
        self.taken = {r.key for r in self.rows}

    def write(self, match: SuggestedContext | None, key: str, fields: dict[str, Any]) -> None:
        if match is None:
            row = SuggestedContext.objects.create(
                kind=self.kind,
                key=_unique_key(self.kind, key, self.taken),
                first_found_at=self.now,
                last_found_at=self.now,
                **fields,
            )
            self.rows.append(row)
            self.touched.add(row.pk)
            self.created += 1
            return
        # Only the engine's fields: a decision recorded meanwhile (status, reason, version) is
        # never overwritten by a recompute.
        SuggestedContext.objects.filter(pk=match.pk).update(
            last_found_at=self.now, current=True, **fields
        )
        self.touched.add(match.pk)


def _upsert_hotspots(found: Iterable[HotspotCandidate], now: dt.datetime, end: dt.date) -> int:
    rows = list(SuggestedContext.objects.filter(kind=SuggestionKind.HOTSPOT))
    upsert = _Upsert(SuggestionKind.HOTSPOT, now, rows)
    by_key = {r.key: r for r in rows}
    count = 0
    for candidate in found:
        if candidate.covered_by:
            continue
        count += 1
        match = by_key.get(candidate.centre)
        if match is None or match.pk in upsert.touched:
            # The busiest cell can move by one as counts change: the same place is the stored
            # suggestion sharing most cells with it, so its decision still holds.
            overlaps = [
                (len(set(r.cells) & set(candidate.cells)), r.pk, r)
                for r in rows
                if r.pk not in upsert.touched and set(r.cells) & set(candidate.cells)
            ]
            match = max(overlaps, key=lambda o: (o[0], -o[1]))[2] if overlaps else None
        upsert.write(match, candidate.centre, _hotspot_fields(candidate, end))
    _retire(SuggestionKind.HOTSPOT, upsert.touched)
    return count


def _upsert_groups(found: Iterable[GroupCandidate], now: dt.datetime) -> int:
    rows = list(SuggestedContext.objects.filter(kind=SuggestionKind.PEER_GROUP))
    upsert = _Upsert(SuggestionKind.PEER_GROUP, now, rows)
    count = 0
    for candidate in found:
        if candidate.covered_by:
            continue
        count += 1
        scored = [
            (_jaccard(r.people, candidate.people), -r.pk, r)
            for r in rows
            if r.pk not in upsert.touched
        ]
        best = max(scored, key=lambda s: (s[0], s[1]), default=None)
        match = best[2] if best and best[0] >= GROUP_MATCH_JACCARD else None
        upsert.write(match, f"p{candidate.people[0]}", _group_fields(candidate))
    _retire(SuggestionKind.PEER_GROUP, upsert.touched)
    return count


def _retire(kind: str, touched: set[int]) -> None:
    SuggestedContext.objects.filter(kind=kind, current=True).exclude(pk__in=touched).update(
        current=False
    )


def _wake_snoozed(today: dt.date) -> None:
    """A snoozed suggestion whose date has come is back in the queue, found again or not."""
    for row in SuggestedContext.objects.filter(
        status=SuggestionStatus.SNOOZED, snoozed_until__lte=today
    ):
        # Version-checked, so a lead deciding at this moment keeps their decision.
        SuggestedContext.objects.filter(
            pk=row.pk, version=row.version, status=SuggestionStatus.SNOOZED
        ).update(status=SuggestionStatus.OPEN, snoozed_until=None, version=row.version + 1)


def refresh_suggestions(now: dt.datetime | None = None) -> SuggestionRun:
    """Recompute the queue in one transaction and record the run.

    Idempotent: a second run over the same records changes nothing but the run's timestamps.
    A failure rolls the whole recompute back and is recorded as a run with its error.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            run = SuggestionRun.objects.create(started_at=now)
            findings = find_all(now)
            run.hotspots_found = _upsert_hotspots(
                findings.hotspots, now, timezone.localdate(findings.window_end)
            )
            run.groups_found = _upsert_groups(findings.groups, now)
            _wake_snoozed(timezone.localdate(now))
            run.events_considered = findings.events_considered
            run.links_considered = findings.links_considered
            run.finished_at = timezone.now()
            run.save()
    except Exception as error:
        logger.exception("Recomputing suggested contexts failed")
        SuggestionRun.objects.create(
            started_at=now, finished_at=timezone.now(), error=repr(error)[:2000]
        )
        raise
    audit_record(
        actor=None,
        action=AccessAction.CHANGE,
        object_type="mapping.suggestionrun",
        object_id=str(run.pk),
        object_label=str(run),
        changes={
            "hotspots": run.hotspots_found,
            "peer_groups": run.groups_found,
            "events_considered": run.events_considered,
            "links_considered": run.links_considered,
        },
    )
    return run


# --- Reading the queue, per viewer ------------------------------------------------------------

HIDDEN_NOTE = (
    "Suggestions built mostly from records you cannot open are not listed, and each suggestion "
    "shows only the records you may open."
)


@dataclass
class GroupView:
    """What a viewer may see of a peer-group suggestion's evidence."""

    young_people: list[Person]
    others: list[Person]
    associations: list[Association]
    context_links: list[ContextLink]
    events: list[Event]
    places: list[Context]

    @property
    def people(self) -> list[Person]:
        return [*self.young_people, *self.others]

    @property
    def period(self) -> tuple[dt.date | None, dt.date | None]:
        """The dates of the visible evidence only: hidden records' dates are not disclosed."""
        days = [timezone.localdate(r.created_at) for r in [*self.associations, *self.context_links]]
        days += [timezone.localdate(e.occurred_at) for e in self.events]
        return (min(days), max(days)) if days else (None, None)


@dataclass
class HotspotView:
    events: list[Event]  # the evidence events the viewer may open
    total: int  # events the viewer may open in the cells and period
    harms: list[tuple[str, str]]  # (label, count shown), small counts withheld
    cells: list[tuple[str, int]]
    place: str = ""  # the commonest place description among the events the viewer may open
    top_harm: str = ""


@dataclass
class SuggestionView:
    suggestion: SuggestedContext
    explanation: str
    group: GroupView | None = None
    hotspot: HotspotView | None = None

    @property
    def title(self) -> str:
        """A hotspot is named from the events this viewer may open; else the stored title."""
        if self.hotspot is not None:
            return hotspot_title_for_viewer(self.suggestion, self.hotspot)
        return self.suggestion.title

    @property
    def period_start(self) -> dt.date | None:
        return self.group.period[0] if self.group else self.suggestion.period_start

    @property
    def period_end(self) -> dt.date | None:
        return self.group.period[1] if self.group else self.suggestion.period_end


def _visible_groups(
    viewer: Any, suggestions: Sequence[SuggestedContext], *, full: bool
) -> dict[int, GroupView]:
    """Each peer-group suggestion's visible evidence, in a fixed number of queries."""
    person_ids = {pk for s in suggestions for pk in s.people}
    people = {
        p.pk: p
        for p in visible_people(viewer).filter(pk__in=person_ids).select_related("holding_agency")
    }
    association_ids = {pk for s in suggestions for pk in s.evidence.get("associations", [])}
    link_ids = {pk for s in suggestions for pk in s.evidence.get("context_links", [])}
    event_ids = {pk for s in suggestions for pk in s.evidence.get("events", [])}
    associations = {
        a.pk: a
        for a in Association.objects.filter(
            pk__in=association_ids, person_id__in=people, other_id__in=people
        ).select_related("recording_agency", "person", "other")
    }
    links = {
        link.pk: link
        for link in ContextLink.objects.filter(
            pk__in=link_ids, person_id__in=people
        ).select_related("context", "person", "recording_agency")
    }
    # Read in the queue too, so that the card and the page count the same observations.
    events = {
        e.pk: e
        for e in visible_events(viewer)
        .filter(pk__in=event_ids)
        .select_related("location", "recording_agency")
    }
    views: dict[int, GroupView] = {}
    place_ids: dict[int, set[int]] = {}
    for s in suggestions:
        mine = [people[pk] for pk in s.people if pk in people]
        shown_links = [links[pk] for pk in s.evidence.get("context_links", []) if pk in links]
        shown_events = [events[pk] for pk in s.evidence.get("events", []) if pk in events]
        place_ids[s.pk] = {link.context_id for link in shown_links} | {
            e.location_id for e in shown_events if e.location_id
        }
        views[s.pk] = GroupView(
            young_people=[p for p in mine if p.kind == PersonKind.YOUNG_PERSON],
            others=[p for p in mine if p.kind != PersonKind.YOUNG_PERSON],
            associations=[
                associations[pk] for pk in s.evidence.get("associations", []) if pk in associations
            ],
            context_links=shown_links,
            events=sorted(shown_events, key=lambda e: e.occurred_at, reverse=True),
            places=[],
        )
    if full:
        contexts = Context.objects.in_bulk({pk for ids in place_ids.values() for pk in ids})
        for pk, view in views.items():
            view.places = sorted(
                (contexts[c] for c in place_ids[pk] if c in contexts), key=lambda c: c.name
            )
    return views


def explain_group_for_viewer(view: GroupView, place: str) -> str:
    """The cluster explanation, rebuilt from the records this viewer may open only."""
    observations = len(view.associations) + len(view.context_links) + len(view.events)
    kinds: Counter[str] = Counter(a.get_kind_display().lower() for a in view.associations)
    kinds.update(link.get_kind_display().lower() for link in view.context_links)
    if view.events:
        kinds["seen together in an event"] += len(view.events)
    reliability: Counter[str] = Counter(
        r.get_reliability_display().lower() for r in [*view.associations, *view.context_links]
    )
    text = (
        f"{_plural(len(view.young_people), 'young person', 'young people')} you may see are more "
        f"closely linked to each other than to others"
    )
    if observations:
        text += f", by {_plural(observations, 'recorded observation')} you can open"
        if kinds:
            text += " (" + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ")"
    text += "."
    if reliability:
        text += (
            " Reliability of the links: "
            + ", ".join(f"{n} {r}" for r, n in sorted(reliability.items()))
            + "."
        )
    if place:
        text += f" Most often seen at {place}."
    text += " No open peer-group context covers most of them. " + SUGGESTION_NOTE
    return text


def _harms(counts: dict[str, int]) -> list[tuple[str, str]]:
    published: SuppressedCounts = suppress(counts)
    return [
        (HarmType(h).label if h in HarmType.values else h, published.display(h))
        for h in sorted(counts, key=lambda h: (-counts[h], h))
    ]


def _hotspot_view(viewer: Any, s: SuggestedContext) -> HotspotView:
    """The hotspot as this viewer may see it: counts, harms and place names from the events
    they may open only (``mapping.rules``: case workers see exact counts of those alone)."""
    ids = s.evidence.get("events", [])
    shown = (
        visible_events(viewer)
        .filter(pk__in=ids)
        .select_related("location", "recording_agency")
        .order_by("-occurred_at")
    )
    counts = _visible_counts(viewer, s)
    harms: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for harm_types, place in _visible_in(viewer, s).values_list("harm_types", "place_description"):
        harms.update(h for h in harm_types if h in HarmType.values)
        if place.strip():
            places[place.strip()] += 1
    return HotspotView(
        events=list(shown),
        total=sum(counts.values()),
        harms=_harms(dict(harms)),
        cells=[(c, counts.get(c, 0)) for c in s.cells],
        place=places.most_common(1)[0][0] if places else "",
        top_harm=max(harms.items(), key=lambda kv: (kv[1], kv[0]))[0] if harms else "",
    )


def _visible_in(viewer: Any, s: SuggestedContext) -> QuerySet[Event]:
    events = visible_events(viewer).filter(h3_cell__in=s.cells)
    if s.period_start:
        events = events.filter(occurred_at__date__gte=s.period_start)
    if s.period_end:
        events = events.filter(occurred_at__date__lte=s.period_end)
    return events


def _visible_counts(viewer: Any, s: SuggestedContext) -> dict[str, int]:
    return dict(
        _visible_in(viewer, s)
        .order_by()
        .values("h3_cell")
        .annotate(n=Count("id"))
        .values_list("h3_cell", "n")
    )


def explain_hotspot_for_viewer(s: SuggestedContext, view: HotspotView) -> str:
    """The explanation rebuilt from the events this viewer may open; the significance describes
    the place (from the partnership's standard events), never a number the viewer cannot see."""
    cells = len(s.cells)
    where = "1 map cell" if cells == 1 else f"{cells} neighbouring map cells"
    text = f"{_plural(view.total, 'event')} you may open in {where}"
    if s.period_start and s.period_start == s.period_end:
        text += f" on {s.period_start:%-d %B %Y}"
    elif s.period_start and s.period_end:
        text += f" between {s.period_start:%-d %B %Y} and {s.period_end:%-d %B %Y}"
    if view.top_harm:
        text += f", most often {HarmType(view.top_harm).label.lower()}"
    band = "99" if (s.z_score or 0) >= Z_99 else "95"
    return (
        f"{text}. Across the partnership's records this area is a hot spot at {band}% "
        "confidence (Getis-Ord Gi*), and no open location record covers it."
    )


def hotspot_title_for_viewer(s: SuggestedContext, view: HotspotView) -> str:
    return f"Possible hotspot: {view.place}"[:200] if view.place else s.title


def queue_filter(status: str) -> Q:
    if status == SuggestionStatus.OPEN:
        # Not found again: nothing to review any more (kept, with its decision, for the record).
        return Q(status=status, current=True)
    return Q(status=status)


def suggestion_queue(*, viewer: Any, status: str = SuggestionStatus.OPEN) -> list[SuggestionView]:
    """The viewer's queue for one status, peer groups they could barely see left out."""
    if status not in SuggestionStatus.values:
        raise ValueError(f"Not a suggestion status: {status!r}")
    rows = list(
        SuggestedContext.objects.filter(queue_filter(status)).select_related(
            "decided_by", "created_context"
        )
    )
    groups = _visible_groups(
        viewer, [s for s in rows if s.kind == SuggestionKind.PEER_GROUP], full=False
    )
    shown = []
    for s in rows:
        if s.kind == SuggestionKind.HOTSPOT:
            spot = _hotspot_view(viewer, s)
            if spot.total == 0:
                continue  # built wholly from records this viewer cannot open
            shown.append(SuggestionView(s, explain_hotspot_for_viewer(s, spot), hotspot=spot))
            continue
        view = groups[s.pk]
        if len(view.young_people) < MIN_GROUP_YOUNG_PEOPLE:
            continue
        shown.append(
            SuggestionView(s, explain_group_for_viewer(view, s.evidence.get("place", "")), view)
        )
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="mapping.suggestedcontext",
        object_label=f"Suggested contexts: {SuggestionStatus(status).label}",
        changes={"shown": [v.suggestion.pk for v in shown]},
    )
    return shown


def suggestion_for_viewer(*, viewer: Any, pk: int) -> SuggestionView:
    """One suggestion with the evidence the viewer may open; 404 when they could barely see it."""
    s = SuggestedContext.objects.select_related("decided_by", "created_context").filter(pk=pk)
    suggestion = s.first()
    if suggestion is None:
        raise Http404
    if suggestion.kind == SuggestionKind.HOTSPOT:
        spot = _hotspot_view(viewer, suggestion)
        if spot.total == 0:
            audit_record(
                actor=viewer,
                action=AccessAction.PERMISSION_DENIED,
                obj=suggestion,
                reason="none of its events are visible to the viewer",
            )
            raise Http404
        view = SuggestionView(
            suggestion, explain_hotspot_for_viewer(suggestion, spot), hotspot=spot
        )
        shown_people: list[int] = []
    else:
        group = _visible_groups(viewer, [suggestion], full=True)[suggestion.pk]
        if len(group.young_people) < MIN_GROUP_YOUNG_PEOPLE:
            audit_record(
                actor=viewer,
                action=AccessAction.PERMISSION_DENIED,
                obj=suggestion,
                reason="too few of its young people are visible to the viewer",
            )
            raise Http404
        explanation = explain_group_for_viewer(group, suggestion.evidence.get("place", ""))
        view = SuggestionView(suggestion, explanation, group=group)
        shown_people = [p.pk for p in group.people]
    audit_record(
        actor=viewer,
        action=AccessAction.VIEW,
        obj=suggestion,
        changes={
            "people_shown": shown_people,
            "events_shown": [e.pk for e in (view.hotspot or view.group).events],  # type: ignore[union-attr]
        },
    )
    return view
