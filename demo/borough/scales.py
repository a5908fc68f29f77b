"""How big a borough to generate, and the seeded random streams it is built from."""

from __future__ import annotations

import random
from dataclasses import dataclass

from demo.borough.geography import UNRECORDED_HOTSPOTS

DEFAULT_SEED = 2026


@dataclass(frozen=True)
class Scale:
    name: str
    young_people: int
    adults_of_concern: int
    parents_carers: int
    others: int
    locations: int
    peer_groups: int
    education_settings: int
    online_spaces: int
    events: int
    associations: int
    context_links: int
    # Events at each unrecorded hotspot (see ``unrecorded_plan``), out of ``events``: about what a
    # recorded hotspot gets, which is what Getis-Ord Gi* needs to call the cell hot at 99%.
    unrecorded_spot_events: int = 0

    @property
    def people(self) -> int:
        return self.young_people + self.adults_of_concern + self.parents_carers + self.others

    @property
    def contexts(self) -> int:
        return self.locations + self.peer_groups + self.education_settings + self.online_spaces

    @property
    def links(self) -> int:
        return self.associations + self.context_links

    @property
    def background_events(self) -> int:
        """Events drawn by ``event_plan``: all of them but those at the unrecorded hotspots."""
        return self.events - len(UNRECORDED_HOTSPOTS) * self.unrecorded_spot_events


SCALES: dict[str, Scale] = {
    # Small enough for a unit test, big enough that hotspots stand out from ordinary places.
    "tiny": Scale("tiny", 24, 5, 9, 2, 8, 3, 2, 1, 300, 50, 60, unrecorded_spot_events=50),
    # What a demo needs: a few hundred people, two years of events to browse and map.
    "demo": Scale(
        "demo", 300, 60, 120, 12, 40, 12, 8, 5, 3_000, 800, 700, unrecorded_spot_events=280
    ),
    # A county-sized load test: 100,000 people, a million events, half a million links. Ordinary
    # cells hold over a thousand events each here (the hospital tens of thousands), so a place
    # must be far busier to stand out.
    "county": Scale(
        "county",
        62_000,
        12_000,
        24_000,
        2_000,
        3_000,
        1_500,
        250,
        150,
        1_000_000,
        260_000,
        240_000,
        unrecorded_spot_events=40_000,
    ),
}


def stream(seed: int, name: str, chunk: int = 0) -> random.Random:
    """An independent random stream for one part of the plan.

    Each part (the cast, the contexts, each chunk of events) has its own stream, so a chunk can
    be rebuilt on its own and changing one part never shifts the numbers drawn by another. A
    string seed is hashed with SHA-512 by ``random``, so it does not depend on PYTHONHASHSEED.
    """
    # Synthetic demo data, never security: a seeded Mersenne Twister is exactly what we want.
    return random.Random(f"{seed}:{name}:{chunk}")  # noqa: S311
