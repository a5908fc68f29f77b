"""Plain rows the plan builds and the generator writes.

People and contexts are referred to by their index in the plan, agencies, teams and users by
name, so rows can be built, compared and tested without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

TeamName = tuple[str, str]  # (agency name, team name)


@dataclass(slots=True)
class NameRow:
    kind: str  # a PersonName.Kind value
    name: str


@dataclass(slots=True)
class IdentifierRow:
    scheme: str
    value: str
    agency: str


@dataclass(slots=True)
class AddressRow:
    line_1: str
    town: str
    postcode: str
    moved_in: dt.date | None
    moved_out: dt.date | None
    agency: str


@dataclass(slots=True)
class ShareRow:
    agency: str
    route: str  # a RecordShare.Route value
    reason: str
    granted_by: str | None
    granted_at: dt.datetime


@dataclass(slots=True)
class PersonRow:
    index: int
    kind: str
    given_name: str
    family_name: str
    known_as: str
    date_of_birth: dt.date | None
    age_band: str
    sex: str
    ethnicity: str
    first_language: str
    flags: list[str]
    holding_agency: str
    owning_team: TeamName | None
    created_by: str | None
    created_at: dt.datetime
    names: list[NameRow] = field(default_factory=list)
    identifiers: list[IdentifierRow] = field(default_factory=list)
    addresses: list[AddressRow] = field(default_factory=list)
    shares: list[ShareRow] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


@dataclass(slots=True)
class ContextRow:
    index: int
    kind: str
    name: str
    description: str
    status: str
    owning_team: TeamName
    created_by: str | None
    created_at: dt.datetime
    location_type: str = ""
    geometry: dict[str, Any] | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    setting_type: str = ""
    urn: str = ""
    platform: str = ""
    space: str = ""


@dataclass(slots=True)
class AssociationRow:
    person: int
    other: int
    kind: str
    started_on: dt.date | None
    ended_on: dt.date | None
    source: str
    reliability: str
    notes: str
    recorded_by: str
    agency: str
    created_at: dt.datetime


@dataclass(slots=True)
class ContextLinkRow:
    context: int
    person: int | None
    initials: str
    kind: str
    started_on: dt.date | None
    ended_on: dt.date | None
    source: str
    reliability: str
    notes: str
    recorded_by: str
    agency: str
    created_at: dt.datetime


@dataclass(slots=True)
class EventRow:
    kind: str
    occurred_at: dt.datetime
    ended_at: dt.datetime | None
    location: int | None  # a context index, always a location
    latitude: float | None
    longitude: float | None
    place_description: str
    narrative: str
    harm_types: list[str]
    sensitivity: str
    agency: str
    recorded_by: str | None
    created_at: dt.datetime
    participants: list[tuple[int, str]]  # (person index, ParticipantRole value)
