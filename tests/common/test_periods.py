import datetime as dt

import pytest

from common import periods
from common.periods import Period

D = dt.date


def test_month_quarter_year_spans_and_codes():
    assert periods.month(2024, 2) == Period("month", D(2024, 2, 1), D(2024, 2, 29), "2024-02")
    assert periods.month(2026, 12).label == "2026-12"
    assert periods.quarter(2026, 1) == Period("quarter", D(2026, 1, 1), D(2026, 3, 31), "2026-Q1")
    assert periods.quarter(2026, 4) == Period("quarter", D(2026, 10, 1), D(2026, 12, 31), "2026-Q4")
    assert periods.year(2026) == Period("year", D(2026, 1, 1), D(2026, 12, 31), "2026")


def test_iso_week_takes_the_iso_year():
    assert periods.week(D(2024, 12, 30)) == Period("week", D(2024, 12, 30), D(2025, 1, 5), "2025-W01")
    assert periods.week(D(2025, 3, 9)).label == "2025-W10"
    assert periods.week(D(2025, 3, 9)).start == D(2025, 3, 3)


def test_periods_of_year_is_the_year_then_quarters_then_months():
    found = periods.periods_of_year(2026)
    assert [p.label for p in found] == ["2026"] + [f"2026-Q{q}" for q in range(1, 5)] + [
        f"2026-{m:02d}" for m in range(1, 13)
    ]


@pytest.mark.parametrize(
    ("day", "type_", "label"),
    [
        (D(2026, 3, 31), "month", "2026-03"),
        (D(2026, 4, 1), "quarter", "2026-Q2"),
        (D(2026, 12, 31), "quarter", "2026-Q4"),
        (D(2026, 7, 4), "year", "2026"),
        (D(2026, 1, 1), "week", "2026-W01"),
    ],
)
def test_period_containing(day, type_, label):
    p = periods.period_containing(day, type_)
    assert p.label == label and p.type == type_ and day in p


def test_period_containing_refuses_an_unknown_type():
    with pytest.raises(ValueError, match="fortnight"):
        periods.period_containing(D(2026, 1, 1), "fortnight")
