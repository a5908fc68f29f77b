from __future__ import annotations

from typing import Any

from django import forms

from audit.models import AccessAction, record_kind
from audit.selectors import TrailFilter
from contextsafe.forms import GovukDateField, GovukForm


class TrailFilterForm(GovukForm):
    mark_optional = False
    username = forms.CharField(required=False, max_length=150, label="Username")
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AccessAction.choices], label="Action"
    )
    object_type = forms.ChoiceField(
        required=False, choices=[("", "Any record")], label="Record type"
    )
    object_id = forms.CharField(required=False, max_length=64, label="Record ID")
    date_from = GovukDateField(required=False, label="From", help_text="For example, 27 3 2026")
    date_to = GovukDateField(required=False, label="To")

    def __init__(self, *args: Any, object_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field: forms.ChoiceField = self.fields["object_type"]  # type: ignore[assignment]
        choice_field.choices = [("", "Any record"), *((t, record_kind(t)) for t in object_types)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return data

    def to_filter(self) -> TrailFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return TrailFilter(
            username=data.get("username", ""),
            action=data.get("action", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
