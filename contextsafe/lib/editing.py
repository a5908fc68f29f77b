"""Running a form's save through a service, turning service errors back into form errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import QueryDict

from contextsafe.lib.concurrency import EditConflict

CONFLICT_MESSAGE = (
    "Someone else saved changes to this record while you were editing it. Nothing you typed has "
    "been saved or lost: check the current details, then save again to replace them."
)


F = TypeVar("F", bound=forms.BaseForm)


@dataclass(frozen=True)
class SaveOutcome(Generic[F]):
    saved: bool
    form: F
    result: Any = None
    conflict: models.Model | None = None


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def save_form(
    form: F,
    save: Callable[[dict[str, Any]], Any],
    *,
    rebuild: Callable[[QueryDict], F] | None = None,
) -> SaveOutcome[F]:
    """Call ``save`` with the cleaned data.

    A service's ValidationError lands on the form's fields. An edit conflict rebuilds the form from
    what the person typed, now carrying the latest version, so saving again is a deliberate choice.
    """
    try:
        result = save(form.cleaned_data)
    except EditConflict as clash:
        if rebuild is None:
            raise
        data = form.data.copy()  # type: ignore[attr-defined]
        data["version"] = str(clash.current.version)  # type: ignore[attr-defined]
        fresh = rebuild(data)
        fresh.is_valid()
        fresh.add_error(None, CONFLICT_MESSAGE)
        return SaveOutcome(False, fresh, conflict=clash.current)
    except ValidationError as error:
        apply_service_errors(form, error)
        return SaveOutcome(False, form)
    return SaveOutcome(True, form, result=result)
