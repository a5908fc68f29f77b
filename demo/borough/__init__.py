"""A deterministic, entirely fictional borough to demonstrate and load-test ContextSafe.

The package is split so that everything except ``generator`` is pure: given a scale and a seed,
the ``*_plan`` modules build plain rows without touching the database, which keeps the output
reproducible and testable. ``generator`` turns those rows into records in bulk.

Nothing is imported here on purpose: ``geography`` must stay usable without Django's app
registry (for example to draw ward boundaries).
"""
