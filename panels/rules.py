"""Who may see and change panels, meetings, agenda items and meeting actions.

- A meeting is seen by its chair, the chair of its panel, and its participants who have an
  account. Participants see the items on the agenda while the meeting is open (scheduled, or
  held with minutes still to send); once it closes they keep only the actions they own.
- An agenda item is a record about a child or a context, so whoever may open that record under
  the ordinary rules (``access.predicates``) also sees the item, in the child's or context's
  history.
- A context conference names no children to participants outside the statutory agencies
  (``names_children_to``): the pages and packs they get leave children out.
- Only the chair records attendance, the level of concern, decisions, actions and minutes.
  Participants add their own agency's information.
- An action agreed at a meeting is seen by its owner (the user, or anyone in the owning agency)
  and the chair — the owner sees the action, never the child.
"""

from __future__ import annotations

from typing import Any

import rules

from access.predicates import can_view_record_about, does_case_work, is_cs_lead, is_panel_chair


def _user_pk(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.pk  # type: ignore[no-any-return]


def _chairs(user: Any, meeting: Any) -> bool:
    pk = _user_pk(user)
    if pk is None or meeting is None:
        return False
    if meeting.chair_id == pk:
        return True
    return meeting.panel_id is not None and meeting.panel.chair_id == pk


def _participates(user: Any, meeting: Any) -> bool:
    from contextsafe.lib.request_cache import request_cache

    pk = _user_pk(user)
    if pk is None or meeting is None:
        return False
    # A meeting page asks this for the meeting and again for every agenda item and action.
    cache = request_cache()
    key = ("panel_participant", pk, meeting.pk)
    if cache is not None and key in cache:
        return bool(cache[key])
    found = bool(meeting.participants.filter(user_id=pk).exists())
    if cache is not None:
        cache[key] = found
    return found


def _meeting_open(user: Any, meeting: Any) -> bool:
    return meeting is not None and meeting.is_open


def _chairs_item_meeting(user: Any, item: Any) -> bool:
    return item is not None and _chairs(user, item.meeting)


def _participates_in_open_item_meeting(user: Any, item: Any) -> bool:
    return item is not None and item.meeting.is_open and _participates(user, item.meeting)


def _owns_panel_action(user: Any, action: Any) -> bool:
    if action is None or getattr(user, "agency_id", None) is None:
        return False
    if action.owner_user_id is not None:
        return bool(action.owner_user_id == user.pk)
    return bool(action.owner_agency_id == user.agency_id)


def _chairs_action_meeting(user: Any, action: Any) -> bool:
    return action is not None and _chairs(user, action.meeting)


def _manages_panel(user: Any, panel: Any) -> bool:
    pk = _user_pk(user)
    return pk is not None and panel is not None and panel.chair_id == pk


chairs_meeting = rules.predicate(_chairs, name="chairs_meeting")
participates_in_meeting = rules.predicate(_participates, name="participates_in_meeting")
meeting_is_open = rules.predicate(_meeting_open, name="meeting_is_open")
chairs_item_meeting = rules.predicate(_chairs_item_meeting, name="chairs_item_meeting")
participates_in_open_item_meeting = rules.predicate(
    _participates_in_open_item_meeting, name="participates_in_open_item_meeting"
)
owns_panel_action = rules.predicate(_owns_panel_action, name="owns_panel_action")
chairs_action_meeting = rules.predicate(_chairs_action_meeting, name="chairs_action_meeting")
manages_panel = rules.predicate(_manages_panel, name="manages_panel")

may_organise = is_panel_chair | is_cs_lead


def names_children_to(user: Any, meeting: Any) -> bool:
    """Whether the meeting's pages and packs may name children to ``user``. A context
    conference discusses the context, not named individuals (domain.md §1.4): its
    participants outside the statutory agencies never see a child's name."""
    if meeting is None or not meeting.is_context_conference:
        return True
    agency = getattr(user, "agency", None)
    if agency is None:
        return False
    from accounts.models import STATUTORY_AGENCY_KINDS

    return agency.kind in STATUTORY_AGENCY_KINDS


# Templates ask this of a meeting through ``{% test_rule %}``: whether to name children to the
# viewer at all (a context conference names none outside the statutory agencies).
rules.add_rule("panels.names_children_to", rules.predicate(names_children_to))

# Role-only permissions, declared on views.
rules.add_perm("panels.view_panels", does_case_work)
rules.add_perm("panels.add_panel", does_case_work & may_organise)
rules.add_perm("panels.add_conference", does_case_work & may_organise)

# Object permissions.
rules.add_perm("panels.view_panel", does_case_work & (may_organise | manages_panel))
rules.add_perm("panels.change_panel", does_case_work & manages_panel)
rules.add_perm(
    "panels.view_meeting",
    does_case_work & (chairs_meeting | (participates_in_meeting & meeting_is_open)),
)
rules.add_perm("panels.chair_meeting", does_case_work & chairs_meeting)
rules.add_perm(
    "panels.contribute_to_meeting",
    does_case_work & meeting_is_open & (chairs_meeting | participates_in_meeting),
)
rules.add_perm(
    "panels.view_item",
    does_case_work
    & (chairs_item_meeting | participates_in_open_item_meeting | can_view_record_about),
)
rules.add_perm(
    "panels.view_panel_action", does_case_work & (owns_panel_action | chairs_action_meeting)
)
rules.add_perm(
    "panels.complete_panel_action", does_case_work & (owns_panel_action | chairs_action_meeting)
)
