"""Mapping: location hotspots and (later) peer networks, read through other apps' selectors."""
