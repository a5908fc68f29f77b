from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from access.roles import Role
from accounts.models import Agency, User
from casework.models import (
    FIRST_RESPONDER_KINDS,
    NRM_EXPLOITATION_TYPES,
    NrmDecision,
    NrmDecisionMaker,
)
from contextsafe.forms import GovukDateField, GovukForm


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class LeadSearchForm(GovukForm):
    q = forms.CharField(
        label="Find the key lead",
        max_length=100,
        required=False,
        help_text="Search by name, agency or team, for example ‘Patel’ or ‘youth justice’",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "type": "search"}),
    )


class KeyLeadForm(GovukForm):
    lead = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Choose the key lead"}
    )
    # The allocation the manager saw as current, so a change made meanwhile is not overwritten.
    current = forms.IntegerField(widget=forms.HiddenInput, required=False)
    started_on = GovukDateField(
        label="Start date",
        help_text="For example, 25 11 2026. The current key lead, if any, ends on this date.",
        error_messages={"required": "Enter the date the key lead starts"},
    )
    reason = forms.CharField(
        label="Why this person is the key lead",
        widget=_textarea(4),
        help_text="For example, the trusted relationship they already have with the young person.",
        error_messages={"required": "Say why this person is the key lead"},
    )
    end_reason = forms.CharField(
        label="Why the current key lead is changing",
        widget=_textarea(3),
        required=False,
        help_text="Leave empty to record that the role passed to the new key lead.",
    )

    def __init__(self, *args: Any, replacing: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("started_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if not replacing:
            del self.fields["end_reason"]


class KeyLeadEndForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    ended_on = GovukDateField(
        label="End date", error_messages={"required": "Enter the date the key lead ends"}
    )
    end_reason = forms.CharField(
        label="Why the key lead is ending",
        widget=_textarea(3),
        help_text="For example, the risk outside the family has reduced and the plan has closed.",
        error_messages={"required": "Say why the key lead is ending"},
    )


class CsLeadChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.agency or 'no agency'})"


def cs_leads() -> QuerySet[User]:
    return (
        User.objects.filter(role_grants__role=Role.CS_LEAD, is_active=True)
        .select_related("agency")
        .distinct()
        .order_by("last_name", "first_name")
    )


class ConsultationForm(GovukForm):
    question = forms.CharField(
        label="Your question",
        widget=_textarea(6),
        help_text=(
            "What you know, what worries you, and what you would like advice on — for example, "
            "whether a place or a peer group needs a context assessment."
        ),
        error_messages={"required": "Enter your question for the CS lead"},
    )
    asked_of = CsLeadChoiceField(
        label="Ask a named CS lead",
        queryset=cs_leads(),
        required=False,
        empty_label="Any Contextual Safeguarding lead",
        help_text="Leave as ‘any’ and every CS lead is told.",
        error_messages={"invalid_choice": "Choose a CS lead from the list"},
    )


class AnswerForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    answer = forms.CharField(
        label="Your answer",
        widget=_textarea(8),
        help_text="Once saved, the question and answer are on the chronology and cannot change.",
        error_messages={"required": "Enter your answer"},
    )


class AgencyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class NrmReferralForm(GovukForm):
    referred_on = GovukDateField(
        label="Date of referral",
        error_messages={"required": "Enter the date of the referral"},
    )
    first_responder = AgencyChoiceField(
        label="First responder organisation",
        queryset=Agency.objects.filter(is_active=True, kind__in=FIRST_RESPONDER_KINDS),
        help_text="Only the police, children's social care and youth justice refer to the NRM.",
        error_messages={"required": "Choose the first responder organisation"},
    )
    decision_maker = forms.ChoiceField(
        label="Who makes the decisions",
        choices=NrmDecisionMaker.choices,
        widget=forms.RadioSelect,
        help_text="Devolved panels decide for children more than 100 days from turning 18.",
        error_messages={"required": "Choose who makes the decisions"},
    )
    exploitation_types = forms.MultipleChoiceField(
        label="Kinds of exploitation",
        choices=[(t.value, t.label) for t in NRM_EXPLOITATION_TYPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of exploitation"},
    )
    summary = forms.CharField(
        label="Summary",
        widget=_textarea(6),
        help_text="Why the child may be a victim of trafficking or modern slavery, in brief.",
        error_messages={"required": "Summarise why the child may be a victim"},
    )

    def __init__(self, *args: Any, agency: Agency | None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("referred_on", timezone.localdate())
        if agency is not None and agency.kind in FIRST_RESPONDER_KINDS:
            initial.setdefault("first_responder", agency.pk)
        super().__init__(*args, **kwargs)


class NrmDecisionForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label="Decision",
        choices=NrmDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose positive or negative"},
    )
    decided_on = GovukDateField(
        label="Date of the decision",
        error_messages={"required": "Enter the date of the decision"},
    )

    def __init__(self, *args: Any, stage_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].label = f"{stage_label} decision"
