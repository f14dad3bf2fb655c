"""Path converters shared by the apps' URLconfs (registered in CommonConfig.ready)."""

from __future__ import annotations

from .params import FIRST_YEAR, LAST_YEAR


class YearConverter:
    """`<year:year>`: four digits within the years the forms accept (common.params); any other year does not
    match, so the page is a 404 instead of a date error. Reversing takes any four-digit year (a "next year"
    link from the last year leads to that 404)."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"year {year} out of range")
        return year

    def to_url(self, value: int | str) -> str:
        return f"{int(value):04d}"
