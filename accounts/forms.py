"""Forms for signing in, second factor, passwords and administration, rendered the GOV.UK way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.validators import RegexValidator
from django.template import loader

from access.roles import ROLE_DESCRIPTIONS, Role
from accounts.models import Agency, AgencyKind, Team, User
from accounts.tasks import send_email_task
from contextsafe.forms import GovukForm, GovukFormMixin


class SignInForm(GovukFormMixin, auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Ask your administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "class": "govuk-!-width-one-half"}
        )
        self.fields["password"].widget.attrs["class"] = "govuk-!-width-one-half"


six_digits = RegexValidator(r"^\d{6}$", "Enter the 6-digit security code")


class SecurityCodeForm(GovukForm):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app",
        max_length=6,
        validators=[six_digits],
        error_messages={"required": "Enter the 6-digit security code"},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-5",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).replace(" ", "")


class QueuedPasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    """Django's reset form, sending through the background task queue."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "govuk-!-width-one-half"}),
    )

    def get_users(self, email: str) -> Iterator[Any]:
        """Active accounts with this address, including new ones still choosing a first password.

        Django skips accounts without a usable password; here every account signs in with a
        password, and a new account's first password is chosen through this same link.
        """
        users = User._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.email.lower() == email.lower())

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email_task.enqueue(subject, body, [to_email])


class ChoosePasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "new_password1"
        ].help_text = (
            "At least 12 characters. Not a common password, and not like your name or email."
        )
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"


class ChangePasswordForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields[
            "new_password1"
        ].help_text = (
            "At least 12 characters. Not a common password, and not like your name or email."
        )
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"


class UserForm(GovukForm):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, numbers and . _ - only. People sign in with this.",
        validators=[
            RegexValidator(r"^[A-Za-z0-9._-]+$", "Username can only use letters, numbers and . _ -")
        ],
        error_messages={"required": "Enter a username"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    first_name = forms.CharField(
        max_length=150,
        error_messages={"required": "Enter a first name"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    last_name = forms.CharField(
        max_length=150,
        error_messages={"required": "Enter a last name"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    email = forms.EmailField(
        label="Email address",
        help_text="A work address. The person is sent a link to choose their password.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"class": "govuk-!-width-two-thirds", "spellcheck": "false"}),
    )
    job_title = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_active=True),
        empty_label="Choose an agency",
        error_messages={"required": "Choose the agency this person works for"},
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.filter(is_active=True).select_related("agency"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only teams in the person's own agency.",
    )
    roles = forms.MultipleChoiceField(
        choices=[(r.value, f"{r.label} — {ROLE_DESCRIPTIONS[r]}") for r in Role],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "Administrator, auditor and analyst each stand alone: "
            "they cannot be combined with each other or with case work."
        ),
    )
    is_active = forms.BooleanField(label="Account is active", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["username"].disabled = True
            self.fields["username"].help_text = "Usernames cannot be changed."
        else:
            del self.fields["is_active"]


class AgencyForm(GovukForm):
    name = forms.CharField(
        max_length=200,
        error_messages={"required": "Enter the agency's name"},
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    kind = forms.ChoiceField(
        label="Kind of agency",
        choices=AgencyKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of agency"},
        help_text=(
            "Police, children's social care, education, health and youth justice are statutory "
            "agencies: only they may see children's names in a context conference."
        ),
    )
    is_active = forms.BooleanField(label="Agency is active", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class TeamForm(GovukForm):
    name = forms.CharField(
        max_length=200,
        error_messages={"required": "Enter the team's name"},
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )
    is_active = forms.BooleanField(label="Team is active", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
