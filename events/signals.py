"""Signals other apps listen to, so that events need not know who keeps figures about them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``events.services.event_record`` once the event and its people are saved (the people
# with ``bulk_create``, which sends no signal). Argument: ``event``.
event_recorded = Signal()

# Set on an Event that ``event_record`` is about to create: ``event_recorded`` follows once its
# people are added, so a receiver of the creating ``post_save`` may leave its work until then.
PEOPLE_FOLLOW = "_people_follow"
