"""The browser fixtures live in ``tests/browser.py`` (a plugin the root conftest loads once)."""

from tests.browser import axe_violations, screenshot

__all__ = ["axe_violations", "screenshot"]
