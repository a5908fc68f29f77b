from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Agency
from contextsafe.forms import GovukDateField, GovukForm
from events.chronology import ChronologyFilter, entry_types
from events.models import EventKind, HarmType, ParticipantRole, Sensitivity


class ChronologyFilterForm(GovukForm):
    mark_optional = False
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"), required=False, empty_label="All agencies"
    )
    entry_type = forms.ChoiceField(
        label="Type", choices=lambda: [("", "Everything"), *entry_types()], required=False
    )
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return data

    def to_filter(self) -> ChronologyFilter:
        data = self.cleaned_data if self.is_valid() else {}
        agency = data.get("agency")
        return ChronologyFilter(
            agency_id=agency.pk if agency else None,
            entry_type=data.get("entry_type", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


TIME = re.compile(r"^(?P<h>[01]?\d|2[0-3])[:.](?P<m>[0-5]\d)$")


class EventForm(GovukForm):
    kind = forms.ChoiceField(
        label="What happened?",
        choices=[("", "Choose what happened"), *EventKind.choices],
        error_messages={"required": "Choose what happened"},
    )
    occurred_on = GovukDateField(
        label="Date", error_messages={"required": "Enter the date it happened"}
    )
    occurred_time = forms.CharField(
        label="Time",
        required=False,
        max_length=5,
        help_text="24-hour clock, for example 21:30. Leave empty if not known.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    role = forms.ChoiceField(
        label="This person's role",
        choices=ParticipantRole.choices,
        widget=forms.RadioSelect,
        initial=ParticipantRole.HARMED,
        help_text=(
            "Record each person's own role, so a child harmed is never shown as causing harm."
        ),
    )
    place_description = forms.CharField(
        label="Describe the place",
        max_length=300,
        required=False,
        help_text="If it is not a recorded location, or to say exactly where",
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    narrative = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Facts, who said so, and the young person's own words where you have them.",
        error_messages={"required": "Describe what happened"},
    )
    harm_types = forms.MultipleChoiceField(
        label="Kinds of harm",
        choices=HarmType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sensitivity = forms.ChoiceField(
        label="Who may see this?",
        choices=Sensitivity.choices,
        widget=forms.RadioSelect,
        initial=Sensitivity.STANDARD,
    )

    def __init__(self, *args: Any, with_role: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_role:
            del self.fields["role"]

    def clean_occurred_time(self) -> dt.time | None:
        raw = str(self.cleaned_data.get("occurred_time") or "").strip()
        if not raw:
            return None
        match = TIME.match(raw)
        if not match:
            raise forms.ValidationError("Enter a time like 21:30")
        return dt.time(int(match["h"]), int(match["m"]))

    def occurred_at(self) -> dt.datetime:
        day: dt.date = self.cleaned_data["occurred_on"]
        time = self.cleaned_data.get("occurred_time") or dt.time(12, 0)
        return timezone.make_aware(dt.datetime.combine(day, time))
