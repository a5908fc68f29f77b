"""Who may start, change, read and sign off assessments (autodiscovered by ``rules``).

Single assessments are statutory children's social care assessments (Children Act 1989 s17/s47,
Working Together 2023): only children's social care may start or change one, and only where their
agency may change the child's record. Anyone who may open the child's record (and always the
agency that wrote it) may read it. Team managers sign off.

Context assessments are partnership records about a place or a group: any case worker may read
them; practitioners, team managers and CS leads of any agency may start and change them; team
managers and CS leads sign off.

Permissions ending in ``_assessments`` are view gates (checked by the access middleware without an
object); the others are object rules, checked through ``access.guard.authorize``.
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
    is_practitioner,
    is_team_manager,
)
from accounts.models import AgencyKind


def _in_childrens_social_care(user: Any) -> bool:
    agency = getattr(user, "agency", None) if getattr(user, "agency_id", None) else None
    return agency is not None and agency.kind == AgencyKind.CHILDRENS_SOCIAL_CARE


in_childrens_social_care = rules.predicate(
    _in_childrens_social_care, name="in_childrens_social_care"
)
does_assessment_work = is_practitioner | is_team_manager | is_cs_lead
does_statutory_assessment_work = does_assessment_work & in_childrens_social_care

# View gates
rules.add_perm("assessments.view_assessments", does_case_work)
rules.add_perm("assessments.add_single_assessments", does_statutory_assessment_work)
rules.add_perm("assessments.work_on_assessments", does_assessment_work)
rules.add_perm("assessments.view_team_assessments", is_team_manager | is_cs_lead)

# The contact an assessment starts from: whoever may read it (its subject's sharing, or the
# agency that wrote it).
rules.add_perm("assessments.use_contact", can_view_record_about)

# Single assessments (object: the person for "start", the assessment otherwise)
rules.add_perm(
    "assessments.start_single_assessment", does_statutory_assessment_work & can_edit_person
)
rules.add_perm("assessments.view_single_assessment", can_view_record_about)
rules.add_perm(
    "assessments.change_single_assessment",
    does_statutory_assessment_work & can_edit_record_about,
)
rules.add_perm(
    "assessments.sign_off_single_assessment",
    is_team_manager & in_childrens_social_care & can_edit_record_about,
)

# Context assessments (object: the context for "start", the assessment otherwise)
rules.add_perm("assessments.start_context_assessment", does_assessment_work)
rules.add_perm("assessments.view_context_assessment", can_view_record_about)
rules.add_perm(
    "assessments.change_context_assessment", does_assessment_work & can_edit_record_about
)
rules.add_perm(
    "assessments.sign_off_context_assessment",
    (is_team_manager | is_cs_lead) & can_edit_record_about,
)
