"""Named predicates: the only place that says who may do what."""

from __future__ import annotations

from typing import Any

import rules

from access.roles import CASE_WORK_ROLES, Role


def _roles(user: Any) -> frozenset[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return user.role_set  # type: ignore[no-any-return]


def has_role(role: Role) -> Any:
    def holds_role(user: Any) -> bool:
        return role in _roles(user)

    return rules.predicate(holds_role, name=f"has_role:{role.value}")


is_practitioner = has_role(Role.PRACTITIONER)
is_team_manager = has_role(Role.TEAM_MANAGER)
is_cs_lead = has_role(Role.CS_LEAD)
is_panel_chair = has_role(Role.PANEL_CHAIR)
is_analyst = has_role(Role.ANALYST)
is_administrator = has_role(Role.ADMINISTRATOR)
is_auditor = has_role(Role.AUDITOR)


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _does_case_work(user: Any) -> bool:
    return bool(_roles(user) & CASE_WORK_ROLES)


def _is_same_user(user: Any, other: Any) -> bool:
    return other is not None and user is not None and other.pk == user.pk


is_signed_in = rules.predicate(_is_signed_in, name="is_signed_in")
does_case_work = rules.predicate(_does_case_work, name="does_case_work")
is_same_user = rules.predicate(_is_same_user, name="is_same_user")


# --- case records -----------------------------------------------------------------------------
# Identifiers are visible only to the agencies that work with them (and the holding agency's
# children's social care, which needs them all to join records up).
IDENTIFIER_AGENCY_KINDS: dict[str, frozenset[str]] = {
    "police_nominal": frozenset({"police", "youth_justice"}),
    "nhs_number": frozenset({"health", "childrens_social_care"}),
    "upn": frozenset({"education", "childrens_social_care"}),
    "la_case_number": frozenset(
        {"childrens_social_care", "youth_justice", "education", "health", "police"}
    ),
}


def _shares_person(user: Any, person: Any, *, editable: bool = False) -> bool:
    from people.selectors import share_exists

    if person is None or not _does_case_work(user) or user.agency_id is None:
        return False
    return share_exists(user=user, person=person, editable=editable)


def _may_view_person(user: Any, person: Any) -> bool:
    return _shares_person(user, person)


def _may_edit_person(user: Any, person: Any) -> bool:
    return _shares_person(user, person, editable=True)


def _may_view_identifier(user: Any, identifier: Any) -> bool:
    if identifier is None or user.agency_id is None:
        return False
    kinds = IDENTIFIER_AGENCY_KINDS.get(identifier.scheme, frozenset())
    return user.agency.kind in kinds and _shares_person(user, identifier.person)


def _may_view_event(user: Any, event: Any) -> bool:
    from events.selectors import event_visible

    return event is not None and _does_case_work(user) and event_visible(user=user, event=event)


can_view_person = rules.predicate(_may_view_person, name="can_view_person")
can_edit_person = rules.predicate(_may_edit_person, name="can_edit_person")
can_view_identifier = rules.predicate(_may_view_identifier, name="can_view_identifier")
can_view_event = rules.predicate(_may_view_event, name="can_view_event")


# --- records about a child or a context (contacts, assessments, meetings, consultations ...) ----
# A record about a person is seen by whoever may open that person's record, and always by the
# agency that wrote it (a school sees the contact it sent even if the child's record is held by
# children's social care). A record about a context is a partnership record, like the context.
def _about_visible(user: Any, record: Any, *, editable: bool) -> bool:
    if record is None or not _does_case_work(user) or user.agency_id is None:
        return False
    if getattr(record, "recording_agency_id", None) == user.agency_id:
        return True
    person = getattr(record, "person", None) if getattr(record, "person_id", None) else None
    if person is not None:
        return _shares_person(user, person, editable=editable)
    return getattr(record, "context_id", None) is not None


def _may_view_record_about(user: Any, record: Any) -> bool:
    return _about_visible(user, record, editable=False)


def _may_edit_record_about(user: Any, record: Any) -> bool:
    return _about_visible(user, record, editable=True)


can_view_record_about = rules.predicate(_may_view_record_about, name="can_view_record_about")
can_edit_record_about = rules.predicate(_may_edit_record_about, name="can_edit_record_about")
