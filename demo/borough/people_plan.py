"""The people of the borough: who they are, who holds their records, and how to find them.

Planning happens in two passes. ``build_cast`` sketches everyone cheaply (kind, sex, age,
ethnicity, surname, family), because contexts, links and events need those facts for every
person. ``people_chunk`` then fills in one chunk of full records (names, identifiers, addresses,
shares) from its own random stream, so the county scale never holds 100,000 records at once.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from demo.borough import geography, names, staff
from demo.borough.rows import AddressRow, IdentifierRow, NameRow, PersonRow, ShareRow
from demo.borough.scales import Scale, stream
from demo.borough.timeline import ANCHOR, WINDOW_END, WINDOW_START
from people.codes import AgeBand, Flag, IdentifierScheme, PersonKind, Sex
from people.models import PersonName, RecordShare
from people.services import _valid_nhs_number

PEOPLE_CHUNK = 5_000

# Young people's ages at the anchor date: 10 to 25, most 13 to 17.
YOUNG_AGES = dict(
    zip(range(10, 26), (1, 2, 4, 8, 12, 15, 15, 12, 6, 4, 3, 2, 1.5, 1, 1, 1), strict=True)
)


@dataclass(slots=True)
class Sketch:
    """What the rest of the plan needs to know about a person before their record exists."""

    kind: str
    sex: str
    age: int  # in whole years at the anchor date
    ethnicity: str
    heritage: str
    family_name: str
    household: int  # people sharing a household share a home address


@dataclass(frozen=True)
class Cast:
    sketches: list[Sketch]
    young_people: range
    adults: range
    parents: range
    others: range
    children_of: dict[int, tuple[int, ...]]  # parent index -> their children's indexes
    parents_of: dict[int, tuple[int, ...]]  # young person's index -> parents' indexes


def _pick(rng: random.Random, values: list[str], cumulative: list[float]) -> str:
    index = bisect_right(cumulative, rng.random() * cumulative[-1])
    return values[min(index, len(values) - 1)]


def build_cast(scale: Scale, seed: int) -> Cast:
    rng = stream(seed, "cast")
    ethnicities = [e for e, _ in names.ETHNICITY_MIX]
    ethnicity_cumulative = list(accumulate(w for _, w in names.ETHNICITY_MIX))
    ages = list(YOUNG_AGES)
    age_cumulative = list(accumulate(YOUNG_AGES.values()))
    young = range(0, scale.young_people)
    adults = range(young.stop, young.stop + scale.adults_of_concern)
    parents = range(adults.stop, adults.stop + scale.parents_carers)
    others = range(parents.stop, parents.stop + scale.others)
    sketches: list[Sketch] = []

    def sketch(kind: str, sex: str, age: int, index: int) -> Sketch:
        ethnicity = _pick(rng, ethnicities, ethnicity_cumulative)
        heritage = names.heritage_for(rng, ethnicity)
        return Sketch(kind, sex, age, ethnicity, heritage, names.family_name(rng, heritage), index)

    for i in young:
        # More boys than girls among young people at risk of harm outside the home.
        roll = rng.random()
        sex = Sex.MALE if roll < 0.58 else Sex.FEMALE if roll < 0.99 else Sex.NOT_KNOWN
        age = ages[min(bisect_right(age_cumulative, rng.random() * age_cumulative[-1]), 15)]
        sketches.append(sketch(PersonKind.YOUNG_PERSON, sex, age, i))
    for i in adults:
        sex = Sex.MALE if rng.random() < 0.85 else Sex.FEMALE
        age = 18 + min(int(rng.expovariate(1 / 8)), 40)
        sketches.append(sketch(PersonKind.ADULT_OF_CONCERN, sex, age, i))

    # Parents and carers: each cares for one young person, sometimes two siblings, and shares
    # their home, their ethnicity and usually their surname.
    children_of: dict[int, tuple[int, ...]] = {}
    parents_of: dict[int, list[int]] = {}
    order = list(young)
    rng.shuffle(order)
    for n, i in enumerate(parents):
        child = order[n % len(order)] if order else None
        if child is None:
            sketches.append(sketch(PersonKind.PARENT_CARER, Sex.FEMALE, 40, i))
            continue
        children = [child]
        if rng.random() < 0.2 and len(order) > len(parents):
            sibling = order[-1 - n]
            if sibling not in children and sibling not in parents_of:
                children.append(sibling)
                first, other = sketches[child], sketches[sibling]
                other.ethnicity, other.heritage = first.ethnicity, first.heritage
                other.family_name, other.household = first.family_name, first.household
        first = sketches[child]
        sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
        age = first.age + rng.randint(19, 38)
        surname = (
            first.family_name if rng.random() < 0.75 else names.family_name(rng, first.heritage)
        )
        sketches.append(
            Sketch(
                PersonKind.PARENT_CARER,
                sex,
                age,
                first.ethnicity,
                first.heritage,
                surname,
                first.household,
            )
        )
        children_of[i] = tuple(children)
        for c in children:
            parents_of.setdefault(c, []).append(i)
    for i in others:
        sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        sketches.append(sketch(PersonKind.OTHER, sex, rng.randint(22, 60), i))
    return Cast(
        sketches,
        young,
        adults,
        parents,
        others,
        children_of,
        {k: tuple(v) for k, v in parents_of.items()},
    )


# --- Identifiers: unique per scheme because each is a bijection of the person's index ---------

_LETTERS_UPN = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _scramble(index: int, seed: int, modulus: int, salt: int) -> int:
    # Multiplying by a prime that does not divide the modulus permutes 0..modulus-1.
    return (index * 7_919 + seed * 104_729 + salt) % modulus


def nhs_number(index: int, seed: int) -> str | None:
    """A valid (modulus 11) NHS number in the 999 range, which the NHS keeps for testing."""
    for attempt in range(3):
        stem = f"999{_scramble(index * 3 + attempt, seed, 1_000_000, 17):06d}"
        total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
        value = stem + str((11 - total % 11) % 11)
        if _valid_nhs_number(value):  # a check digit of 10 means this stem is never issued
            return value
    return None  # rare: the record simply has no NHS number


def upn(index: int, seed: int) -> str:
    """A unique pupil number with a valid check letter, under the unused local authority 999."""
    body = f"999{_scramble(index, seed, 1_000_000_000, 31):09d}"
    total = sum(int(d) * w for d, w in zip(body, range(2, 14), strict=True))
    return _LETTERS_UPN[total % 23] + body


def police_nominal(index: int, seed: int) -> str:
    return f"VB{_scramble(index, seed, 10_000_000, 47):07d}"


def la_case_number(index: int, seed: int) -> str:
    return f"BKM{_scramble(index, seed, 1_000_000, 59):06d}"


# --- Full records -------------------------------------------------------------------------------


def _age_band(age: int) -> str:
    for limit, band in (
        (9, AgeBand.UNDER_10),
        (13, AgeBand.AGE_10_13),
        (15, AgeBand.AGE_14_15),
        (17, AgeBand.AGE_16_17),
        (21, AgeBand.AGE_18_21),
        (25, AgeBand.AGE_22_25),
    ):
        if age <= limit:
            return band
    return AgeBand.ADULT_26_PLUS


def _date_of_birth(rng: random.Random, age: int) -> dt.date:
    # Someone aged `age` on the anchor date was born in the year before they last turned it.
    start = ANCHOR.replace(year=ANCHOR.year - age - 1)
    return start + dt.timedelta(days=rng.randint(1, 365))


def _holding_agency(rng: random.Random, kind: str) -> str:
    roll = rng.random()
    if kind == PersonKind.YOUNG_PERSON:
        return (
            staff.CSC
            if roll < 0.7
            else staff.POLICE
            if roll < 0.82
            else staff.EDUCATION
            if roll < 0.92
            else staff.YOUTH_JUSTICE
        )
    if kind == PersonKind.ADULT_OF_CONCERN:
        return staff.POLICE if roll < 0.85 else staff.CSC
    if kind == PersonKind.PARENT_CARER:
        return staff.CSC if roll < 0.95 else staff.EDUCATION
    return staff.CSC


def _flags(rng: random.Random, age: int, holder: str) -> list[str]:
    flags = []
    looked_after = rng.random() < 0.1
    if age < 18:
        for flag, chance in ((Flag.CHILD_PROTECTION_PLAN, 0.08), (Flag.SEND, 0.15)):
            if rng.random() < chance:
                flags.append(flag)
        if looked_after:
            flags.append(Flag.LOOKED_AFTER)
    elif looked_after:
        flags.append(Flag.CARE_LEAVER)
    if rng.random() < 0.06:
        flags.append(Flag.NRM_REFERRAL)
    if holder == staff.YOUTH_JUSTICE or rng.random() < 0.04:
        flags.append(Flag.YOUTH_JUSTICE)
    return [str(f) for f in flags]


def _home(seed: int, household: int) -> tuple[str, str]:
    """(line 1, postcode) of a household's home: the same for everyone who lives there."""
    rng = stream(seed, "home", household)
    street = rng.choice(geography.streets())
    return f"{rng.randint(1, 160)} {street.name}", geography.postcode(rng, street)


def _identifiers(rng: random.Random, sketch: Sketch, index: int, seed: int) -> list[IdentifierRow]:
    rows = []
    young = sketch.kind == PersonKind.YOUNG_PERSON
    adult = sketch.kind == PersonKind.ADULT_OF_CONCERN
    if young and rng.random() < 0.85:
        rows.append(
            IdentifierRow(IdentifierScheme.LA_CASE_NUMBER, la_case_number(index, seed), staff.CSC)
        )
    nhs_chance = 0.7 if young else 0.3 if sketch.kind != PersonKind.OTHER else 0.0
    if rng.random() < nhs_chance and (value := nhs_number(index, seed)):
        rows.append(IdentifierRow(IdentifierScheme.NHS_NUMBER, value, staff.HEALTH))
    if young and sketch.age <= 19 and rng.random() < 0.8:
        rows.append(IdentifierRow(IdentifierScheme.UPN, upn(index, seed), staff.EDUCATION))
    if (young and rng.random() < 0.25) or (adult and rng.random() < 0.9):
        rows.append(
            IdentifierRow(
                IdentifierScheme.POLICE_NOMINAL, police_nominal(index, seed), staff.POLICE
            )
        )
    return rows


def _record_created(rng: random.Random) -> dt.datetime:
    # Most records predate the window or open during it; none after its last month.
    span = (WINDOW_END - WINDOW_START).days - 30 + 365
    return (
        WINDOW_START
        - dt.timedelta(days=365)
        + dt.timedelta(days=rng.randrange(span), hours=rng.randint(8, 18))
    )


def _shares(rng: random.Random, holder: str, created: dt.datetime) -> list[ShareRow]:
    shares = [ShareRow(holder, RecordShare.Route.HOLDER, "", staff.recorder(rng, holder), created)]
    if rng.random() < 0.35:
        partner = rng.choice(
            [a for a in (staff.CSC, staff.POLICE, staff.EDUCATION, staff.HEALTH) if a != holder]
        )
        shares.append(
            ShareRow(
                partner,
                RecordShare.Route.SHARED,
                rng.choice(
                    (
                        "Shared for a strategy meeting about exploitation concerns.",
                        "Shared so the partner agency can add what it knows.",
                        "Shared for the multi-agency exploitation panel.",
                        "Shared for joint work with the young person.",
                    )
                ),
                staff.recorder(rng, holder),
                created + dt.timedelta(days=rng.randint(1, 60)),
            )
        )
    return shares


def person_row(rng: random.Random, cast: Cast, index: int, seed: int) -> PersonRow:
    sketch = cast.sketches[index]
    given = names.given_name(rng, sketch.heritage, sketch.sex)
    young = sketch.kind == PersonKind.YOUNG_PERSON
    adult = sketch.kind == PersonKind.ADULT_OF_CONCERN
    unknown_dob = rng.random() < (0.08 if young else 0.25 if adult else 0.05)
    known = names.known_as(rng, given) if rng.random() < (0.25 if young else 0.1) else ""
    holder = _holding_agency(rng, sketch.kind)
    teams = staff.CASE_TEAMS.get(holder)
    created = _record_created(rng)
    language = "English"
    if sketch.kind in (PersonKind.YOUNG_PERSON, PersonKind.PARENT_CARER) and rng.random() < (
        0.15 if young else 0.4
    ):
        language = rng.choice(names.LANGUAGES[sketch.heritage])
    row = PersonRow(
        index=index,
        kind=sketch.kind,
        given_name=given,
        family_name=sketch.family_name,
        known_as=known,
        date_of_birth=None if unknown_dob else _date_of_birth(rng, sketch.age),
        age_band=_age_band(sketch.age) if unknown_dob else "",
        sex=sketch.sex,
        ethnicity=sketch.ethnicity,
        first_language=language,
        flags=_flags(rng, sketch.age, holder) if young else [],
        holding_agency=holder,
        owning_team=rng.choice(teams) if teams else None,
        created_by=staff.recorder(rng, holder),
        created_at=created,
    )
    row.names.append(NameRow(PersonName.Kind.LEGAL, row.full_name))
    if known:
        row.names.append(NameRow(PersonName.Kind.KNOWN_AS, known))
    alias_chance = 0.55 if adult else 0.1 if young else 0.0
    if rng.random() < alias_chance:
        for alias in rng.sample(names.ALIASES, rng.choice((1, 1, 2))):
            row.names.append(NameRow(PersonName.Kind.ALIAS, alias))
    row.identifiers = _identifiers(rng, sketch, index, seed)
    if rng.random() < 0.95:
        line_1, code = _home(seed, sketch.household)
        moved_in = created.date() - dt.timedelta(days=rng.randint(30, 2_000))
        if rng.random() < 0.25:
            previous_street = rng.choice(geography.streets())
            moved_out = moved_in
            row.addresses.append(
                AddressRow(
                    f"{rng.randint(1, 160)} {previous_street.name}",
                    geography.TOWN,
                    geography.postcode(rng, previous_street),
                    moved_out - dt.timedelta(days=rng.randint(200, 1_500)),
                    moved_out,
                    holder,
                )
            )
        row.addresses.append(AddressRow(line_1, geography.TOWN, code, moved_in, None, holder))
    row.shares = _shares(rng, holder, created)
    return row


def people_chunk(cast: Cast, seed: int, chunk: int) -> list[PersonRow]:
    """Full records for people chunk*PEOPLE_CHUNK onwards, from that chunk's own stream."""
    rng = stream(seed, "people", chunk)
    start = chunk * PEOPLE_CHUNK
    stop = min(start + PEOPLE_CHUNK, len(cast.sketches))
    return [person_row(rng, cast, i, seed) for i in range(start, stop)]


def chunk_count(total: int, size: int) -> int:
    return -(-total // size)
