"""The threshold checklist the chair of a strategy meeting works through.

Kingston & Richmond's strategy meeting form "makes the chair consider thresholds when a child goes
missing and whether to refer to the MARVE panel". Each question is answered yes, no or not known,
with a note: the checklist prompts professional judgement and records it; it never scores a child
or decides anything itself (no automated risk scores, domain.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    title: str
    question: str
    hint: str
    # The meeting page shows the child's recent missing episodes and open prompts beside this one.
    shows_missing: bool = False


CHILD_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "s47_threshold",
        "Significant harm (section 47 threshold)",
        "Is there reasonable cause to suspect that the child is suffering, or is likely to "
        "suffer, significant harm?",
        "This is the threshold for a section 47 enquiry (Children Act 1989). Harm from outside "
        "the family counts as much as harm inside it.",
    ),
    ChecklistItem(
        "harm_outside_family",
        "Harm outside the family",
        "Is the child being harmed, or at risk of harm, outside the family?",
        "For example in a place, a peer group, at school or online (extra-familial harm).",
    ),
    ChecklistItem(
        "harm_inside_family",
        "Harm inside the family",
        "Is the child being harmed, or at risk of harm, inside the family?",
        "Together with the question above this says whether the harm is inside the family, "
        "outside it, or both, which decides who leads the work.",
    ),
    ChecklistItem(
        "missing_episodes",
        "Missing episodes",
        "Do the child's missing episodes raise concern?",
        "Think about how often, how long, where the child was found and who with. The child's "
        "recent episodes and any open threshold prompts are shown here.",
        shows_missing=True,
    ),
    ChecklistItem(
        "exploitation",
        "Exploitation",
        "Are there indicators that the child is being exploited?",
        "Child criminal exploitation (including county lines) or child sexual exploitation: "
        "for example unexplained money or phones, new older friends, going missing, injuries.",
    ),
    ChecklistItem(
        "trafficking",
        "Trafficking",
        "Are there indicators that the child is being trafficked?",
        "Being moved, or arranged to be moved, for exploitation, even within the same town. If "
        "yes, consider a National Referral Mechanism referral: no consent is needed for a child.",
    ),
    ChecklistItem(
        "linked_children",
        "Other children linked",
        "Are other children linked to the same places or peer groups?",
        "They may be at risk too: consider whether the place or group needs a response of its own.",
    ),
    ChecklistItem(
        "adults_of_concern",
        "Adults of concern",
        "Are adults of concern linked to the child?",
        "Adults who may be harming or exploiting the child, or who have influence over them.",
    ),
    ChecklistItem(
        "marve_criteria",
        "MARVE referral criteria",
        "Are the MARVE referral criteria met?",
        "The child is at risk of exploitation and a multi-agency plan is needed beyond this "
        "meeting.",
    ),
)

CONTEXT_CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "harm_in_context",
        "Harm at this place or in this group",
        "Are children being harmed, or at risk of harm, at this place or in this group?",
        "What happens there, when, and to whom.",
    ),
    ChecklistItem(
        "exploitation",
        "Exploitation",
        "Are there indicators of exploitation linked to this place or group?",
        "Child criminal exploitation (including county lines) or child sexual exploitation.",
    ),
    ChecklistItem(
        "guardianship",
        "Guardianship",
        "Are there capable guardians present?",
        "People who can notice harm and keep children safe there: staff, security, residents, "
        "youth workers, parents.",
    ),
    ChecklistItem(
        "other_children",
        "Other children affected",
        "Are other children affected, or at risk, in this context?",
        "Children known to use the place or belong to the group, including those not yet "
        "known to services.",
    ),
    ChecklistItem(
        "adults_of_concern",
        "Adults of concern",
        "Are adults of concern linked to this place or group?",
        "Adults who may be harming or exploiting children here.",
    ),
    ChecklistItem(
        "partners_control",
        "Partners who control the space",
        "Are the partners who own, manage or control the space known and involved?",
        "For example the landlord, the business, the school, the transport operator, the "
        "platform or the council.",
    ),
    ChecklistItem(
        "context_response",
        "Context conference or safety plan",
        "Is a context conference or a context safety plan needed?",
        "A plan to change the place or group itself, not only to work with each child.",
    ),
    ChecklistItem(
        "marve_criteria",
        "MARVE referral criteria",
        "Are the MARVE referral criteria met for this place or group?",
        "Children are at risk of exploitation here and a multi-agency plan is needed beyond this "
        "meeting.",
    ),
)


def checklist_for(*, about_context: bool) -> tuple[ChecklistItem, ...]:
    return CONTEXT_CHECKLIST if about_context else CHILD_CHECKLIST


def unanswered(items: tuple[ChecklistItem, ...], answers: dict[str, Any]) -> list[ChecklistItem]:
    """The questions that still have no yes, no or not known."""
    return [i for i in items if (answers.get(i.code) or {}).get("answer") not in Answer.values]


def harm_source(answers: dict[str, Any]) -> str:
    """Inside the family, outside it, or both, from a child's checklist answers."""
    outside = (answers.get("harm_outside_family") or {}).get("answer") == Answer.YES
    inside = (answers.get("harm_inside_family") or {}).get("answer") == Answer.YES
    if outside and inside:
        return "Both inside and outside the family"
    if outside:
        return "Outside the family"
    if inside:
        return "Inside the family"
    return ""
