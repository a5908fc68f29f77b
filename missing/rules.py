"""Who may record, see and decide on missing episodes, interviews and threshold prompts.

Object permissions take the record they are about: a person for ``add_episode``; an episode for
``view_episode``, ``change_episode`` and ``record_interview``; a prompt for ``view_prompt`` and
``decide_prompt``. Views are gated by the role-only permissions (``missing.access`` ...) and
check the object through ``access.guard.authorize`` in the selectors.
"""

from __future__ import annotations

import rules

from access.predicates import (
    can_edit_person,
    can_edit_record_about,
    can_view_record_about,
    does_case_work,
    is_administrator,
    is_cs_lead,
    is_practitioner,
    is_team_manager,
)

# Practitioners, managers and CS leads carry the day-to-day decisions; panel chairs run panels.
decides_cases = is_practitioner | is_team_manager | is_cs_lead

# Gates for the pages (no object): the object check follows in the selector.
rules.add_perm("missing.access", does_case_work)
rules.add_perm("missing.view_interview_list", decides_cases)
rules.add_perm("missing.view_prompt_list", decides_cases)
rules.add_perm("missing.view_rules", does_case_work | is_administrator)
# Threshold rules are partnership configuration, not case records: administrators may set them.
rules.add_perm("missing.change_rules", is_cs_lead | is_administrator)

# Records about a child: whoever may change the child's record records episodes for them; the
# agency that wrote an episode may always correct it (``can_edit_record_about``).
rules.add_perm("missing.add_episode", can_edit_person)
rules.add_perm("missing.view_episode", can_view_record_about)
rules.add_perm("missing.change_episode", can_edit_record_about)
rules.add_perm("missing.record_interview", can_edit_record_about)
rules.add_perm("missing.view_prompt", can_view_record_about)
rules.add_perm("missing.decide_prompt", decides_cases & can_edit_record_about)
