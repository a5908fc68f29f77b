from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from contexts.geo import parse_geometry
from contexts.services import context_link_create
from tests.factories import make_location, make_person

pytestmark = pytest.mark.django_db


def test_a_location_stores_geojson_and_its_centre(personas: dict[str, User]) -> None:
    ring = "[[-1.0, 51.0], [-0.9, 51.0], [-0.9, 51.1], [-1.0, 51.1], [-1.0, 51.0]]"
    square = f'{{"type": "Polygon", "coordinates": [{ring}]}}'
    place = make_location(personas["practitioner"], geometry=square, name="Rec ground")
    assert place.geometry is not None and place.geometry["type"] == "Polygon"
    assert place.latitude == pytest.approx(51.05)
    assert place.longitude == pytest.approx(-0.95)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "not valid GeoJSON"),
        ('{"type": "Circle", "coordinates": [0, 0]}', "must be a GeoJSON Point"),
        ('{"type": "Point", "coordinates": [200, 0]}', "Longitude must be between"),
        ('{"type": "Point", "coordinates": ["a", 0]}', "longitude, latitude"),
        (
            '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}',
            "must end where it starts",
        ),
    ],
)
def test_malformed_geojson_is_refused_with_a_reason(raw: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_geometry(raw)


def test_malformed_geojson_on_a_location_names_the_field(personas: dict[str, User]) -> None:
    with pytest.raises(ValidationError) as caught:
        make_location(personas["practitioner"], geometry="{oops")
    assert "geometry" in caught.value.error_dict


def test_peer_maps_can_name_friends_by_initials_only(personas: dict[str, User]) -> None:
    worker = personas["practitioner"]
    group = make_location(
        worker, kind="peer_group", name="Friends from the skate park", location_type="", geometry=""
    )
    link = context_link_create(
        actor=worker,
        context=group,
        kind="member_of",
        initials="t.b.",
        source="Peer map with the young person",
        reliability="reported",
    )
    assert link.person is None and link.initials == "T.B."
    with pytest.raises(ValidationError, match="Choose a person or give their initials"):
        context_link_create(
            actor=worker, context=group, kind="member_of", source="x", reliability="reported"
        )
    child = make_person(worker)
    assert (
        context_link_create(
            actor=worker,
            context=group,
            kind="member_of",
            person=child,
            source="School",
            reliability="confirmed",
        ).person
        == child
    )


def _wards_file(tmp_path) -> str:
    import json

    def square(name: str, west: float) -> dict[str, object]:
        ring = [[west, 51.0], [west + 0.1, 51.0], [west + 0.1, 51.1], [west, 51.1], [west, 51.0]]
        return {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    path = tmp_path / "wards.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [square("Westfield", -1.1), square("Eastbrook", -1.0)],
            }
        )
    )
    return str(path)


def test_a_location_page_draws_the_place_on_the_ward_map(
    client_for, personas, settings, tmp_path
) -> None:
    settings.WARD_BOUNDARIES_FILE = _wards_file(tmp_path)
    place = make_location(
        personas["practitioner"], geometry='{"type": "Point", "coordinates": [-0.95, 51.05]}'
    )
    page = client_for(personas["practitioner"]).get(f"/contexts/{place.pk}/").content.decode()
    assert "<svg" in page and page.count('class="cs-map__ward"') == 2
    assert "in Eastbrook ward" in page


def test_without_ward_boundaries_the_page_gives_the_position_in_words(
    client_for, personas, settings
) -> None:
    settings.WARD_BOUNDARIES_FILE = ""
    place = make_location(personas["practitioner"])
    page = client_for(personas["practitioner"]).get(f"/contexts/{place.pk}/").content.decode()
    assert "<svg" not in page and "centred on 51.75000, -1.20000" in page


def test_a_partnership_can_keep_peer_group_members_to_initials(personas, settings) -> None:
    settings.PEER_GROUP_MEMBERS = "initials"
    worker = personas["practitioner"]
    group = make_location(
        worker, kind="peer_group", name="Year 10 friends", location_type="", geometry=""
    )
    child = make_person(worker)
    with pytest.raises(ValidationError, match="by initials only"):
        context_link_create(
            actor=worker,
            context=group,
            kind="member_of",
            person=child,
            source="Peer map",
            reliability="reported",
        )
    link = context_link_create(
        actor=worker,
        context=group,
        kind="member_of",
        initials="JK",
        source="Peer map",
        reliability="reported",
    )
    assert link.person is None
    place = make_location(worker)
    assert (
        context_link_create(
            actor=worker,
            context=place,
            kind="frequents",
            person=child,
            source="School",
            reliability="reported",
        ).person
        == child
    )


@pytest.mark.django_db
def test_changing_only_the_status_keeps_the_kind_fields(personas: dict[str, User]) -> None:
    from contexts.services import context_update

    worker = personas["practitioner"]
    place = make_location(worker, name="Sallowmere Parade takeaways")
    context_update(
        actor=worker, context=place, expected_version=place.version, status="under_assessment"
    )
    place.refresh_from_db()
    assert place.status == "under_assessment" and place.location_type
    with pytest.raises(ValidationError, match="type of location"):
        context_update(
            actor=worker, context=place, expected_version=place.version, location_type=""
        )
