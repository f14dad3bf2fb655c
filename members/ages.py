"""Age and party age (党龄) in whole completed years as of a date, in Python and as date thresholds for the
database. Both agree on 29 February: a person born on 29 Feb completes a year on 1 March in common years."""

from __future__ import annotations

import datetime as dt


def years_between(start: dt.date, on: dt.date) -> int:
    """Whole years completed from `start` to `on` (the anniversary itself counts: "以上" includes it)."""
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def party_age(full_member_on: dt.date | None, on: dt.date) -> int | None:
    """党龄 counts from full membership (Party Constitution art. 7); None while probationary."""
    if not full_member_on or full_member_on > on:
        return None
    return years_between(full_member_on, on)


def years_before(on: dt.date, years: int) -> dt.date:
    """The latest start date that has completed `years` whole years by `on`.

    `start <= years_before(on, n)` ⟺ `years_between(start, on) >= n`; use it to turn an age
    threshold into a date comparison the database can do with an index.
    """
    try:
        return on.replace(year=on.year - years)
    except (
        ValueError
    ):  # on is 29 Feb and the target year is common: 28 Feb has completed, 29 Feb doesn't exist
        return on.replace(year=on.year - years, day=28)


def add_years(start: dt.date, years: int) -> dt.date:
    """The anniversary of `start` after `years` years (29 Feb → 1 Mar in common years)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return dt.date(start.year + years, 3, 1)
