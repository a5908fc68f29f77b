"""Forms at the front door. Services repeat every rule that matters; these give the first,
field-by-field answer and keep what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing

from accounts.models import AgencyKind, Team
from contextsafe.forms import GovukForm
from events.models import HarmType
from frontdoor.models import (
    ContactChannel,
    ContactPersonRole,
    HarmSource,
    LawfulBasis,
    ReferralSource,
    ResponseTimescale,
    ScreeningOutcome,
    Urgency,
)
from frontdoor.selectors import QUEUE_FILTERS
from frontdoor.services import MAX_TIMESCALE_HOURS

TEXT_20 = {"class": "govuk-input--width-20"}
# Fields needed only in some cases (``clean`` says which, and so do their hints or where they
# are shown): "(optional)" would mislead, so they are drawn without it.
NEEDED_IF = "frontdoor/_field_needed_if.html"
NEEDED_IF_FIELDS = ("referrer_name", "referrer_phone", "referrer_email", "lawful_basis_notes")
PERSON_REF_SALT = "frontdoor.person-ref"
PERSON_REF_MAX_AGE = 24 * 3600

# The referral source a referrer from each kind of agency most likely means; they can change it.
SOURCE_BY_AGENCY = {
    AgencyKind.EDUCATION: ReferralSource.SCHOOLS,
    AgencyKind.POLICE: ReferralSource.POLICE,
    AgencyKind.HEALTH: ReferralSource.HEALTH_OTHER,
    AgencyKind.HOUSING: ReferralSource.HOUSING,
    AgencyKind.CHILDRENS_SOCIAL_CARE: ReferralSource.LA_SOCIAL_CARE,
    AgencyKind.YOUTH_JUSTICE: ReferralSource.LEGAL_AGENCY,
    AgencyKind.COMMUNITY_SAFETY: ReferralSource.LA_OTHER_INTERNAL,
    # The census counts voluntary organisations under "8 Other".
    AgencyKind.VOLUNTARY_SECTOR: ReferralSource.OTHER,
    AgencyKind.OTHER: ReferralSource.OTHER,
}

ME, SOMEONE_ELSE = "me", "someone_else"
WHO_REFERS_CHOICES = [
    (ME, "I am the referrer: I am sending this myself"),
    (SOMEONE_ELSE, "I am recording someone else's referral"),
]
# Online comes last: the form shows only the other three, under "someone else", and the error
# summary links to the first one shown (``id_channel_0``).
CHANNEL_CHOICES = [
    (ContactChannel.PHONE, "A phone call"),
    (ContactChannel.EMAIL, "An email"),
    (ContactChannel.IN_PERSON, "In person"),
    (ContactChannel.ONLINE, "Sent by the referrer themself"),
]
# Only someone recording another person's referral types these in; online, the signed-in user
# is the referrer. The phone number serves both (a referrer may ask to be called).
OTHER_REFERRER_FIELDS = (
    "referrer_name",
    "referrer_role",
    "referrer_organisation",
    "referrer_email",
)
# Wording for a contact about a place, group, school or online space, not about one child.
CONTEXT_WORDING = {
    "where": ("Where exactly, and when does it happen?", "Which part of the place, days and times"),
    "with_whom": ("Who is there, or who is involved?", None),
    "child_views": ("Young people's views", None),
    "family_views": ("Views of people who use or look after the place", None),
}


def person_ref(pk: int) -> str:
    """A signed reference to a person found by search. It lets a referrer name a child whose
    record another agency holds without being able to try record numbers one by one."""
    return signing.dumps(pk, salt=PERSON_REF_SALT)


def read_person_ref(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=PERSON_REF_SALT, max_age=PERSON_REF_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def urgency_choices() -> list[tuple[str, str]]:
    hours = dict(ResponseTimescale.objects.values_list("urgency", "hours"))
    return [
        (value, f"{label} (decision within {hours[value]} hours)" if value in hours else label)
        for value, label in Urgency.choices
    ]


class AboutForm(GovukForm):
    about = forms.ChoiceField(
        label="Who or what is this contact about?",
        choices=[
            ("child", "A child or young person"),
            ("context", "A place, group of young people, school or online space"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who or what this contact is about",
            "invalid_choice": "Choose who or what this contact is about",
        },
    )


class ContactForm(GovukForm):
    who_refers = forms.ChoiceField(
        label="Who is making this referral?",
        choices=WHO_REFERS_CHOICES,
        widget=forms.RadioSelect,
        required=False,  # Left out, it follows from the channel (see ``_who_refers``).
        error_messages={"invalid_choice": "Say whether you are the referrer or recording one"},
    )
    channel = forms.ChoiceField(
        label="How did the referral reach you?",
        choices=CHANNEL_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Say how the referral reached you"},
    )
    referrer_name = forms.CharField(
        label="Referrer's name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT_20),
    )
    referrer_role = forms.CharField(
        label="Their role", max_length=200, required=False, widget=forms.TextInput(attrs=TEXT_20)
    )
    referrer_organisation = forms.CharField(
        label="Their organisation",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=TEXT_20),
    )
    referrer_phone = forms.CharField(
        label="Phone number",
        max_length=50,
        required=False,
        help_text="If you are the referrer, give yours if the front door should call you. If "
        "you are recording someone else's referral, give their phone number or email address.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-20", "type": "tel", "autocomplete": "off"}
        ),
    )
    referrer_email = forms.EmailField(
        label="Their email address",
        required=False,
        help_text="Their phone number or email address is needed, so they can be told the outcome",
        widget=forms.EmailInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={"invalid": "Enter an email address like name@example.org"},
    )
    referral_source = forms.ChoiceField(
        label="Referral source",
        choices=[("", "Choose a source"), *ReferralSource.choices],
        help_text="As the children in need census records it",
        error_messages={"required": "Choose the referral source"},
    )
    what_happened = forms.CharField(
        label="What happened, or what are you worried about?",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Facts first: what, when, and how you know. Then your worry.",
        error_messages={"required": "Say what happened or what you are worried about"},
    )
    where = forms.CharField(
        label="Where did it happen, or where does the child spend time?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Parks, shops, transport, streets, addresses",
    )
    with_whom = forms.CharField(
        label="Who was the child with?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Friends, older young people, adults: names, nicknames or descriptions",
    )
    online = forms.CharField(
        label="Online spaces, apps or games",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    school = forms.CharField(
        label="School, college or other education setting",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    harm_indicators = forms.MultipleChoiceField(
        label="Signs of harm",
        choices=HarmType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply",
    )
    harm_source = forms.ChoiceField(
        label="Is the harm inside the family, outside it, or both?",
        choices=HarmSource.choices,
        widget=forms.RadioSelect,
        help_text=(
            "This helps the front door decide who should respond: harm inside the family and "
            "harm outside it (extra-familial) need different responses"
        ),
        error_messages={"required": "Say whether the harm is inside or outside the family"},
    )
    child_views = forms.CharField(
        label="The child's views",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In their own words where you can",
    )
    family_views = forms.CharField(
        label="The family's views", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lawful_basis = forms.ChoiceField(
        label="On what basis are you sharing this information?",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Data protection law does not stop you sharing to keep a child safe. Seek agreement "
            "where it is safe to."
        ),
        error_messages={"required": "Choose the basis for sharing this information"},
    )
    lawful_basis_notes = forms.CharField(
        label="Why, and do the child and family know?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if you share without consent",
    )
    urgency = forms.ChoiceField(
        label="How urgent is this?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how urgent this is"},
    )

    def __init__(self, *args: Any, about_context: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        urgency: forms.ChoiceField = self.fields["urgency"]  # type: ignore[assignment]
        urgency.choices = urgency_choices()
        for name in NEEDED_IF_FIELDS:
            # Django 5's Field.template_name, not yet in django-stubs' CharField.
            self.fields[name].template_name = NEEDED_IF  # type: ignore[attr-defined]
        if about_context:
            for name, (label, hint) in CONTEXT_WORDING.items():
                self.fields[name].label = label
                if hint is not None:
                    self.fields[name].help_text = hint

    def _who_refers(self, data: dict[str, Any]) -> str:
        """Me or someone else. A post without the question (an older page, a test) answers it
        by its channel."""
        who = data.get("who_refers") or ""
        if who:
            return str(who)
        channel = data.get("channel")
        if channel and channel != ContactChannel.ONLINE:
            return SOMEONE_ELSE
        return ME if channel == ContactChannel.ONLINE else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        who = self._who_refers(data)
        if not who:
            if "who_refers" not in self.errors:
                self.add_error(
                    "who_refers", "Say whether you are the referrer or recording a referral"
                )
            return data
        data["who_refers"] = who
        if who == ME:
            # Details typed for someone else, then hidden by choosing "me", are not the user's.
            data["channel"] = ContactChannel.ONLINE
            data.update(dict.fromkeys(OTHER_REFERRER_FIELDS, ""))
            for name in (*OTHER_REFERRER_FIELDS, "channel"):
                self.errors.pop(name, None)
        elif (
            data.get("channel") in (None, "", ContactChannel.ONLINE)
            and "channel" not in self.errors
        ):
            self.add_error("channel", "Say how the referral reached you")
        channel = data.get("channel")
        if channel and channel != ContactChannel.ONLINE:
            if not data.get("referrer_name"):
                self.add_error("referrer_name", "Enter the name of the person making the referral")
            if not (data.get("referrer_phone") or data.get("referrer_email")) and not (
                self.errors.get("referrer_email")
            ):
                self.add_error(
                    "referrer_phone",
                    "Enter a phone number or email address, so the referrer can be told the "
                    "outcome",
                )
        lawful = data.get("lawful_basis")
        if lawful and lawful != LawfulBasis.CONSENT and not data.get("lawful_basis_notes"):
            self.add_error(
                "lawful_basis_notes",
                "Say why you are sharing without consent, and whether the child or family know",
            )
        return data

    def referrer(self) -> dict[str, str]:
        return {
            k: self.cleaned_data.get(k, "")
            for k in (
                "referrer_name",
                "referrer_role",
                "referrer_organisation",
                "referrer_phone",
                "referrer_email",
            )
        }


def links_from(data: Any) -> tuple[list[int], dict[int, str]]:
    """The contexts ticked and the people given a role in the contact form, as typed."""
    contexts = [int(v) for v in data.getlist("link_context") if v.isdigit()]
    people: dict[int, str] = {}
    for key in data:
        if key.startswith("role_"):
            pk = read_person_ref(key.removeprefix("role_"))
            role = data.get(key, "")
            if pk is not None and role in ContactPersonRole.values:
                people[pk] = role
    return list(dict.fromkeys(contexts)), people


class SharingDecisionForm(GovukForm):
    shared = forms.TypedChoiceField(
        label="Was the information shared?",
        choices=[("yes", "Yes, it was shared"), ("no", "No, it was not shared")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the information was shared"},
    )
    information = forms.CharField(
        label="What information?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what information this decision is about"},
    )
    shared_with = forms.CharField(
        label="With whom?",
        max_length=300,
        help_text="The person, team or agency asked for it or given it",
        error_messages={"required": "Say who the information was, or was not, shared with"},
    )
    reason = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Necessary, proportionate, relevant, accurate, timely and secure?",
        error_messages={"required": "Give the reason for the decision"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis, if shared",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("shared") and not data.get("lawful_basis"):
            self.add_error("lawful_basis", "Choose the lawful basis for sharing")
        return data


class QueueFilterForm(GovukForm):
    mark_optional = False
    status = forms.ChoiceField(label="Show", choices=QUEUE_FILTERS, required=False)


class DecisionForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you weighed: the harm, where it comes from, strengths, the child's views",
        error_messages={"required": "Give the reasons for the decision"},
    )
    allocated_team = forms.ModelChoiceField(
        label="Team to allocate to",
        queryset=Team.objects.none(),
        required=False,
        empty_label="Choose a team",
        help_text="Needed for early help, a single assessment, a strategy discussion or a "
        "context response",
    )
    consulted_cs_lead = forms.BooleanField(
        label="I consulted the Contextual Safeguarding lead", required=False
    )

    def __init__(self, *args: Any, outcomes: list[tuple[str, str]], teams: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        outcome: forms.ChoiceField = self.fields["outcome"]  # type: ignore[assignment]
        outcome.choices = outcomes
        team: forms.ModelChoiceField[Team] = self.fields["allocated_team"]  # type: ignore[assignment]
        team.queryset = teams

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_team = {
            ScreeningOutcome.EARLY_HELP,
            ScreeningOutcome.SINGLE_ASSESSMENT,
            ScreeningOutcome.STRATEGY_DISCUSSION,
            ScreeningOutcome.CONTEXT_RESPONSE,
        }
        if data.get("outcome") in needs_team and not data.get("allocated_team"):
            self.add_error("allocated_team", "Choose the team that will take this on")
        return data


class ReviewForm(GovukForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("approve", "Approve the decision"),
            ("return", "Return it to the screener to decide again"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or return the decision"},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if you return the decision: say what should change",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not data.get("comment"):
            self.add_error("comment", "Say why you are returning the decision")
        return data


class TimescalesForm(GovukForm):
    default_team = forms.ModelChoiceField(
        label="New contacts go to",
        queryset=Team.objects.none(),
        empty_label="Choose a team",
        error_messages={"required": "Choose the team new contacts go to"},
    )
    teams = forms.ModelMultipleChoiceField(
        label="Teams that screen contacts",
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Their members see the work queue. Managers and CS leads in them approve "
        "decisions.",
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = {t.urgency: t.hours for t in ResponseTimescale.objects.all()}
        for value, label in Urgency.choices:
            self.fields[value] = forms.IntegerField(
                label=f"{label}: hours to decide",
                min_value=1,
                max_value=MAX_TIMESCALE_HOURS,
                initial=hours.get(value),
                widget=forms.TextInput(
                    attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}
                ),
                error_messages={
                    "required": f"Enter the hours for {label.split(':')[0].lower()} contacts",
                    "invalid": "Enter a whole number of hours",
                    "min_value": "Enter at least 1 hour",
                    "max_value": f"Enter no more than {MAX_TIMESCALE_HOURS} hours",
                },
            )
        for name in ("default_team", "teams"):
            field: forms.ModelChoiceField[Team] = self.fields[name]  # type: ignore[assignment]
            field.queryset = teams
        self.order_fields([*Urgency.values, "default_team", "teams"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        default = data.get("default_team")
        if default is not None:
            data["teams"] = list({t.pk: t for t in [default, *data.get("teams", [])]}.values())
        return data
