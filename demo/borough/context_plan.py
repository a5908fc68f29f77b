"""The contexts of the borough: places, peer groups, education settings and online spaces.

Locations cluster around the planted hotspots; peer groups overlap (some young people belong to
two) and each meets at a base location, often a hotspot, with an adult of concern around some.
Everything planted here is on record as a context; what nobody has recorded yet (busy places
with no location context, groups in no peer-group context) is planted by ``unrecorded_plan``.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from contexts.geo import centre
from contexts.models import ContextKind, ContextStatus, LocationType, SettingType
from demo.borough import geography, staff
from demo.borough.people_plan import Cast
from demo.borough.rows import ContextRow, TeamName
from demo.borough.scales import Scale, stream
from demo.borough.timeline import WINDOW_START, day_in_window, noon
from events.models import HarmType
from people.codes import Sex

# How much more often an event happens at a planted hotspot, or at a place near one, than at an
# ordinary location. Big enough for mapping and network analysis to find them at every scale.
HOTSPOT_WEIGHT = 12.0
NEAR_HOTSPOT_WEIGHT = 2.0
# Planted peer groups (listed in the summary) meet far more often than background groups.
PLANTED_GROUPS = 12
PLANTED_GROUP_WEIGHT = 3.0

STATUS_MIX = (
    (ContextStatus.NOTED, 0.4),
    (ContextStatus.UNDER_ASSESSMENT, 0.25),
    (ContextStatus.ON_PLAN, 0.2),
    (ContextStatus.CLOSED, 0.15),
)

# Location types of ordinary (not planted) places, with invented names built on a street.
LOCATION_NAMES: dict[str, tuple[str, ...]] = {
    LocationType.PARK: (
        "{stem} Park",
        "{stem} playing fields",
        "Play area off {street}",
        "Path along the brook behind {street}",
    ),
    LocationType.TRANSPORT_HUB: (
        "Bus stop on {street}",
        "Underpass at {street}",
        "Footbridge over the railway at {street}",
        "Cycle path behind {street}",
    ),
    LocationType.SHOP_TAKEAWAY: (
        "Takeaway on {street}",
        "Convenience store on {street}",
        "Chicken shop on {street}",
        "Car park behind the shops on {street}",
        "Vape shop on {street}",
    ),
    LocationType.ESTATE_STAIRWELL: (
        "{stem} House stairwell",
        "Garages behind {street}",
        "{stem} Court walkways",
        "Bin store at {stem} House",
    ),
    LocationType.SHORT_LET_HOTEL: (
        "Short-let flat on {street}",
        "Budget hotel near {street}",
        "Guest house on {street}",
    ),
    LocationType.SCHOOL_SURROUNDINGS: (
        "Alleyway near the school on {street}",
        "Bus stop outside the school on {street}",
    ),
    LocationType.OTHER: (
        "Lock-up garages on {street}",
        "Allotments off {street}",
        "Hand car wash on {street}",
        "Empty pub on {street}",
    ),
}
LOCATION_MIX = (
    (LocationType.PARK, 0.18),
    (LocationType.TRANSPORT_HUB, 0.16),
    (LocationType.SHOP_TAKEAWAY, 0.22),
    (LocationType.ESTATE_STAIRWELL, 0.18),
    (LocationType.SHORT_LET_HOTEL, 0.08),
    (LocationType.SCHOOL_SURROUNDINGS, 0.08),
    (LocationType.OTHER, 0.10),
)
LOCATION_DESCRIPTIONS: dict[str, str] = {
    LocationType.PARK: "Open space where young people gather after dark.",
    LocationType.TRANSPORT_HUB: "Route young people use to travel across the borough.",
    LocationType.SHOP_TAKEAWAY: "Late-opening premises where older males have been seen.",
    LocationType.ESTATE_STAIRWELL: "Communal area with little natural surveillance.",
    LocationType.SHORT_LET_HOTEL: "Where young people have been found after going missing.",
    LocationType.SCHOOL_SURROUNDINGS: "Where young people are approached at the end of the day.",
    LocationType.OTHER: "Place mentioned in return home interviews.",
}
LOCATION_TEAMS: dict[str, tuple[TeamName, ...]] = {
    LocationType.PARK: (staff.PARKS_TEAM, staff.EXPLOITATION_TEAM),
    LocationType.TRANSPORT_HUB: (staff.NEIGHBOURHOOD_TEAM,),
    LocationType.SHOP_TAKEAWAY: (staff.LICENSING_TEAM, staff.POLICE_CE_TEAM),
    LocationType.ESTATE_STAIRWELL: (staff.NEIGHBOURHOOD_TEAM, staff.EXPLOITATION_TEAM),
    LocationType.SHORT_LET_HOTEL: (staff.LICENSING_TEAM, staff.POLICE_CE_TEAM),
    LocationType.SCHOOL_SURROUNDINGS: (staff.INCLUSION_TEAM,),
    LocationType.OTHER: (staff.EXPLOITATION_TEAM,),
}

# Harm each peer group is mainly exposed to, and the share of girls among its members.
GROUP_HARMS = (
    (HarmType.CCE, 0.35, 0.15),
    (HarmType.COUNTY_LINES, 0.2, 0.1),
    (HarmType.SERIOUS_YOUTH_VIOLENCE, 0.25, 0.15),
    (HarmType.CSE, 0.2, 0.75),
)
GROUP_CONCERNS = {
    HarmType.CCE: "Concern that members are being criminally exploited by older males.",
    HarmType.COUNTY_LINES: "Concern that an adult is sending members out of the area.",
    HarmType.SERIOUS_YOUTH_VIOLENCE: "Members have been hurt in fights with another group.",
    HarmType.CSE: "Concern that older males are sexually exploiting some members.",
}
GROUP_NAMES = (
    "Young people who meet at {base}",
    "{ward} friendship group",
    "Group seen together at {base}",
    "{ward} young people's group",
)

ONLINE_PLATFORMS = (
    "a messaging app",
    "a gaming platform",
    "a short-video app",
    "a photo-sharing app",
    "an anonymous chat site",
)
ONLINE_SPACES = (
    "'{ward} lot' group chat",
    "'{stem} girls' group chat",
    "'Quick cash' channel",
    "'Late night' voice server",
    "'{stem} squad' group chat",
    "Live streams from {ward}",
)

SCHOOL_NAMES = ("{stem} Academy", "{stem} High School", "{stem} School", "{stem} Park Academy")


@dataclass(slots=True)
class PeerGroup:
    context: int  # index of the peer group's context row
    members: list[int]  # young people's indexes
    adults: list[int]  # adults of concern around the group
    base: int  # index of the location context where it meets
    harm: str
    girls_share: float
    planted: bool


@dataclass(frozen=True)
class Places:
    contexts: list[ContextRow]
    locations: list[int]
    location_cumulative: list[float]  # for weighted draws over `locations`
    hotspots: list[int]  # context indexes, in geography.HOTSPOTS order
    groups: list[PeerGroup]
    group_cumulative: list[float]
    settings: list[int]
    online: list[int]
    school_of: list[int]  # per young person: context index of their setting, or -1

    def draw_location(self, rng: random.Random) -> int:
        """A location context, hotspots and the places near them more likely than others."""
        pick = bisect_right(self.location_cumulative, rng.random() * self.location_cumulative[-1])
        return self.locations[min(pick, len(self.locations) - 1)]


def _choose(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    roll, total = rng.random(), 0.0
    for value, share in mix:
        total += share
        if roll < total:
            return value
    return mix[-1][0]


def _created(rng: random.Random) -> dt.datetime:
    return noon(day_in_window(rng)) - dt.timedelta(days=200)


class _Namer:
    """Unique names: a place met twice gets its second name from another street."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(
        self, rng: random.Random, templates: tuple[str, ...], **slots: str
    ) -> tuple[str, geography.Street]:
        """A new name from one of the templates, and the street it was built on."""
        for _ in range(20):
            street = rng.choice(geography.streets())
            values = {
                "street": street.name,
                "stem": rng.choice(geography.STREET_STEMS),
                "ward": geography.WARD_NAMES[street.ward],
                **slots,
            }
            name = rng.choice(templates).format(**values)
            if name not in self.seen:
                self.seen.add(name)
                return name, street
        # Twenty near misses: number this one rather than loop for ever.
        base, number = name, 2
        while name in self.seen:
            name, number = f"{base} ({number})", number + 1
        self.seen.add(name)
        return name, street


def _team_user(rng: random.Random, team: TeamName) -> str | None:
    return staff.recorder(rng, team[0])


def _locations(
    rng: random.Random, scale: Scale, namer: _Namer, rows: list[ContextRow]
) -> tuple[list[int], list[float], list[int]]:
    indexes, weights, hotspots = [], [], []
    for spot in geography.HOTSPOTS[: scale.locations]:
        teams = LOCATION_TEAMS[spot.location_type]
        namer.seen.add(spot.name)
        rows.append(
            ContextRow(
                index=len(rows),
                kind=ContextKind.LOCATION,
                name=spot.name,
                description=spot.description,
                status=rng.choice((ContextStatus.ON_PLAN, ContextStatus.UNDER_ASSESSMENT)),
                owning_team=teams[0],
                created_by=_team_user(rng, teams[0]),
                created_at=noon(WINDOW_START.date()) - dt.timedelta(days=rng.randint(30, 300)),
                location_type=spot.location_type,
                geometry=spot.geometry(),
                latitude=spot.latitude,
                longitude=spot.longitude,
                address=spot.address,
            )
        )
        hotspots.append(len(rows) - 1)
        indexes.append(len(rows) - 1)
        weights.append(HOTSPOT_WEIGHT)
    for _ in range(scale.locations - len(hotspots)):
        location_type = _choose(rng, LOCATION_MIX)
        near = rng.random() < 0.5
        if near:
            spot = rng.choice(geography.HOTSPOTS)
            lat, lon = geography.point_near(rng, spot.latitude, spot.longitude, 400)
        else:
            lat, lon = geography.random_point(rng)
        name, street = namer(rng, LOCATION_NAMES[location_type])
        geometry: dict[str, object]
        if location_type in (LocationType.PARK, LocationType.ESTATE_STAIRWELL) and (
            rng.random() < 0.5
        ):
            geometry = geography.square_around(lat, lon, rng.randint(40, 150))
            lat, lon = centre(geometry)
        else:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        team = rng.choice(LOCATION_TEAMS[location_type])
        rows.append(
            ContextRow(
                index=len(rows),
                kind=ContextKind.LOCATION,
                name=name,
                description=LOCATION_DESCRIPTIONS[location_type],
                status=_choose(rng, STATUS_MIX),
                owning_team=team,
                created_by=_team_user(rng, team),
                created_at=_created(rng),
                location_type=location_type,
                geometry=geometry,
                latitude=lat,
                longitude=lon,
                address=f"{street.name}, {geography.TOWN} {street.postcode_district}",
            )
        )
        indexes.append(len(rows) - 1)
        weights.append(NEAR_HOTSPOT_WEIGHT if near else 1.0)
    return indexes, list(accumulate(weights)), hotspots


def _setting_name(rng: random.Random, setting_type: str) -> str:
    stem = rng.choice(geography.STREET_STEMS)
    if setting_type == SettingType.PRU:
        return f"{stem} Learning Centre"
    if setting_type == SettingType.COLLEGE:
        return f"{stem} Sixth Form College"
    return rng.choice(SCHOOL_NAMES).format(stem=stem)


def _settings(rng: random.Random, scale: Scale, seed: int, rows: list[ContextRow]) -> list[int]:
    indexes = []
    used: set[str] = set()
    setting_type: str
    for n in range(scale.education_settings):
        # The first three are fixed so the demo always has a school, a college and a PRU, and
        # the school is the one the demo DSL works in.
        if n == 0:
            name, setting_type = "Hollins Park Academy", SettingType.SCHOOL
        elif n == 1:
            name, setting_type = f"{geography.TOWN} College", SettingType.COLLEGE
        elif n == 2:
            name, setting_type = f"{geography.TOWN} Learning Centre", SettingType.PRU
        else:
            setting_type = _choose(
                rng,
                ((SettingType.SCHOOL, 0.75), (SettingType.PRU, 0.1), (SettingType.COLLEGE, 0.15)),
            )
            name = _setting_name(rng, setting_type)
            for _ in range(20):  # another stem if the name is taken
                if name not in used:
                    break
                name = _setting_name(rng, setting_type)
        base, number = name, 2
        while name in used:
            name, number = f"{base} ({number})", number + 1
        used.add(name)
        street = rng.choice(geography.streets())
        lat, lon = geography.point_near(rng, street.latitude, street.longitude, 100)
        rows.append(
            ContextRow(
                index=len(rows),
                kind=ContextKind.EDUCATION_SETTING,
                name=name,
                description="Education setting attended by young people known to the partnership.",
                status=_choose(rng, STATUS_MIX),
                owning_team=staff.INCLUSION_TEAM,
                created_by=_team_user(rng, staff.INCLUSION_TEAM),
                created_at=_created(rng),
                geometry={"type": "Point", "coordinates": [lon, lat]},
                latitude=lat,
                longitude=lon,
                address=f"{street.name}, {geography.TOWN} {street.postcode_district}",
                setting_type=setting_type,
                # URNs from 900000 up: invented, above the range real schools have been given.
                urn=str(900_000 + (n * 7_919 + seed) % 100_000),
            )
        )
        indexes.append(len(rows) - 1)
    return indexes


def _online(rng: random.Random, scale: Scale, namer: _Namer, rows: list[ContextRow]) -> list[int]:
    indexes = []
    for _ in range(scale.online_spaces):
        platform = rng.choice(ONLINE_PLATFORMS)
        space, _street = namer(rng, ONLINE_SPACES)
        team = rng.choice((staff.POLICE_CE_TEAM, staff.EXPLOITATION_TEAM))
        rows.append(
            ContextRow(
                index=len(rows),
                kind=ContextKind.ONLINE_SPACE,
                name=f"{space} on {platform}",
                description="Online space where young people have been contacted by adults.",
                status=_choose(rng, STATUS_MIX),
                owning_team=team,
                created_by=_team_user(rng, team),
                created_at=_created(rng),
                platform=platform,
                space=space,
            )
        )
        indexes.append(len(rows) - 1)
    return indexes


def _groups(
    rng: random.Random,
    scale: Scale,
    cast: Cast,
    namer: _Namer,
    rows: list[ContextRow],
    locations: list[int],
    location_cumulative: list[float],
    hotspots: list[int],
) -> list[PeerGroup]:
    # Members are drawn from young people aged 12 to 19, without repeats, boys and girls apart.
    pools: dict[str, list[int]] = {Sex.MALE: [], Sex.FEMALE: []}
    for i in cast.young_people:
        sketch = cast.sketches[i]
        if 12 <= sketch.age <= 19:
            pools[Sex.FEMALE if sketch.sex == Sex.FEMALE else Sex.MALE].append(i)
    for pool in pools.values():
        rng.shuffle(pool)
    adults = list(cast.adults)
    groups: list[PeerGroup] = []
    in_two: set[int] = set()
    for n in range(scale.peer_groups):
        planted = n < PLANTED_GROUPS
        harm, _share, girls = rng.choices(GROUP_HARMS, weights=[h[1] for h in GROUP_HARMS])[0]
        size = rng.randint(4, 6) if scale.young_people < 100 else rng.randint(4, 9)
        members: list[int] = []
        for _ in range(size):
            pool = pools[Sex.FEMALE if rng.random() < girls else Sex.MALE] or pools[Sex.MALE]
            if pool:
                members.append(pool.pop())
        in_one_group = [m for m in groups[-1].members if m not in in_two] if groups else []
        if in_one_group and rng.random() < 0.6:
            # Overlap: someone from the previous group spends time with this one too (no one is
            # in more than two groups).
            shared = rng.choice(in_one_group)
            if shared not in members:
                members.append(shared)
                in_two.add(shared)
        if planted and n < len(hotspots):
            base = hotspots[n % len(hotspots)]
        elif planted and hotspots and rng.random() < 0.5:
            base = rng.choice(hotspots)
        else:
            pick = bisect_right(location_cumulative, rng.random() * location_cumulative[-1])
            base = locations[min(pick, len(locations) - 1)]  # as Places.draw_location
        count = 1 if planted else rng.choice((0, 0, 1, 1, 2))
        group_adults = rng.sample(adults, min(count, len(adults)))
        ward = geography.WARD_NAMES[geography.ward_at(*_position(rows[base])) or 0]
        name, _street = namer(rng, GROUP_NAMES, base=rows[base].name, ward=ward)
        team = rng.choice((staff.EXPLOITATION_TEAM, staff.DETACHED_TEAM, staff.POLICE_CE_TEAM))
        rows.append(
            ContextRow(
                index=len(rows),
                kind=ContextKind.PEER_GROUP,
                name=name,
                description=f"Friendship group of {len(members)} young people. "
                f"{GROUP_CONCERNS[harm]}",
                status=ContextStatus.ON_PLAN if planted else _choose(rng, STATUS_MIX),
                owning_team=team,
                created_by=_team_user(rng, team),
                created_at=_created(rng),
            )
        )
        groups.append(PeerGroup(len(rows) - 1, members, group_adults, base, harm, girls, planted))
    return groups


def _position(row: ContextRow) -> tuple[float, float]:
    return (row.latitude or geography.CENTRE_LAT, row.longitude or geography.CENTRE_LON)


def _school_of(
    rng: random.Random, cast: Cast, rows: list[ContextRow], settings: list[int]
) -> list[int]:
    by_type: dict[str, list[int]] = {}
    for i in settings:
        by_type.setdefault(rows[i].setting_type, []).append(i)
    result = []
    for i in cast.young_people:
        age = cast.sketches[i].age
        if not settings or age > 18 or rng.random() < 0.1:
            result.append(-1)
            continue
        wanted = (
            SettingType.PRU
            if rng.random() < 0.1
            else SettingType.COLLEGE
            if age >= 16 and rng.random() < 0.6
            else SettingType.SCHOOL
        )
        result.append(rng.choice(by_type.get(wanted) or settings))
    return result


def build_places(scale: Scale, seed: int, cast: Cast) -> Places:
    rng = stream(seed, "contexts")
    namer = _Namer()
    rows: list[ContextRow] = []
    locations, location_cumulative, hotspots = _locations(rng, scale, namer, rows)
    settings = _settings(rng, scale, seed, rows)
    online = _online(rng, scale, namer, rows)
    groups = _groups(rng, scale, cast, namer, rows, locations, location_cumulative, hotspots)
    # A group too small to be seen together (a very small borough ran out of young people) never
    # hosts a group event.
    group_cumulative = list(
        accumulate(
            0.0 if len(g.members) < 2 else PLANTED_GROUP_WEIGHT if g.planted else 1.0
            for g in groups
        )
    )
    school_of = _school_of(stream(seed, "schools"), cast, rows, settings)
    return Places(
        rows,
        locations,
        location_cumulative,
        hotspots,
        groups,
        group_cumulative,
        settings,
        online,
        school_of,
    )
