"""Every change to people, their names, identifiers, addresses, associations and access."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ForeignObjectRel, ManyToManyRel
from django.utils import timezone

from access.roles import Role
from accounts.models import Agency, Team, User
from audit.models import AccessAction
from audit.services import audit_record
from contexts.models import ContextLink
from contextsafe.lib.concurrency import save_versioned
from core.services import notify
from events.models import EventParticipant
from people.codes import Flag, IdentifierScheme
from people.models import (
    AccessRequest,
    Address,
    Association,
    Person,
    PersonIdentifier,
    PersonName,
    RecordShare,
)

BREAK_GLASS_HOURS = 24
OLDEST_AGE_YEARS = 120

PERSON_FIELDS = [
    "kind",
    "given_name",
    "family_name",
    "known_as",
    "date_of_birth",
    "age_band",
    "sex",
    "gender",
    "ethnicity",
    "first_language",
    "flags",
    "owning_team",
]


def _agency_of(user: User) -> Agency:
    if user.agency is None:
        raise ValidationError("Your account has no agency, so you cannot change case records.")
    return user.agency


def _check_date_of_birth(date_of_birth: dt.date | None) -> None:
    if date_of_birth is None:
        return
    today = timezone.localdate()
    if date_of_birth > today:
        raise ValidationError({"date_of_birth": "Date of birth must be today or in the past"})
    if date_of_birth.year < today.year - OLDEST_AGE_YEARS:
        raise ValidationError(
            {"date_of_birth": f"Date of birth must be after {today.year - OLDEST_AGE_YEARS}"}
        )


def _normalise_identifier(scheme: str, value: str) -> str:
    cleaned = value.strip().replace(" ", "").upper()
    if scheme == IdentifierScheme.NHS_NUMBER and not _valid_nhs_number(cleaned):
        raise ValidationError({"identifiers": f"{value} is not a valid NHS number"})
    return cleaned


def _valid_nhs_number(value: str) -> bool:
    """The NHS number's modulus 11 check digit."""
    if len(value) != 10 or not value.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(value[9])


def _sync_names(person: Person, aliases: Iterable[str]) -> None:
    wanted = [(PersonName.Kind.LEGAL, f"{person.given_name} {person.family_name}".strip())]
    if person.known_as:
        wanted.append((PersonName.Kind.KNOWN_AS, person.known_as))
    wanted += [(PersonName.Kind.ALIAS, a.strip()) for a in aliases if a.strip()]
    person.names.exclude(kind=PersonName.Kind.PREVIOUS).delete()
    for kind, name in wanted:
        PersonName(person=person, kind=kind, name=name).save()


def _snapshot(person: Person) -> dict[str, Any]:
    values = {name: getattr(person, name) for name in PERSON_FIELDS if name != "owning_team"}
    values["owning_team"] = person.owning_team.name if person.owning_team else None
    return values


@transaction.atomic
def person_create(
    *,
    actor: User,
    kind: str,
    given_name: str,
    family_name: str = "",
    known_as: str = "",
    date_of_birth: dt.date | None = None,
    age_band: str = "",
    sex: str = "not_known",
    gender: str = "",
    ethnicity: str = "not_obtained",
    first_language: str = "",
    flags: Iterable[str] = (),
    aliases: Iterable[str] = (),
    identifiers: Iterable[tuple[str, str]] = (),
    owning_team: Team | None = None,
) -> Person:
    if actor.agency is None:
        raise ValidationError("Your account has no agency, so you cannot create records.")
    _check_date_of_birth(date_of_birth)
    unknown_flags = set(flags) - set(Flag.values)
    if unknown_flags:
        raise ValidationError({"flags": f"Unknown flag: {', '.join(sorted(unknown_flags))}"})
    person = Person(
        kind=kind,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        known_as=known_as.strip(),
        date_of_birth=date_of_birth,
        age_band=age_band,
        sex=sex,
        gender=gender,
        ethnicity=ethnicity,
        first_language=first_language,
        flags=sorted(set(flags)),
        holding_agency=actor.agency,
        owning_team=owning_team,
        created_by=actor,
    )
    person.full_clean(exclude=["merged_into", "created_by"])
    person.save()
    _sync_names(person, aliases)
    for scheme, value in identifiers:
        identifier_add(actor=actor, person=person, scheme=scheme, value=value, audit=False)
    RecordShare.objects.create(
        person=person, agency=actor.agency, route=RecordShare.Route.HOLDER, granted_by=actor
    )
    audit_record(
        actor=actor, action=AccessAction.CREATE, obj=person, changes={"new": _snapshot(person)}
    )
    return person


@transaction.atomic
def person_update(
    *, actor: User, person: Person, expected_version: int, aliases: Iterable[str], **fields: Any
) -> Person:
    _check_date_of_birth(fields.get("date_of_birth"))
    before = _snapshot(person)
    for name, value in fields.items():
        if name not in PERSON_FIELDS:
            raise TypeError(f"person_update does not change {name}")
        setattr(person, name, value)
    person.updated_at = timezone.now()
    person.full_clean(exclude=["merged_into", "created_by"])
    save_versioned(person, expected_version=expected_version, fields=[*fields, "updated_at"])
    _sync_names(person, aliases)
    after = _snapshot(person)
    changed = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
    audit_record(actor=actor, action=AccessAction.CHANGE, obj=person, changes=changed)
    return person


@transaction.atomic
def identifier_add(
    *, actor: User, person: Person, scheme: str, value: str, audit: bool = True
) -> PersonIdentifier:
    if scheme not in IdentifierScheme.values:
        raise ValidationError({"identifiers": f"Unknown identifier type: {scheme}"})
    cleaned = _normalise_identifier(scheme, value)
    existing = PersonIdentifier.objects.filter(scheme=scheme, value=cleaned).first()
    if existing is not None:
        label = IdentifierScheme(scheme).label
        raise ValidationError(
            {
                "identifiers": (
                    f"Another person's record already has {label} {cleaned}. "
                    "Search for it before creating a new record."
                )
            }
        )
    identifier = PersonIdentifier.objects.create(
        person=person, scheme=scheme, value=cleaned, recorded_by_agency=_agency_of(actor)
    )
    if audit:
        audit_record(
            actor=actor,
            action=AccessAction.CHANGE,
            obj=person,
            changes={"identifier_added": IdentifierScheme(scheme).label},
        )
    return identifier


@transaction.atomic
def address_add(
    *,
    actor: User,
    person: Person,
    line_1: str,
    line_2: str = "",
    town: str = "",
    postcode: str = "",
    uprn: str = "",
    moved_in: dt.date | None = None,
    moved_out: dt.date | None = None,
) -> Address:
    if moved_in and moved_out and moved_out < moved_in:
        raise ValidationError(
            {"moved_out": "The date they moved out must be after the date they moved in"}
        )
    address = Address(
        person=person,
        line_1=line_1,
        line_2=line_2,
        town=town,
        postcode=postcode.upper().strip(),
        uprn=uprn,
        moved_in=moved_in,
        moved_out=moved_out,
        recorded_by_agency=actor.agency,
    )
    address.full_clean()
    address.save()
    audit_record(
        actor=actor, action=AccessAction.CHANGE, obj=person, changes={"address_added": str(address)}
    )
    return address


@transaction.atomic
def association_create(
    *,
    actor: User,
    person: Person,
    other: Person,
    kind: str,
    source: str,
    reliability: str,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    notes: str = "",
) -> Association:
    if person.pk == other.pk:
        raise ValidationError(
            {"other": "A person cannot be associated with themself. Choose someone else."}
        )
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError(
            {"ended_on": "The end date must be the same as or after the start date"}
        )
    association = Association(
        person=person,
        other=other,
        kind=kind,
        source=source.strip(),
        reliability=reliability,
        started_on=started_on,
        ended_on=ended_on,
        notes=notes,
        recorded_by=actor,
        recording_agency=actor.agency,
    )
    association.full_clean()
    association.save()
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=association,
        object_label=f"{association.get_kind_display()} between people {person.pk} and {other.pk}",
        changes={"kind": kind, "source": source, "reliability": reliability},
    )
    return association


@transaction.atomic
def break_glass(*, actor: User, person: Person, reason: str) -> RecordShare:
    """Open a record held by another agency in an emergency: 24 hours, this person only.

    Audited as break-glass, and every CS lead is told at once.
    """
    reason = reason.strip()
    if len(reason) < 20:
        raise ValidationError(
            {"reason": "Explain why you need this record now, in at least 20 characters"}
        )
    share = RecordShare.objects.create(
        person=person,
        agency=_agency_of(actor),
        user=actor,
        route=RecordShare.Route.BREAK_GLASS,
        reason=reason,
        granted_by=actor,
        expires_at=timezone.now() + dt.timedelta(hours=BREAK_GLASS_HOURS),
    )
    audit_record(actor=actor, action=AccessAction.BREAK_GLASS, obj=person, reason=reason)
    leads = User.objects.filter(role_grants__role=Role.CS_LEAD, is_active=True).distinct()
    notify(
        recipients=leads,
        message=(
            f"Break-glass: {actor.get_full_name()} ({actor.agency}) opened a record held by "
            f"{person.holding_agency}. Reason: {reason}"
        ),
        link=f"/audit/?object_type=people.person&object_id={person.pk}",
        email=True,
    )
    return share


@transaction.atomic
def access_request_create(*, actor: User, person: Person, reason: str) -> AccessRequest:
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": "Say why your agency needs this record"})
    request = AccessRequest.objects.create(person=person, requested_by=actor, reason=reason.strip())
    audit_record(
        actor=actor,
        action=AccessAction.CREATE,
        obj=request,
        object_label=f"Access request for person {person.pk}",
        reason=reason,
    )
    managers = User.objects.filter(
        agency=person.holding_agency,
        role_grants__role__in=[Role.TEAM_MANAGER, Role.CS_LEAD],
        is_active=True,
    ).distinct()
    notify(
        recipients=managers,
        message=f"{actor.get_full_name()} ({actor.agency}) asks to see a record your agency holds.",
        link="/people/access-requests/",
    )
    return request


@transaction.atomic
def access_request_decide(
    *, actor: User, request: AccessRequest, approve: bool, reason: str = ""
) -> AccessRequest:
    if request.status != AccessRequest.Status.PENDING:
        raise ValidationError("This request has already been decided.")
    request.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.DECLINED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.decision_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    requester = request.requested_by
    if approve:
        RecordShare.objects.create(
            person=request.person,
            agency=_agency_of(requester),
            route=RecordShare.Route.REQUEST,
            reason=request.reason,
            granted_by=actor,
        )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=request.person,
        reason=f"Access request {'approved' if approve else 'declined'} for {requester.agency}",
    )
    notify(
        recipients=[requester],
        message=f"Your request to see a record was {'approved' if approve else 'declined'}.",
        link=f"/people/{request.person_id}/" if approve else "",
    )
    return request


# Apps whose records about a person move as a whole on merge; people, contexts and events are
# moved field by field above because their rows can clash (two names, two roles in one event).
_PERSON_RECORD_APPS = frozenset(
    {"frontdoor", "assessments", "missing", "meetings", "casework", "plans", "panels"}
)


def _move_case_records(source: Person, target: Person) -> dict[str, int]:
    """Point every contact, assessment, episode, meeting, key lead ... at the record that stays.

    Found from the model graph, so a new kind of record about a person cannot be forgotten.
    A clash the database refuses (two current key leads, say) stops the merge with a reason.
    """
    moved: dict[str, int] = {}
    for rel in Person._meta.get_fields(include_hidden=True):
        if not isinstance(rel, ForeignObjectRel):
            continue
        model: Any = rel.related_model
        # An auto-created many-to-many table is handled through its ManyToManyRel, below.
        if model._meta.app_label not in _PERSON_RECORD_APPS or model._meta.auto_created:
            continue
        manager: Any
        if isinstance(rel, ManyToManyRel):
            through: Any = rel.through
            mine = rel.field.m2m_reverse_field_name()
            owner = rel.field.m2m_field_name()
            already = through.objects.filter(**{mine: target}).values_list(owner, flat=True)
            through.objects.filter(**{mine: source, f"{owner}__in": list(already)}).delete()
            manager, name = through.objects, mine
        else:
            manager, name = model._default_manager, rel.field.name
        try:
            with transaction.atomic():
                count = manager.filter(**{name: source}).update(**{name: target})
        except IntegrityError as clash:
            label = model._meta.verbose_name_plural
            raise ValidationError(
                f"Both records have {label} that cannot be combined (for example a current key "
                "lead each). Resolve that on one record first, then merge."
            ) from clash
        if count:
            key = f"{model._meta.app_label}.{model._meta.model_name}"
            moved[key] = moved.get(key, 0) + count
    return moved


@transaction.atomic
def person_merge(*, actor: User, source: Person, target: Person, reason: str) -> Person:
    """Fold a duplicate record into the one that stays. Everything moves; nothing is deleted.

    The source record remains as a pointer (``merged_into``) so old links and the audit trail
    still explain themselves.
    """
    if source.pk == target.pk:
        raise ValidationError("Choose two different records to merge.")
    if source.merged_into_id or target.merged_into_id:
        raise ValidationError("One of these records has already been merged.")
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": "Say why these records are the same person"})
    moved: dict[str, int] = {}
    duplicate_identifiers = set(target.identifiers.values_list("scheme", "value"))
    for ident in source.identifiers.all():
        if (ident.scheme, ident.value) in duplicate_identifiers:
            ident.delete()
        else:
            ident.person = target
            ident.save(update_fields=["person"])
    moved["identifiers"] = target.identifiers.count()
    source.names.update(kind=PersonName.Kind.PREVIOUS)
    moved["names"] = source.names.update(person=target)
    moved["addresses"] = source.addresses.update(person=target)
    moved["associations"] = Association.objects.filter(person=source).exclude(other=target).update(
        person=target
    ) + Association.objects.filter(other=source).exclude(person=target).update(other=target)
    Association.objects.filter(person=source, other=target).delete()
    Association.objects.filter(person=target, other=source).delete()
    moved["context_links"] = ContextLink.objects.filter(person=source).update(person=target)
    clashing = EventParticipant.objects.filter(person=target).values_list("event_id", flat=True)
    EventParticipant.objects.filter(person=source, event_id__in=list(clashing)).delete()
    moved["events"] = EventParticipant.objects.filter(person=source).update(person=target)
    moved |= _move_case_records(source, target)
    for share in source.shares.all():
        if not target.shares.filter(
            agency=share.agency, route=share.route, user=share.user
        ).exists():
            share.person = target
            share.save(update_fields=["person"])
    target.flags = sorted(set(target.flags) | set(source.flags))
    target.save(update_fields=["flags"])
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=target,
        reason=f"Merged record {source.pk} into {target.pk}: {reason.strip()}",
        changes={"merged_from": source.pk, "moved": moved},
    )
    return target


@transaction.atomic
def record_share(*, actor: User | None, person: Person, agency: Agency, reason: str) -> RecordShare:
    """Share a person's record with another agency because the work needs it (a contact sent to
    the front door, a key lead from another agency, a multi-agency meeting).

    Does nothing if the agency can already open the record without an expiry. Audited with the
    reason, as every grant of access is.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Say why the record is being shared"})
    existing = RecordShare.objects.filter(
        person=person, agency=agency, user__isnull=True, expires_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    share = RecordShare.objects.create(
        person=person,
        agency=agency,
        route=RecordShare.Route.SHARED,
        reason=reason.strip(),
        granted_by=actor,
    )
    audit_record(
        actor=actor,
        action=AccessAction.CHANGE,
        obj=person,
        reason=f"Record shared with {agency}: {reason.strip()}",
    )
    return share
