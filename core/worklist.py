"""The home page's list of work queues: each shown only to those who hold its permission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class WorkLink:
    label: str
    url_name: str
    permission: str
    hint: str


WORK_LINKS = (
    WorkLink(
        "Make a contact",
        "frontdoor:contact_create",
        "frontdoor.add_contact",
        "about a child, or about a place, group, school or online space.",
    ),
    WorkLink(
        "Contacts you have sent",
        "frontdoor:sent_list",
        "frontdoor.add_contact",
        "and what the front door decided.",
    ),
    WorkLink(
        "Contacts to screen",
        "frontdoor:queue",
        "frontdoor.screen_contact",
        "the front door's work queue, oldest deadline first.",
    ),
    WorkLink(
        "Assessments in progress",
        "assessments:team_queue",
        "assessments.view_team_assessments",
        "your teams' single and context assessments, with their timescales.",
    ),
    WorkLink(
        "Return home interviews due",
        "missing:interviews",
        "missing.view_interview_list",
        "interviews to offer or complete within 72 hours of a child's return.",
    ),
    WorkLink(
        "Threshold prompts",
        "missing:prompts",
        "missing.view_prompt_list",
        "missing-episode rules that were met and need a decision.",
    ),
    WorkLink(
        "My actions",
        "plans:my_actions",
        "plans.view_plans",
        "plan actions owned by you or your agency, overdue first.",
    ),
    WorkLink(
        "Questions for the CS lead",
        "casework:consultation_queue",
        "casework.answer_consultations",
        "consultations waiting for your answer.",
    ),
    WorkLink(
        "Suggested places and groups",
        "mapping:suggestions",
        "mapping.view_suggestions",
        "possible hotspots and peer groups nobody has opened a record for yet.",
    ),
    WorkLink(
        "MARVE referrals",
        "meetings:marve_list",
        "meetings.view_marve_list",
        "referrals to the panel and their status.",
    ),
    WorkLink(
        "National Referral Mechanism",
        "casework:nrm_list",
        "casework.view_nrm_list",
        "open referrals and overdue decisions.",
    ),
    WorkLink(
        "Front door timescales and screening teams",
        "frontdoor:timescales",
        "frontdoor.manage_timescales",
        "how long the front door has to decide, by urgency.",
    ),
    WorkLink(
        "Missing-episode threshold rules",
        "missing:rules",
        "missing.change_rules",
        "when the service prompts a strategy discussion or a MARVE referral.",
    ),
)


def work_links(user: Any) -> list[dict[str, str]]:
    return [
        {"label": link.label, "href": reverse(link.url_name), "hint": link.hint}
        for link in WORK_LINKS
        if user.has_perm(link.permission)
    ]
