"""The fixed, invented map of Brackenmoor: its rectangle, wards, hotspots and streets.

The borough sits at plausible WGS84 coordinates in the English Midlands but is fictional: every
ward, street, estate and park name here is invented. Besides the recorded hotspots (which become
location contexts) the map holds two unrecorded ones (``UNRECORDED_HOTSPOTS``): busy places no
context covers, for the suggested-contexts queue to find. The geography does not depend on the seed
(a seed changes who lives there and what happens, not the map), so ``ward_boundaries()`` is a
pure function that needs no database.

Coordinates follow GeoJSON: positions are [longitude, latitude]; functions that return a pair
for people to read return (latitude, longitude), as ``contexts.geo.centre`` does.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from functools import cache
from typing import Any

CENTRE_LAT = 52.2
CENTRE_LON = -0.9
WIDTH_M = 8_000
HEIGHT_M = 6_000
METRES_PER_DEGREE_LAT = 111_195.0
METRES_PER_DEGREE_LON = METRES_PER_DEGREE_LAT * math.cos(math.radians(CENTRE_LAT))
TOWN = "Brackenmoor"


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


# Rounded to the 6 decimal places (about 10 cm) every stored position uses, so the corners of the
# ward boundaries are exactly the corners of the borough.
BOROUGH = Bounds(
    south=round(CENTRE_LAT - HEIGHT_M / 2 / METRES_PER_DEGREE_LAT, 6),
    west=round(CENTRE_LON - WIDTH_M / 2 / METRES_PER_DEGREE_LON, 6),
    north=round(CENTRE_LAT + HEIGHT_M / 2 / METRES_PER_DEGREE_LAT, 6),
    east=round(CENTRE_LON + WIDTH_M / 2 / METRES_PER_DEGREE_LON, 6),
)

# Points are kept this far inside the boundary, so rounding never pushes one outside.
_MARGIN_DEG = 20 / METRES_PER_DEGREE_LAT


def offset(latitude: float, longitude: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point ``north_m`` metres north and ``east_m`` metres east of the given one."""
    return (
        latitude + north_m / METRES_PER_DEGREE_LAT,
        longitude + east_m / METRES_PER_DEGREE_LON,
    )


def clamp(latitude: float, longitude: float) -> tuple[float, float]:
    """The nearest point inside the borough (a jittered point near the edge stays inside)."""
    lat = min(max(latitude, BOROUGH.south + _MARGIN_DEG), BOROUGH.north - _MARGIN_DEG)
    lon = min(max(longitude, BOROUGH.west + _MARGIN_DEG), BOROUGH.east - _MARGIN_DEG)
    return round(lat, 6), round(lon, 6)


def random_point(rng: random.Random) -> tuple[float, float]:
    return clamp(rng.uniform(BOROUGH.south, BOROUGH.north), rng.uniform(BOROUGH.west, BOROUGH.east))


def point_near(
    rng: random.Random, latitude: float, longitude: float, radius_m: float
) -> tuple[float, float]:
    """A point spread evenly over the disc of ``radius_m`` around the given one."""
    distance = radius_m * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    return clamp(
        *offset(latitude, longitude, distance * math.cos(bearing), distance * math.sin(bearing))
    )


def square_around(latitude: float, longitude: float, half_m: float) -> dict[str, Any]:
    """A small GeoJSON Polygon (anticlockwise, closed) centred on the point."""
    south, west = offset(latitude, longitude, -half_m * 0.7, -half_m)
    north, east = offset(latitude, longitude, half_m * 0.7, half_m)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


# --- Wards --------------------------------------------------------------------------------------

WARD_COLUMNS = 4
WARD_ROWS = 3
WARD_NAMES = (
    # South row, west to east; then the middle row; then the north row.
    "Greyfallow",
    "Sallowmere",
    "Tansyford",
    "Ottermead",
    "Cindervale",
    "Brackenmoor Central",
    "Copperwell",
    "Quillhurst",
    "Wrenfold",
    "Thistlecombe",
    "Larkspur",
    "Bramblecote",
)
# Fixed, not the caller's seed: the map is the same whatever happens on it.
_MAP_SEED = "brackenmoor-map-v1"


@cache
def _grid_vertices() -> tuple[tuple[tuple[float, float], ...], ...]:
    """A grid of (lon, lat) corners with the inner ones nudged, so wards are not plain boxes.

    Corners on the boundary move only along it, so the wards still tile the rectangle exactly.
    """
    rng = random.Random(_MAP_SEED)  # noqa: S311 - a fixed shape, not security
    cell_lon = (BOROUGH.east - BOROUGH.west) / WARD_COLUMNS
    cell_lat = (BOROUGH.north - BOROUGH.south) / WARD_ROWS
    rows = []
    for r in range(WARD_ROWS + 1):
        row = []
        for c in range(WARD_COLUMNS + 1):
            lon = BOROUGH.west + c * cell_lon
            lat = BOROUGH.south + r * cell_lat
            if 0 < c < WARD_COLUMNS:
                lon += rng.uniform(-0.22, 0.22) * cell_lon
            if 0 < r < WARD_ROWS:
                lat += rng.uniform(-0.22, 0.22) * cell_lat
            row.append((lon, lat))
        rows.append(tuple(row))
    return tuple(rows)


@cache
def _edge_points(start: tuple[int, int], end: tuple[int, int]) -> tuple[tuple[float, float], ...]:
    """Two wiggles along the edge between grid corners, shared by the wards on either side."""
    if end < start:
        return tuple(reversed(_edge_points(end, start)))
    grid = _grid_vertices()
    (r0, c0), (r1, c1) = start, end
    x0, y0 = grid[r0][c0]
    x1, y1 = grid[r1][c1]
    on_boundary = (r0 == r1 and r0 in (0, WARD_ROWS)) or (c0 == c1 and c0 in (0, WARD_COLUMNS))
    rng = random.Random(f"{_MAP_SEED}:{start}:{end}")  # noqa: S311
    points = []
    for t in (1 / 3, 2 / 3):
        x, y = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        if not on_boundary:
            # Push sideways, perpendicular to the edge, by up to 8% of its length.
            push = rng.uniform(-0.08, 0.08)
            x, y = x - (y1 - y0) * push, y + (x1 - x0) * push
        points.append((x, y))
    return tuple(points)


@cache
def ward_rings() -> tuple[tuple[tuple[float, float], ...], ...]:
    """Each ward's boundary as a closed, anticlockwise ring of (lon, lat), in WARD_NAMES order."""
    grid = _grid_vertices()
    rings = []
    for r in range(WARD_ROWS):
        for c in range(WARD_COLUMNS):
            corners = [(r, c), (r, c + 1), (r + 1, c + 1), (r + 1, c)]
            ring: list[tuple[float, float]] = []
            for i, corner in enumerate(corners):
                ring.append(grid[corner[0]][corner[1]])
                ring.extend(_edge_points(corner, corners[(i + 1) % 4]))
            ring.append(ring[0])
            rings.append(tuple((round(x, 6), round(y, 6)) for x, y in ring))
    return tuple(rings)


def ward_boundaries() -> dict[str, Any]:
    """The wards as a GeoJSON FeatureCollection (WGS84). A fresh dict each call, safe to change."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"W{number:02d}",
                "properties": {"code": f"W{number:02d}", "name": name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[lon, lat] for lon, lat in ring]],
                },
            }
            for number, (name, ring) in enumerate(zip(WARD_NAMES, ward_rings(), strict=True), 1)
        ],
    }


def _inside(ring: tuple[tuple[float, float], ...], latitude: float, longitude: float) -> bool:
    inside = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > latitude) != (y1 > latitude) and longitude < x0 + (latitude - y0) * (x1 - x0) / (
            y1 - y0
        ):
            inside = not inside
    return inside


def ward_at(latitude: float, longitude: float) -> int | None:
    """The index (into WARD_NAMES) of the ward containing the point, or None outside."""
    for index, ring in enumerate(ward_rings()):
        if _inside(ring, latitude, longitude):
            return index
    return None


# --- Hotspots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hotspot:
    """A place planted to draw far more events than anywhere else, for mapping to find."""

    name: str
    location_type: str  # a contexts.models.LocationType value
    latitude: float
    longitude: float
    radius_m: int
    address: str
    description: str
    area_half_m: int = 0  # > 0: drawn as a small polygon rather than a point

    def geometry(self) -> dict[str, Any]:
        if self.area_half_m:
            return square_around(self.latitude, self.longitude, self.area_half_m)
        return {"type": "Point", "coordinates": [self.longitude, self.latitude]}


def _hotspot(
    name: str,
    location_type: str,
    north_m: float,
    east_m: float,
    radius_m: int,
    address: str,
    description: str,
    area_half_m: int = 0,
) -> Hotspot:
    lat, lon = offset(CENTRE_LAT, CENTRE_LON, north_m, east_m)
    return Hotspot(
        name,
        location_type,
        round(lat, 6),
        round(lon, 6),
        radius_m,
        address,
        description,
        area_half_m,
    )


HOTSPOTS: tuple[Hotspot, ...] = (
    _hotspot(
        "Brackenmoor Interchange",
        "transport_hub",
        100,
        50,
        150,
        "Station Approach, Brackenmoor",
        "Bus and rail interchange; young people wait here late into the evening.",
    ),
    _hotspot(
        "Sallowmere Parade takeaways",
        "shop_takeaway",
        -700,
        -850,
        120,
        "Sallowmere Parade, Brackenmoor",
        "A row of late-opening takeaways and a car park behind them.",
    ),
    _hotspot(
        "Larkspur Rise stairwells",
        "estate_stairwell",
        1_500,
        1_650,
        120,
        "Larkspur Rise estate, Brackenmoor",
        "Communal stairwells and the walkway between the three blocks.",
    ),
    _hotspot(
        "Brackenmoor Common",
        "park",
        -1_650,
        2_050,
        250,
        "Brackenmoor Common, off Heronfield Lane",
        "Open space with a skate park and an unlit path along the brook.",
        area_half_m=200,
    ),
)

# Places where a lot happens that nobody has recorded as a location context yet: the
# "suggested contexts" queue must find them from the events alone. Each is more than 1.5 km from
# the recorded hotspots and, with the default seed, more than 600 m from any location context,
# so a hot H3 cell there is not covered by anything on record. Not in HOTSPOTS on purpose: every
# place in HOTSPOTS becomes a context, and events "near" a hotspot are drawn from HOTSPOTS only.
UNRECORDED_HOTSPOTS: tuple[Hotspot, ...] = (
    _hotspot(
        "Underpass beneath the Greyfallow ring road",
        "transport_hub",
        -1_300,
        -2_600,
        90,
        "Greyfallow ring road, Brackenmoor",
        "Pedestrian underpass under the ring road, unlit, with a cut-through to the allotments.",
    ),
    _hotspot(
        "Car park behind Fenwhistle Retail Park",
        "other",
        -400,
        3_300,
        110,
        "Fenwhistle Retail Park, Quillhurst, Brackenmoor",
        "Top deck of the car park behind the retail park, empty after the shops close.",
    ),
)

HOSPITAL_NAME = "Brackenmoor General Hospital emergency department"
HOSPITAL = tuple(round(v, 6) for v in offset(CENTRE_LAT, CENTRE_LON, 900, -1_900))


# --- Streets and postcodes ---------------------------------------------------------------------

# Invented stems: plants, birds and made-up words, chosen not to be the name of a real town.
STREET_STEMS = (
    "Larkspur",
    "Teasel",
    "Burdock",
    "Campion",
    "Sorrel",
    "Yarrow",
    "Tansy",
    "Mallow",
    "Nettlebank",
    "Harebell",
    "Dunnock",
    "Linnet",
    "Plover",
    "Kestrel",
    "Heronfield",
    "Sallowmere",
    "Copperwell",
    "Cindervale",
    "Wrenfold",
    "Thistlecombe",
    "Quillhurst",
    "Ottermead",
    "Tansyford",
    "Greyfallow",
    "Bramblecote",
    "Damsonfield",
    "Mallowfield",
    "Sorrelby",
    "Linden",
    "Caddisford",
    "Gorsemere",
    "Wickerham",
    "Tumbleford",
    "Rookhollow",
    "Elderwick",
    "Merrowdene",
    "Kestrelby",
    "Foxglove",
    "Juniper",
    "Cobblestow",
)
STREET_SUFFIXES = (
    "Road",
    "Street",
    "Close",
    "Way",
    "Lane",
    "Avenue",
    "Crescent",
    "Rise",
    "Walk",
    "Gardens",
    "Terrace",
    "Drive",
    "Court",
    "Grove",
)
STREETS_PER_WARD = 20
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Street:
    name: str
    ward: int
    latitude: float
    longitude: float

    @property
    def postcode_district(self) -> str:
        # "BK" is not a real postcode area, so no address here can be mistaken for a real one.
        return f"BK{self.ward + 1}"


def _point_in_ward(rng: random.Random, ward: int) -> tuple[float, float]:
    ring = ward_rings()[ward]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    while True:
        lat, lon = clamp(rng.uniform(min(lats), max(lats)), rng.uniform(min(lons), max(lons)))
        if ward_at(lat, lon) == ward:
            return lat, lon


@cache
def streets() -> tuple[Street, ...]:
    """Twenty invented streets per ward, each with a point to place homes and sightings."""
    rng = random.Random(f"{_MAP_SEED}:streets")  # noqa: S311
    names = [f"{stem} {suffix}" for stem in STREET_STEMS for suffix in STREET_SUFFIXES]
    rng.shuffle(names)
    result = []
    for ward in range(len(WARD_NAMES)):
        for _ in range(STREETS_PER_WARD):
            lat, lon = _point_in_ward(rng, ward)
            result.append(Street(names.pop(), ward, lat, lon))
    return tuple(result)


def postcode(rng: random.Random, street: Street) -> str:
    letters = rng.choice(_POSTCODE_LETTERS) + rng.choice(_POSTCODE_LETTERS)
    return f"{street.postcode_district} {rng.randint(1, 9)}{letters}"
