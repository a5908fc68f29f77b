"""GOV.UK Frontend rendering for Django forms.

Django renders each field through ``forms/field.html``; the bound field below knows which GOV.UK
component a widget maps to and adds the component classes, the error modifier and the
``aria-describedby`` links. A few thin templates do the rest — no ported Nunjucks macros.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorList

BASE_CLASSES = {
    "text": "govuk-input",
    "password": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "file": "govuk-file-upload",
}
ERROR_CLASSES = {
    "text": "govuk-input--error",
    "password": "govuk-input--error",
    "textarea": "govuk-textarea--error",
    "select": "govuk-select--error",
    "file": "govuk-file-upload--error",
    "date": "govuk-input--error",
}


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def widget_kind(widget: forms.Widget) -> str:
    if isinstance(widget, GovukDateWidget):
        return "date"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it must be tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "text"


class GovukBoundField(forms.BoundField):
    @property
    def kind(self) -> str:
        return widget_kind(self.field.widget)

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def is_fieldset(self) -> bool:
        return self.kind in {"radios", "checkboxes", "date"}

    @property
    def error_anchor(self) -> str:
        """The element the error summary links to: the first input of a group."""
        if self.kind == "date":
            return f"{self.auto_id}_0"  # MultiWidget numbers its boxes
        if self.kind in {"radios", "checkboxes"}:
            return f"{self.auto_id}_0"
        return self.auto_id

    def described_by(self) -> str:
        ids = []
        if self.help_text:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        kind = widget_kind(widget)
        # These attrs replace the widget's own, so keep the widget's width classes too.
        own = str(widget.attrs.get("class", ""))
        classes: list[str] = [BASE_CLASSES.get(kind, ""), own, str(attrs.get("class", ""))]
        if self.errors:
            classes.append(ERROR_CLASSES.get(kind, ""))
        attrs["class"] = " ".join(c for c in classes if c)
        if kind not in {"radios", "checkboxes", "date"} and self.described_by():
            attrs["aria-describedby"] = self.described_by()
        return attrs


class GovukFormMixin:
    """Use GOV.UK bound fields and a plain error list for every form."""

    bound_field_class: type[forms.BoundField] | None = GovukBoundField
    # Filter forms leave this off: every filter is optional, so saying so is noise.
    mark_optional = True
    error_css_class = ""
    required_css_class = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", ErrorList)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def error_summary_items(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the GOV.UK error summary, in field order."""
        form: forms.BaseForm = self  # type: ignore[assignment]
        items: list[tuple[str, str]] = [("", str(error)) for error in form.non_field_errors()]
        for name in form.fields:
            if name in form.errors:
                bound = form[name]
                anchor = bound.error_anchor if isinstance(bound, GovukBoundField) else bound.auto_id
                items.extend((anchor, str(message)) for message in form.errors[name])
        return items


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass


class GovukDateWidget(forms.MultiWidget):
    """The GOV.UK date input: three boxes for day, month and year."""

    template_name = "forms/widgets/date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={**numeric, "class": "govuk-input--width-2"}),
            "month": forms.TextInput(attrs={**numeric, "class": "govuk-input--width-2"}),
            "year": forms.TextInput(attrs={**numeric, "class": "govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        has_error = "govuk-input--error" in (attrs or {}).get("class", "")
        # The field's own attrs replace each box's class when Django builds them, so the widths
        # are set here, by position.
        boxes = [("Day", "govuk-input--width-2"), ("Month", "govuk-input--width-2")]
        boxes.append(("Year", "govuk-input--width-4"))
        for (label, width), sub in zip(boxes, context["widget"]["subwidgets"], strict=True):
            sub["label"] = label
            classes = ["govuk-input", "govuk-date-input__input", width]
            if has_error:
                classes.append("govuk-input--error")
            sub["attrs"]["class"] = " ".join(c for c in classes if c)
        return context


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with the GOV.UK wording for each kind of mistake."""

    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> dt.date | None:
        if not data_list or not any(data_list):
            return None
        label = (self.label or "the date").lower()
        day, month, year = (str(v or "").strip() for v in data_list)
        missing = [name for name, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(
                f"{label.capitalize()} must include a {' and '.join(missing)}"
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{label.capitalize()} must be a real date")
        if len(year) != 4:
            raise forms.ValidationError("Year must include 4 numbers")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise forms.ValidationError(f"{label.capitalize()} must be a real date") from exc
