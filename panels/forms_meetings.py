"""Forms for panels and their meetings. Services check the rules; these check what was typed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from access.roles import CASE_WORK_ROLES
from accounts.models import Agency, User
from contextsafe.forms import GovukDateField, GovukForm
from panels.models import (
    AgendaItem,
    AttendanceStatus,
    ConcernLevel,
    ContributionAudience,
    Frequency,
    PanelKind,
    Participant,
)

TIME = re.compile(r"^(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)$")


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def case_workers() -> QuerySet[User]:
    """Active case workers in any agency: panel members, chairs and action owners."""
    return (
        User.objects.filter(
            is_active=True, agency__isnull=False, role_grants__role__in=CASE_WORK_ROLES
        )
        .select_related("agency")
        .distinct()
        .order_by("agency__name", "last_name", "first_name")
    )


def active_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).order_by("name")


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.agency or 'no agency'})"


def _parse_time(raw: object) -> dt.time:
    match = TIME.match(str(raw or "").strip())
    if not match:
        raise forms.ValidationError("Enter a time like 14:30")
    return dt.time(int(match["h"]), int(match["m"]))


def _time_field(label: str = "Time") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=5,
        help_text="24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": "Enter the time, for example 14:30"},
    )


class VersionedForm(GovukForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def expected_version(self) -> int:
        return int(self.cleaned_data.get("version") or 0)


# --- panels -------------------------------------------------------------------------------------


class PanelForm(GovukForm):
    name = forms.CharField(
        label="Name of the panel",
        max_length=200,
        help_text="For example, ‘Brackenmoor MARVE panel’",
        error_messages={"required": "Enter the panel's name"},
    )
    kind = forms.ChoiceField(
        label="Kind of panel",
        choices=PanelKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of panel"},
    )
    frequency = forms.ChoiceField(
        label="How often it meets",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how often the panel meets"},
    )
    chair = UserChoiceField(
        label="Chair",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose a chair from the list"},
    )
    purpose = forms.CharField(
        label="Purpose",
        widget=_textarea(3),
        required=False,
        help_text="What the panel is for and who it hears about.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = case_workers()  # type: ignore[attr-defined]


class MemberForm(GovukForm):
    user = UserChoiceField(
        label="Member",
        queryset=User.objects.none(),
        empty_label="Choose a person",
        help_text="Case workers in any agency of the partnership.",
        error_messages={"required": "Choose the person joining the panel"},
    )
    role = forms.CharField(
        label="Their role on the panel",
        max_length=200,
        required=False,
        help_text="For example, ‘Exploitation officer’ or ‘Detached youth work lead’",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = case_workers()  # type: ignore[attr-defined]


class MemberLeaveForm(GovukForm):
    left_on = GovukDateField(
        label="Date they left the panel",
        error_messages={"required": "Enter the date they left the panel"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("left_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ScheduleForm(GovukForm):
    meets_on = GovukDateField(
        label="Date of the meeting",
        help_text="For example, 27 11 2026",
        error_messages={"required": "Enter the date of the meeting"},
    )
    meets_time = _time_field()
    venue = forms.CharField(
        label="Where",
        max_length=200,
        required=False,
        help_text="A room, or ‘Online’",
    )
    chair = UserChoiceField(
        label="Chair for this meeting",
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose a chair from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = case_workers()  # type: ignore[attr-defined]

    def clean_meets_time(self) -> dt.time:
        return _parse_time(self.cleaned_data.get("meets_time"))

    def scheduled_for(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["meets_on"]
        return timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["meets_time"]))


# --- meetings -----------------------------------------------------------------------------------


class ParticipantForm(GovukForm):
    user = UserChoiceField(
        label="Someone with a ContextSafe account",
        queryset=User.objects.none(),
        required=False,
        empty_label="No: a person without an account",
        help_text="They will see the agenda until the meeting's summary is sent.",
    )
    name = forms.CharField(
        label="Or the name of a person without an account",
        max_length=200,
        required=False,
        help_text="For example, a shop's manager or a parent. They see nothing in ContextSafe.",
    )
    agency = forms.ModelChoiceField(
        label="Their agency or organisation",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="None of the partnership's agencies",
    )
    role = forms.CharField(label="Role", max_length=200, required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True, agency__isnull=False).select_related("agency")
        self.fields["user"].queryset = users.order_by(  # type: ignore[attr-defined]
            "agency__name", "last_name", "first_name"
        )
        self.fields["agency"].queryset = active_agencies()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("user") is None and not (data.get("name") or "").strip():
            self.add_error(
                "user", "Choose someone with an account, or enter the name of the person"
            )
        return data


class AttendanceForm(GovukForm):
    """One radio group per participant."""

    def __init__(self, *args: Any, participants: Iterable[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for participant in self.participants:
            label = participant.name
            if participant.agency_id:
                label = f"{participant.name}, {participant.agency}"
            self.fields[f"status_{participant.pk}"] = forms.ChoiceField(
                label=label,
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=participant.status,
                help_text=participant.role,
                error_messages={"required": f"Select whether {participant.name} attended"},
            )

    def statuses(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"status_{p.pk}"] for p in self.participants}


class ItemForm(GovukForm):
    reason = forms.CharField(
        label="Why this is on the agenda",
        widget=_textarea(4),
        help_text="Everyone at the meeting reads this. For a place or group, do not name "
        "children: partners outside the statutory agencies read it too.",
        error_messages={"required": "Say why this is on the agenda"},
    )


class ContributionForm(GovukForm):
    text = forms.CharField(
        label="Information your agency is sharing",
        widget=_textarea(6),
        error_messages={"required": "Enter the information your agency is sharing"},
    )
    audience = forms.ChoiceField(
        label="Who may read it",
        choices=ContributionAudience.choices,
        widget=forms.RadioSelect,
        initial=ContributionAudience.EVERYONE,
        help_text="Partners outside the statutory agencies (a youth trust, a school's "
        "partner) never see what is for statutory agencies only.",
        error_messages={"required": "Select who may read this"},
    )

    def __init__(self, *args: Any, may_write_statutory: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_write_statutory:
            self.fields["audience"].widget = forms.HiddenInput()
            self.fields["audience"].choices = [  # type: ignore[attr-defined]
                (ContributionAudience.EVERYONE, ContributionAudience.EVERYONE.label)
            ]


class ConcernForm(VersionedForm):
    level = forms.ChoiceField(
        label="Level of concern",
        choices=ConcernLevel.choices,
        widget=forms.RadioSelect,
        help_text="The level the meeting agreed, as its professional judgement. ContextSafe "
        "never works it out from scores or counts.",
        error_messages={"required": "Select the level of concern the meeting agreed"},
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=_textarea(5),
        help_text="What the meeting weighed: what is happening, how often, how recently, and "
        "what keeps the young person or place safe.",
        error_messages={"required": "Give the reasons for the level of concern"},
    )
    agreed_by = forms.CharField(
        label="Who agreed it",
        widget=_textarea(2),
        help_text="By name and agency, for example ‘All present: CSC, police, Open Doors’.",
        error_messages={"required": "Say who agreed it"},
    )


class DecisionForm(VersionedForm):
    decision = forms.CharField(
        label="What the meeting decided",
        widget=_textarea(5),
        error_messages={"required": "Enter what the meeting decided"},
    )


class ActionForm(GovukForm):
    item = forms.ModelChoiceField(
        label="Agenda item",
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label="None: an action for the partnership",
    )
    description = forms.CharField(
        label="What will be done",
        widget=_textarea(3),
        # The owner sees this text even when they may not open the child's record.
        help_text="The owner sees this even if they cannot open the child's record: do not "
        "name the child.",
        error_messages={"required": "Say what will be done"},
    )
    owner_agency = forms.ModelChoiceField(
        label="Owning agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose an agency",
        help_text="Leave as it is if you name a person below: their agency owns it.",
    )
    owner_user = UserChoiceField(
        label="Named person",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody in particular",
    )
    due_on = GovukDateField(
        label="Due date", error_messages={"required": "Enter the date the action is due"}
    )

    def __init__(
        self, *args: Any, items: list[tuple[AgendaItem, str]], strategic: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["item"]
        field.queryset = AgendaItem.objects.filter(pk__in=[i.pk for i, _ in items])
        labels = {i.pk: label for i, label in items}
        field.label_from_instance = lambda obj: labels.get(obj.pk, "An agenda item")
        if strategic:
            field.empty_label = "None: a strategic action for the partnership"
        self.fields["owner_agency"].queryset = active_agencies()  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = case_workers()  # type: ignore[attr-defined]


class ActionCompleteForm(VersionedForm):
    completed_on = GovukDateField(
        label="Date completed",
        error_messages={"required": "Enter the date the action was completed"},
    )
    evidence = forms.CharField(
        label="Evidence of completion",
        widget=_textarea(4),
        help_text="How anyone can know it was done: a record, a notice served, a visit log.",
        error_messages={"required": "Say what was done, as evidence the action is complete"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("completed_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class HoldForm(VersionedForm):
    held_on = GovukDateField(
        label="Date the meeting was held",
        error_messages={"required": "Enter the date the meeting was held"},
    )
    held_time = _time_field("Time it started")

    def clean_held_time(self) -> dt.time:
        return _parse_time(self.cleaned_data.get("held_time"))

    def held_at(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["held_on"]
        return timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["held_time"]))


class MinutesForm(VersionedForm):
    minutes = forms.CharField(
        label="Minutes",
        widget=_textarea(14),
        help_text="Who attended, what each item heard and decided, and the actions agreed.",
        error_messages={"required": "Enter the minutes"},
    )


class CloseForm(VersionedForm):
    summary_sent_on = GovukDateField(
        label="Date the summary and minutes were sent",
        error_messages={"required": "Enter the date the summary was sent"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("summary_sent_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class CancelForm(VersionedForm):
    reason = forms.CharField(
        label="Why the meeting is cancelled",
        widget=_textarea(3),
        error_messages={"required": "Say why the meeting is cancelled"},
    )
