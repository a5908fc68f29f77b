"""Signals other apps listen to, so that events need not know who keeps figures about them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``events.services.event_record`` once the event and its people are saved (the people
# with ``bulk_create``, which sends no signal). Argument: ``event``.
event_recorded = Signal()
