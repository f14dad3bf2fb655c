"""A person walked through the procedure with dates that keep every rule, for the recruitment tests."""

from __future__ import annotations

import datetime as dt

from members.ages import add_years
from members.idnumbers import make_id_number
from recruitment import services
from recruitment.models import Candidate, Step
from tests.factories import MemberFactory

Kind = Step.Kind
APPLIED = dt.date(2023, 1, 9)
ORDER = [
    Kind.TALK,
    Kind.ACTIVIST,
    Kind.CHECK,
    Kind.TARGET,
    Kind.INTRODUCERS,
    Kind.POLITICAL_REVIEW,
    Kind.TRAINING,
    Kind.NOTICE,
    Kind.PRE_REVIEW,
    Kind.ADMISSION,
    Kind.APPROVAL,
    Kind.OATH,
]


def idn(n: int, born: dt.date = dt.date(1995, 5, 17), male: bool = True) -> str:
    return make_id_number("140303", born, n, male=male)


def applicant(org, by, *, n: int = 1, applied: dt.date = APPLIED, born: dt.date = dt.date(1995, 5, 17)):
    return services.candidate_apply(
        organization=org, name=f"申请人{n}", id_number=idn(n, born), applied_on=applied, by=by
    )


def full_members(org, n: int = 2) -> list:
    return [MemberFactory(organization=org, name=f"正式党员{i}") for i in range(n)]


def _monday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=7 - day.weekday())


def dates_for(candidate: Candidate) -> dict[str, dt.date]:
    """Every step's date after the application: each the earliest the rules allow, give or take."""
    days = dt.timedelta
    talk = candidate.applied_on + days(14)
    activist = talk + days(30)
    target = add_years(activist, 1)
    notice = _monday_after(target + days(30))
    admission = notice + days(20)
    approval = admission + days(30)
    return {
        Kind.TALK: talk,
        Kind.ACTIVIST: activist,
        Kind.CHECK: activist + days(150),
        Kind.TARGET: target,
        Kind.INTRODUCERS: target + days(3),
        Kind.POLITICAL_REVIEW: target + days(10),
        Kind.TRAINING: target + days(20),
        Kind.NOTICE: notice,
        Kind.PRE_REVIEW: notice + days(7),
        Kind.ADMISSION: admission,
        Kind.APPROVAL: approval,
        Kind.OATH: approval + days(5),
    }


def walk(candidate: Candidate, by, *, until: str, people: list, start_after: str | None = None) -> Candidate:
    """Record the steps in order through `until` (after `start_after` when given)."""
    dates = dates_for(candidate)
    started = start_after is None
    for kind in ORDER:
        if not started:
            started = kind == start_after
            continue
        extra: dict = {}
        if kind in (Kind.ACTIVIST, Kind.INTRODUCERS):
            extra["people"] = people
        if kind == Kind.TRAINING:
            extra["hours"] = 24
        if kind == Kind.NOTICE:
            extra["ends_on"] = dates[kind] + dt.timedelta(days=4)
        if kind in (Kind.ADMISSION, Kind.APPROVAL):
            extra["decided_by"] = "支部党员大会" if kind == Kind.ADMISSION else "乡镇党委"
        services.step_record(candidate=candidate, kind=kind, on=dates[kind], by=by, **extra)
        if kind == until:
            break
    candidate.refresh_from_db()
    return candidate
