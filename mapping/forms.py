"""Filters for the hotspot map pages, and the form that opens a location context from a cell."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Team
from contexts.models import LocationType
from contextsafe.forms import GovukDateField, GovukForm
from events.models import HarmType

# Roughly twelve and three months; whole days keep the defaults easy to read back in the form.
DEFAULT_PERIOD_DAYS = 365
DEFAULT_RECENT_DAYS = 91


def _harm_type_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Harm type",
        choices=[("", "All harm types"), *HarmType.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a harm type from the list"},
    )


class HotspotFilterForm(GovukForm):
    """Harm type and period. Without any filter the last 12 months are shown."""

    mark_optional = False
    harm_type = _harm_type_field()
    since = GovukDateField(label="From", required=False)
    until = GovukDateField(label="To", required=False)

    @staticmethod
    def defaults() -> dict[str, Any]:
        today = timezone.localdate()
        return {
            "harm_type": "",
            "since": today - dt.timedelta(days=DEFAULT_PERIOD_DAYS),
            "until": today,
        }

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # A bound form needs values in its boxes too: fill in what the person left empty.
        kwargs.setdefault("initial", self.defaults())
        super().__init__(data or None, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        defaults = self.defaults()
        since = data.get("since") or defaults["since"]
        until = data.get("until") or defaults["until"]
        if "since" not in self.errors and "until" not in self.errors:
            if since > until:
                self.add_error(
                    "until", "The 'to' date must be the same as or after the 'from' date"
                )
            elif until > defaults["until"]:
                self.add_error("until", "The 'to' date must be today or in the past")
        data["since"], data["until"] = since, until
        return data

    def filters(self) -> dict[str, Any]:
        """The filters to apply: the defaults when unbound, the cleaned values when valid."""
        if not self.is_bound:
            return self.defaults()
        if not self.is_valid():
            raise ValueError("filters() needs a valid form")
        return {key: self.cleaned_data[key] for key in ("harm_type", "since", "until")}


class EmergingFilterForm(GovukForm):
    """A recent period and an earlier one to compare it with: by default the last 3 months
    against the 12 months before them."""

    mark_optional = False
    harm_type = _harm_type_field()
    recent_since = GovukDateField(label="Recent period from", required=False)
    recent_until = GovukDateField(label="Recent period to", required=False)
    earlier_since = GovukDateField(label="Earlier period from", required=False)
    earlier_until = GovukDateField(label="Earlier period to", required=False)

    @staticmethod
    def defaults() -> dict[str, Any]:
        today = timezone.localdate()
        recent_since = today - dt.timedelta(days=DEFAULT_RECENT_DAYS)
        return {
            "harm_type": "",
            "recent_since": recent_since,
            "recent_until": today,
            "earlier_since": recent_since - dt.timedelta(days=DEFAULT_PERIOD_DAYS),
            "earlier_until": recent_since - dt.timedelta(days=1),
        }

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.defaults())
        super().__init__(data or None, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        defaults = self.defaults()
        for key, value in defaults.items():
            if key != "harm_type" and not data.get(key):
                data[key] = value
        if self.errors:
            return data
        if data["recent_since"] > data["recent_until"]:
            self.add_error(
                "recent_until",
                "The end of the recent period must be the same as or after its start",
            )
        if data["earlier_since"] > data["earlier_until"]:
            self.add_error(
                "earlier_until",
                "The end of the earlier period must be the same as or after its start",
            )
        if data["recent_until"] > defaults["recent_until"]:
            self.add_error("recent_until", "The recent period must end today or in the past")
        if not self.errors and data["earlier_until"] >= data["recent_since"]:
            self.add_error(
                "earlier_until", "The earlier period must end before the recent period starts"
            )
        return data

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return self.defaults()
        if not self.is_valid():
            raise ValueError("filters() needs a valid form")
        return dict(self.cleaned_data)


class EventChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class OpenContextForm(GovukForm):
    name = forms.CharField(
        max_length=200,
        help_text="A name every partner will recognise, for example 'Underpass, Greyfallow "
        "ring road'",
        error_messages={"required": "Enter a name for the place"},
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    location_type = forms.ChoiceField(
        label="Type of location",
        choices=[("", "Choose a type"), *LocationType.choices],
        error_messages={"required": "Choose the type of location"},
    )
    owning_team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        label="Owning team",
        empty_label="Choose a team",
        error_messages={"required": "Choose the team that owns this record"},
    )
    address = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="What happens here, when, and who uses it. Do not name children.",
    )
    neighbours = forms.MultipleChoiceField(
        label="Include neighbouring hot spots",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The place covers this map cell; tick a neighbouring cell to cover it too.",
    )
    events = EventChoiceField(
        label="Events to place here",
        required=False,
        help_text="Events you may open, in these cells, that are not yet at a recorded place.",
    )

    def __init__(
        self,
        *args: Any,
        teams: Any,
        neighbours: list[tuple[str, str]],
        events: list[tuple[str, str]],
        event_cells: dict[str, str],
        cell: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        team_field: forms.ModelChoiceField[Team] = self.fields["owning_team"]  # type: ignore[assignment]
        team_field.queryset = teams
        neighbour_field: forms.MultipleChoiceField = self.fields["neighbours"]  # type: ignore[assignment]
        neighbour_field.choices = neighbours
        if not neighbours:
            del self.fields["neighbours"]
        event_field: forms.MultipleChoiceField = self.fields["events"]  # type: ignore[assignment]
        event_field.choices = events
        self.cell = cell
        self.event_cells = event_cells

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cells = self.chosen_cells(data)
        outside = [e for e in data.get("events", []) if self.event_cells.get(e) not in cells]
        if outside:
            self.add_error(
                "events",
                "You chose events in a neighbouring cell you have not included: include the "
                "cell or untick the events",
            )
        return data

    def chosen_cells(self, data: dict[str, Any] | None = None) -> list[str]:
        data = self.cleaned_data if data is None else data
        return [self.cell, *data.get("neighbours", [])]

    def event_ids(self) -> list[int]:
        return [int(e) for e in self.cleaned_data.get("events", [])]
