"""Who may hold strategy meetings, read them, refer to the MARVE panel and run its list.

Autodiscovered by ``rules``. Route-level permissions (``start_meeting``, ``view_meetings``,
``view_marve_list``) gate the URLs; object permissions are checked by the selectors through
``access.guard.authorize`` on the subject (a person or a context), the meeting or the referral.
"""

from __future__ import annotations

from typing import Any

import rules

from access.predicates import (
    can_edit_person,
    can_edit_record_about,
    can_view_record_about,
    does_case_work,
    is_cs_lead,
    is_panel_chair,
    is_practitioner,
    is_team_manager,
)
from contexts.models import Context
from people.models import Person


def _may_edit_subject(user: Any, subject: Any) -> bool:
    """A person: whoever may change their record. A context: any case worker (partnership)."""
    if isinstance(subject, Person):
        return bool(can_edit_person.test(user, subject))
    if isinstance(subject, Context):
        return bool(does_case_work.test(user))
    return False


can_edit_subject = rules.predicate(_may_edit_subject, name="can_edit_subject")


def _independent_of(user: Any, referral: Any = None) -> bool:
    """Not the referrer, nor the chair of the meeting it came from. Without a referral (the
    route's gate) this passes: the referral is checked when the page has it."""
    return referral is None or not referral.own_interest(user)


is_independent_of_referral = rules.predicate(_independent_of, name="is_independent_of_referral")

# Chairing and recording strategy meetings is case work; panel chairs run panels, not these.
holds_meetings = is_practitioner | is_team_manager | is_cs_lead
decides_marve = is_panel_chair | is_cs_lead

rules.add_perm("meetings.start_meeting", holds_meetings)
rules.add_perm("meetings.view_meetings", does_case_work)
rules.add_perm("meetings.hold_meeting", holds_meetings & can_edit_subject)
rules.add_perm("meetings.view_meeting", can_view_record_about)
rules.add_perm("meetings.record_meeting", holds_meetings & can_edit_record_about)

rules.add_perm("meetings.make_marve_referral", holds_meetings)
rules.add_perm("meetings.refer_to_marve", holds_meetings & can_edit_subject)
# The panel sees every referral made to it; a child's name still shows only where the viewer
# may open the child's record (see selectors.marve_rows).
rules.add_perm("meetings.view_marve", can_view_record_about | decides_marve)
rules.add_perm("meetings.view_marve_list", decides_marve | is_team_manager)
rules.add_perm("meetings.read_marve_reasons", can_view_record_about)
# The person who made a referral, or chaired the meeting it came from, does not decide on it.
rules.add_perm("meetings.decide_marve", decides_marve & is_independent_of_referral)
