from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Team
from contexts.models import ContextKind, ContextLinkKind, ContextStatus, LocationType, SettingType
from contextsafe.forms import GovukForm
from people.forms import LinkEvidenceForm


class ContextSearchForm(GovukForm):
    mark_optional = False
    q = forms.CharField(label="Name or address", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "All kinds"), *ContextKind.choices], required=False
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *ContextStatus.choices], required=False
    )


class ContextKindForm(GovukForm):
    kind = forms.ChoiceField(
        label="What kind of context is it?",
        choices=ContextKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of context it is"},
    )


class ContextForm(GovukForm):
    name = forms.CharField(
        max_length=200,
        help_text="A name every partner will recognise, for example 'Chicken shop, Market Street'",
        error_messages={"required": "Enter a name"},
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happens here, when, and who uses it",
    )
    status = forms.ChoiceField(
        choices=ContextStatus.choices, widget=forms.RadioSelect, initial=ContextStatus.NOTED
    )
    owning_team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        label="Owning team",
        empty_label="Choose a team",
        error_messages={"required": "Choose the team that owns this record"},
    )
    location_type = forms.ChoiceField(
        label="Type of location",
        choices=[("", "Choose a type"), *LocationType.choices],
        required=False,
    )
    address = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    geometry = forms.CharField(
        label="Map position or area (GeoJSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=(
            'A point, for example {"type": "Point", "coordinates": [-0.91, 52.2]} '
            "(longitude first), or a polygon for an area."
        ),
    )
    setting_type = forms.ChoiceField(
        label="Type of setting",
        choices=[("", "Choose a type"), *SettingType.choices],
        required=False,
    )
    urn = forms.CharField(
        label="URN",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        help_text="The setting's unique reference number",
    )
    platform = forms.CharField(
        max_length=100, required=False, help_text="For example a messaging app or a gaming platform"
    )
    space = forms.CharField(
        max_length=200, required=False, help_text="The group, channel or server, if known"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    KIND_FIELDS = {
        ContextKind.LOCATION: {"location_type", "address", "geometry"},
        ContextKind.PEER_GROUP: set(),
        ContextKind.EDUCATION_SETTING: {"setting_type", "urn", "address", "geometry"},
        ContextKind.ONLINE_SPACE: {"platform", "space"},
    }
    OPTIONAL_BY_KIND = {
        "location_type",
        "address",
        "geometry",
        "setting_type",
        "urn",
        "platform",
        "space",
    }

    def __init__(self, *args: Any, kind: str, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in self.OPTIONAL_BY_KIND - self.KIND_FIELDS[ContextKind(kind)]:
            del self.fields[name]
        team_field: forms.ModelChoiceField[Team] = self.fields["owning_team"]  # type: ignore[assignment]
        team_field.queryset = teams

    def kind_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"version"}}


class ContextLinkForm(LinkEvidenceForm):
    kind = forms.ChoiceField(
        label="How are they linked?",
        choices=ContextLinkKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they are linked"},
    )
    initials = forms.CharField(
        label="Or their initials only",
        max_length=10,
        required=False,
        help_text=(
            "For a peer map made with a young person: record friends by initials, not as records"
        ),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    field_order = ["kind", "initials", "source", "reliability", "started_on", "ended_on", "notes"]
