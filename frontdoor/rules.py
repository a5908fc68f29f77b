"""Who may make, read and screen contacts. Autodiscovered by ``rules``.

Any case worker may send a contact. Reading one follows the record it is about (the referring
agency always sees its own). Screening belongs to the teams the partnership names as screening
teams; approving a screening decision to that team's managers and CS leads.
"""

from __future__ import annotations

from typing import Any

import rules

from access.predicates import (
    can_edit_record_about,
    can_view_record_about,
    does_case_work,
    is_administrator,
    is_cs_lead,
    is_team_manager,
)
from contextsafe.lib.request_cache import request_cache


def _team_ids(user: Any) -> frozenset[int]:
    """The user's teams, asked once per request: the queue and every row's actions need it."""
    cache = request_cache()
    key = ("frontdoor.team_ids", user.pk)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    ids = frozenset(user.teams.values_list("pk", flat=True))
    if cache is not None:
        cache[key] = ids
    return ids


def screening_team_ids(user: Any) -> frozenset[int]:
    """The screening teams the user belongs to."""
    from frontdoor.models import ScreeningTeam

    cache = request_cache()
    key = ("frontdoor.screening_team_ids", user.pk)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    ids = frozenset(
        ScreeningTeam.objects.filter(team__members=user, team__is_active=True).values_list(
            "team_id", flat=True
        )
    )
    if cache is not None:
        cache[key] = ids
    return ids


def _screens(user: Any, contact: Any = None) -> bool:
    """Without a contact: a member of any screening team. With one: a member of the team the
    contact was sent to (so contacts already sent stay workable if the partnership later
    changes its screening teams)."""
    if user is None or not user.is_authenticated or not user.is_active or not user.pk:
        return False
    if contact is None:
        return bool(screening_team_ids(user))
    return contact.receiving_team_id in _team_ids(user)


is_screener = rules.predicate(_screens, name="is_screener")

# Sending a contact, and the pages around it (start, confirmation, "contacts you have sent").
rules.add_perm("frontdoor.add_contact", does_case_work)
# The gate for contact pages; each contact is then checked with ``view_contact``.
rules.add_perm("frontdoor.read_contacts", does_case_work)
rules.add_perm("frontdoor.view_contact", can_view_record_about)
rules.add_perm("frontdoor.add_sharing_decision", can_edit_record_about)
# Screening: the queue, picking up a contact, deciding, telling the referrer.
rules.add_perm("frontdoor.screen_contact", does_case_work & is_screener)
rules.add_perm(
    "frontdoor.approve_decision", does_case_work & (is_team_manager | is_cs_lead) & is_screener
)
rules.add_perm("frontdoor.manage_timescales", is_administrator)
