"""Who may allocate key leads, ask and answer consultations, and record NRM referrals.

Two layers, as elsewhere: a role-only permission that the view declares (so the URL walk can prove
it), and an object permission that the selector checks through ``access.guard.authorize``.
Administrators, auditors and analysts hold none of these.
"""

from __future__ import annotations

from typing import Any

import rules

from access.predicates import (
    can_view_record_about,
    does_case_work,
    is_cs_lead,
    is_practitioner,
    is_team_manager,
)
from casework.models import FIRST_RESPONDER_KINDS
from contexts.models import Context
from people.models import Person


def _subject(obj: Any) -> Person | Context | None:
    """The child or context a permission is asked about: the subject itself, or a record's."""
    if isinstance(obj, Person | Context):
        return obj
    if getattr(obj, "person_id", None):
        return obj.person  # type: ignore[no-any-return]
    if getattr(obj, "context_id", None):
        return obj.context  # type: ignore[no-any-return]
    return None


def _may_view_subject(user: Any, obj: Any) -> bool:
    subject = _subject(obj)
    if isinstance(subject, Person):
        return bool(user.has_perm("people.view_person", subject))
    if isinstance(subject, Context):
        return bool(user.has_perm("contexts.view_context", subject))
    return False


def _may_edit_subject(user: Any, obj: Any) -> bool:
    subject = _subject(obj)
    if isinstance(subject, Person):
        return bool(user.has_perm("people.change_person", subject))
    if isinstance(subject, Context):
        return bool(user.has_perm("contexts.change_context", subject))
    return False


def _is_first_responder(user: Any) -> bool:
    agency = getattr(user, "agency", None)
    return agency is not None and agency.is_active and agency.kind in FIRST_RESPONDER_KINDS


def _is_current_allocation(user: Any, allocation: Any) -> bool:
    return allocation is not None and allocation.ended_on is None


may_view_subject = rules.predicate(_may_view_subject, name="may_view_subject")
may_edit_subject = rules.predicate(_may_edit_subject, name="may_edit_subject")
is_first_responder = rules.predicate(_is_first_responder, name="is_first_responder")
is_current_allocation = rules.predicate(_is_current_allocation, name="is_current_allocation")
manages_or_leads = is_team_manager | is_cs_lead
refers_to_nrm = (is_practitioner | is_team_manager | is_cs_lead) & is_first_responder

# Role-only permissions, declared on views.
rules.add_perm("casework.view_casework", does_case_work)
rules.add_perm("casework.manage_key_leads", manages_or_leads)
rules.add_perm("casework.answer_consultations", is_cs_lead)
rules.add_perm("casework.refer_to_nrm", refers_to_nrm)
rules.add_perm("casework.view_nrm_list", is_practitioner | is_team_manager | is_cs_lead)

# Object permissions: the object is the child or context (or a record about one).
rules.add_perm("casework.view_key_leads", does_case_work & may_view_subject)
rules.add_perm("casework.allocate_key_lead", manages_or_leads & may_edit_subject)
rules.add_perm("casework.end_key_lead", manages_or_leads & is_current_allocation & may_edit_subject)
rules.add_perm("casework.ask_consultation", does_case_work & may_view_subject)
# The CS lead answers questions about children whose records their agency may not hold, so the
# question reaches every CS lead; everyone else follows the record's subject.
rules.add_perm("casework.view_consultation", can_view_record_about | is_cs_lead)
rules.add_perm("casework.answer_consultation", is_cs_lead)
rules.add_perm("casework.add_nrm_referral", refers_to_nrm & may_edit_subject)
rules.add_perm("casework.decide_nrm_referral", refers_to_nrm & may_edit_subject)
rules.add_perm("casework.view_nrm_referral", can_view_record_about)
