"""Short, practitioner-style text for events, links and contexts.

Written the way a careful record reads: what was seen and by whom, the child as someone harmed
or at risk, never as the problem ("a child exploited", not "involved in"; no "gang member").
"""

from __future__ import annotations

import datetime as dt
import random

from demo.borough import geography
from demo.borough.timeline import LONDON, is_school_day
from events.models import EventKind, HarmType

CCE, CSE, LINES = HarmType.CCE, HarmType.CSE, HarmType.COUNTY_LINES
SYV, PEER, ONLINE = HarmType.SERIOUS_YOUTH_VIOLENCE, HarmType.PEER_ON_PEER, HarmType.ONLINE
MISSING, TRAFFICKING, RADICAL = HarmType.MISSING, HarmType.TRAFFICKING, HarmType.RADICALISATION

# Each template is (harm types it fits, or empty for any; text). Slots: {where}, {n}, {days},
# {when} ("late in the evening") and {clock} ("at 9pm"), both from the event's local time.
EVENT_TEMPLATES: dict[str, tuple[tuple[frozenset[str], str], ...]] = {
    EventKind.SIGHTING: (
        (frozenset(), "Seen at {where} with two older males {when}; appeared anxious."),
        (
            frozenset(),
            "Seen by detached youth workers at {where} with a group of about {n} young people; "
            "left quickly when approached.",
        ),
        (
            frozenset({CSE, CCE, TRAFFICKING}),
            "Seen getting into a car with an adult not known to the family near {where}.",
        ),
        (
            frozenset({CCE, LINES}),
            "Seen at {where} {when} carrying a heavy bag; said they were "
            "'doing a favour' for someone.",
        ),
        (
            frozenset({CCE, LINES}),
            "Seen waiting at {where} for over an hour, checking a second phone.",
        ),
        (
            frozenset(),
            "Seen at {where} {when} with older young people; did not want to talk.",
        ),
        (
            frozenset({CSE}),
            "Seen at {where} with an older male who bought alcohol and handed it round.",
        ),
        (
            frozenset({SYV}),
            "Seen at {where} with a fresh injury to the face; said they had 'fallen over'.",
        ),
    ),
    EventKind.POLICE_INCIDENT: (
        (
            frozenset({SYV, PEER}),
            "Report of a fight at {where}; a young person was assaulted and taken home by "
            "officers.",
        ),
        (
            frozenset({CCE, LINES}),
            "Young person found at {where} with a large amount of cash and two phones; "
            "safeguarding referral made.",
        ),
        (
            frozenset(),
            "Called to {where} after reports of young people being threatened by an older "
            "group; no arrests.",
        ),
        (
            frozenset({SYV, CCE}),
            "Young person robbed of their phone and bike at {where}; too frightened to give a "
            "statement.",
        ),
        (
            frozenset({CCE}),
            "Stop and search at {where}; nothing found. Young person said an adult had told "
            "them to wait there.",
        ),
        (
            frozenset({CSE, PEER}),
            "Report of a young person sexually assaulted at a gathering near {where}; "
            "investigation opened and ABE interview planned.",
        ),
        (
            frozenset({SYV}),
            "Young person stabbed in the leg at {where}; taken to hospital by ambulance.",
        ),
    ),
    EventKind.MISSING_FOUND: (
        (
            frozenset(),
            "Reported missing by carer {clock}; found the next day at {where}. Return home "
            "interview offered.",
        ),
        (
            frozenset({CSE, CCE}),
            "Missing overnight; found by officers at {where} with an older male. Would not say "
            "where they had been.",
        ),
        (
            frozenset(),
            "Went missing from placement after school; came back on their own, tired and "
            "hungry. Return home interview arranged.",
        ),
        (
            frozenset({CSE}),
            "Reported missing by family; found at {where} by a patrol, appeared to have been "
            "given alcohol.",
        ),
    ),
    EventKind.EXCLUSION: (
        (
            frozenset(),
            "Suspended for {days} days after a fight in the corridor; DSL concerned about "
            "pressure from older young people outside school.",
        ),
        (
            frozenset({SYV}),
            "Suspended after bringing a knife into school; said it was for protection on the "
            "way home. DSL has made a referral.",
        ),
        (
            frozenset(),
            "Permanently excluded after repeated incidents; DSL worried about the young "
            "person's safety outside school.",
        ),
        (
            frozenset({CCE, LINES}),
            "Sent home after an incident in class; has been arriving late and looking "
            "exhausted, with unexplained cash.",
        ),
        (
            frozenset({CSE, ONLINE}),
            "Suspended for {days} days; school aware of messages from an older male pressuring "
            "the young person to meet.",
        ),
    ),
    EventKind.AE_ATTENDANCE: (
        (
            frozenset({SYV}),
            "Attended with a stab wound to the thigh; would not say how it happened.",
        ),
        (
            frozenset(),
            "Attended with a hand injury; accompanied by an older male who left before triage.",
        ),
        (frozenset(), "Brought in by ambulance, intoxicated; found alone near {where}."),
        (
            frozenset({CCE, LINES}),
            "Attended after an assault; said they were 'in debt' to someone but would not say "
            "more.",
        ),
        (
            frozenset({CSE}),
            "Attended asking for emergency contraception; nurse concerned about an older partner.",
        ),
    ),
    EventKind.ARREST: (
        (
            frozenset({CCE, LINES}),
            "Arrested at {where} on suspicion of possession with intent to supply; NRM "
            "referral considered.",
        ),
        (
            frozenset(),
            "Arrested after a robbery near {where}; appropriate adult present. Safeguarding "
            "referral made.",
        ),
        (
            frozenset({LINES, TRAFFICKING}),
            "Arrested at an address near {where} with drugs and cash; believed to be exploited "
            "by an adult. NRM referral made.",
        ),
        (
            frozenset({SYV}),
            "Arrested for carrying a bladed article at {where}; said they had been threatened.",
        ),
    ),
    EventKind.INTELLIGENCE: (
        (
            frozenset({CCE, LINES}),
            "Intelligence that an adult is using a flat near {where} to store drugs and young "
            "people are being sent there.",
        ),
        (
            frozenset({LINES, TRAFFICKING}),
            "Information that young people are being collected from {where} by car and taken "
            "out of the area.",
        ),
        (
            frozenset({CSE}),
            "Intelligence that older males are giving alcohol to girls at {where} on weekend "
            "evenings.",
        ),
        (
            frozenset({CCE}),
            "Unverified report that a young person owes money to an older male and is being "
            "made to work it off.",
        ),
        (
            frozenset({CCE}),
            "Information that young people are being offered cash to hold packages at {where}.",
        ),
        (
            frozenset(),
            "Information that older males are threatening young people who spend time at {where}.",
        ),
        (
            frozenset({SYV}),
            "Intelligence that a young person seen at {where} is at risk of a planned attack.",
        ),
        (
            frozenset({RADICAL}),
            "Report that a young person is being encouraged to share extremist material by an "
            "adult they met online.",
        ),
    ),
    EventKind.CONCERN: (
        (
            frozenset({CCE, LINES}),
            "Parent worried that their child is coming home with new clothes and a second phone.",
        ),
        (
            frozenset(),
            "School reports the young person has been collected by unknown cars after school.",
        ),
        (
            frozenset({LINES}),
            "Youth worker concerned after the young person mentioned 'going country' at the "
            "weekend.",
        ),
        (
            frozenset({CSE}),
            "School nurse concerned about an older boyfriend who picks the young person up "
            "from {where}.",
        ),
        (
            frozenset({ONLINE, CSE}),
            "Carer found messages from unknown adults asking the young person for images.",
        ),
        (
            frozenset({ONLINE, PEER}),
            "A friend told staff the young person is being threatened in a group chat.",
        ),
        (
            frozenset(),
            "Neighbour reports young people going in and out of a flat near {where} at all hours.",
        ),
    ),
}

OUT_OF_AREA = (
    "Missing for {days} days; found in another police force area with train tickets bought "
    "by someone else. Return home interview arranged."
)


def when_phrase(local: dt.datetime) -> str:
    """How a record says when something was seen, from the local time."""
    hour = local.hour
    if is_school_day(local.date()) and 9 <= hour < 15:
        return "during school hours"
    for start, end, phrase in (
        (1, 5, "in the early hours"),
        (5, 9, "early in the morning"),
        (9, 12, "in the morning"),
        (12, 17, "in the afternoon"),
        (17, 20, "in the early evening"),
        (20, 23, "late in the evening"),
    ):
        if start <= hour < end:
            return phrase
    return "after 11pm"


def clock_phrase(local: dt.datetime) -> str:
    """ "at 9pm", "at 9.35pm", "at midnight"."""
    if (local.hour, local.minute) == (0, 0):
        return "at midnight"
    if (local.hour, local.minute) == (12, 0):
        return "at noon"
    hour = local.hour % 12 or 12
    minutes = f".{local.minute:02d}" if local.minute else ""
    return f"at {hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def in_sentence(name: str) -> str:
    """A place's name as it reads mid-sentence: "the takeaway on ...", but "Larkspur Rise ..."."""
    first = name.split()[0]
    if first in geography.STREET_STEMS or first == geography.TOWN or first == "Hollins":
        return name
    return f"the {name[0].lower()}{name[1:]}"


def event_narrative(
    rng: random.Random,
    kind: str,
    harms: list[str],
    where: str,
    occurred_at: dt.datetime,
    days_missing: int = 0,
) -> str:
    """A short record of the event; ``days_missing`` > 0 for a child found out of the area."""
    if days_missing:
        return OUT_OF_AREA.format(days=days_missing)
    templates = EVENT_TEMPLATES[kind]
    fitting = [t for tags, t in templates if not tags or tags.intersection(harms)]
    if ONLINE in harms:
        # Online harm has no street to mention: only the templates written for it.
        fitting = [t for tags, t in templates if ONLINE in tags] or fitting
    fitting = fitting or [t for _tags, t in templates]
    local = occurred_at.astimezone(LONDON)
    return rng.choice(fitting).format(
        where=where,
        n=rng.randint(3, 8),
        days=rng.randint(2, 5),
        when=when_phrase(local),
        clock=clock_phrase(local),
    )


# Where links come from, by recording agency, with how far each is usually trusted.
LINK_SOURCES: dict[str, tuple[tuple[str, str], ...]] = {
    "police": (
        ("Police intelligence report", "intelligence"),
        ("Stop and search record", "confirmed"),
        ("Neighbourhood officer's observation", "reported"),
    ),
    "childrens_social_care": (
        ("Social worker home visit", "reported"),
        ("Return home interview", "reported"),
        ("Strategy meeting", "confirmed"),
        ("Child and family assessment", "reported"),
    ),
    "education": (("School DSL", "reported"), ("Attendance officer", "reported")),
    "voluntary_sector": (
        ("Detached youth work session", "reported"),
        ("Youth worker's observation", "confirmed"),
    ),
}

ASSOCIATION_NOTES: dict[str, tuple[str, ...]] = {
    "peer": (
        "Seen together most evenings.",
        "Close friends since primary school.",
        "Described as their best friend.",
        "Travel to and from school together.",
        "",
    ),
    "adult_of_concern": (
        "Older male who gives lifts and buys food.",
        "Gave the young person a phone; contact is at night.",
        "Young person says they 'work for' him.",
        "Seen collecting the young person from school.",
        "",
    ),
    "family": ("Lives with the young person.", "Main carer.", "Sees the young person weekly."),
    "romantic": (
        "Described as a boyfriend or girlfriend.",
        "Relationship of a few months; family not aware.",
        "",
    ),
    "romantic_adult": (
        "Young person describes him as her boyfriend; he is much older.",
        "Older 'boyfriend' who buys gifts and alcohol.",
    ),
    "professional": (
        "Boxing coach; a trusted adult the young person talks to.",
        "Youth club volunteer.",
        "Mentor through the school's programme.",
    ),
}

CONTEXT_LINK_NOTES: dict[str, tuple[str, ...]] = {
    "member_of": ("Named on their peer map.", "Seen with the group on several occasions.", ""),
    "attends": ("On roll.", "On roll; attendance below 80%.", "Part-time timetable."),
    "frequents": ("Goes there most evenings.", "Seen there at weekends.", ""),
    "lives_near": ("Lives two streets away.", ""),
    "exploited_at": (
        "Believed to have been harmed there by an adult.",
        "Sent there to hold and pass on packages.",
        "Met adults there who gave alcohol.",
    ),
}
