"""Optimistic locking: an edit saves only if nobody else saved the record since it was read."""

from __future__ import annotations

from django.db import models
from django.db.models import F


class EditConflict(Exception):
    """Someone else saved the record after this editor opened it."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("The record was changed by someone else.")
        self.current = current


def save_versioned(obj: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` of ``obj`` and bump its version, or raise EditConflict.

    The check and the write are one UPDATE ... WHERE version = expected, so two concurrent saves
    can never both succeed.
    """
    model = type(obj)
    values = {name: getattr(obj, name) for name in fields}
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise EditConflict(model._default_manager.get(pk=obj.pk))
    obj.version = expected_version + 1  # type: ignore[attr-defined]
