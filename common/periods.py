"""Calendar periods: a month, a quarter, a year or an ISO week, with the code that names it.

The codes are a public contract (outbox keys such as "edu_period_due:…:2026-Q1", the `period` column of
report_compliance, care's grant and visit period keys): "2026-03", "2026-Q1", "2026", "2026-W07".
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
WEEK = "week"


@dataclass(frozen=True)
class Period:
    type: str  # MONTH / QUARTER / YEAR / WEEK (the values of education.models.Period for the first three)
    start: dt.date
    end: dt.date
    label: str  # 2026-03, 2026-Q1, 2026, 2026-W07

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def display(self) -> str:
        """The period as a person reads it (2026年第1季度 / 2026 Q1); `label` stays the code for files and keys."""
        if self.type == MONTH:
            return _("%(year)d-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.type == QUARTER:
            return _("%(year)d Q%(quarter)d") % {
                "year": self.start.year,
                "quarter": (self.start.month + 2) // 3,
            }
        if self.type == YEAR:
            return _("%(year)d (year)") % {"year": self.start.year}
        iso_year, number, _weekday = self.start.isocalendar()
        return _("%(year)d week %(week)d") % {"year": iso_year, "week": number}


def month(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(MONTH, dt.date(year, month, 1), dt.date(year, month, last), f"{year}-{month:02d}")


def quarter(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(QUARTER, dt.date(year, first, 1), month(year, first + 2).end, f"{year}-Q{quarter}")


def year(year: int) -> Period:
    return Period(YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}")


def week(day: dt.date) -> Period:
    """The ISO week containing `day` (Monday to Sunday; its year is the ISO year: 2024-12-30 is 2025-W01)."""
    iso_year, number, weekday = day.isocalendar()
    start = day - dt.timedelta(days=weekday - 1)
    return Period(WEEK, start, start + dt.timedelta(days=6), f"{iso_year}-W{number:02d}")


def periods_of_year(y: int) -> list[Period]:
    """The year, its four quarters and its twelve months, in that order."""
    return [year(y)] + [quarter(y, q) for q in range(1, 5)] + [month(y, m) for m in range(1, 13)]


def period_containing(day: dt.date, period_type: str) -> Period:
    if period_type == MONTH:
        return month(day.year, day.month)
    if period_type == QUARTER:
        return quarter(day.year, (day.month - 1) // 3 + 1)
    if period_type == YEAR:
        return year(day.year)
    if period_type == WEEK:
        return week(day)
    raise ValueError(f"unknown period type {period_type!r}")
