"""A deterministic, entirely fictional borough to demonstrate and load-test ContextSafe.

The package is split so that everything except ``generator`` is pure: given a scale and a seed,
the ``*_plan`` modules build plain rows without touching the database, which keeps the output
reproducible and testable. ``generator`` turns those rows into records in bulk.

Two kinds of thing are planted for tests and demos to find (``planted`` lists them): hotspots
and peer groups the partnership has already recorded as contexts (``context_plan``), and busy
places and groups of young people nobody has recorded yet (``unrecorded_plan``), which a queue
of suggested contexts must find from the events and associations alone.

Nothing is imported here on purpose: ``geography`` must stay usable without Django's app
registry (for example to draw ward boundaries).
"""
