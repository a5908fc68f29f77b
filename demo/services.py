"""Loading the fictional partnership through the same services real administrators use."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts import services as account_services
from accounts.models import Agency, Team, User
from demo.partnership import AGENCIES, DEMO_USERS, SCREENING_TEAM, DemoUser
from frontdoor.models import ScreeningTeam
from frontdoor.services import screening_teams_set


@dataclass(frozen=True)
class DemoAccount:
    user: User
    spec: DemoUser


@transaction.atomic
def demo_partnership_load(*, password: str) -> list[DemoAccount]:
    """Create what is missing; leave what exists alone, so the demo can restart safely."""
    agencies: dict[str, Agency] = {}
    teams: dict[tuple[str, str], Team] = {}
    for agency_name, (kind, team_names) in AGENCIES.items():
        agency = Agency.objects.filter(name=agency_name).first() or account_services.agency_create(
            actor=None, name=agency_name, kind=kind
        )
        agencies[agency_name] = agency
        for team_name in team_names:
            team = Team.objects.filter(agency=agency, name=team_name).first() or (
                account_services.team_create(actor=None, agency=agency, name=team_name)
            )
            teams[(agency_name, team_name)] = team
    if not ScreeningTeam.objects.exists():
        screening_teams_set(
            actor=None, teams=[teams[SCREENING_TEAM]], default=teams[SCREENING_TEAM]
        )
    accounts = []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = account_services.user_create(
                actor=None,
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@brackenmoor.example",
                agency=agencies[spec.agency],
                job_title=spec.job_title,
                teams=[teams[(spec.agency, t)] for t in spec.teams],
                roles=[r.value for r in spec.roles],
                password=password,
            )
        accounts.append(DemoAccount(user=user, spec=spec))
    return accounts
