"""Demo records at every stage of the pathway from first contact to a decision.

Everything is created through the same services the pages use, as the demo users would, with
times relative to now so the front door's timers, the 45-day clock and the 72-hour interview
clock show something a practitioner would recognise: some on time, some overdue.

Every name is invented. The children are new records; the places and groups are the planted
hotspots of the fictional borough.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, Team, User
from assessments import services as assessments
from assessments.models import SingleAssessment
from casework import services as casework
from casework.models import NrmDecisionMaker
from contexts.models import Context, ContextKind
from demo.conference_stories import load_conference_stories
from demo.panel_stories import load_panel_stories
from demo.partnership import CSC
from demo.plan_stories import load_plan_stories
from frontdoor import services as frontdoor
from frontdoor.models import Contact, ScreeningDecision
from meetings import services as meetings
from meetings.checklist import Answer, checklist_for
from missing import services as missing
from missing.models import MissingEpisode, PromptStatus, ThresholdPrompt
from people import services as people
from people.codes import PersonKind
from people.models import Person

POLICE = "Vale and Brackenmoor Police"
EDUCATION = "Brackenmoor Education Service"
YOUTH_TRUST = "Open Doors Youth Trust"
TAKEAWAYS = "Sallowmere Parade takeaways"
COMMON = "Brackenmoor Common"
STAIRWELLS = "Larkspur Rise stairwells"
COMMON_GROUP = "Group seen together at Brackenmoor Common"


@dataclass
class Cast:
    """The demo users and places the stories use, looked up once."""

    users: dict[str, User]
    agencies: dict[str, Agency]
    teams: dict[str, Team]
    places: dict[str, Context]
    now: dt.datetime
    created: list[str] = field(default_factory=list)

    def ago(self, *, days: float = 0, hours: float = 0) -> dt.datetime:
        return self.now - dt.timedelta(days=days, hours=hours)

    def day(self, days: int) -> dt.date:
        return timezone.localdate(self.ago(days=days))


def demo_pathway_load(*, now: dt.datetime | None = None) -> list[str]:
    """Create the pathway stories once; return a line per story (empty if already loaded)."""
    if Contact.objects.exists():
        return []
    cast = _cast(now or timezone.now())
    with transaction.atomic():
        _kayden_from_school_contact_to_marve(cast)
        _mia_contact_overdue_for_screening(cast)
        _tyler_decision_waiting_for_approval(cast)
        _ruby_assessment_waiting_for_sign_off(cast)
        _leon_assessment_completed_and_nrm_overdue(cast)
        _aisha_missing_now(cast)
        _common_contact_to_context_assessment(cast)
        _stairwells_context_assessment_decided(cast)
        load_plan_stories(cast, stairwells_name=STAIRWELLS)
        load_panel_stories(cast, takeaways=TAKEAWAYS, stairwells=STAIRWELLS, common=COMMON)
        load_conference_stories(cast, takeaways=TAKEAWAYS, stairwells=STAIRWELLS)
    return cast.created


def _cast(now: dt.datetime) -> Cast:
    users = {u.username: u for u in User.objects.select_related("agency")}
    agencies = {a.name: a for a in Agency.objects.all()}
    teams = {t.name: t for t in Team.objects.filter(agency__name=CSC)}
    places = {c.name: c for c in Context.objects.filter(name__in=[TAKEAWAYS, COMMON, STAIRWELLS])}
    # Planted peer groups are named by the generator and differ by scale: prefer the one that
    # meets on the Common, else any.
    groups = Context.objects.filter(kind=ContextKind.PEER_GROUP).order_by("name")
    group = groups.filter(name__contains="Common").first() or groups.first()
    if group is not None:
        places[COMMON_GROUP] = group
    missing_places = {TAKEAWAYS, COMMON, STAIRWELLS, COMMON_GROUP} - set(places)
    if missing_places:
        raise LookupError(
            "Generate the fictional borough first (manage.py generate_borough --scale demo): "
            f"{', '.join(sorted(missing_places))} not found."
        )
    return Cast(users=users, agencies=agencies, teams=teams, places=places, now=now)


# --- small steps shared by the stories -----------------------------------------------------------


def _child(cast: Cast, actor: str, given: str, family: str, born: dt.date, sex: str) -> Person:
    return people.person_create(
        actor=cast.users[actor],
        kind=PersonKind.YOUNG_PERSON,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=sex,
        ethnicity="white_british" if sex == "male" else "mixed_white_black_caribbean",
        first_language="English",
    )


def _contact(cast: Cast, actor: str, *, hours_ago: float, **fields: Any) -> Contact:
    user = cast.users[actor]
    referrer = {
        "name": user.get_full_name(),
        "role": user.job_title,
        "organisation": str(user.agency),
        "email": user.email,
    }
    return frontdoor.contact_submit(
        actor=user,
        channel="online",
        referrer=referrer,
        received_at=cast.ago(hours=hours_ago),
        **fields,
    )


def _screen(
    cast: Cast, contact: Contact, outcome: str, reasons: str, *, approve: bool = True
) -> ScreeningDecision:
    frontdoor.screening_start(actor=cast.users["kofi.mensah"], contact=contact)
    contact.refresh_from_db()
    decision = frontdoor.screening_decide(
        actor=cast.users["kofi.mensah"],
        contact=contact,
        outcome=outcome,
        reasons=reasons,
        allocated_team=cast.teams["Adolescent Safeguarding Team"],
    )
    if approve:
        frontdoor.screening_approve(
            actor=cast.users["priya.shah"], decision=decision, comment="Agreed."
        )
    return decision


def _single(cast: Cast, child: Person, contact: Contact | None, days_ago: int) -> SingleAssessment:
    return assessments.single_assessment_start(
        actor=cast.users["sam.okafor"],
        person=child,
        started_on=cast.day(days_ago),
        lead=cast.users["sam.okafor"],
        team=cast.teams["Adolescent Safeguarding Team"],
        contact=contact,
    )


def _update_single(cast: Cast, assessment: SingleAssessment, **fields: Any) -> None:
    assessment.refresh_from_db()
    assessments.single_assessment_update(
        actor=cast.users["sam.okafor"],
        assessment=assessment,
        expected_version=assessment.version,
        **fields,
    )


def _finding(
    cast: Cast,
    assessment: SingleAssessment,
    area: str,
    place: Context | None,
    unsafe: str,
    safe: str,
) -> None:
    assessment.refresh_from_db()
    assessments.finding_add(
        actor=cast.users["sam.okafor"],
        assessment=assessment,
        expected_version=assessment.version,
        area=area,
        context=place,
        what_makes_it_unsafe=unsafe,
        what_makes_it_safe=safe,
    )


def _episode(cast: Cast, child: Person, *, days_ago: float, hours: float, **fields: Any) -> Any:
    went = cast.ago(days=days_ago)
    return missing.episode_create(
        actor=cast.users["nina.kowalski"],
        person=child,
        episode_type="M",
        went_missing_at=went,
        reported_at=went + dt.timedelta(hours=2),
        reported_by="Parent, by phone to the police",
        police_reference=f"VB-{went:%y%m%d}-{child.pk:04d}",
        police_risk_level="medium",
        returned_at=went + dt.timedelta(hours=hours),
        **fields,
    )


def _interview(cast: Cast, episode: MissingEpisode, *, completed_after_hours: float | None) -> None:
    episode.refresh_from_db()
    returned = episode.returned_at or cast.now
    completed = (
        returned + dt.timedelta(hours=completed_after_hours)
        if completed_after_hours is not None
        else None
    )
    missing.interview_record(
        actor=cast.users["tom.reid"],
        episode=episode,
        expected_version=episode.version,
        offered_at=returned + dt.timedelta(hours=6),
        offered_by="Tom Reid, Open Doors Youth Trust",
        accepted=True,
        declined_reason="",
        completed_at=completed,
        conducted_by="Tom Reid" if completed else "",
        conducting_agency=cast.agencies[YOUTH_TRUST] if completed else None,
        child_account=(
            "Said he was 'out with mates' and stayed at a flat above the shops. Did not want to "
            "say whose flat."
            if completed
            else ""
        ),
        push_pull_factors=(
            "Pull: older boys give him money and lifts. Push: arguments at home about school."
            if completed
            else ""
        ),
        places_and_people=(
            "Sallowmere Parade takeaways; a car that picks him up behind the parade."
            if completed
            else ""
        ),
        actions="Share with the key lead; offer detached youth work on Friday evenings."
        if completed
        else "",
    )


# --- the stories ---------------------------------------------------------------------------------


def _kayden_from_school_contact_to_marve(cast: Cast) -> None:
    """The whole path: school contact → screening → single assessment → a third missing episode
    that prompts a strategy meeting → MARVE referral."""
    takeaway = cast.places[TAKEAWAYS]
    kayden = _child(cast, "helen.marsh", "Kayden", "Pryce", dt.date(2011, 3, 14), "male")
    contact = _contact(
        cast,
        "helen.marsh",
        hours_ago=24 * 40,
        person=kayden,
        referral_source="2A",
        what_happened=(
            "Kayden has been seen most evenings at the takeaways on Sallowmere Parade with older "
            "youths who are not pupils here. He has new trainers and two phones, and has missed "
            "eleven afternoons this half term."
        ),
        where="Sallowmere Parade takeaways, after school until late",
        with_whom="Older youths, some in a grey car that waits behind the parade",
        online="Snapchat; says he is in a group chat he 'can't leave'",
        school="Hollins Park Academy, Year 10",
        harm_indicators=["cce", "county_lines", "missing"],
        harm_source="outside",
        child_views="Says the older boys are his friends and look out for him.",
        family_views="Mum is worried and says he no longer listens to her.",
        lawful_basis="safeguarding",
        lawful_basis_notes="Consent not sought: asking could raise the risk to Kayden.",
        urgency="urgent",
        contexts=[(takeaway, "Seen here most evenings")],
    )
    _screen(
        cast,
        contact,
        "single_assessment",
        "Indicators of criminal exploitation outside the family; needs a single assessment with "
        "the contextual section.",
    )
    casework.key_lead_allocate(
        actor=cast.users["dana.whitlock"],
        person=kayden,
        lead=cast.users["sam.okafor"],
        started_on=cast.day(38),
        reason="Allocated after screening: extra-familial harm.",
        expected_current_id=None,
    )
    assessment = _single(cast, kayden, contact, 37)
    _finding(
        cast,
        assessment,
        "places",
        takeaway,
        "Older youths wait here after school; a car picks children up behind the parade.",
        "The owner of one takeaway knows Kayden and has called his mum before.",
    )
    _update_single(
        cast,
        assessment,
        developmental_needs="Doing well in PE and art; attendance has fallen to 81%.",
        child_voice="'They're the only ones who get me.' Wants to play football again.",
        strengths="Close to his grandmother; a PE teacher he trusts.",
    )
    adult = people.person_create(
        actor=cast.users["nina.kowalski"],
        kind=PersonKind.ADULT_OF_CONCERN,
        given_name="Darren",
        family_name="Voss",
        known_as="Deano",
        date_of_birth=dt.date(2001, 6, 2),
        sex="male",
    )
    first = _episode(cast, kayden, days_ago=70, hours=20, found_description="Came home himself")
    _interview(cast, first, completed_after_hours=30)
    second = _episode(
        cast, kayden, days_ago=31, hours=26, found_location=takeaway, narrative="Found by officers"
    )
    _interview(cast, second, completed_after_hours=80)
    third = _episode(
        cast,
        kayden,
        days_ago=4,
        hours=30,
        found_location=takeaway,
        found_with=[adult],
        found_with_description="With an adult known as 'Deano' in a grey car behind the parade",
        narrative="Found by officers on patrol; Kayden had £240 in cash and a second phone.",
    )
    _interview(cast, third, completed_after_hours=None)
    people.record_share(
        actor=cast.users["nina.kowalski"],
        person=adult,
        agency=cast.agencies[CSC],
        reason="Strategy meeting about a child found with this adult",
    )
    prompt = ThresholdPrompt.objects.filter(episode=third, status=PromptStatus.OPEN).first()
    if prompt is not None:
        missing.prompt_decide(
            actor=cast.users["sam.okafor"],
            prompt=prompt,
            status=PromptStatus.STRATEGY_ARRANGED,
            reason="Strategy meeting arranged with police and school for tomorrow.",
        )
    _kayden_strategy_meeting(cast, kayden, contact)
    consultation = casework.consultation_ask(
        actor=cast.users["sam.okafor"],
        person=kayden,
        question="Kayden's mum wants to move him to her sister's. Would a move help or just "
        "move the risk? The group has links to other towns.",
        asked_of=cast.users["dana.whitlock"],
    )
    consultation.refresh_from_db()
    casework.consultation_answer(
        actor=cast.users["dana.whitlock"],
        consultation=consultation,
        expected_version=consultation.version,
        answer="Not yet. Disrupt the place first: ask licensing and the police to act at the "
        "parade, and work with the group through detached youth work. Revisit at MARVE.",
    )
    cast.created.append("Kayden Pryce: school contact → single assessment → MARVE referral")


def _kayden_strategy_meeting(cast: Cast, kayden: Person, contact: Contact) -> None:
    chair = cast.users["dana.whitlock"]
    meeting = meetings.meeting_create(
        actor=chair,
        subject=kayden,
        held_at=cast.ago(days=2),
        chair=chair,
        reason="Third missing episode in 90 days; found with an adult of concern.",
        contact=contact,
    )
    people_at = [
        (CSC, "Dana Whitlock", "Chair, CS lead"),
        (CSC, "Sam Okafor", "Social worker and key lead"),
        (POLICE, "Nina Kowalski", "Child Exploitation Unit"),
        (EDUCATION, "Helen Marsh", "Designated safeguarding lead"),
    ]
    for agency, name, role in people_at:
        meeting.refresh_from_db()
        meetings.attendee_add(
            actor=chair,
            meeting=meeting,
            expected_version=meeting.version,
            agency=cast.agencies[agency],
            name=name,
            role=role,
            attended=True,
        )
    shared = [
        (POLICE, "Three episodes in 70 days; last found with an adult known for county lines."),
        (EDUCATION, "Attendance 81%; missing afternoons; new phones and clothes."),
    ]
    for agency, summary in shared:
        meeting.refresh_from_db()
        meetings.information_add(
            actor=chair,
            meeting=meeting,
            expected_version=meeting.version,
            agency=cast.agencies[agency],
            summary=summary,
        )
    meeting.refresh_from_db()
    answers = {
        item.code: (Answer.YES if i % 3 else Answer.NOT_KNOWN, "Discussed.")
        for i, item in enumerate(checklist_for(about_context=False), start=1)
    }
    meetings.checklist_save(
        actor=chair, meeting=meeting, expected_version=meeting.version, answers=answers
    )
    decisions = [
        ("marve_referral", "Criminal exploitation outside the family needing a partnership plan."),
        ("context_assessment", "Sallowmere Parade takeaways: several children seen there."),
    ]
    for kind, reasons in decisions:
        meeting.refresh_from_db()
        meetings.decision_add(
            actor=chair,
            meeting=meeting,
            expected_version=meeting.version,
            kind=kind,
            reasons=reasons,
        )
    meeting.refresh_from_db()
    meetings.action_add(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        description="Licensing visit to the takeaways on the parade",
        owner_agency=cast.agencies["Brackenmoor Community Safety Partnership"],
        due_on=cast.day(-7),
        owner_name="Licensing team",
    )
    meeting.refresh_from_db()
    meetings.meeting_conclude(
        actor=chair,
        meeting=meeting,
        expected_version=meeting.version,
        summary="Refer to MARVE; assess the parade as a context.",
        what_has_been_tried="Key lead, return home interviews, school mentoring.",
    )


def _mia_contact_overdue_for_screening(cast: Cast) -> None:
    mia = _child(cast, "nina.kowalski", "Mia", "Lawson", dt.date(2012, 1, 9), "female")
    _contact(
        cast,
        "nina.kowalski",
        hours_ago=30,
        person=mia,
        referral_source="6",
        what_happened="Mia was found at the Interchange at 1am with two men in their twenties.",
        where="Brackenmoor Interchange, late at night",
        with_whom="Two men in their twenties, not known to the family",
        harm_indicators=["cse"],
        harm_source="outside",
        lawful_basis="safeguarding",
        lawful_basis_notes="Shared without consent to protect Mia.",
        urgency="urgent",
    )
    cast.created.append("Mia Lawson: police contact, overdue for screening")


def _tyler_decision_waiting_for_approval(cast: Cast) -> None:
    tyler = _child(cast, "tom.reid", "Tyler", "Brook", dt.date(2010, 11, 2), "male")
    contact = _contact(
        cast,
        "tom.reid",
        hours_ago=5,
        person=tyler,
        referral_source="8",
        what_happened="Tyler told a youth worker he owes money to older boys for cannabis.",
        where="Brackenmoor Common, skate park",
        with_whom="Older boys from the estate",
        harm_indicators=["cce"],
        harm_source="outside",
        lawful_basis="consent",
        urgency="standard",
    )
    _screen(
        cast,
        contact,
        "early_help",
        "Debt bondage risk is low at present; early help with youth work and family support.",
        approve=False,
    )
    cast.created.append("Tyler Brook: screening decision waiting for a manager")


def _ruby_assessment_waiting_for_sign_off(cast: Cast) -> None:
    ruby = _child(cast, "helen.marsh", "Ruby", "Ashworth", dt.date(2010, 5, 21), "female")
    contact = _contact(
        cast,
        "helen.marsh",
        hours_ago=24 * 50,
        person=ruby,
        referral_source="2A",
        what_happened="Ruby has been picked up from school by an older man in a car.",
        harm_indicators=["cse", "missing"],
        harm_source="outside",
        lawful_basis="safeguarding",
        lawful_basis_notes="Consent not sought.",
        urgency="urgent",
    )
    _screen(cast, contact, "single_assessment", "Possible sexual exploitation.")
    assessment = _single(cast, ruby, contact, 46)
    _finding(
        cast,
        assessment,
        "places",
        cast.places[COMMON],
        "Meets the man at the Common's car park.",
        "A park warden knows her.",
    )
    _update_single(
        cast,
        assessment,
        developmental_needs="Bright; wants to be a paramedic.",
        parenting_capacity="Dad works nights; Ruby is often alone.",
        family_environment="Close to her aunt.",
        child_voice="'He buys me things. He's not like the boys at school.'",
        strengths="Her aunt; her netball team.",
        analysis="Ruby is being groomed by an adult; the risk sits outside her family.",
        outcome="child_in_need",
        outcome_reasons="A child in need plan with a safety plan for the car park.",
        cin_factors=["11A", "10A"],
        primary_need="N1",
    )
    assessment.refresh_from_db()
    assessments.single_assessment_submit(
        actor=cast.users["sam.okafor"], assessment=assessment, expected_version=assessment.version
    )
    cast.created.append("Ruby Ashworth: single assessment waiting for sign-off")


def _leon_assessment_completed_and_nrm_overdue(cast: Cast) -> None:
    leon = _child(cast, "sam.okafor", "Leon", "Farrow", dt.date(2010, 8, 30), "male")
    assessment = _single(cast, leon, None, 95)
    _finding(
        cast,
        assessment,
        "peers",
        cast.places[COMMON_GROUP],
        "Group members carry drugs for an older man.",
        "One friend in the group wants out and talks to Leon about it.",
    )
    _update_single(
        cast,
        assessment,
        developmental_needs="Dyslexia; struggles in class.",
        child_voice="'If I stop they'll come to my house.'",
        analysis="Leon is criminally exploited; he fears for his family.",
        outcome="refer_marve",
        outcome_reasons="Partnership plan needed; consider an NRM referral.",
        cin_factors=["24A", "13A"],
        primary_need="N1",
    )
    assessment.refresh_from_db()
    assessments.single_assessment_submit(
        actor=cast.users["sam.okafor"], assessment=assessment, expected_version=assessment.version
    )
    assessment.refresh_from_db()
    assessments.assessment_sign_off(
        actor=cast.users["priya.shah"],
        assessment=assessment,
        expected_version=assessment.version,
        comment="Clear analysis. Agreed.",
    )
    casework.nrm_refer(
        actor=cast.users["sam.okafor"],
        person=leon,
        referred_on=cast.day(12),
        first_responder=cast.agencies[CSC],
        decision_maker=NrmDecisionMaker.DEVOLVED_PANEL,
        exploitation_types=["cce", "county_lines"],
        summary="Made to carry drugs between Brackenmoor and a coastal town.",
    )
    casework.key_lead_allocate(
        actor=cast.users["dana.whitlock"],
        person=leon,
        lead=cast.users["nina.kowalski"],
        started_on=cast.day(20),
        reason="Police lead: the investigation into the group is the main route to safety.",
        expected_current_id=None,
    )
    cast.created.append("Leon Farrow: assessment signed off; NRM reasonable grounds overdue")


def _aisha_missing_now(cast: Cast) -> None:
    aisha = _child(cast, "sam.okafor", "Aisha", "Rahman", dt.date(2011, 12, 3), "female")
    earlier = _episode(cast, aisha, days_ago=6, hours=14, found_description="Friend's house")
    _interview(cast, earlier, completed_after_hours=None)
    missing.episode_create(
        actor=cast.users["nina.kowalski"],
        person=aisha,
        episode_type="A",
        went_missing_at=cast.ago(hours=7),
        reported_at=cast.ago(hours=6),
        reported_by="Residential home staff",
        police_risk_level="high",
    )
    cast.created.append("Aisha Rahman: missing now; an earlier interview overdue")


def _common_contact_to_context_assessment(cast: Cast) -> None:
    """A contact about a place, screened to a context response, and the assessment started."""
    common = cast.places[COMMON]
    contact = _contact(
        cast,
        "tom.reid",
        hours_ago=24 * 21,
        context=common,
        referral_source="8",
        what_happened=(
            "Younger children at the skate park are being approached by older youths offering "
            "money to 'hold' packages. Three children told us in two weeks."
        ),
        where="The skate park and the car park on the north side",
        with_whom="Older youths, some on e-bikes",
        harm_indicators=["cce"],
        harm_source="outside",
        lawful_basis="safeguarding",
        lawful_basis_notes="About a place: no child is named.",
        urgency="standard",
    )
    _screen(cast, contact, "context_response", "A pattern at one place: assess the Common.")
    assessment = assessments.context_assessment_start(
        actor=cast.users["dana.whitlock"],
        context=common,
        started_on=cast.day(18),
        lead=cast.users["dana.whitlock"],
        team=cast.teams["Exploitation and Missing Team"],
        contact=contact,
    )
    assessment.refresh_from_db()
    assessments.context_assessment_update(
        actor=cast.users["dana.whitlock"],
        assessment=assessment,
        expected_version=assessment.version,
        who_uses_it="Children 10–16 after school; dog walkers in the morning; older youths late.",
        what_happens="Approaches at the skate park; drug deals in the north car park.",
        guardianship="A park warden until 4pm; no one after dark.",
        what_makes_it_unsafe="No lighting on the north path; no staff after 4pm.",
        what_makes_it_safe="Busy with families at weekends; the café owner is watchful.",
        young_peoples_views="Feels fine in daylight; 'you avoid the car park'.",
        partners_responsible="Parks, police neighbourhood team, youth trust.",
    )
    for place, why in [
        (common, "The approaches happen here; lighting and guardianship can change quickly."),
        (cast.places[COMMON_GROUP], "The group's norms drive the approaches."),
    ]:
        assessment.refresh_from_db()
        assessments.weighting_add(
            actor=cast.users["dana.whitlock"],
            assessment=assessment,
            expected_version=assessment.version,
            context=place,
            rationale=why,
        )
    casework.key_lead_allocate(
        actor=cast.users["dana.whitlock"],
        context=common,
        lead=cast.users["tom.reid"],
        started_on=cast.day(18),
        reason="Detached youth work knows the Common best.",
        expected_current_id=None,
    )
    casework.consultation_ask(
        actor=cast.users["helen.marsh"],
        context=cast.places[COMMON_GROUP],
        question="Several of our Year 9s are in this group. Should the school hold a safety "
        "summit, or would that single them out?",
    )
    cast.created.append("Brackenmoor Common: contact about a place → context assessment")


def _stairwells_context_assessment_decided(cast: Cast) -> None:
    stairwells = cast.places[STAIRWELLS]
    lead = cast.users["dana.whitlock"]
    assessment = assessments.context_assessment_start(
        actor=lead,
        context=stairwells,
        started_on=cast.day(60),
        lead=lead,
        team=cast.teams["Exploitation and Missing Team"],
    )
    assessment.refresh_from_db()
    assessments.context_assessment_update(
        actor=lead,
        assessment=assessment,
        expected_version=assessment.version,
        who_uses_it="Residents; children gather in stairwells B and C in the evenings.",
        what_happens="Drug storage in the bin store; children paid to keep watch.",
        guardianship="Caretaker on weekdays; residents' association keen to help.",
        what_makes_it_unsafe="Broken door entry; no CCTV on the stairwells.",
        what_makes_it_safe="Active residents; a youth club two streets away.",
        young_peoples_views="'There's nowhere else to go when it rains.'",
        partners_responsible="Brackenmoor Homes, police, youth trust.",
        triangle_first="Young people want a dry place to meet; several are out of school.",
        triangle_second="Caretaker and residents willing; no one in the evenings.",
        triangle_third="Door entry broken for months; bin store unlocked.",
        decision="safety_plan",
        decision_reasons="Fix the door entry, lock the bin store, open the youth club on Fridays.",
    )
    assessment.refresh_from_db()
    assessments.weighting_add(
        actor=lead,
        assessment=assessment,
        expected_version=assessment.version,
        context=stairwells,
        rationale="The physical space enables the harm and is quickest to change.",
    )
    assessment.refresh_from_db()
    assessments.context_assessment_submit(
        actor=lead, assessment=assessment, expected_version=assessment.version
    )
    assessment.refresh_from_db()
    assessments.assessment_sign_off(
        actor=cast.users["priya.shah"],
        assessment=assessment,
        expected_version=assessment.version,
        comment="Agreed: safety plan.",
    )
    cast.created.append("Larkspur Rise stairwells: context assessment decided (safety plan)")
