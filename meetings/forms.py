"""Forms for the strategy meeting, section by section, and for MARVE referrals."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from access.roles import CASE_WORK_ROLES
from accounts.models import Agency, User
from contextsafe.forms import GovukDateField, GovukForm
from meetings.checklist import Answer, ChecklistItem
from meetings.models import DecisionKind, MarveReferralType, MarveStatus

TIME = re.compile(r"^(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)$")
ATTENDED_CHOICES = [("yes", "Attended"), ("no", "Sent apologies")]


def active_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")


def chair_choices(actor: User) -> QuerySet[User]:
    """Case workers in the actor's agency: the usual chairs of its strategy meetings."""
    return (
        User.objects.filter(
            is_active=True, agency=actor.agency, role_grants__role__in=CASE_WORK_ROLES
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username  # type: ignore[no-any-return]


class VersionedForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def expected_version(self) -> int:
        return int(self.cleaned_data.get("version") or 0)


class MeetingForm(VersionedForm):
    held_on = GovukDateField(
        label="Date of the meeting",
        help_text="For example, 27 11 2026. It can be in the future if the meeting is arranged.",
        error_messages={"required": "Enter the date of the meeting"},
    )
    held_time = forms.CharField(
        label="Time",
        max_length=5,
        help_text="24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": "Enter the time of the meeting, for example 14:30"},
    )
    chair = UserChoiceField(
        label="Chair",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose a chair from the list"},
    )
    reason = forms.CharField(
        label="Why the meeting is being held",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What has happened and what the meeting needs to decide.",
        error_messages={"required": "Say why the meeting is being held"},
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = chair_choices(actor)  # type: ignore[attr-defined]

    def clean_held_time(self) -> dt.time:
        raw = str(self.cleaned_data.get("held_time") or "").strip()
        match = TIME.match(raw)
        if not match:
            raise forms.ValidationError("Enter a time like 14:30")
        return dt.time(int(match["h"]), int(match["m"]))

    def held_at(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["held_on"]
        return timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["held_time"]))


class AttendeeForm(VersionedForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={"required": "Choose the attendee's agency"},
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the attendee's name"}
    )
    role = forms.CharField(label="Role", max_length=200, required=False)
    attended = forms.ChoiceField(
        label="Did they attend?",
        choices=ATTENDED_CHOICES,
        widget=forms.RadioSelect,
        initial="yes",
        error_messages={"required": "Say whether they attended or sent apologies"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = active_agencies()  # type: ignore[attr-defined]


class InformationForm(VersionedForm):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency that shared the information"},
    )
    summary = forms.CharField(
        label="What they shared",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Facts, their source, and the child's own words where known.",
        error_messages={"required": "Enter what the agency shared"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = active_agencies()  # type: ignore[attr-defined]


class ChecklistForm(VersionedForm):
    """One yes / no / not known question and one note per checklist item."""

    mark_optional = False

    def __init__(self, *args: Any, items: tuple[ChecklistItem, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[item.code] = forms.ChoiceField(
                label=item.question,
                help_text=item.hint,
                choices=Answer.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"{item.code}_note"] = forms.CharField(
                label=f"Note: {item.title}",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=2000,
            )

    @staticmethod
    def initial_from(answers: dict[str, Any]) -> dict[str, str]:
        initial = {}
        for code, value in answers.items():
            initial[code] = value.get("answer", "")
            initial[f"{code}_note"] = value.get("note", "")
        return initial

    def rows(self) -> list[tuple[ChecklistItem, forms.BoundField, forms.BoundField]]:
        return [(i, self[i.code], self[f"{i.code}_note"]) for i in self.items]

    def answers(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            i.code: (data.get(i.code) or "", data.get(f"{i.code}_note") or "") for i in self.items
        }


class DecisionForm(VersionedForm):
    kind = forms.ChoiceField(
        label="Decision",
        choices=DecisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision"},
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reasons for this decision"},
    )

    def __init__(self, *args: Any, about_context: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if about_context:
            # A section 47 enquiry is about a child, never a place or group.
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                c for c in DecisionKind.choices if c[0] != DecisionKind.SECTION_47
            ]


class ActionForm(VersionedForm):
    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the action"},
    )
    owner_agency = forms.ModelChoiceField(
        label="Agency responsible",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency responsible for the action"},
    )
    owner_name = forms.CharField(label="Person responsible", max_length=200, required=False)
    due_on = GovukDateField(
        label="Due date", error_messages={"required": "Enter the date the action is due"}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].queryset = active_agencies()  # type: ignore[attr-defined]


class ConcludeForm(VersionedForm):
    summary = forms.CharField(
        label="Summary of the meeting",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="What was agreed, in plain words. Include why any statutory partner was not "
        "present.",
    )
    what_has_been_tried = forms.CharField(
        label="What has been tried so far (for the MARVE referral)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, refers_to_marve: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not refers_to_marve:
            del self.fields["what_has_been_tried"]


class SummarySentForm(VersionedForm):
    sent_on = GovukDateField(
        label="Date the summary was sent",
        error_messages={"required": "Enter the date the summary was sent"},
    )


class MarveForm(GovukForm):
    referral_type = forms.ChoiceField(
        label="What is the referral about?",
        choices=MarveReferralType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the referral is about"},
    )
    reason = forms.CharField(
        label="Why are you referring to the MARVE panel?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The risk of exploitation and why a multi-agency plan is needed.",
        error_messages={"required": "Say why you are referring to the MARVE panel"},
    )
    what_has_been_tried = forms.CharField(
        label="What has been tried so far",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args: Any, types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referral_type"].choices = [  # type: ignore[attr-defined]
            c for c in MarveReferralType.choices if c[0] in types
        ]


class MarveDecisionForm(VersionedForm):
    reason = forms.CharField(
        label="Reason or note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class MarveFilterForm(GovukForm):
    mark_optional = False
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *MarveStatus.choices], required=False
    )
    referral_type = forms.ChoiceField(
        label="Type", choices=[("", "Any type"), *MarveReferralType.choices], required=False
    )
