"""factory_boy factories for the records every app's tests need."""

from __future__ import annotations

from typing import Any

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.declarations import LazyAttribute, PostGeneration, Sequence, SubFactory
from factory.django import DjangoModelFactory
from factory.faker import Faker

from accounts.models import Agency, AgencyKind, RoleGrant, Team, User
from contexts.models import Context
from people.models import Person

TEST_PASSWORD = "correct horse battery staple 42"


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.CHILDRENS_SOCIAL_CARE


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    agency = SubFactory(AgencyFactory)
    name = Sequence(lambda n: f"Team {n}")


def _set_password(user: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
    user.set_password(extracted or TEST_PASSWORD)
    if create:
        user.save(update_fields=["password"])


def _grant_roles(user: User, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
    if create and extracted:
        RoleGrant.objects.bulk_create(RoleGrant(user=user, role=r) for r in extracted)
        user.forget_roles()


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"user{n}")
    first_name = Faker("first_name")
    last_name = Faker("last_name")
    email = LazyAttribute(lambda u: f"{u.username}@example.org")
    agency = SubFactory(AgencyFactory)
    password = PostGeneration(_set_password)
    roles = PostGeneration(_grant_roles)


def totp_device_for(user: User) -> TOTPDevice:
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Authenticator app"}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    """The 6-digit code an authenticator app would show for ``device`` right now."""
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{value:0{device.digits}d}"


def make_person(actor: User, **fields: Any) -> Person:
    from people.services import person_create

    defaults: dict[str, Any] = {
        "kind": "young_person",
        "given_name": "Jayden",
        "family_name": "Kowalski",
    }
    defaults.update(fields)
    return person_create(actor=actor, **defaults)


def make_location(actor: User, **fields: Any) -> Context:
    from contexts.services import context_create

    team = fields.pop("owning_team", None) or Team.objects.filter(agency=actor.agency).first()
    if team is None:
        team = TeamFactory.create(agency=actor.agency)
    defaults: dict[str, Any] = {
        "kind": "location",
        "name": "Chicken shop, Market Street",
        "location_type": "shop_takeaway",
        "geometry": '{"type": "Point", "coordinates": [-1.2, 51.75]}',
    }
    defaults.update(fields)
    return context_create(actor=actor, owning_team=team, **defaults)
