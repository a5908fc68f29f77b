"""Forms for booking a CS&E conference, recording views and recording its decision."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from access.roles import CASE_WORK_ROLES, Role
from accounts.models import User
from contextsafe.forms import GovukDateField, GovukForm
from events.models import HarmType
from panels import conferences
from panels.models import ConferenceForm, ConferenceStage, Meeting
from plans.models import CpCategory, Plan, ReviewDecision

NO_PLAN_CHOICE = "none"
TIME = re.compile(r"^(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)$")


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.agency})" if obj.agency_id else str(name)


class PlanChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        due = f", review due {_day(obj.next_review_due)}" if obj.next_review_due else ""
        return f"{obj.get_kind_display()} from {_day(obj.started_on)}{due}"


def panel_chairs() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, role_grants__role=Role.PANEL_CHAIR)
        .exclude(agency__isnull=True)
        .select_related("agency")
        .distinct()
        .order_by("last_name", "first_name")
    )


def key_lead_choices() -> QuerySet[User]:
    """Any agency's practitioner can be a key lead."""
    return (
        User.objects.filter(is_active=True, role_grants__role__in=CASE_WORK_ROLES)
        .exclude(agency__isnull=True)
        .select_related("agency")
        .distinct()
        .order_by("agency__name", "last_name", "first_name")
    )


class VersionedForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def expected_version(self) -> int:
        return int(self.cleaned_data.get("version") or 0)


class ConferenceCreateForm(GovukForm):
    form = forms.ChoiceField(
        label="Kind of conference",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of conference"},
    )
    stage = forms.ChoiceField(
        label="Initial or review conference",
        choices=ConferenceStage.choices,
        widget=forms.RadioSelect,
        initial=ConferenceStage.INITIAL,
        error_messages={"required": "Choose whether this is an initial or a review conference"},
    )
    review_of = PlanChoiceField(
        label="Plan to review",
        queryset=Plan.objects.none(),
        required=False,
        empty_label="Choose the plan (review conferences only)",
        error_messages={"invalid_choice": "Choose a plan from the list"},
    )
    scheduled_on = GovukDateField(
        label="Date of the conference",
        help_text="A weekday, for example 3 11 2026",
        error_messages={"required": "Enter the date of the conference"},
    )
    scheduled_time = forms.CharField(
        label="Time",
        max_length=5,
        help_text="24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": "Enter the time of the conference, for example 14:30"},
    )
    venue = forms.CharField(label="Venue", max_length=200, required=False)
    chair = UserChoiceField(
        label="Independent chair",
        queryset=User.objects.none(),
        empty_label="Choose the chair",
        help_text=(
            "A panel chair who is neither the key lead nor the chair of the strategy meeting."
        ),
        error_messages={
            "required": "Choose the conference's independent chair",
            "invalid_choice": "Choose a chair from the list",
        },
    )
    reason = forms.CharField(
        label="Why the conference is being held",
        widget=_textarea(5),
        error_messages={"required": "Say why the conference is being held"},
    )

    def __init__(self, *args: Any, for_context: bool, plans: QuerySet[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field: Any = self.fields["form"]
        if for_context:
            form_field.choices = [(ConferenceForm.CONTEXT, ConferenceForm.CONTEXT.label)]
            form_field.initial = ConferenceForm.CONTEXT
            form_field.widget = forms.HiddenInput()
            self.fields["reason"].help_text = (
                "What is happening in this place, group or school. Name no children: partners "
                "outside the statutory agencies read this."
            )
        else:
            form_field.choices = [
                (f.value, f.label) for f in ConferenceForm if f != ConferenceForm.CONTEXT
            ]
        self.fields["chair"].queryset = panel_chairs()  # type: ignore[attr-defined]
        self.fields["review_of"].queryset = plans  # type: ignore[attr-defined]
        if not plans.exists():
            del self.fields["review_of"]

    def clean_scheduled_time(self) -> dt.time:
        raw = str(self.cleaned_data.get("scheduled_time") or "").strip()
        match = TIME.match(raw)
        if not match:
            raise forms.ValidationError("Enter a time like 14:30")
        return dt.time(int(match["h"]), int(match["m"]))

    def scheduled_for(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["scheduled_on"]
        return timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["scheduled_time"]))


class ViewsForm(VersionedForm):
    young_person_views = forms.CharField(
        label="The young person's views",
        widget=_textarea(6),
        required=False,
        help_text="In their own words where you can. Say how and when they were gathered.",
    )
    family_views = forms.CharField(
        label="The family's views",
        widget=_textarea(6),
        required=False,
    )


class DecisionForm(VersionedForm):
    # Which fields are needed depends on the plan chosen; the hints say when. "(optional)" on
    # each would tell the chair a needed field may be left out.
    mark_optional = False

    plan_kind = forms.ChoiceField(
        label="What the conference agreed",
        widget=forms.RadioSelect,
        required=False,
    )
    cp_category = forms.ChoiceField(
        label="Child protection category",
        choices=CpCategory.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="For a child protection plan only.",
    )
    efh_harm_types = forms.MultipleChoiceField(
        label="Harm outside the family",
        choices=HarmType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="For a CS&E plan: record the harm in its own terms. Select all that apply.",
    )
    review_decision = forms.ChoiceField(
        label="The review's decision",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        initial=ReviewDecision.CONTINUE,
        required=False,
    )
    progress = forms.CharField(
        label="Progress since the plan started or was last reviewed",
        widget=_textarea(5),
        required=False,
    )
    situation = forms.CharField(label="The situation now", widget=_textarea(5), required=False)
    key_lead = UserChoiceField(
        label="Key lead",
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose the key lead",
        help_text="Any agency's practitioner can be the key lead. Not needed if there is no plan.",
        error_messages={"invalid_choice": "Choose a key lead from the list"},
    )
    review_on = GovukDateField(label="Review date", required=False)
    decision = forms.CharField(
        label="The decision, with its reasons",
        widget=_textarea(6),
        error_messages={"required": "Enter what the conference decided"},
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_lead"].queryset = key_lead_choices()  # type: ignore[attr-defined]
        latest = conferences.review_latest(meeting)
        months = conferences.review_limit_months(meeting)
        reviewing = meeting.stage == ConferenceStage.REVIEW
        which = "Next review" if reviewing else "First review"
        self.fields["review_on"].label = f"{which} date"
        self.fields[
            "review_on"
        ].help_text = f"Within {months} months of the conference: by {_day(latest)} at the latest"
        kinds: Any = self.fields["plan_kind"]
        # A radio with an empty value would read as "nothing chosen", so "no plan" has its own.
        kinds.choices = [
            (kind or NO_PLAN_CHOICE, label)
            for kind, label in conferences.plan_kind_choices(meeting.form)
        ]
        if reviewing:
            for name in ("plan_kind", "cp_category", "efh_harm_types"):
                del self.fields[name]
            situation = self.fields["situation"]
            situation.label = (
                "The place's or group's situation now"
                if meeting.is_context_conference
                else "The child's situation now"
            )
            return
        for name in ("review_decision", "progress", "situation"):
            del self.fields[name]
        if meeting.form != ConferenceForm.CHILD_BOTH:
            del self.fields["cp_category"]
        if meeting.form == ConferenceForm.CONTEXT:
            del self.fields["efh_harm_types"]
            kinds.widget = forms.HiddenInput()
            kinds.initial = conferences.PLAN_KINDS_BY_FORM[ConferenceForm.CONTEXT][0]

    def clean_plan_kind(self) -> str:
        kind = str(self.cleaned_data.get("plan_kind") or "")
        if not kind:
            raise forms.ValidationError("Choose what the conference agreed")
        return conferences.NO_PLAN if kind == NO_PLAN_CHOICE else kind

    def clean_efh_harm_types(self) -> list[str]:
        return list(self.cleaned_data.get("efh_harm_types") or [])
