from __future__ import annotations

from django import forms

from contextsafe.forms import GovukForm


class WidthForm(GovukForm):
    code = forms.CharField(widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}))


def test_a_widget_keeps_its_width_class_and_gains_the_error_class() -> None:
    form = WidthForm({"code": ""})
    form.is_valid()
    html = str(form["code"])
    assert 'class="govuk-input govuk-input--width-5 govuk-input--error"' in html
    assert 'aria-describedby="id_code-error"' in html
