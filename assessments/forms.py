"""Forms for starting assessments and saving them one section at a time.

Plain forms rather than model forms: a model form writes what was typed onto the instance while
validating, and the services need the saved values to audit what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Team, User
from assessments.codes import EXTRA_FAMILIAL_FACTORS, CinFactor, PrimaryNeed
from assessments.models import (
    Assessment,
    ContextAssessmentDecision,
    ContextualArea,
    ContextWeighting,
    SingleAssessmentOutcome,
)
from assessments.triangles import Triangle
from contexts.models import Context
from contextsafe.forms import GovukDateField, GovukForm


def _text(label: str, hint: str = "", rows: int = 5, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class StartForm(GovukForm):
    started_on = GovukDateField(
        label="Start date",
        help_text="For example, 24 11 2026. The timescale counts working days from this date.",
        error_messages={"required": "Enter the date the assessment started"},
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        error_messages={"required": "Choose the team doing the assessment"},
    )
    lead = forms.ModelChoiceField(
        label="Lead",
        queryset=User.objects.none(),
        empty_label="Choose who leads it",
        help_text="The practitioner who leads the assessment",
        error_messages={"required": "Choose who leads the assessment"},
    )

    def __init__(
        self, *args: Any, teams: QuerySet[Team], leads: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["lead"].queryset = leads  # type: ignore[attr-defined]
        self.fields["started_on"].initial = timezone.localdate()


NEEDED_FOR_SIGN_OFF = "Needed before you submit for sign-off."


class VersionedForm(GovukForm):
    """A form that saves part of an assessment: it carries the version the editor opened.

    A section may be saved half done, so its fields are not required on the form; but some must
    be filled in before the assessment can be submitted (``services.*_submission_problems``).
    Those are listed in ``needed_for_sign_off``: they are not marked "(optional)", and their
    hint says they are needed.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    section_fields: tuple[str, ...] = ()
    needed_for_sign_off: tuple[str, ...] = ()
    layout = "default"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.needed_for_sign_off:
            field = self.fields[name]
            field.help_text = " ".join(str(t) for t in (field.help_text, NEEDED_FOR_SIGN_OFF) if t)
        # The "(optional)" marker is per form: leave it off when every field left optional on
        # the form is one sign-off needs.
        optional = {
            name
            for name, field in self.fields.items()
            if not field.required and not isinstance(field.widget, forms.HiddenInput)
        }
        if optional and optional <= set(self.needed_for_sign_off):
            self.mark_optional = False

    @classmethod
    def initial_from(cls, record: Any) -> dict[str, Any]:
        return {name: getattr(record, name) for name in cls.section_fields} | {
            "version": getattr(record, "version", None)
        }

    def expected_version(self) -> int:
        return int(self.cleaned_data.get("version") or 0)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.section_fields}


# --- single assessment sections -----------------------------------------------------------------


class DomainsForm(VersionedForm):
    section_fields = ("developmental_needs", "parenting_capacity", "family_environment")
    developmental_needs = _text(
        "The child's developmental needs",
        "Health, education, emotional and behavioural development, identity, family and social "
        "relationships, social presentation and self-care skills.",
    )
    parenting_capacity = _text(
        "Parenting capacity",
        "Basic care, ensuring safety, emotional warmth, stimulation, guidance and boundaries, "
        "stability. Parents' capacity to keep the child safe outside the home is limited by "
        "what happens there: say so, without blame.",
    )
    family_environment = _text(
        "Family and environmental factors",
        "Family history and functioning, wider family, housing, employment, income, the "
        "family's social integration and community resources.",
    )


class VoiceForm(VersionedForm):
    section_fields = ("child_voice",)
    child_voice = _text(
        "The child's voice",
        "What the child says about their life, the places and people that matter to them, "
        "where they feel safe and unsafe, and what would help. Use their own words where you can.",
        rows=7,
    )


class StrengthsForm(VersionedForm):
    section_fields = ("strengths",)
    strengths = _text(
        "Strengths",
        "What is going well for the child, the family and the people and places around them: "
        "trusted adults, safe places, positive friendships, interests.",
    )


class ContextualSummaryForm(VersionedForm):
    section_fields = ("no_contextual_concerns",)
    no_contextual_concerns = _text(
        "Why there are no contextual concerns",
        "Only if no place, peer group, school or online space affects the child's safety: say "
        "how you know (for example, who you spoke to and what you checked). Leave empty if you "
        "record findings instead.",
        rows=4,
    )


class AnalysisForm(VersionedForm):
    section_fields = ("analysis",)
    analysis = _text(
        "Analysis",
        "How the child's needs, the harm inside and outside the family, and the strengths fit "
        "together; what the contexts mean for the child's safety; what needs to change.",
        rows=8,
    )


class OutcomeForm(VersionedForm):
    section_fields = ("outcome", "outcome_reasons")
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=SingleAssessmentOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the assessment"},
    )
    outcome_reasons = _text("Reasons for the outcome", rows=5)
    needed_for_sign_off = ("outcome_reasons",)


class FactorsForm(VersionedForm):
    """The CIN census factors: extra-familial ones first, the full list below."""

    section_fields = ("cin_factors", "primary_need")
    needed_for_sign_off = ("primary_need",)
    # The factors are needed too, from either list: the first list's hint says so.
    mark_optional = False
    layout = "factors"
    extra_familial_factors = forms.MultipleChoiceField(
        label="Extra-familial harm",
        help_text="Select all that apply. Before you submit for sign-off, choose at least one "
        "factor from this list or the other factors, or code 21 if no factors were identified.",
        choices=[(c.value, c.label) for c in CinFactor if c.value in EXTRA_FAMILIAL_FACTORS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    cin_factors = forms.MultipleChoiceField(
        label="Other factors",
        help_text="‘21 No factors identified’ cannot be combined with any other factor.",
        choices=[(c.value, c.label) for c in CinFactor if c.value not in EXTRA_FAMILIAL_FACTORS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    primary_need = forms.ChoiceField(
        label="Primary need",
        choices=PrimaryNeed.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    @classmethod
    def initial_from(cls, record: Any) -> dict[str, Any]:
        codes = list(record.cin_factors)
        return {
            "extra_familial_factors": [c for c in codes if c in EXTRA_FAMILIAL_FACTORS],
            "cin_factors": [c for c in codes if c not in EXTRA_FAMILIAL_FACTORS],
            "primary_need": record.primary_need,
            "version": record.version,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "cin_factors": [*data["extra_familial_factors"], *data["cin_factors"]],
            "primary_need": data.get("primary_need") or "",
        }

    @property
    def other_factors_chosen(self) -> bool:
        """Open the full list when something in it is ticked or wrong."""
        return bool(self["cin_factors"].value()) or bool(self.errors.get("cin_factors"))


SINGLE_SECTION_FORMS: dict[str, tuple[str, type[VersionedForm]]] = {
    "domains": ("The child and family", DomainsForm),
    "voice": ("The child's voice", VoiceForm),
    "strengths": ("Strengths", StrengthsForm),
    "contextual": ("No contextual concerns", ContextualSummaryForm),
    "analysis": ("Analysis", AnalysisForm),
    "outcome": ("Outcome", OutcomeForm),
    "factors": ("Factors identified and primary need", FactorsForm),
}


def _context_choices(
    contexts: Iterable[Context], reasons: Mapping[int, str] | None = None
) -> list[tuple[str, str]]:
    seen: set[int] = set()
    choices = []
    for context in contexts:
        if context.pk not in seen:
            seen.add(context.pk)
            label = f"{context.name} ({context.summary})"
            why = (reasons or {}).get(context.pk)
            choices.append((str(context.pk), f"{label} — {why}" if why else label))
    return choices


class FindingForm(VersionedForm):
    section_fields = ("area", "context", "what_makes_it_unsafe", "what_makes_it_safe")
    # Laid out by the template: the context search sits straight after the context choices.
    layout = "finding"
    area = forms.ChoiceField(
        label="Area",
        choices=ContextualArea.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the area: places, peers, school or online"},
    )
    context = forms.ChoiceField(
        label="Which context is it about?",
        widget=forms.RadioSelect,
        required=False,
    )
    what_makes_it_unsafe = _text(
        "What makes it unsafe",
        "What happens there, who is there, and how it affects the child's safety.",
    )
    what_makes_it_safe = _text(
        "What makes it safe",
        "Trusted adults, safe routes and places, positive friendships, what the child says helps.",
    )

    def __init__(
        self, *args: Any, contexts: Iterable[Context], context_hint: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._contexts = {c.pk: c for c in contexts}
        self.fields["context"].help_text = context_hint
        self.fields["context"].choices = [  # type: ignore[attr-defined]
            *_context_choices(self._contexts.values()),
            ("", "Not linked to a context record"),
        ]

    @classmethod
    def initial_from(cls, record: Any) -> dict[str, Any]:
        return {
            "area": record.area,
            "context": str(record.context_id or ""),
            "what_makes_it_unsafe": record.what_makes_it_unsafe,
            "what_makes_it_safe": record.what_makes_it_safe,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = int(data["context"]) if data.get("context") else None
        return {
            "area": data["area"],
            "context": self._contexts.get(chosen) if chosen else None,
            "what_makes_it_unsafe": data["what_makes_it_unsafe"],
            "what_makes_it_safe": data["what_makes_it_safe"],
        }


# --- context assessment sections ----------------------------------------------------------------


class PromptsForm(VersionedForm):
    """The prompts of the published context assessment tools (domain.md §1.4)."""

    section_fields = (
        "who_uses_it",
        "what_happens",
        "guardianship",
        "what_makes_it_safe",
        "what_makes_it_unsafe",
        "young_peoples_views",
        "partners_responsible",
    )
    who_uses_it = _text(
        "Who uses the context, and when",
        "Groups of young people and adults, days and times, how they get there. Describe "
        "groups; do not list children's names.",
    )
    what_happens = _text("What happens there")
    guardianship = _text(
        "Who has guardianship or influence over it",
        "Staff, owners, residents, transport or security staff, youth workers, parents: who is "
        "present, who could make it safer.",
    )
    what_makes_it_safe = _text("What makes it safe")
    what_makes_it_unsafe = _text("What makes it unsafe")
    young_peoples_views = _text(
        "Young people's views",
        "From safety mapping, surveys, detached work and conversations. Record what they said, "
        "not who said it.",
    )
    partners_responsible = _text(
        "Partners responsible",
        "Who has reach into or influence over this context: businesses, transport, housing, "
        "the school, youth services, the police, the council.",
        rows=3,
    )


class TriangleForm(VersionedForm):
    section_fields = ("triangle_first", "triangle_second", "triangle_third")
    needed_for_sign_off = section_fields
    triangle_first = _text("First side", rows=7)
    triangle_second = _text("Second side", rows=7)
    triangle_third = _text("Third side", rows=7)

    def __init__(self, *args: Any, triangle: Triangle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, side in zip(self.section_fields, triangle.sides, strict=True):
            self.fields[name].label = side.label
            self.fields[name].help_text = " ".join(t for t in (side.hint, NEEDED_FOR_SIGN_OFF) if t)


class DecisionForm(VersionedForm):
    section_fields = ("decision", "decision_reasons")
    decision = forms.ChoiceField(
        label="Decision",
        choices=ContextAssessmentDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision"},
    )
    decision_reasons = _text("Reasons for the decision", rows=5)
    needed_for_sign_off = ("decision_reasons",)


CONTEXT_SECTION_FORMS: dict[str, tuple[str, type[VersionedForm]]] = {
    "prompts": ("About the context", PromptsForm),
    "triangle": ("The assessment triangle", TriangleForm),
    "decision": ("Decision", DecisionForm),
}


class WeightingAddForm(VersionedForm):
    context = forms.ChoiceField(
        label="Context",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the context to add to the ranked list"},
    )
    rationale = _text(
        "Why it is ranked here",
        "What must change in this context, and why it matters for the assessed one. It joins "
        "the bottom of the list; change the order afterwards.",
        rows=3,
        required=True,
    )

    def __init__(
        self,
        *args: Any,
        contexts: Iterable[Context],
        reasons: Mapping[int, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._contexts = {c.pk: c for c in contexts}
        self.fields["context"].choices = _context_choices(self._contexts.values(), reasons)  # type: ignore[attr-defined]
        self.fields["rationale"].error_messages["required"] = (
            "Say why this context is ranked here: what must change, and why"
        )

    def chosen(self) -> Context:
        return self._contexts[int(self.cleaned_data["context"])]


class WeightingRankForm(VersionedForm):
    """Every weighting's rank and rationale at once, so re-ranking keeps every rationale."""

    def __init__(self, *args: Any, weightings: list[ContextWeighting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.weightings = weightings
        for w in weightings:
            self.fields[f"rank_{w.pk}"] = forms.IntegerField(
                label=f"Rank of {w.context.name}",
                min_value=1,
                initial=w.rank,
                widget=forms.TextInput(
                    attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}
                ),
                error_messages={
                    "required": f"Enter a rank for {w.context.name}",
                    "invalid": f"The rank of {w.context.name} must be a whole number, like 2",
                    "min_value": "Enter a rank of 1 or more",
                },
            )
            self.fields[f"rationale_{w.pk}"] = forms.CharField(
                label=f"Why {w.context.name} is ranked here",
                initial=w.rationale,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "required": f"Say why {w.context.name} is ranked here: what must change, "
                    "and why"
                },
            )

    def rows(self) -> list[tuple[ContextWeighting, Any, Any]]:
        return [(w, self[f"rank_{w.pk}"], self[f"rationale_{w.pk}"]) for w in self.weightings]

    def entries(self) -> Mapping[int, tuple[int, str]]:
        data = self.cleaned_data
        return {w.pk: (data[f"rank_{w.pk}"], data[f"rationale_{w.pk}"]) for w in self.weightings}


# --- submission and sign-off --------------------------------------------------------------------


class SignOffForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("sign_off", "Sign off: the assessment is complete"),
            ("return", "Return it for more work"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to sign off or return the assessment"},
    )
    comment = _text(
        "Comment",
        "Required if you return it: say what needs to change.",
        rows=4,
    )

    @classmethod
    def for_assessment(cls, assessment: Assessment) -> SignOffForm:
        return cls(initial={"version": assessment.version})
