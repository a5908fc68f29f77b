"""URLs for long lists, reversed once instead of once per row."""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, reverse

_SAMPLE = 987654321


def url_around(
    name: str, sample: str | int = _SAMPLE, script_prefix: str | None = None
) -> tuple[str, str]:
    """A URL pattern's text before and after its one argument: ``f"{before}{pk}{after}"``.

    ``reverse`` per row cost more than building a map or network it links from. ``sample`` must
    be a valid argument that appears nowhere else in the URL (the default suits integer ids).
    A caller building many rows may pass ``get_script_prefix()`` read once (a thread-local)."""
    prefix = get_script_prefix() if script_prefix is None else script_prefix
    return _around(name, str(sample), prefix)


@functools.cache
def _around(name: str, sample: str, script_prefix: str) -> tuple[str, str]:
    # Keyed by the script prefix too: one process may serve under more than one.
    before, _, after = reverse(name, args=[sample]).partition(sample)
    return before, after
