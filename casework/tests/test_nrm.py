"""NRM referrals: timescales in working days, decisions in order, overdue ones visible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AgencyKind
from audit.models import AccessAction, AccessEvent
from casework.models import NrmReferral
from casework.services import (
    nrm_record_conclusive_grounds,
    nrm_record_reasonable_grounds,
    nrm_refer,
)
from casework.tests.helpers import date_fields, queries
from casework.timescales import nrm_status
from contextsafe.lib.concurrency import EditConflict
from people.codes import Flag
from people.models import RecordShare
from tests.factories import AgencyFactory, UserFactory, make_person

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def refer(personas, person, *, on, **extra):
    fields = {
        "actor": personas["practitioner"],
        "person": person,
        "referred_on": on,
        "first_responder": personas["practitioner"].agency,
        "decision_maker": "home_office",
        "exploitation_types": ["county_lines", "cce"],
        "summary": "Found 60 miles from home holding a phone and cash.",
    }
    fields.update(extra)
    return nrm_refer(**fields)


@pytest.mark.parametrize(
    ("referred", "due"),
    [
        (dt.date(2026, 11, 6), dt.date(2026, 11, 13)),  # a Friday: over one weekend
        (dt.date(2026, 11, 7), dt.date(2026, 11, 13)),  # a Saturday: day 0 is not a working day
        (dt.date(2025, 12, 18), dt.date(2025, 12, 29)),  # Christmas Day and Boxing Day
        (dt.date(2026, 4, 1), dt.date(2026, 4, 10)),  # Good Friday and Easter Monday
        (dt.date(2026, 8, 27), dt.date(2026, 9, 4)),  # the late summer bank holiday
    ],
)
def test_reasonable_grounds_are_due_five_working_days_after_referral(
    child, personas, referred, due
) -> None:
    assert refer(personas, child, on=referred).reasonable_grounds_due_on == due


def _referral(**fields) -> NrmReferral:
    values = {
        "referred_on": dt.date(2026, 11, 6),
        "reasonable_grounds_due_on": dt.date(2026, 11, 13),
    }
    values.update(fields)
    return NrmReferral(**values)


@pytest.mark.parametrize(
    ("today", "text", "overdue"),
    [
        (
            dt.date(2026, 11, 9),
            "Reasonable grounds due by 13 Nov 2026 (4 working days left)",
            False,
        ),
        (dt.date(2026, 11, 13), "Reasonable grounds due today", False),
        (dt.date(2026, 11, 14), "Reasonable grounds overdue since 13 Nov 2026", True),
        (dt.date(2026, 11, 18), "Reasonable grounds overdue by 3 working days", True),
        (dt.date(2026, 11, 16), "Reasonable grounds overdue by 1 working day", True),
    ],
)
def test_reasonable_grounds_status(today, text, overdue) -> None:
    status = nrm_status(_referral(), today)
    assert (status.text, status.overdue, status.is_open) == (text, overdue, True)


def test_reasonable_grounds_overdue_skips_bank_holidays() -> None:
    referral = _referral(
        referred_on=dt.date(2025, 12, 18), reasonable_grounds_due_on=dt.date(2025, 12, 22)
    )
    # 23, 24, (25, 26 bank holidays), 29 December: three working days late.
    status = nrm_status(referral, dt.date(2025, 12, 29))
    assert status.text == "Reasonable grounds overdue by 3 working days"


def test_conclusive_grounds_status() -> None:
    positive = _referral(reasonable_grounds="positive", reasonable_grounds_on=dt.date(2026, 12, 13))
    early = nrm_status(positive, dt.date(2026, 12, 20))
    assert early.text == "Conclusive grounds expected from 12 Jan 2027"
    assert early.is_open and not early.overdue
    waiting = nrm_status(positive, dt.date(2027, 1, 22))
    assert waiting.text.endswith("waiting 10 days since") and waiting.is_open
    negative = _referral(reasonable_grounds="negative", reasonable_grounds_on=dt.date(2026, 11, 10))
    ended = nrm_status(negative, dt.date(2026, 12, 1))
    assert not ended.is_open and "the referral has ended" in ended.text
    decided = _referral(
        reasonable_grounds="positive",
        reasonable_grounds_on=dt.date(2026, 11, 10),
        conclusive_grounds="positive",
        conclusive_grounds_on=dt.date(2026, 12, 20),
    )
    assert nrm_status(decided, dt.date(2027, 1, 1)).text == (
        "Conclusive grounds: positive decision on 20 Dec 2026"
    )


def test_a_referral_sets_the_nrm_flag_through_the_people_service(child, personas) -> None:
    version = child.version
    referral = refer(personas, child, on=TODAY)
    child.refresh_from_db()
    assert Flag.NRM_REFERRAL in child.flags
    assert child.version == version + 1, "changed through person_update, with its version"
    change = AccessEvent.objects.filter(
        action=AccessAction.CHANGE, object_type="people.person", object_id=str(child.pk)
    ).get()
    assert "flags" in change.changes
    assert AccessEvent.objects.filter(
        action=AccessAction.CREATE, object_type="casework.nrmreferral", object_id=str(referral.pk)
    ).exists()
    refer(personas, child, on=TODAY)
    child.refresh_from_db()
    assert child.version == version + 1, "a second referral leaves the flag as it is"


def test_aliases_survive_the_flag(personas) -> None:
    person = make_person(personas["practitioner"], aliases=["Lil T"])
    refer(personas, person, on=TODAY)
    assert list(person.names.filter(kind="alias").values_list("name", flat=True)) == ["Lil T"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"on": TODAY + dt.timedelta(days=1)}, "referral date must be today or in the past"),
        ({"exploitation_types": []}, "Choose at least one kind of exploitation"),
        ({"exploitation_types": ["radicalisation"]}, "Choose at least one kind of exploitation"),
        ({"summary": " "}, "Summarise why"),
        ({"decision_maker": "panel"}, "Choose who makes the decisions"),
    ],
)
def test_bad_referrals_are_refused(child, personas, change, message) -> None:
    on = change.pop("on", TODAY)
    with pytest.raises(ValidationError, match=message):
        refer(personas, child, on=on, **change)


def test_the_first_responder_must_be_one(child, personas) -> None:
    school = AgencyFactory.create(name="Hillside Academy", kind=AgencyKind.EDUCATION)
    with pytest.raises(ValidationError, match="Choose a first responder"):
        refer(personas, child, on=TODAY, first_responder=school)


def test_devolved_panels_decide_only_for_children_far_from_18(personas) -> None:
    near_18 = make_person(
        personas["practitioner"],
        date_of_birth=TODAY.replace(year=TODAY.year - 18) + dt.timedelta(days=50),
    )
    with pytest.raises(ValidationError, match="more than 100 days from their 18th birthday"):
        refer(personas, near_18, on=TODAY, decision_maker="devolved_panel")
    younger = make_person(personas["practitioner"], date_of_birth=dt.date(2013, 2, 1))
    assert refer(personas, younger, on=TODAY, decision_maker="devolved_panel").pk


def test_adults_are_not_referred_here(personas) -> None:
    adult = make_person(personas["practitioner"], kind="adult_of_concern", given_name="Dean")
    with pytest.raises(ValidationError, match="children"):
        refer(personas, adult, on=TODAY)


def _decide(function, referral, decision, on, actor):
    return function(
        actor=actor,
        referral=referral,
        expected_version=referral.version,
        decision=decision,
        decided_on=on,
    )


def test_decisions_in_order_with_the_30_day_rule(child, personas) -> None:
    worker = personas["practitioner"]
    referral = refer(personas, child, on=dt.date(2026, 9, 1))
    with pytest.raises(ValidationError, match="Record the reasonable-grounds decision first"):
        _decide(nrm_record_conclusive_grounds, referral, "positive", dt.date(2026, 11, 1), worker)
    with pytest.raises(ValidationError, match="on or after the referral date, 1 Sep 2026"):
        _decide(nrm_record_reasonable_grounds, referral, "positive", dt.date(2026, 8, 31), worker)
    with pytest.raises(ValidationError, match="today or in the past"):
        _decide(
            nrm_record_reasonable_grounds,
            referral,
            "positive",
            TODAY + dt.timedelta(days=1),
            worker,
        )
    _decide(nrm_record_reasonable_grounds, referral, "positive", dt.date(2026, 9, 4), worker)
    with pytest.raises(ValidationError, match="already recorded"):
        _decide(nrm_record_reasonable_grounds, referral, "negative", dt.date(2026, 9, 4), worker)
    with pytest.raises(ValidationError) as refused:
        _decide(nrm_record_conclusive_grounds, referral, "positive", dt.date(2026, 10, 3), worker)
    assert refused.value.message_dict["decided_on"] == [
        "The conclusive-grounds decision cannot be dated before 4 Oct 2026: it comes at least "
        "30 calendar days after the reasonable-grounds decision on 4 Sep 2026"
    ]
    _decide(nrm_record_conclusive_grounds, referral, "positive", dt.date(2026, 10, 4), worker)
    referral.refresh_from_db()
    assert (referral.conclusive_grounds, referral.conclusive_grounds_on) == (
        "positive",
        dt.date(2026, 10, 4),
    )
    assert (
        AccessEvent.objects.filter(
            action=AccessAction.CHANGE, object_type="casework.nrmreferral"
        ).count()
        == 2
    )


def test_a_negative_reasonable_grounds_decision_ends_the_referral(child, personas) -> None:
    worker = personas["practitioner"]
    referral = refer(personas, child, on=dt.date(2026, 9, 1))
    _decide(nrm_record_reasonable_grounds, referral, "negative", dt.date(2026, 9, 4), worker)
    with pytest.raises(ValidationError, match="negative, which ends the referral"):
        _decide(nrm_record_conclusive_grounds, referral, "positive", dt.date(2026, 11, 4), worker)


def test_concurrent_decisions_conflict(child, personas) -> None:
    referral = refer(personas, child, on=dt.date(2026, 9, 1))
    stale = NrmReferral.objects.get(pk=referral.pk)
    _decide(
        nrm_record_reasonable_grounds,
        referral,
        "positive",
        dt.date(2026, 9, 4),
        personas["practitioner"],
    )
    stale.reasonable_grounds = ""  # what the second person's page still shows
    with pytest.raises(EditConflict):
        _decide(
            nrm_record_reasonable_grounds,
            stale,
            "negative",
            dt.date(2026, 9, 5),
            personas["team_manager"],
        )


# --- through the pages -------------------------------------------------------------------------


def test_refer_and_decide_through_the_pages(client_for, child, personas) -> None:
    client = client_for(personas["practitioner"])
    form = client.get(f"/casework/nrm/new/?person={child.pk}").content.decode()
    agency = personas["practitioner"].agency
    assert f'<option value="{agency.pk}" selected>' in form, "defaults to the user's agency"
    referred = TODAY - dt.timedelta(days=40)
    response = client.post(
        f"/casework/nrm/new/?person={child.pk}",
        {
            **date_fields("referred_on", referred),
            "first_responder": agency.pk,
            "decision_maker": "home_office",
            "exploitation_types": ["cce", "county_lines"],
            "summary": "Found in a trap house.",
        },
    )
    referral = NrmReferral.objects.get()
    assert response["Location"] == f"/casework/nrm/{referral.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Reasonable grounds overdue by" in page and "data-overdue" in page
    assert "Child criminal exploitation, County lines" in page
    rg_day = referred + dt.timedelta(days=3)
    client.post(
        f"/casework/nrm/{referral.pk}/decision/",
        {"version": referral.version, "decision": "positive", **date_fields("decided_on", rg_day)},
    )
    page = client.post(
        f"/casework/nrm/{referral.pk}/decision/",
        {
            "version": 2,
            "decision": "positive",
            **date_fields("decided_on", rg_day + dt.timedelta(days=29)),
        },
    ).content.decode()
    assert "cannot be dated before" in page
    assert 'value="positive" checked' in page, "the choice typed is kept"
    response = client.post(
        f"/casework/nrm/{referral.pk}/decision/",
        {
            "version": 2,
            "decision": "negative",
            **date_fields("decided_on", rg_day + dt.timedelta(days=30)),
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.conclusive_grounds == "negative"


def test_the_decision_page_explains_a_negative_reasonable_grounds(client_for, child, personas):
    referral = refer(personas, child, on=dt.date(2026, 9, 1))
    _decide(
        nrm_record_reasonable_grounds,
        referral,
        "negative",
        dt.date(2026, 9, 4),
        personas["practitioner"],
    )
    client = client_for(personas["practitioner"])
    response = client.get(f"/casework/nrm/{referral.pk}/decision/", follow=True)
    assert "negative, which ends the referral" in response.content.decode()


def test_bad_referral_input_is_explained_and_kept(client_for, child, personas) -> None:
    page = (
        client_for(personas["practitioner"])
        .post(
            f"/casework/nrm/new/?person={child.pk}",
            {
                **date_fields("referred_on", TODAY),
                "first_responder": personas["practitioner"].agency.pk,
                "decision_maker": "home_office",
                "summary": "Seen with a dealer's phone.",
            },
        )
        .content.decode()
    )
    assert "Choose at least one kind of exploitation" in page
    assert "Seen with a dealer&#x27;s phone." in page
    assert 'value="home_office" checked' in page
    assert not NrmReferral.objects.exists()


def test_the_list_shows_open_referrals_overdue_first(client_for, child, personas) -> None:
    worker = personas["practitioner"]
    fresh = refer(personas, child, on=TODAY)
    late = refer(personas, make_person(worker, given_name="Kai"), on=TODAY - dt.timedelta(days=30))
    waiting = refer(personas, make_person(worker, given_name="Ola"), on=dt.date(2026, 9, 1))
    _decide(nrm_record_reasonable_grounds, waiting, "positive", dt.date(2026, 9, 3), worker)
    closed = refer(personas, make_person(worker, given_name="Zac"), on=dt.date(2026, 9, 1))
    _decide(nrm_record_reasonable_grounds, closed, "negative", dt.date(2026, 9, 3), worker)
    page = client_for(personas["team_manager"]).get("/casework/nrm/").content.decode()
    assert "Zac" not in page
    assert page.index("Kai") < page.index("Jayden") and page.index("Kai") < page.index("Ola")
    assert "Reasonable grounds overdue by" in page
    assert "Conclusive grounds expected from 3 Oct 2026" in page
    assert page.count("data-overdue") == 1
    assert fresh.pk and late.pk


def test_the_list_shows_only_children_the_agency_may_see(client_for, child, personas) -> None:
    refer(personas, child, on=TODAY)
    police = personas["police_practitioner"]
    assert "Jayden" not in client_for(police).get("/casework/nrm/").content.decode()
    RecordShare.objects.create(person=child, agency=police.agency, route="shared")
    assert "Jayden" in client_for(police).get("/casework/nrm/").content.decode()
    assert client_for(personas["panel_chair"]).get("/casework/nrm/").status_code == 403


def test_the_list_and_detail_cost_the_same_however_many(client_for, child, personas) -> None:
    first = refer(personas, child, on=TODAY)
    client = client_for(personas["team_manager"])
    before = queries(client, "/casework/nrm/")
    detail = queries(client, f"/casework/nrm/{first.pk}/")
    for n in range(10):
        refer(personas, make_person(personas["practitioner"], given_name=f"K{n}"), on=TODAY)
    assert queries(client, "/casework/nrm/") == before
    assert queries(client, f"/casework/nrm/{first.pk}/") == detail


def test_a_police_officer_with_the_record_may_refer(client_for, child, personas) -> None:
    police = personas["police_practitioner"]
    url = f"/casework/nrm/new/?person={child.pk}"
    assert client_for(police).get(url).status_code == 404
    RecordShare.objects.create(person=child, agency=police.agency, route="shared")
    assert client_for(police).get(url).status_code == 200


def test_a_school_may_not_refer(client_for, child) -> None:
    school = AgencyFactory.create(name="Hillside Academy", kind=AgencyKind.EDUCATION)
    teacher = UserFactory.create(agency=school, roles=["practitioner"])
    RecordShare.objects.create(person=child, agency=school, route="shared")
    assert client_for(teacher).get(f"/casework/nrm/new/?person={child.pk}").status_code == 403


def test_a_decision_saved_meanwhile_is_a_conflict_on_the_page(client_for, child, personas):
    referral = refer(personas, child, on=dt.date(2026, 9, 1))
    client = client_for(personas["team_manager"])
    opened_version = referral.version
    # A colleague records the decision after this manager opened the form.
    _decide(
        nrm_record_reasonable_grounds,
        referral,
        "positive",
        dt.date(2026, 9, 4),
        personas["practitioner"],
    )
    NrmReferral.objects.filter(pk=referral.pk).update(reasonable_grounds="")  # form still open
    page = client.post(
        f"/casework/nrm/{referral.pk}/decision/",
        {
            "version": opened_version,
            "decision": "negative",
            **date_fields("decided_on", dt.date(2026, 9, 5)),
        },
    ).content.decode()
    assert "Someone else saved changes to this record while you were editing it" in page
    assert 'value="negative" checked' in page
    assert 'name="version" value="2"' in page, "saving again is a deliberate choice"
