"""Forms for missing episodes, return home interviews, prompt decisions and threshold rules.

A time of day matters here (the 72-hour clock starts when the child returns), so each moment is
a GOV.UK date input named after the model field plus a ``<name>_time`` box; ``clean`` joins them
into one aware datetime under the model field's name, so a service's error for
``went_missing_at`` lands on the date the person typed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone

from accounts.models import Agency
from contextsafe.forms import GovukDateField, GovukForm
from missing.models import EpisodeType, PoliceRiskLevel, PromptStatus
from missing.services import REPORTED_BEFORE_MISSING, RETURNED_BEFORE_MISSING
from people.models import Person

TIME = re.compile(r"^(?P<h>[01]?\d|2[0-3])[:.]?(?P<m>[0-5]\d)$")
TIME_HINT = "24-hour clock, for example 21:30"
FUTURE_SLACK = dt.timedelta(minutes=5)  # as the services: a phone clock a little fast
TEXT_WIDE = {"class": "govuk-!-width-two-thirds"}


def parse_time(raw: str) -> dt.time:
    match = TIME.match(raw.strip())
    if not match:
        raise forms.ValidationError("Enter a time like 21:30")
    return dt.time(int(match["h"]), int(match["m"]))


def time_field(label: str, *, required: str = "") -> forms.CharField:
    """A 24-hour time box; ``required`` is the message when a required time is left empty (an
    optional time is still needed once its date is given: DateTimeFormMixin says so)."""
    return forms.CharField(
        label=label,
        required=bool(required),
        error_messages={"required": required},
        max_length=5,
        help_text=TIME_HINT,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
    )


def split_local(when: dt.datetime | None) -> tuple[dt.date | None, str]:
    if when is None:
        return None, ""
    local = timezone.localtime(when)
    return local.date(), f"{local:%H:%M}"


class DateTimeFormMixin:
    """Join ``<name>`` (a date) and ``<name>_time`` into one aware datetime.

    ``moments`` maps each name to (what it is, required), for example
    ``{"went_missing_at": ("they went missing", True)}``.
    """

    moments: dict[str, tuple[str, bool]] = {}

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name, (what, required) in self.moments.items():
            moment = self._join(data, name, what, required=required)
            if name in form.errors or f"{name}_time" in form.errors:
                data.pop(name, None)
            else:
                data[name] = moment  # None when left empty
        return data

    def _join(
        self, data: dict[str, Any], name: str, what: str, *, required: bool
    ) -> dt.datetime | None:
        form: forms.BaseForm = self  # type: ignore[assignment]
        time_name = f"{name}_time"
        if name in form.errors or time_name in form.errors:
            return None
        day, raw = data.get(name), str(data.get(time_name) or "").strip()
        if day is None and not raw:
            if required:
                form.add_error(name, f"Enter the date {what}")
            return None
        if day is None:
            form.add_error(name, f"Enter the date {what}, as well as the time")
            return None
        if not raw:
            form.add_error(time_name, f"Enter the time {what}, for example 21:30")
            return None
        try:
            moment = timezone.make_aware(dt.datetime.combine(day, parse_time(raw)))
        except forms.ValidationError as error:
            form.add_error(time_name, error)
            return None
        # Said here as well as by the services, so that every mistake shows at once.
        if moment > timezone.now() + FUTURE_SLACK:
            form.add_error(name, f"The time {what} must not be in the future")
            return None
        return moment


class SearchableForm(GovukForm):
    """A form that can be re-shown after a search button without complaining about fields the
    person has not reached yet: everything typed is kept, nothing is validated."""

    def __init__(self, *args: Any, searching: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.searching = searching

    def full_clean(self) -> None:
        if self.searching:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()


class EpisodeForm(DateTimeFormMixin, SearchableForm):
    moments = {
        "went_missing_at": ("they went missing", True),
        "reported_at": ("they were reported missing", True),
        "returned_at": ("they returned or were found", False),
        "safe_and_well_check_at": ("of the safe and well check", False),
    }

    episode_type = forms.ChoiceField(
        label="Was the child missing, or away without authorisation?",
        choices=EpisodeType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose missing or away without authorisation"},
        help_text="Away without authorisation: a child in care whose whereabouts are known but "
        "who is not where they should be.",
    )
    went_missing_at = GovukDateField(
        label="Date they went missing",
        help_text="When they were last seen, if the time they left is not known",
        error_messages={"required": "Enter the date they went missing"},
    )
    went_missing_at_time = time_field(
        "Time they went missing", required="Enter the time they went missing, for example 21:30"
    )
    reported_at = GovukDateField(
        label="Date they were reported missing",
        error_messages={"required": "Enter the date they were reported missing"},
    )
    reported_at_time = time_field(
        "Time they were reported missing",
        required="Enter the time they were reported missing, for example 21:30",
    )
    reported_by = forms.CharField(
        label="Who reported them missing",
        max_length=200,
        help_text="A person or a service, for example ‘Foster carer’ or ‘Oakwood children's home’",
        error_messages={"required": "Enter who reported them missing"},
        widget=forms.TextInput(attrs=TEXT_WIDE),
    )
    police_reference = forms.CharField(
        label="Police reference",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    police_risk_level = forms.ChoiceField(
        label="Police risk level",
        choices=PoliceRiskLevel.choices,
        widget=forms.RadioSelect,
        initial=PoliceRiskLevel.NOT_KNOWN,
        error_messages={"required": "Choose the police risk level, or ‘Not known’"},
    )
    returned_at = GovukDateField(
        label="Date they returned or were found",
        required=False,
        help_text="Leave empty while they are still missing. You can add it later.",
    )
    returned_at_time = time_field("Time they returned or were found")
    found_location = forms.CharField(required=False, widget=forms.HiddenInput)
    found_description = forms.CharField(
        label="Describe where they were found",
        max_length=300,
        required=False,
        help_text="If it is not a recorded location, or to say exactly where",
        widget=forms.TextInput(attrs=TEXT_WIDE),
    )
    found_with = forms.MultipleChoiceField(
        label="People they were with",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People linked to the child, and anyone you found with the search above",
    )
    found_with_description = forms.CharField(
        label="Anyone else they were with",
        required=False,
        help_text="People without a record, or what the child or police said about them",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    safe_and_well_check_at = GovukDateField(label="Date of the safe and well check", required=False)
    safe_and_well_check_at_time = time_field("Time of the safe and well check")
    narrative = forms.CharField(
        label="What happened",
        required=False,
        help_text="Facts, who said so, and the young person's own words where you have them.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, candidates: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.MultipleChoiceField = self.fields["found_with"]  # type: ignore[assignment]
        field.choices = [
            (str(p.pk), f"{p.display_name} ({p.get_kind_display().lower()})") for p in candidates
        ]
        if not candidates:
            field.widget = forms.MultipleHiddenInput()
        field.error_messages["invalid_choice"] = "Choose people from the list"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        went, reported, back = (
            data.get(k) for k in ("went_missing_at", "reported_at", "returned_at")
        )
        if went and reported and reported < went:
            self.add_error("reported_at", REPORTED_BEFORE_MISSING)
        if went and back and back < went:
            self.add_error("returned_at", RETURNED_BEFORE_MISSING)
        return data

    def clean_found_location(self) -> int | None:
        raw = str(self.cleaned_data.get("found_location") or "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise forms.ValidationError("Choose a location from the search results")
        return int(raw)

    def error_summary_items(self) -> list[tuple[str, str]]:
        # The chosen location is a hidden field: send the reader to the place search instead.
        return [
            ("place" if anchor == "id_found_location" else anchor, message)
            for anchor, message in super().error_summary_items()
        ]

    def found_with_ids(self) -> list[int]:
        return [int(v) for v in self.cleaned_data.get("found_with", [])]

    @classmethod
    def initial_for(cls, episode: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(episode, name)
            for name in (
                "episode_type",
                "reported_by",
                "police_reference",
                "police_risk_level",
                "found_description",
                "found_with_description",
                "narrative",
                "version",
            )
        }
        for name in cls.moments:
            initial[name], initial[f"{name}_time"] = split_local(getattr(episode, name))
        initial["found_location"] = episode.found_location_id or ""
        initial["found_with"] = [str(p.pk) for p in episode.found_with.all()]
        return initial


ACCEPTED_CHOICES = [
    ("yes", "Yes, they accepted"),
    ("no", "No, they declined"),
    ("", "Not known yet"),
]


class InterviewForm(DateTimeFormMixin, GovukForm):
    moments = {
        "offered_at": ("the interview was offered", True),
        "completed_at": ("the interview was completed", False),
    }

    offered_at = GovukDateField(
        label="Date the interview was offered",
        error_messages={"required": "Enter the date the interview was offered"},
    )
    offered_at_time = time_field(
        "Time it was offered",
        required="Enter the time the interview was offered, for example 14:00",
    )
    offered_by = forms.CharField(
        label="Who offered it",
        max_length=200,
        required=False,
        help_text="Name and service, for example ‘Sam Okoro, independent return interview service’",
        widget=forms.TextInput(attrs=TEXT_WIDE),
    )
    accepted = forms.TypedChoiceField(
        label="Did the child accept the interview?",
        choices=ACCEPTED_CHOICES,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    declined_reason = forms.CharField(
        label="If they declined, why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In the child's words where you can",
    )
    completed_at = GovukDateField(
        label="Date the interview was completed",
        required=False,
        help_text="Leave empty until it has happened",
    )
    completed_at_time = time_field("Time it was completed")
    conducted_by = forms.CharField(
        label="Who conducted it",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT_WIDE),
    )
    conducting_agency = forms.ModelChoiceField(
        label="Their agency",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Choose an agency",
    )
    child_account = forms.CharField(
        label="What the child said",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Where they went, who they were with, what happened — in their own words",
    )
    push_pull_factors = forms.CharField(
        label="Push and pull factors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What pushed them away from home or care, and what pulled them elsewhere",
    )
    places_and_people = forms.CharField(
        label="Places and people the child mentioned",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    actions = forms.CharField(
        label="What will happen next",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_for(cls, interview: Any) -> dict[str, Any]:
        if interview is None:
            return {}
        initial: dict[str, Any] = {
            name: getattr(interview, name)
            for name in (
                "offered_by",
                "declined_reason",
                "conducted_by",
                "child_account",
                "push_pull_factors",
                "places_and_people",
                "actions",
                "version",
            )
        }
        initial["accepted"] = {True: "yes", False: "no"}.get(interview.accepted, "")
        initial["conducting_agency"] = interview.conducting_agency_id
        for name in cls.moments:
            initial[name], initial[f"{name}_time"] = split_local(getattr(interview, name))
        return initial


DECISION_CHOICES = [
    (PromptStatus.STRATEGY_ARRANGED, "A strategy meeting has been arranged"),
    (PromptStatus.MARVE_REFERRED, "The child has been referred to MARVE"),
    (PromptStatus.NOT_NEEDED, "Neither is needed"),
]


class PromptDecisionForm(GovukForm):
    # The reason is needed for one of the three choices, so calling it optional misleads.
    mark_optional = False

    status = forms.ChoiceField(
        label="What was decided?",
        choices=DECISION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was decided"},
    )
    reason = forms.CharField(
        label="Reason or note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if neither is needed: say why, and what else will keep the child safe. "
        "Otherwise, for example, the meeting date or the referral's reference.",
    )


class ThresholdRuleForm(GovukForm):
    is_active = forms.BooleanField(label="This rule is on", required=False)
    episode_count = forms.IntegerField(
        label="Number of episodes",
        min_value=2,
        max_value=50,
        required=False,
        help_text="Counting the latest episode",
        error_messages={
            "min_value": "The number of episodes must be 2 or more",
            "max_value": "The number of episodes must be 50 or fewer",
            "invalid": "Enter the number of episodes as a whole number, like 3",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    window_days = forms.IntegerField(
        label="Within how many days",
        min_value=1,
        max_value=365,
        required=False,
        error_messages={
            "min_value": "The period must be between 1 and 365 days",
            "max_value": "The period must be between 1 and 365 days",
            "invalid": "Enter the number of days as a whole number, like 90",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )
    prompts_strategy_discussion = forms.BooleanField(
        label="Prompt people to consider a strategy meeting", required=False
    )
    prompts_marve_referral = forms.BooleanField(
        label="Prompt people to consider a referral to MARVE", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, counts_episodes: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not counts_episodes:
            del self.fields["episode_count"]
            del self.fields["window_days"]
        else:
            self.fields["episode_count"].required = True
            self.fields["episode_count"].error_messages["required"] = "Enter the number of episodes"
            self.fields["window_days"].required = True
            self.fields["window_days"].error_messages["required"] = "Enter the number of days"
