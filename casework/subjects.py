"""Records about one child (or other person) or about one context.

Contextual Safeguarding asks that a park, a peer group or a school can be the subject of a
contact, a meeting or a consultation, just as a child can. Every such record names exactly one
subject, and who may see it follows from that subject (see ``access.predicates``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agency
from contexts.models import Context
from people.models import Person


class SubjectRecord(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    context = models.ForeignKey(
        Context, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(context__isnull=True))
                | (Q(person__isnull=True) & Q(context__isnull=False)),
                name="%(app_label)s_%(class)s_one_subject",
            )
        ]

    @property
    def subject(self) -> Person | Context:
        return self.person if self.person_id else self.context  # type: ignore[return-value]

    @property
    def is_about_context(self) -> bool:
        return self.context_id is not None
