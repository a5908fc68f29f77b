"""The GOV.UK date input: every kind of mistake gets the GOV.UK wording."""

from __future__ import annotations

import datetime as dt

import pytest

from contextsafe.forms import GovukDateField, GovukForm


class DateForm(GovukForm):
    when = GovukDateField(label="Date of birth")


@pytest.mark.parametrize(
    ("day", "month", "year", "error"),
    [
        ("31", "2", "2010", "Date of birth must be a real date"),
        ("", "2", "2010", "Date of birth must include a day"),
        ("3", "", "", "Date of birth must include a month and year"),
        ("3", "x", "2010", "Date of birth must be a real date"),
        ("3", "4", "10", "Year must include 4 numbers"),
        ("", "", "", "This field is required."),
    ],
)
def test_date_mistakes(day: str, month: str, year: str, error: str) -> None:
    form = DateForm({"when_day": day, "when_month": month, "when_year": year})
    assert not form.is_valid()
    assert form.errors["when"] == [error]
    html = str(form)
    assert "govuk-date-input" in html and "govuk-input--error" in html
    anchor, message = form.error_summary_items()[0]
    assert message == error
    # The error summary must link to the first box as rendered, or the link goes nowhere.
    assert f'id="{anchor}"' in html and f'for="{anchor}"' in html


def test_a_real_date() -> None:
    form = DateForm({"when_day": "7", "when_month": "3", "when_year": "2011"})
    assert form.is_valid()
    assert form.cleaned_data["when"] == dt.date(2011, 3, 7)


def test_date_boxes_keep_their_widths() -> None:
    html = str(DateForm())
    assert html.count("govuk-input--width-2") == 2
    assert html.count("govuk-input--width-4") == 1


def test_multiple_choice_renders_checkboxes_not_radios() -> None:
    from django import forms as django_forms

    from contextsafe.forms import GovukForm

    class PickForm(GovukForm):
        colours = django_forms.MultipleChoiceField(
            choices=[("r", "Red"), ("g", "Green")], widget=django_forms.CheckboxSelectMultiple
        )

    html = str(PickForm())
    assert "govuk-checkboxes" in html and "govuk-radios" not in html
