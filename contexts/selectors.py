"""Reads of contexts: partnership records, whose linked people are filtered person by person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from access.guard import authorize
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import Context, ContextLink
from people.models import Person
from people.selectors import visible_people


def context_list(
    *, viewer: Any, query: str = "", kind: str = "", status: str = ""
) -> QuerySet[Context]:
    contexts = Context.objects.select_related("owning_team__agency").annotate(
        link_count=Count("links", distinct=True)
    )
    if query:
        contexts = contexts.filter(
            Q(name__icontains=query) | Q(address__icontains=query) | Q(platform__icontains=query)
        )
    if kind:
        contexts = contexts.filter(kind=kind)
    if status:
        contexts = contexts.filter(status=status)
    audit_record(
        actor=viewer,
        action=AccessAction.SEARCH,
        object_type="contexts.context",
        reason=f"Searched contexts for '{query}' kind={kind or 'any'} status={status or 'any'}",
    )
    return contexts.order_by("name")


def get_context_for_viewer(
    *, viewer: Any, pk: int, permission: str = "contexts.view_context"
) -> Context:
    context = (
        Context.objects.select_related("owning_team__agency", "created_by").filter(pk=pk).first()
    )
    if context is None:
        raise Http404
    return authorize(viewer, permission, context)


@dataclass(frozen=True)
class MemberView:
    link: ContextLink
    person: Person | None  # None when the viewer may not open that person's record
    label: str


def context_members(*, viewer: Any, context: Context) -> list[MemberView]:
    links = list(
        context.links.select_related("person__holding_agency", "recording_agency").order_by(
            "-created_at"
        )
    )
    ids = {link.person_id for link in links if link.person_id}
    shown = set(visible_people(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    members = []
    for link in links:
        if link.person is None:
            members.append(MemberView(link, None, f"Initials {link.initials}"))
        elif link.person_id in shown:
            members.append(MemberView(link, link.person, link.person.display_name))
        else:
            members.append(
                MemberView(
                    link, None, f"A person whose record is held by {link.person.holding_agency}"
                )
            )
    return members
