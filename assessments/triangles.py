"""The three sides of each context assessment triangle, by kind of context (domain.md §1.4).

The Contextual Safeguarding context assessment triangles (March 2019) adapt the statutory child and
family triangle (developmental needs / parenting capacity / family and environment) to a
neighbourhood, a peer group and a school. The neighbourhood and the friendship-and-peer sides come
from the published frameworks. The school triangle's sides were not retrieved from the sources, so
the school labels below are a LOCAL ADAPTATION, built from what the School Assessment Toolkit and
the Scale-Up schools briefing cover (student and parent surveys, staff engagement, school
processes, harm below threshold). Replace them with the published wording when it is confirmed.

Online spaces are not assessed with a triangle: they have no published framework here, so a
context assessment of one is refused (see ``assessments.services``).
"""

from __future__ import annotations

from dataclasses import dataclass

from contexts.models import ContextKind


@dataclass(frozen=True)
class Side:
    label: str
    hint: str


@dataclass(frozen=True)
class Triangle:
    name: str
    sides: tuple[Side, Side, Side]
    source: str
    local_adaptation: bool = False


NEIGHBOURHOOD = Triangle(
    name="Neighbourhood assessment triangle",
    sides=(
        Side(
            "Strengths and needs of young people collectively",
            "What young people who use this place need, and what they bring, as a group: who "
            "comes here, what for, and what they say keeps them safe or puts them at risk.",
        ),
        Side(
            "Guardianship: adults with a caring intention",
            "Who watches over this place and could make it safer: shop and business staff, "
            "security, transport staff, residents, youth and detached workers. Are they present, "
            "willing and able to act?",
        ),
        Side(
            "Resources, physical environment, policy and systemic features",
            "Lighting, sightlines, hidden spaces, opening hours, transport links, licensing, "
            "housing and other policies, and services available to young people here.",
        ),
    ),
    source="The Neighbourhood Assessment Framework, Contextual Safeguarding toolkit",
)

PEER_GROUP = Triangle(
    name="Friendship and peer assessment triangle",
    sides=(
        Side(
            "Group functioning",
            "Relationships within the group, its identity, how the group sees itself and how "
            "others see it. Describe the group, not individual young people.",
        ),
        Side(
            "Guardianship around the group",
            "Adults and services with a caring intention around the group: parents and carers, "
            "youth workers, school staff, coaches. Who has influence, and how could it grow?",
        ),
        Side(
            "Environmental and family factors",
            "The neighbourhood and places the group uses, policies that affect it, parental "
            "support, poverty, racism and other structural factors.",
        ),
    ),
    source="The Friendship and Peer Assessment Framework, Contextual Safeguarding toolkit",
)

# LOCAL ADAPTATION: the published school triangle was not retrieved (domain.md §1.4, §6).
SCHOOL = Triangle(
    name="School assessment triangle (local adaptation)",
    sides=(
        Side(
            "Students' experiences and needs collectively",
            "What students say about safety in and around the setting (surveys, student voice, "
            "safety summits), and the harm they experience below the threshold for referral.",
        ),
        Side(
            "Guardianship: staff, parents and partners",
            "How staff notice and respond to harm, who students trust, how parents and carers "
            "are engaged, and partnership with police, youth services and transport.",
        ),
        Side(
            "School environment, culture, policy and systems",
            "Spaces where harm happens (toilets, corridors, routes to and from school), "
            "behaviour and safeguarding policies, processes and culture.",
        ),
    ),
    source=(
        "Local adaptation: the published school triangle was not available. Based on the "
        "School Assessment Toolkit and the Scale-Up schools briefing."
    ),
    local_adaptation=True,
)

TRIANGLES: dict[str, Triangle] = {
    ContextKind.LOCATION: NEIGHBOURHOOD,
    ContextKind.PEER_GROUP: PEER_GROUP,
    ContextKind.EDUCATION_SETTING: SCHOOL,
}

ASSESSABLE_KINDS = frozenset(TRIANGLES)


def triangle_for(kind: str) -> Triangle:
    """The triangle for a kind of context; KeyError for a kind that is not assessed this way."""
    return TRIANGLES[kind]
