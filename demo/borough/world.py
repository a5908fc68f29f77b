"""The whole plan of a borough except its streamed parts, and who is likely to turn up in events.

Some young people and adults appear in far more records than others (as in real case loads), so
each draws from a skewed activity weight; members of peer groups and the adults around them are
weighted up, which is what lets network analysis find the planted groups.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from demo.borough.context_plan import Places, build_places
from demo.borough.people_plan import Cast, build_cast
from demo.borough.scales import SCALES, Scale, stream
from people.codes import Sex


@dataclass(frozen=True)
class Pool:
    """People to draw from, each with a cumulative weight."""

    people: list[int]
    cumulative: list[float]

    def draw(self, rng: random.Random) -> int:
        index = bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.people[min(index, len(self.people) - 1)]

    def __bool__(self) -> bool:
        return bool(self.people)


@dataclass(frozen=True)
class World:
    scale: Scale
    seed: int
    cast: Cast
    places: Places
    boys: Pool
    girls: Pool
    young: Pool
    adults: Pool
    groups_of: dict[int, list[int]]  # young person's index -> their groups (in places.groups)


def _pool(people: list[int], weights: dict[int, float]) -> Pool:
    return Pool(people, list(accumulate(weights[p] for p in people)))


def plan_world(scale: Scale | str, seed: int) -> World:
    """Everything about the borough that is not streamed in chunks, built from the seed."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    cast = build_cast(scale, seed)
    places = build_places(scale, seed, cast)
    rng = stream(seed, "activity")
    groups_of: dict[int, list[int]] = {}
    group_adults: set[int] = set()
    for number, group in enumerate(places.groups):
        for member in group.members:
            groups_of.setdefault(member, []).append(number)
        group_adults.update(group.adults)
    weights: dict[int, float] = {}
    for i in cast.young_people:
        age = cast.sketches[i].age
        weight = min(rng.paretovariate(1.5), 25.0)
        weight *= 2.0 if i in groups_of else 1.0
        weight *= 0.3 if age < 12 else 0.5 if age > 21 else 1.0
        weights[i] = weight
    for i in cast.adults:
        weights[i] = min(rng.paretovariate(1.2), 50.0) * (3.0 if i in group_adults else 1.0)
    young = list(cast.young_people)
    return World(
        scale=scale,
        seed=seed,
        cast=cast,
        places=places,
        boys=_pool([i for i in young if cast.sketches[i].sex != Sex.FEMALE], weights),
        girls=_pool([i for i in young if cast.sketches[i].sex == Sex.FEMALE], weights),
        young=_pool(young, weights),
        adults=_pool(list(cast.adults), weights),
        groups_of=groups_of,
    )
