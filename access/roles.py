"""The roles a person can hold in ContextSafe, and which may be combined."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    CS_LEAD = "cs_lead", "Contextual Safeguarding lead"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    ANALYST = "analyst", "Analyst"
    ADMINISTRATOR = "administrator", "Administrator"
    AUDITOR = "auditor", "Auditor"


CASE_WORK_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER, Role.CS_LEAD, Role.PANEL_CHAIR})
# Oversight roles never see case records. Holding one alongside a case-work role (or another
# oversight role) would let one account both read cases and mark its own homework.
OVERSIGHT_ROLES = frozenset({Role.ANALYST, Role.ADMINISTRATOR, Role.AUDITOR})

ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.PRACTITIONER: "Works with children and contexts in their own agency's cases.",
    Role.TEAM_MANAGER: "Oversees a team's work: approves decisions and allocates cases.",
    Role.CS_LEAD: "Leads Contextual Safeguarding practice and answers consultations.",
    Role.PANEL_CHAIR: "Chairs MARVE, MACE and CS&E conferences.",
    Role.ANALYST: "Sees only aggregated, pseudonymised figures — never a name.",
    Role.ADMINISTRATOR: "Manages users, agencies, teams and settings; cannot open case records.",
    Role.AUDITOR: "Reads and verifies the audit trail.",
}


def role_combination_problem(roles: set[str]) -> str | None:
    """Explain why a set of roles may not be held together, or return None if it may."""
    oversight = roles & OVERSIGHT_ROLES
    if len(oversight) > 1:
        labels = " and ".join(sorted(Role(r).label.lower() for r in oversight))
        return f"One account cannot be both {labels}. Create a separate account for each."
    if oversight and roles & CASE_WORK_ROLES:
        label = Role(next(iter(oversight))).label.lower()
        return (
            f"An {label} account cannot also hold case-work roles, "
            "so that it never sees case records."
        )
    return None
