"""Care test helpers: members with exact dates (ID numbers follow the birth date)."""

from __future__ import annotations

import datetime as dt
import itertools

from branches.models import Organization
from members.ages import add_years
from members.idnumbers import make_id_number
from members.models import Member

_seq = itertools.count(1)


def make_member(
    org: Organization,
    *,
    born: dt.date = dt.date(1970, 5, 17),
    admitted: dt.date | None = None,
    full: dt.date | None | bool = True,
    name: str | None = None,
    **extra,
) -> Member:
    """A member with exact dates. `full=True`: full member a year after admission; None: probationary."""
    admitted = admitted or dt.date(born.year + 25, 6, 1)
    if full is True:
        full = add_years(admitted, 1)
    n = next(_seq)
    return Member.objects.create(
        name=name or f"党员{n}",
        gender=Member.Gender.MALE,
        birth_date=born,
        id_number=make_id_number("140502", born, n, male=True),
        organization=org,
        admitted_on=admitted,
        full_member_on=full or None,
        **extra,
    )
