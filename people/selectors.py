"""Reads of people, scoped to the viewer. Every single-record read is checked and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.guard import authorize
from access.predicates import IDENTIFIER_AGENCY_KINDS
from access.roles import CASE_WORK_ROLES
from audit.models import AccessAction
from audit.services import audit_record
from contextsafe.lib.request_cache import request_cache
from people.models import (
    AccessRequest,
    Association,
    Person,
    PersonIdentifier,
    PersonName,
    RecordShare,
)
from people.names import name_keys, similarity


def _live_shares(user: Any) -> QuerySet[RecordShare]:
    now = timezone.now()
    return RecordShare.objects.filter(agency_id=user.agency_id).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), Q(user__isnull=True) | Q(user=user)
    )


@dataclass(frozen=True)
class ShareAccess:
    """What the viewer's live shares of one record allow."""

    view: bool
    edit: bool  # break-glass opens a record to read, never to change


def share_access(*, user: Any, person: Person) -> ShareAccess:
    """One query per viewer and record per request: a page asks both "may view" and "may edit"."""
    cache = request_cache()
    key = ("share_access", user.pk, user.agency_id, person.pk)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    routes = set(_live_shares(user).filter(person=person).values_list("route", flat=True))
    access = ShareAccess(view=bool(routes), edit=bool(routes - {RecordShare.Route.BREAK_GLASS}))
    if cache is not None:
        cache[key] = access
    return access


def share_exists(*, user: Any, person: Person, editable: bool = False) -> bool:
    access = share_access(user=user, person=person)
    return access.edit if editable else access.view


def visible_people(viewer: Any) -> QuerySet[Person]:
    """The people whose records the viewer's agency may open."""
    if not (viewer.role_set & CASE_WORK_ROLES) or viewer.agency_id is None:
        return Person.objects.none()
    shares = _live_shares(viewer).filter(person=OuterRef("pk"))
    return Person.objects.filter(Exists(shares), merged_into__isnull=True)


def get_person_for_viewer(
    *, viewer: Any, pk: int, permission: str = "people.view_person"
) -> Person:
    # Only what every person page shows (the header); a page that lists names or addresses
    # asks for them after the check, so a refused request loads nothing more.
    try:
        person = Person.objects.select_related("holding_agency", "owning_team").get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None
    return authorize(viewer, permission, person)


def identifiers_for_viewer(*, viewer: Any, person: Person) -> list[PersonIdentifier]:
    kinds = {s for s, allowed in IDENTIFIER_AGENCY_KINDS.items() if viewer.agency.kind in allowed}
    if not kinds:  # housing, community safety, the voluntary sector: no identifiers to look up
        return []
    # A person has a handful of identifiers: filter here, not with scheme IN (...), which the
    # planner may answer from the (scheme, value) index across every person.
    return sorted(
        (i for i in person.identifiers.all() if i.scheme in kinds), key=lambda i: i.scheme
    )


@dataclass(frozen=True)
class AssociationView:
    association: Association
    other: Person | None  # None when the viewer may not open the other person's record
    other_holder: str


def associations_for_viewer(*, viewer: Any, person: Person) -> list[AssociationView]:
    links = list(
        Association.objects.filter(Q(person=person) | Q(other=person))
        .select_related(
            "person", "other", "recording_agency", "person__holding_agency", "other__holding_agency"
        )
        .order_by("-created_at")
    )
    others = [link.other if link.person_id == person.pk else link.person for link in links]
    # Ask about the people at the other end by id: joining every person to their associations
    # instead took ~300 ms on a county's data.
    visible_ids = set(
        visible_people(viewer).filter(pk__in=[o.pk for o in others]).values_list("pk", flat=True)
    )
    views = []
    for link, other in zip(links, others, strict=True):
        shown = other if other.pk in visible_ids else None
        views.append(AssociationView(link, shown, other.holding_agency.name))
    return views


# --- search -----------------------------------------------------------------------------------


@dataclass
class PersonHit:
    person: Person
    visible: bool
    score: float
    matched_name: str
    holder: str = ""
    reasons: list[str] = field(default_factory=list)


def person_search(
    *,
    viewer: Any,
    name: str = "",
    date_of_birth: dt.date | None = None,
    identifier: str = "",
    limit: int = 50,
) -> list[PersonHit]:
    """Find people by name (known-as names, aliases and near misses), date of birth or identifier.

    A record the viewer may not open appears only as "a record exists, held by ..." so nobody
    creates a duplicate or misses a child known to another agency, and nothing else leaks.
    """
    candidates: dict[int, PersonHit] = {}
    base = Person.objects.filter(merged_into__isnull=True).select_related("holding_agency")

    if identifier.strip():
        value = identifier.strip().replace(" ", "").upper()
        for ident in PersonIdentifier.objects.filter(value__iexact=value).select_related(
            "person__holding_agency"
        ):
            hit = candidates.setdefault(
                ident.person_id, PersonHit(ident.person, False, 1.0, ident.person.display_name)
            )
            hit.reasons.append("Identifier matches")

    if name.strip():
        normalised, phonetic = name_keys(name)
        names = PersonName.objects.filter(
            Q(normalised__contains=normalised) | Q(phonetic__startswith=phonetic)
        ).select_related("person__holding_agency")[:500]
        for entry in names:
            if entry.person.merged_into_id:
                continue
            score = _name_score(name, normalised, phonetic, entry)
            existing = candidates.get(entry.person_id)
            if existing is None:
                hit = candidates[entry.person_id] = PersonHit(
                    entry.person, False, score, entry.name
                )
            else:
                hit = existing
                if score > hit.score:
                    hit.score, hit.matched_name = score, entry.name
            label = "Name" if entry.kind == PersonName.Kind.LEGAL else entry.get_kind_display()
            exact = normalised in (entry.normalised, *entry.normalised.split())
            reason = f"{label} {'matches' if exact else 'is similar'}"
            if reason not in hit.reasons:
                hit.reasons.append(reason)

    if date_of_birth:
        for hit in candidates.values():
            if hit.person.date_of_birth == date_of_birth:
                hit.score += 0.5
                hit.reasons.append("Date of birth matches")
            elif hit.person.date_of_birth and name.strip():
                hit.score -= 0.3  # same name, different date of birth: a weaker match
        if not name.strip() and not identifier.strip():
            for person in base.filter(date_of_birth=date_of_birth)[:limit]:
                candidates[person.pk] = PersonHit(
                    person, False, 1.0, person.display_name, reasons=["Date of birth matches"]
                )

    visible = set(
        visible_people(viewer).filter(pk__in=list(candidates)).values_list("pk", flat=True)
    )
    hits = [h for h in candidates.values() if h.score >= MATCH_THRESHOLD]
    for hit in hits:
        hit.visible = hit.person.pk in visible
        hit.holder = hit.person.holding_agency.name
    hits.sort(key=lambda h: (-h.score, h.person.family_name, h.person.given_name))
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="people.person",
        reason=_describe_search(name, date_of_birth, identifier, len(hits)),
    )
    return hits[:limit]


MATCH_THRESHOLD = 0.6


def _name_score(query: str, normalised: str, phonetic: str, entry: PersonName) -> float:
    """How well a stored name matches: exact beats prefix beats a word inside beats sounds-alike,
    and string similarity can lift any of them (it catches typos)."""
    floor = 0.0
    if entry.normalised == normalised:
        floor = 1.0
    elif entry.normalised.startswith(normalised):
        floor = 0.85
    elif f" {normalised}" in f" {entry.normalised}":
        floor = 0.8
    elif entry.phonetic.startswith(phonetic):
        floor = 0.7
    return max(floor, similarity(query, entry.name))


def _describe_search(name: str, dob: dt.date | None, identifier: str, count: int) -> str:
    parts = [
        p
        for p in (
            f"name '{name}'" if name else "",
            f"date of birth {dob}" if dob else "",
            f"identifier '{identifier}'" if identifier else "",
        )
        if p
    ]
    return f"Searched for {', '.join(parts)}: {count} result{'s' if count != 1 else ''}"


def possible_duplicates(
    *,
    viewer: Any,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    identifiers: list[str],
) -> list[PersonHit]:
    """Likely matches for a person about to be created."""
    full = f"{given_name} {family_name}".strip()
    hits = person_search(viewer=viewer, name=full, date_of_birth=date_of_birth)
    for value in identifiers:
        hits.extend(person_search(viewer=viewer, identifier=value))
    unique: dict[int, PersonHit] = {}
    for hit in hits:
        if hit.score >= 0.75 and hit.person.pk not in unique:
            unique[hit.person.pk] = hit
    return list(unique.values())


def pending_access_requests(*, viewer: Any) -> QuerySet[AccessRequest]:
    """Requests to open records the viewer's agency holds, for managers to decide."""
    return (
        AccessRequest.objects.filter(
            status=AccessRequest.Status.PENDING, person__holding_agency_id=viewer.agency_id
        )
        .select_related("person", "requested_by__agency")
        .order_by("created_at")
    )
