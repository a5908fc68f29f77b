"""Template helpers for the GOV.UK / MOJ layout; loaded as builtins."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None
    section: str
    # Where the item leads for those who hold a further permission (screeners go to their queue).
    preferred: tuple[str, str] | None = None

    def href(self, user: object) -> str:
        if self.preferred and user.has_perm(self.preferred[1]):  # type: ignore[attr-defined]
            return reverse(self.preferred[0])
        return reverse(self.url_name)


PRIMARY_NAVIGATION = (
    NavItem("Home", "core:home", None, "core"),
    NavItem("People", "people:search", "people.search", "people"),
    NavItem("Places and groups", "contexts:list", "contexts.view_context", "contexts"),
    NavItem("Hotspot map", "mapping:map", "mapping.view_hotspots", "mapping"),
    NavItem(
        "Front door",
        "frontdoor:contact_create",
        "frontdoor.add_contact",
        "frontdoor",
        preferred=("frontdoor:queue", "frontdoor.screen_contact"),
    ),
    NavItem("Panels and meetings", "panels:panel_list", "panels.view_panels", "panels"),
    NavItem("Administration", "accounts:user-list", "accounts.manage_users", "manage"),
    NavItem("Audit trail", "audit:trail", "audit.view_trail", "audit"),
    NavItem("Your account", "accounts:account", None, "account"),
)


def _section(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        return ""
    if match.namespace == "accounts":
        return (
            "manage"
            if (match.url_name or "").startswith(("user-", "agency-", "team-"))
            else "account"
        )
    if match.namespace == "mapping":
        # A network view is a tab of the person's or the place's record, not a map page.
        name = match.url_name or ""
        if name.startswith("person-network"):
            return "people"
        if name.startswith("context-network"):
            return "contexts"
    return match.namespace


@register.inclusion_tag("includes/primary_navigation.html")
def primary_navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if getattr(request, "cs_second_factor_pending", False) or not user.is_authenticated:
        return {"items": []}
    current = _section(request)
    items = [
        {"label": item.label, "href": item.href(user), "current": item.section == current}
        for item in PRIMARY_NAVIGATION
        if item.permission is None or user.has_perm(item.permission)
    ]
    return {"items": items}


@register.filter
def london(value: object) -> object:
    """Show a stored UTC time in Europe/London."""
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value)  # type: ignore[arg-type]
    return value


@register.simple_tag
def tag(text: str, colour: str = "") -> str:
    classes = "govuk-tag" + (f" govuk-tag--{colour}" if colour else "")
    return format_html('<strong class="{}">{}</strong>', classes, text)
