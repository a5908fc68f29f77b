"""Who in the demo partnership holds, owns and records what.

Everything is named, not looked up, so the plan stays pure; the generator maps names to rows.
"""

from __future__ import annotations

import random

from access.roles import Role
from accounts.models import AgencyKind
from demo.partnership import AGENCIES, DEMO_USERS


def _agency(kind: str) -> str:
    return next(name for name, (k, _teams) in AGENCIES.items() if k == kind)


CSC = _agency(AgencyKind.CHILDRENS_SOCIAL_CARE)
POLICE = _agency(AgencyKind.POLICE)
EDUCATION = _agency(AgencyKind.EDUCATION)
HEALTH = _agency(AgencyKind.HEALTH)
YOUTH_JUSTICE = _agency(AgencyKind.YOUTH_JUSTICE)
COMMUNITY_SAFETY = _agency(AgencyKind.COMMUNITY_SAFETY)
YOUTH_WORK = _agency(AgencyKind.VOLUNTARY_SECTOR)

# Teams that own cases and contexts, as (agency, team) — all present in demo.partnership.
ADOLESCENT_TEAM = (CSC, "Adolescent Safeguarding Team")
EXPLOITATION_TEAM = (CSC, "Exploitation and Missing Team")
FRONT_DOOR_TEAM = (CSC, "Single Point of Access")
POLICE_CE_TEAM = (POLICE, "Child Exploitation Unit")
NEIGHBOURHOOD_TEAM = (POLICE, "Neighbourhood Policing – Brackenmoor Central")
INCLUSION_TEAM = (EDUCATION, "Inclusion and Attendance")
YOUTH_JUSTICE_TEAM = (YOUTH_JUSTICE, "Youth Justice Case Management")
LICENSING_TEAM = (COMMUNITY_SAFETY, "Licensing")
PARKS_TEAM = (COMMUNITY_SAFETY, "Parks and Open Spaces")
DETACHED_TEAM = (YOUTH_WORK, "Detached Youth Work")

# Case teams for a record held by each agency.
CASE_TEAMS: dict[str, tuple[tuple[str, str], ...]] = {
    CSC: (ADOLESCENT_TEAM, ADOLESCENT_TEAM, EXPLOITATION_TEAM, FRONT_DOOR_TEAM),
    POLICE: (POLICE_CE_TEAM,),
    EDUCATION: (INCLUSION_TEAM,),
    YOUTH_JUSTICE: (YOUTH_JUSTICE_TEAM,),
}

_RECORDING_ROLES = {Role.PRACTITIONER, Role.TEAM_MANAGER, Role.CS_LEAD}

# The demo users who write case records, by agency. Agencies with none (health, youth justice in
# the demo) still record events, with no named author.
RECORDERS: dict[str, tuple[str, ...]] = {
    agency: tuple(
        sorted(
            u.username
            for u in DEMO_USERS
            if u.agency == agency and _RECORDING_ROLES.intersection(u.roles)
        )
    )
    for agency in AGENCIES
}

# Agencies that record associations and context links: the ones with a demo user to sign them.
LINK_RECORDERS = tuple(a for a in (CSC, POLICE, EDUCATION, YOUTH_WORK) if RECORDERS[a])


def recorder(rng: random.Random, agency: str) -> str | None:
    """A demo user of the agency who could have written the record, or None if it has none."""
    users = RECORDERS.get(agency, ())
    return rng.choice(users) if users else None


def kind_of(agency: str) -> str:
    """The AgencyKind value of a demo agency, by name."""
    return str(AGENCIES[agency][0])
