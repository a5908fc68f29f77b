"""The WSGI entry point a production server loads."""

from __future__ import annotations

import gc
import importlib

from django.core.handlers.wsgi import WSGIHandler


def test_the_entry_point_serves_django_and_tunes_the_collector() -> None:
    before = gc.get_threshold()
    try:
        wsgi = importlib.import_module("contextsafe.wsgi")
        assert isinstance(wsgi.application, WSGIHandler)
        assert gc.get_threshold() == (50_000, 20, 20)
        assert gc.get_freeze_count() > 0, "what start-up made is kept out of the collector"
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
