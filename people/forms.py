"""Forms for people: search, create and edit, names and identifiers, links, access."""

from __future__ import annotations

from typing import Any

from django import forms

from contextsafe.forms import GovukDateField, GovukForm
from people.codes import (
    AgeBand,
    AssociationKind,
    Ethnicity,
    Flag,
    IdentifierScheme,
    PersonKind,
    Reliability,
    Sex,
)

TEXT_20 = {"class": "govuk-input--width-20"}


class PersonSearchForm(GovukForm):
    mark_optional = False
    name = forms.CharField(
        required=False,
        max_length=200,
        label="Name",
        help_text="Any name they are known by. Close spellings are found too.",
        widget=forms.TextInput(attrs={**TEXT_20, "spellcheck": "false", "autocomplete": "off"}),
    )
    date_of_birth = GovukDateField(required=False, label="Date of birth")
    identifier = forms.CharField(
        required=False,
        max_length=50,
        label="Identifier",
        help_text="Police nominal ID, NHS number, unique pupil number or case number",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        empty = not (data.get("name") or data.get("date_of_birth") or data.get("identifier"))
        if empty and not self.errors:
            raise forms.ValidationError("Enter a name, a date of birth or an identifier to search")
        return data


class PersonForm(GovukForm):
    kind = forms.ChoiceField(
        label="Who is this person?",
        choices=PersonKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who this person is"},
    )
    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={
            "required": "Enter a first name, or what they are called if you do not know it"
        },
        widget=forms.TextInput(attrs=TEXT_20),
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT_20)
    )
    known_as = forms.CharField(
        label="Known as",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=TEXT_20),
        help_text="The name they use, if different",
    )
    aliases = forms.CharField(
        label="Other names, aliases or street names",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line",
    )
    date_of_birth = GovukDateField(
        required=False, label="Date of birth", help_text="For example, 27 3 2011"
    )
    age_band = forms.ChoiceField(
        label="Age, if the date of birth is not known",
        choices=[("", "Choose an age range"), *AgeBand.choices],
        required=False,
    )
    sex = forms.ChoiceField(
        choices=Sex.choices, widget=forms.RadioSelect, initial=Sex.NOT_KNOWN, required=False
    )
    gender = forms.CharField(
        label="Gender identity",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=TEXT_20),
        help_text="In their own words, if they have told you",
    )
    ethnicity = forms.ChoiceField(
        choices=Ethnicity.choices,
        initial=Ethnicity.NOT_OBTAINED,
        required=False,
        help_text="As the person describes it (ONS 2021 categories)",
    )
    first_language = forms.CharField(
        max_length=100, required=False, widget=forms.TextInput(attrs=TEXT_20)
    )
    flags = forms.MultipleChoiceField(
        label="What a practitioner needs to know at a glance",
        choices=Flag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["sex"] = data.get("sex") or Sex.NOT_KNOWN
        data["ethnicity"] = data.get("ethnicity") or Ethnicity.NOT_OBTAINED
        if data.get("kind") == PersonKind.YOUNG_PERSON and not (
            data.get("date_of_birth") or data.get("age_band") or self.errors.get("date_of_birth")
        ):
            self.add_error(
                "date_of_birth",
                "Enter a date of birth, or choose an age range below if you do not know it",
            )
        return data

    def alias_list(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("aliases", "").splitlines()
            if line.strip()
        ]


class NewPersonForm(PersonForm):
    identifier_scheme = forms.ChoiceField(
        label="Identifier type",
        choices=[("", "No identifier"), *IdentifierScheme.choices],
        required=False,
    )
    identifier_value = forms.CharField(
        label="Identifier",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    confirm_new = forms.BooleanField(
        label="None of these is the person: create a new record", required=False
    )

    field_order = [
        "kind",
        "given_name",
        "family_name",
        "known_as",
        "aliases",
        "date_of_birth",
        "age_band",
        "sex",
        "gender",
        "ethnicity",
        "first_language",
        "identifier_scheme",
        "identifier_value",
        "flags",
        "confirm_new",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("identifier_scheme")) != bool(data.get("identifier_value")):
            self.add_error(
                "identifier_value",
                "Choose the identifier type and enter the identifier, or leave both empty",
            )
        return data

    def identifiers(self) -> list[tuple[str, str]]:
        scheme, value = (
            self.cleaned_data.get("identifier_scheme"),
            self.cleaned_data.get("identifier_value"),
        )
        return [(scheme, value)] if scheme and value else []


class IdentifierForm(GovukForm):
    scheme = forms.ChoiceField(
        label="Identifier type",
        choices=IdentifierScheme.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the identifier type"},
    )
    value = forms.CharField(
        label="Identifier",
        max_length=50,
        error_messages={"required": "Enter the identifier"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )


class AddressForm(GovukForm):
    line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter the first line of the address"},
    )
    line_2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    town = forms.CharField(
        label="Town or city", max_length=100, required=False, widget=forms.TextInput(attrs=TEXT_20)
    )
    postcode = forms.CharField(
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    moved_in = GovukDateField(label="Date they moved in", required=False)
    moved_out = GovukDateField(
        label="Date they moved out", required=False, help_text="Leave empty if they still live here"
    )


class LinkEvidenceForm(GovukForm):
    """What every link carries: where it came from, how reliable it is, and when."""

    source = forms.CharField(
        label="Where does this come from?",
        max_length=300,
        help_text=(
            "For example 'peer map with the young person', 'school DSL', 'police report 14/2231'"
        ),
        error_messages={"required": "Say where this information comes from"},
    )
    reliability = forms.ChoiceField(
        label="How reliable is it?",
        choices=Reliability.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how reliable this information is"},
        help_text="A link is an observation with a source, never a label.",
    )
    started_on = GovukDateField(label="Since", required=False)
    ended_on = GovukDateField(
        label="Until", required=False, help_text="Leave empty if it is current"
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", "The end date must be the same as or after the start date")
        return data


class AssociationForm(LinkEvidenceForm):
    kind = forms.ChoiceField(
        label="How are they linked?",
        choices=AssociationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they are linked"},
    )
    field_order = ["kind", "source", "reliability", "started_on", "ended_on", "notes"]


class ReasonForm(GovukForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give your reason"},
    )

    def __init__(self, *args: Any, label: str, hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = hint


class MergeForm(GovukForm):
    duplicate = forms.IntegerField(
        label="Record number of the duplicate",
        help_text=(
            "The number shown after 'Record' on the duplicate's page. "
            "Its links, events and identifiers move to this record."
        ),
        error_messages={
            "required": "Enter the duplicate's record number",
            "invalid": "Enter a record number, like 1042",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why these records are the same person"},
    )
