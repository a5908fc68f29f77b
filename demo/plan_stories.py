"""Plans in the demo, in every state, written through the plans services like a user would.

- Larkspur Rise stairwells: a context safety plan after its context assessment — goals for the
  place, a police Community Protection Notice about to lapse, a licensing review overdue, door
  entry repaired (completed with evidence), detached youth work with sessions, one review held.
- Kayden Pryce: a CS&E plan (extra-familial harm in its own terms) with mentoring sessions and a
  Child Abduction Warning Notice served on the adult of concern.
- Leon Farrow: a child protection plan (category NEG) that ended at its first review.

Every name is invented.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from people.models import Person
from plans import services as plans
from plans.models import ActionKind, ActionStatus, GoalStatus, PlanKind

if TYPE_CHECKING:
    from demo.pathway import Cast

POLICE = "Vale and Brackenmoor Police"
YOUTH_TRUST = "Open Doors Youth Trust"


def load_plan_stories(cast: Cast, *, stairwells_name: str) -> None:
    _stairwells_context_safety_plan(cast, stairwells_name)
    _kayden_cse_plan(cast)
    _leon_protection_plan_ended(cast)


def _person(given: str, family: str) -> Person:
    return Person.objects.get(given_name=given, family_name=family)


def _stairwells_context_safety_plan(cast: Cast, stairwells_name: str) -> None:
    lead = cast.users["dana.whitlock"]
    plan = plans.plan_create(
        actor=lead,
        kind=PlanKind.CONTEXT_SAFETY,
        started_on=cast.day(45),
        context=cast.places[stairwells_name],
        review_interval_weeks=6,
        agreed_at_description=f"Location context conference, {cast.day(45):%-d %B %Y}",
    )
    dry = plans.goal_add(
        actor=lead,
        plan=plan,
        statement="Young people have a dry, supervised place to meet in the evenings",
        measure="Youth club attendance on Fridays; fewer young people in stairwells B and C",
    )
    secure = plans.goal_add(
        actor=lead,
        plan=plan,
        statement="The stairwells and bin store cannot be used to store or hand over drugs",
        measure="Door entry working; bin store locked; no finds on police checks for 6 weeks",
    )
    door = plans.action_create(
        actor=lead,
        plan=plan,
        goal=secure,
        description="Repair the door entry on blocks B and C and fit a lock to the bin store",
        owner_partner="Repairs team, Brackenmoor Homes",
        due_on=cast.day(20),
    )
    plans.action_complete(
        actor=lead,
        action=door,
        expected_version=door.version,
        completed_on=cast.day(22),
        evidence="Brackenmoor Homes job sheet: door entry repaired, bin store lock fitted.",
    )
    plans.action_create(
        actor=lead,
        plan=plan,
        goal=secure,
        kind=ActionKind.DISRUPTION,
        description="Community Protection Notice on the flat used to store drugs",
        owner_agency=cast.agencies[POLICE],
        owner_user=cast.users["nina.kowalski"],
        due_on=cast.day(-30),
        status=ActionStatus.IN_PROGRESS,
        tool="cpn",
        legal_basis="Anti-social Behaviour, Crime and Policing Act 2014, s43",
        target_description="Flat 14, block C, Larkspur Rise",
        served_on=cast.day(40),
        expires_on=cast.day(-10),
    )
    plans.action_create(
        actor=lead,
        plan=plan,
        goal=secure,
        description="Review the late-night licence of the off-licence at the foot of block A",
        owner_partner="Licensing team, Brackenmoor Council",
        due_on=cast.day(5),
    )
    plans.action_create(
        actor=lead,
        plan=plan,
        goal=dry,
        kind=ActionKind.INTERVENTION,
        description="Detached youth work on the estate on Tuesday and Friday evenings",
        owner_agency=cast.agencies[YOUTH_TRUST],
        owner_user=cast.users["tom.reid"],
        due_on=cast.day(-40),
        status=ActionStatus.IN_PROGRESS,
        programme="detached_youth_work",
        provider=YOUTH_TRUST,
        participant_description="Young people who gather in stairwells B and C",
    )
    plans.review_add(
        actor=lead,
        plan=plan,
        held_on=cast.day(3),
        reviewed_by="Dana Whitlock (chair), police, Brackenmoor Homes, Open Doors Youth Trust",
        progress="Door entry repaired and bin store locked. Licensing review not started.",
        situation="Fewer young people in the stairwells; two now come to the Friday club.",
        decision="continue",
        goal_progress={dry.pk: GoalStatus.PARTLY, secure.pk: GoalStatus.PARTLY},
    )
    cast.created.append(
        "Larkspur Rise stairwells: context safety plan, notice about to lapse, action overdue"
    )


def _kayden_cse_plan(cast: Cast) -> None:
    worker = cast.users["sam.okafor"]
    kayden = _person("Kayden", "Pryce")
    plan = plans.plan_create(
        actor=worker,
        kind=PlanKind.CSE_PLAN,
        started_on=cast.day(30),
        person=kayden,
        efh_harm_types=["cce", "county_lines"],
        extra_familial_safety=(
            "Avoid Sallowmere Parade after 6pm; his uncle collects him from football; "
            "if approached he calls his mum or the youth worker, whose number is in his phone."
        ),
        agreed_at_description="CS&E conference (extra-familial harm only)",
    )
    goal = plans.goal_add(
        actor=worker,
        plan=plan,
        statement="Kayden spends his evenings with people who keep him safe",
        measure="No missing episodes; home by 9pm on school nights",
    )
    mentoring = plans.action_create(
        actor=worker,
        plan=plan,
        goal=goal,
        kind=ActionKind.INTERVENTION,
        description="Weekly mentoring with a youth worker Kayden chose",
        owner_agency=cast.agencies[YOUTH_TRUST],
        owner_user=cast.users["tom.reid"],
        due_on=cast.day(-60),
        status=ActionStatus.IN_PROGRESS,
        programme="mentoring",
        provider=YOUTH_TRUST,
        participant_person=kayden,
    )
    for days_ago, attended in ((21, True), (14, True), (7, False)):
        plans.session_add(
            actor=worker,
            action=mentoring,
            held_on=cast.day(days_ago),
            attended=attended,
            notes="" if attended else "Did not come; mentor called his mum.",
        )
    adult = Person.objects.filter(kind="adult_of_concern", family_name="Voss").first()
    if adult is not None:
        # The police hold the adult's record, so the police add the notice.
        plans.action_create(
            actor=cast.users["nina.kowalski"],
            plan=plan,
            goal=goal,
            kind=ActionKind.DISRUPTION,
            description="Child Abduction Warning Notice to Darren Voss (known as Deano)",
            owner_agency=cast.agencies[POLICE],
            due_on=cast.day(10),
            status=ActionStatus.IN_PROGRESS,
            tool="cawn",
            legal_basis="Child Abduction Act 1984, s2",
            target_person=adult,
            served_on=cast.day(12),
        )
    cast.created.append("Kayden Pryce: CS&E plan with mentoring sessions and a CAWN")


def _leon_protection_plan_ended(cast: Cast) -> None:
    manager = cast.users["priya.shah"]
    leon = _person("Leon", "Farrow")
    plan = plans.plan_create(
        actor=manager,
        kind=PlanKind.CHILD_PROTECTION,
        started_on=cast.day(120),
        person=leon,
        cp_category="NEG",
        agreed_at_description="Initial child protection conference",
    )
    plans.review_add(
        actor=manager,
        plan=plan,
        held_on=cast.day(35),
        reviewed_by="Conference and Review Service",
        progress="Home conditions improved; the risk to Leon is now outside the family.",
        situation="Leon is safe at home; exploitation is addressed through a CS&E response.",
        decision="step_down",
        end_reason="Stepped down: extra-familial harm continues under a CS&E response.",
    )
    cast.created.append("Leon Farrow: child protection plan ended at its first review")
