"""The database refuses what the services would never write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts.models import User
from contexts.models import Context
from people.models import Person
from plans.models import Action, ActionKind, ActionStatus, Plan, PlanKind

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 1)


def _plan(user: User, **fields: object) -> Plan:
    base: dict[str, object] = {
        "recording_agency": user.agency,
        "recorded_by": user,
        "started_on": DAY,
    }
    return Plan.objects.create(**(base | fields))


def _refused(make: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()  # type: ignore[operator]


def test_cp_category_only_and_always_on_child_protection(personas, child: Person) -> None:
    user = personas["practitioner"]
    _refused(lambda: _plan(user, kind=PlanKind.CHILD_PROTECTION, person=child))
    _refused(lambda: _plan(user, kind=PlanKind.CSE_PLAN, person=child, cp_category="NEG"))
    _refused(lambda: _plan(user, kind=PlanKind.CHILD_PROTECTION, person=child, cp_category="XXX"))
    assert _plan(user, kind=PlanKind.CHILD_PROTECTION, person=child, cp_category="NEG").pk


def test_kind_fits_subject_and_one_subject(personas, child: Person, place: Context) -> None:
    user = personas["practitioner"]
    _refused(lambda: _plan(user, kind=PlanKind.CONTEXT_SAFETY, person=child))
    _refused(lambda: _plan(user, kind=PlanKind.CSE_PLAN, context=place))
    _refused(lambda: _plan(user, kind=PlanKind.CONTEXT_SAFETY, context=place, person=child))


def test_ended_plan_needs_end_date(personas, place: Context) -> None:
    user = personas["practitioner"]
    _refused(lambda: _plan(user, kind=PlanKind.CONTEXT_SAFETY, context=place, status="ended"))
    _refused(
        lambda: _plan(
            user, kind=PlanKind.CONTEXT_SAFETY, context=place, ended_on=DAY
        )  # active with an end date
    )


def test_action_constraints(personas, place: Context) -> None:
    user = personas["practitioner"]
    plan = _plan(user, kind=PlanKind.CONTEXT_SAFETY, context=place)

    def action(**fields: object) -> Action:
        base: dict[str, object] = {
            "plan": plan,
            "description": "Patrols",
            "recorded_by": user,
            "owner_partner": "Licensing team",
        }
        return Action.objects.create(**(base | fields))

    _refused(lambda: action(owner_partner=""))  # nobody owns it
    _refused(lambda: action(status=ActionStatus.COMPLETED, completed_on=DAY))  # no evidence
    _refused(lambda: action(tool="cpn"))  # a task with a disruption tool
    _refused(lambda: action(kind=ActionKind.DISRUPTION))  # a disruption without a tool
    _refused(lambda: action(kind=ActionKind.INTERVENTION))  # no programme
    _refused(
        lambda: action(
            kind=ActionKind.DISRUPTION,
            tool="cpn",
            served_on=DAY,
            expires_on=DAY - dt.timedelta(days=1),
        )
    )
    done = action(status=ActionStatus.COMPLETED, completed_on=DAY, evidence="Visit log 12")
    assert done.status == ActionStatus.COMPLETED
