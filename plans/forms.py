from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from access.roles import CASE_WORK_ROLES
from accounts.models import Agency, User
from contexts.models import Context, ContextKind
from contextsafe.forms import GovukDateField, GovukForm
from events.models import HarmType
from people.codes import PersonKind
from people.models import Person
from people.selectors import visible_people
from plans.models import (
    ActionKind,
    ActionStatus,
    CpCategory,
    DisruptionTool,
    Goal,
    GoalStatus,
    PlanKind,
    Programme,
    ReviewDecision,
)


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


@dataclass(frozen=True)
class Reveal:
    """One radio option and the fields shown under it when it is chosen (GOV.UK conditional
    reveal, run by the govuk-radios module: no script of our own)."""

    option: Any
    fields: list[Any]
    panel_id: str


class RevealMixin:
    # {radio field name: {option value: [field names revealed under it]}}
    reveals: dict[str, dict[str, list[str]]] = {}

    def reveal_options(self, name: str) -> list[Reveal]:
        form: Any = self
        bound = form[name]
        shown = self.reveals.get(name, {})
        return [
            Reveal(
                option,
                [form[f] for f in shown.get(str(option.data["value"]), []) if f in form.fields],
                f"conditional-{name}-{option.data['value']}",
            )
            for option in bound.subwidgets
        ]

    def revealed_names(self) -> set[str]:
        return {f for options in self.reveals.values() for names in options.values() for f in names}


class PlanForm(RevealMixin, GovukForm):
    reveals = {
        "kind": {
            PlanKind.CHILD_PROTECTION: ["cp_category"],
            PlanKind.CSE_PLAN: ["efh_harm_types"],
        }
    }

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label="Type of plan",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of plan"},
    )
    cp_category = forms.ChoiceField(
        label="Child protection category",
        choices=CpCategory.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    efh_harm_types = forms.MultipleChoiceField(
        label="Harm outside the family",
        choices=HarmType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Record the harm in its own terms. Select all that apply.",
    )
    started_on = GovukDateField(
        label="Start date",
        help_text="When the conference or meeting agreed the plan, for example 3 11 2026",
        error_messages={"required": "Enter the date the plan started"},
    )
    agreed_at_description = forms.CharField(
        label="Where the plan was agreed",
        max_length=300,
        required=False,
        help_text="For example, ‘Location CS&E conference, 3 Nov 2026’",
    )
    extra_familial_safety = forms.CharField(
        label="Safety outside the family",
        widget=_textarea(5),
        required=False,
        help_text=(
            "Places to avoid, safe routes, trusted adults, and what to do if approached. Write "
            "it with the young person."
        ),
    )
    review_interval_weeks = forms.IntegerField(
        label="Review every (weeks)",
        min_value=1,
        max_value=52,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        help_text="Leave empty for the usual interval: 6 weeks for a context or CS&E plan.",
    )
    next_review_due = GovukDateField(
        label="First review due",
        required=False,
        help_text="Leave empty to follow the review timetable.",
    )

    def __init__(self, *args: Any, for_context: bool, editing: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("started_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if for_context:
            kind: Any = self.fields["kind"]
            kind.choices = [(PlanKind.CONTEXT_SAFETY, PlanKind.CONTEXT_SAFETY.label)]
            self.fields["kind"].initial = PlanKind.CONTEXT_SAFETY
            self.fields["kind"].widget = forms.HiddenInput()
            for name in ("cp_category", "efh_harm_types", "extra_familial_safety"):
                del self.fields[name]
        else:
            kind = self.fields["kind"]
            kind.choices = [(k.value, k.label) for k in PlanKind if k != PlanKind.CONTEXT_SAFETY]
        if editing:
            # The kind of plan is fixed once it exists: a different plan is a new plan.
            self.fields["kind"].required = False
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["next_review_due"].label = "Next review due"

    def main_fields(self, kind: str = "") -> list[Any]:
        """The visible fields outside the kind's reveals; editing (``kind`` given) shows the
        kind's own fields directly, since the kind cannot change."""
        shown = set(self.reveals["kind"].get(kind, [])) if kind else set()
        hidden = (self.revealed_names() - shown) | {"kind", "version"}
        return [self[name] for name in self.fields if name not in hidden]

    def clean_efh_harm_types(self) -> list[str]:
        return list(self.cleaned_data.get("efh_harm_types") or [])


class PlanEndForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    ended_on = GovukDateField(
        label="End date", error_messages={"required": "Enter the date the plan ended"}
    )
    end_reason = forms.CharField(
        label="Why the plan is ending",
        widget=_textarea(4),
        error_messages={"required": "Say why the plan is ending"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("ended_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class GoalForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    statement = forms.CharField(
        label="Goal",
        widget=_textarea(3),
        help_text=(
            "Say what will be true when things are safer, as a positive. For example, ‘Young "
            "people can wait at the interchange without being approached’."
        ),
        error_messages={"required": "Enter the goal"},
    )
    measure = forms.CharField(
        label="How we will know",
        widget=_textarea(3),
        required=False,
        help_text="For example, ‘No reports of approaches at the interchange for 8 weeks’.",
    )


class OwnerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.agency or 'no agency'})"


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _owner_users() -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True, agency__isnull=False, role_grants__role__in=CASE_WORK_ROLES
        )
        .select_related("agency")
        .distinct()
        .order_by("agency__name", "last_name", "first_name")
    )


CONDITIONALLY_REQUIRED: dict[str, tuple[str, ...]] = {
    ActionKind.DISRUPTION: ("tool",),
    ActionKind.INTERVENTION: ("programme", "provider"),
}


class ActionForm(RevealMixin, GovukForm):
    reveals = {
        "kind": {
            ActionKind.DISRUPTION: [
                "tool",
                "legal_basis",
                "target_person",
                "target_context",
                "target_description",
                "served_on",
                "expires_on",
            ],
            ActionKind.INTERVENTION: [
                "programme",
                "provider",
                "participant_person",
                "participant_description",
            ],
        }
    }

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(
        label="Type of action",
        choices=ActionKind.choices,
        widget=forms.RadioSelect,
        initial=ActionKind.TASK,
        error_messages={"required": "Choose the type of action"},
    )
    tool = forms.ChoiceField(
        label="Disruption tool",
        choices=[("", "Choose a tool"), *DisruptionTool.choices],
        error_messages={"required": "Choose the disruption tool"},
    )
    legal_basis = forms.CharField(
        label="Legal basis",
        max_length=300,
        required=False,
        help_text="For example, ‘Anti-social Behaviour, Crime and Policing Act 2014, s43’",
    )
    target_person = PersonChoiceField(
        label="Adult of concern",
        queryset=Person.objects.none(),
        required=False,
        empty_label="None",
    )
    target_context = forms.ModelChoiceField(
        label="Place or group",
        queryset=Context.objects.none(),
        required=False,
        empty_label="None",
    )
    target_description = forms.CharField(
        label="Business or place, in words",
        max_length=300,
        required=False,
        help_text="For example, ‘Sallowmere Parade takeaway and its licence holder’",
    )
    served_on = GovukDateField(label="Date served or started", required=False)
    expires_on = GovukDateField(
        label="Expiry date",
        required=False,
        help_text="We flag the notice 14 days before it lapses.",
    )
    programme = forms.ChoiceField(
        label="Programme",
        choices=[("", "Choose a programme"), *Programme.choices],
        error_messages={"required": "Choose the programme"},
    )
    provider = forms.CharField(
        label="Provider",
        max_length=200,
        help_text="Who runs the programme",
        error_messages={"required": "Enter who provides the programme"},
    )
    participant_person = PersonChoiceField(
        label="Young person or parent taking part",
        queryset=Person.objects.none(),
        required=False,
        empty_label="None",
    )
    participant_description = forms.CharField(
        label="Or describe who takes part",
        max_length=200,
        required=False,
        help_text="For example, ‘young people at the interchange’ or ‘the family’",
    )
    goal = forms.ModelChoiceField(
        label="Goal this action works towards",
        queryset=Goal.objects.none(),
        required=False,
        empty_label="No particular goal",
    )
    description = forms.CharField(
        label="What will be done",
        # The owner sees this text even when they may not open the child's record.
        help_text="The owner sees this even if they cannot open the child's record: do not name "
        "the child.",
        widget=_textarea(3),
        error_messages={"required": "Describe the action"},
    )
    owner_agency = forms.ModelChoiceField(
        label="Owning agency",
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="None",
    )
    owner_user = OwnerChoiceField(
        label="Named person", queryset=User.objects.none(), required=False, empty_label="None"
    )
    owner_partner = forms.CharField(
        label="Or a partner outside the partnership's agencies",
        max_length=200,
        required=False,
        help_text="For example, ‘Licensing team, Brackenmoor Council’ or ‘Manager, the takeaway’",
    )
    due_on = GovukDateField(label="Due date", required=False)
    status = forms.ChoiceField(
        label="Status",
        choices=[(s.value, s.label) for s in ActionStatus if s != ActionStatus.COMPLETED],
        widget=forms.RadioSelect,
        initial=ActionStatus.NOT_STARTED,
    )
    outcome = forms.CharField(label="Outcome so far", widget=_textarea(3), required=False)

    def __init__(self, *args: Any, viewer: Any, plan: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = visible_people(viewer).order_by("family_name", "given_name")
        target: Any = self.fields["target_person"]
        target.queryset = people.filter(kind=PersonKind.ADULT_OF_CONCERN)
        participant: Any = self.fields["participant_person"]
        participant.queryset = people.filter(
            kind__in=[PersonKind.YOUNG_PERSON, PersonKind.PARENT_CARER]
        )
        contexts: Any = self.fields["target_context"]
        contexts.queryset = Context.objects.exclude(kind=ContextKind.ONLINE_SPACE).order_by("name")
        goal: Any = self.fields["goal"]
        goal.queryset = Goal.objects.filter(plan=plan)
        owner: Any = self.fields["owner_user"]
        owner.queryset = _owner_users()
        if not editing:
            del self.fields["status"]
            del self.fields["outcome"]

    def full_clean(self) -> None:
        """Check the fields a kind requires only when that kind is chosen; they still show
        without "(optional)", as they are required for their own kind."""
        chosen = str(self.data.get("kind", "")) if self.is_bound else ""
        for kind, names in CONDITIONALLY_REQUIRED.items():
            for name in names:
                self.fields[name].required = kind == chosen
        super().full_clean()
        for names in CONDITIONALLY_REQUIRED.values():
            for name in names:
                self.fields[name].required = True

    def ordered_main_fields(self) -> list[Any]:
        """The fields outside the conditional reveals, in order."""
        hidden = self.revealed_names() | {"kind", "version"}
        return [self[name] for name in self.fields if name not in hidden]


class CompleteForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    completed_on = GovukDateField(
        label="Date completed", error_messages={"required": "Enter the date the action was done"}
    )
    evidence = forms.CharField(
        label="Evidence of completion",
        widget=_textarea(4),
        help_text="How anyone can know it was done: a record, a notice served, a visit log.",
        error_messages={"required": "Enter the evidence of completion"},
    )
    outcome = forms.CharField(label="Outcome", widget=_textarea(3), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("completed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class SessionForm(GovukForm):
    held_on = GovukDateField(
        label="Date of the session", error_messages={"required": "Enter the date of the session"}
    )
    attended = forms.TypedChoiceField(
        label="Did they attend?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether they attended"},
    )
    notes = forms.CharField(label="Notes", widget=_textarea(3), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ReviewForm(GovukForm):
    held_on = GovukDateField(
        label="Date of the review", error_messages={"required": "Enter the date of the review"}
    )
    reviewed_by = forms.CharField(
        label="Reviewed by",
        max_length=300,
        help_text="For example, ‘Location CS&E review conference’ or ‘Core group’",
        error_messages={"required": "Say who reviewed the plan"},
    )
    progress = forms.CharField(
        label="Progress",
        widget=_textarea(5),
        error_messages={"required": "Describe the progress"},
    )
    situation = forms.CharField(
        label="The situation now",
        widget=_textarea(5),
        error_messages={"required": "Describe the situation now"},
    )
    decision = forms.ChoiceField(
        label="Decision",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the review's decision"},
    )
    next_review_due = GovukDateField(
        label="Next review due",
        required=False,
        help_text="Leave empty to follow the review timetable.",
    )

    def __init__(self, *args: Any, goals: list[Goal], for_context: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.goals = goals
        self.fields["situation"].label = (
            "The place's or group's situation now" if for_context else "The child's situation now"
        )
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"Goal {goal.position}: {goal.statement}",
                choices=GoalStatus.choices,
                widget=forms.RadioSelect,
                initial=goal.status,
                error_messages={"required": "Say how far this goal has been met"},
            )

    def goal_progress(self) -> dict[int, str]:
        return {g.pk: self.cleaned_data[f"goal_{g.pk}"] for g in self.goals}
