"""Who may read and change plans, their actions and reviews.

A plan is a record about a child or a context (``access.predicates``): it is seen by whoever may
open the child's record (or any case worker, for a context) and always by the agency that wrote
it. An action can also be seen and completed by its owner — a user, or anyone in the owning
agency — even where the owner may not open the child's record: they see the action, never the
child. Administrators, auditors and analysts hold none of these.
"""

from __future__ import annotations

from typing import Any

import rules

from access.predicates import (
    can_edit_record_about,
    can_view_record_about,
    does_case_work,
)


def _subject_editable(user: Any, subject: Any) -> bool:
    from contexts.models import Context
    from people.models import Person

    if isinstance(subject, Person):
        return bool(user.has_perm("people.change_person", subject))
    if isinstance(subject, Context):
        return bool(user.has_perm("contexts.change_context", subject))
    return False


def _owns_action(user: Any, action: Any) -> bool:
    if action is None or getattr(user, "agency_id", None) is None:
        return False
    if action.owner_user_id is not None and action.owner_user_id == user.pk:
        return True
    return action.owner_agency_id is not None and action.owner_agency_id == user.agency_id


def _may_view_action_plan(user: Any, action: Any) -> bool:
    return action is not None and can_view_record_about(user, action.plan)


def _may_edit_action_plan(user: Any, action: Any) -> bool:
    return action is not None and can_edit_record_about(user, action.plan)


may_edit_plan_subject = rules.predicate(_subject_editable, name="may_edit_plan_subject")
owns_action = rules.predicate(_owns_action, name="owns_action")
may_view_action_plan = rules.predicate(_may_view_action_plan, name="may_view_action_plan")
may_edit_action_plan = rules.predicate(_may_edit_action_plan, name="may_edit_action_plan")

# Role-only permissions, declared on views.
rules.add_perm("plans.view_plans", does_case_work)

# Object permissions. ``add_plan``'s object is the child or context the plan is for.
rules.add_perm("plans.add_plan", does_case_work & may_edit_plan_subject)
rules.add_perm("plans.view_plan", can_view_record_about)
rules.add_perm("plans.change_plan", can_edit_record_about)
rules.add_perm("plans.view_action", does_case_work & (owns_action | may_view_action_plan))
rules.add_perm("plans.change_action", may_edit_action_plan)
rules.add_perm("plans.complete_action", does_case_work & (owns_action | may_edit_action_plan))
