"""Where an NRM referral stands against its timescales, in words a practitioner can act on.

Reasonable grounds: "within 5 working days of referral, where possible" (England's bank holidays).
Conclusive grounds: "as soon as possible after at least 30 calendar days" from the
reasonable-grounds decision, so it has an earliest date but no deadline to be overdue against.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from casework.models import NRM_CONCLUSIVE_GROUNDS_MIN_DAYS, NrmDecision, NrmReferral
from contextsafe.lib.working_days import working_days_between


def day_text(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class NrmStatus:
    text: str
    is_open: bool
    overdue: bool = False
    colour: str = "grey"  # the GOV.UK tag colour
    tag: str = "Closed"  # a word or two for the tag; ``text`` says the rest


def conclusive_grounds_earliest(referral: NrmReferral) -> dt.date | None:
    if referral.reasonable_grounds_on is None:
        return None
    return referral.reasonable_grounds_on + dt.timedelta(days=NRM_CONCLUSIVE_GROUNDS_MIN_DAYS)


def _reasonable_grounds_status(referral: NrmReferral, today: dt.date) -> NrmStatus:
    due = referral.reasonable_grounds_due_on
    if today < due:
        left = working_days_between(today, due)
        return NrmStatus(
            f"Reasonable grounds due by {day_text(due)} ({_plural(left, 'working day')} left)",
            is_open=True,
            colour="blue",
            tag="Waiting",
        )
    if today == due:
        return NrmStatus(
            "Reasonable grounds due today", is_open=True, colour="yellow", tag="Due today"
        )
    late = working_days_between(due, today)
    text = (
        f"Reasonable grounds overdue by {_plural(late, 'working day')}"
        if late
        else f"Reasonable grounds overdue since {day_text(due)}"
    )
    return NrmStatus(text, is_open=True, overdue=True, colour="red", tag="Overdue")


def nrm_status(referral: NrmReferral, today: dt.date) -> NrmStatus:
    if not referral.reasonable_grounds:
        return _reasonable_grounds_status(referral, today)
    # A decision always has its date (the forms and services require one).
    rg_on = referral.reasonable_grounds_on or referral.referred_on
    if referral.reasonable_grounds == NrmDecision.NEGATIVE:
        return NrmStatus(
            f"Negative reasonable-grounds decision on {day_text(rg_on)}: the referral has ended",
            is_open=False,
            tag="Ended",
        )
    if referral.conclusive_grounds:
        cg_on = referral.conclusive_grounds_on or rg_on
        label = NrmDecision(referral.conclusive_grounds).label.lower()
        return NrmStatus(
            f"Conclusive grounds: {label} decision on {day_text(cg_on)}",
            is_open=False,
            colour="green" if referral.conclusive_grounds == NrmDecision.POSITIVE else "grey",
            tag="Decided",
        )
    earliest = rg_on + dt.timedelta(days=NRM_CONCLUSIVE_GROUNDS_MIN_DAYS)
    if today < earliest:
        return NrmStatus(
            f"Conclusive grounds expected from {day_text(earliest)}",
            is_open=True,
            colour="blue",
            tag="Waiting",
        )
    waited = (today - earliest).days
    return NrmStatus(
        f"Conclusive grounds expected from {day_text(earliest)} — waiting "
        f"{_plural(waited, 'day')} since",
        is_open=True,
        colour="yellow",
        tag="Waiting",
    )
