"""The fictional Brackenmoor partnership: agencies, teams and one demo user per role.

Every name is invented. Brackenmoor is not a real place.
"""

from __future__ import annotations

from dataclasses import dataclass

from access.roles import Role
from accounts.models import AgencyKind

PARTNERSHIP_NAME = "Brackenmoor Safeguarding Children Partnership"
# The team that screens contacts at the front door.
SCREENING_TEAM = ("Brackenmoor Council Children's Services", "Single Point of Access")

AGENCIES: dict[str, tuple[str, list[str]]] = {
    "Brackenmoor Council Children's Services": (
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        [
            "Single Point of Access",
            "Adolescent Safeguarding Team",
            "Exploitation and Missing Team",
            "Conference and Review Service",
            "Partnership Business Unit",
            "Information Governance",
            "Performance and Intelligence",
        ],
    ),
    "Vale and Brackenmoor Police": (
        AgencyKind.POLICE,
        ["Child Exploitation Unit", "Neighbourhood Policing – Brackenmoor Central"],
    ),
    "Brackenmoor Education Service": (
        AgencyKind.EDUCATION,
        ["Hollins Park Academy Safeguarding", "Inclusion and Attendance"],
    ),
    "Brackenmoor Community Health": (
        AgencyKind.HEALTH,
        ["School Nursing", "Emergency Department Safeguarding"],
    ),
    "Brackenmoor Youth Justice Service": (
        AgencyKind.YOUTH_JUSTICE,
        ["Youth Justice Case Management"],
    ),
    "Brackenmoor Community Safety Partnership": (
        AgencyKind.COMMUNITY_SAFETY,
        ["Licensing", "Parks and Open Spaces"],
    ),
    "Brackenmoor Homes": (AgencyKind.HOUSING, ["Tenancy Sustainment"]),
    "Open Doors Youth Trust": (AgencyKind.VOLUNTARY_SECTOR, ["Detached Youth Work"]),
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    job_title: str
    agency: str
    teams: tuple[str, ...]
    roles: tuple[Role, ...]


CSC = "Brackenmoor Council Children's Services"

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "sam.okafor",
        "Sam",
        "Okafor",
        "Social worker, adolescent safeguarding",
        CSC,
        ("Adolescent Safeguarding Team",),
        (Role.PRACTITIONER,),
    ),
    DemoUser(
        "kofi.mensah",
        "Kofi",
        "Mensah",
        "Social worker, Single Point of Access (front door)",
        CSC,
        ("Single Point of Access",),
        (Role.PRACTITIONER,),
    ),
    DemoUser(
        "priya.shah",
        "Priya",
        "Shah",
        "Team manager, Single Point of Access",
        CSC,
        ("Single Point of Access",),
        (Role.TEAM_MANAGER,),
    ),
    DemoUser(
        "dana.whitlock",
        "Dana",
        "Whitlock",
        "Adolescent exploitation and missing manager (CS lead)",
        CSC,
        ("Exploitation and Missing Team",),
        (Role.CS_LEAD, Role.TEAM_MANAGER),
    ),
    DemoUser(
        "marcus.bell",
        "Marcus",
        "Bell",
        "Child protection chair (MARVE and CS&E conferences)",
        CSC,
        ("Conference and Review Service",),
        (Role.PANEL_CHAIR,),
    ),
    DemoUser(
        "lena.fox",
        "Lena",
        "Fox",
        "Performance analyst",
        CSC,
        ("Performance and Intelligence",),
        (Role.ANALYST,),
    ),
    DemoUser(
        "jo.admin",
        "Jo",
        "Adeyemi",
        "Partnership systems administrator",
        CSC,
        ("Partnership Business Unit",),
        (Role.ADMINISTRATOR,),
    ),
    DemoUser(
        "ruth.ellis",
        "Ruth",
        "Ellis",
        "Information governance officer",
        CSC,
        ("Information Governance",),
        (Role.AUDITOR,),
    ),
    DemoUser(
        "nina.kowalski",
        "Nina",
        "Kowalski",
        "Detective constable, child exploitation",
        "Vale and Brackenmoor Police",
        ("Child Exploitation Unit",),
        (Role.PRACTITIONER,),
    ),
    DemoUser(
        "helen.marsh",
        "Helen",
        "Marsh",
        "Designated safeguarding lead, Hollins Park Academy",
        "Brackenmoor Education Service",
        ("Hollins Park Academy Safeguarding",),
        (Role.PRACTITIONER,),
    ),
    DemoUser(
        "tom.reid",
        "Tom",
        "Reid",
        "Detached youth worker",
        "Open Doors Youth Trust",
        ("Detached Youth Work",),
        (Role.PRACTITIONER,),
    ),
)
