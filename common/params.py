"""Filters read from a page's query string. A value that does not parse is ignored, never an error page."""

from __future__ import annotations

from django.utils import timezone

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years the forms accept (min_value / max_value)


def year_param(request, name: str = "year") -> int | None:
    """`?year=` as a year from 2000 to 2100; None when it is missing, not a number or out of that range."""
    try:
        year = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def year_or_current(request, name: str = "year") -> int:
    """The year `?year=` asks for (as year_param), else the current year."""
    return year_param(request, name) or timezone.localdate().year


def id_param(value: str | None) -> int | None:
    """A database id read from a query string or a form: ASCII digits of a positive integer that a column can
    hold; None for anything else (str.isdigit() also accepts "²", which int() refuses)."""
    if not value or len(value) > 19 or not value.isascii() or not value.isdigit():
        return None  # (a longer string is no id, and int() refuses past 4,300 digits)
    number = int(value)
    return number if 0 < number < 2**63 else None
