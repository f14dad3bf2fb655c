"""The 2008 rules as pure functions: every bracket edge, half-up rounding, months due, paid up to, arrears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from dues import rates
from dues.rates import Record, Relief, Span

M = rates.parse_month


@pytest.mark.parametrize(
    ("category", "base", "amount"),
    [
        ("employed", "3000.00", "15.00"),  # 0.5%
        ("employed", "3000.01", "30.00"),  # 1%: 30.0001
        ("employed", "5000.00", "50.00"),
        ("employed", "5000.01", "75.00"),  # 1.5%: 75.00015
        ("employed", "10000.00", "150.00"),
        ("employed", "10000.01", "200.00"),  # 2%: 200.0002
        ("retired", "5000.00", "25.00"),  # 0.5%
        ("retired", "5000.01", "50.00"),  # 1%: 50.0001
        ("retired", "2999.00", "15.00"),  # 14.995 rounds half up
        ("employed", "2999.00", "15.00"),
        ("employed", "2998.00", "14.99"),
        ("employed", "0.00", "0.00"),
        ("employed", "4321.50", "43.22"),  # 43.215 → 43.22 (banker's rounding would give 43.22 too)
        ("employed", "4322.50", "43.23"),  # 43.225 → 43.23 (banker's: 43.22)
    ],
)
def test_salaried_brackets_and_half_up(category, base, amount):
    assert rates.monthly_amount(category, base=D(base)) == D(amount)


def test_half_up_is_not_bankers_rounding():
    assert rates.half_up(D("0.125")) == D("0.13")
    assert rates.half_up(D("14.995")) == D("15.00")


@pytest.mark.parametrize("amount", ["0.20", "0.5", "1.00"])
def test_farmer_fixed_amount_in_range(amount):
    assert rates.monthly_amount("farmer", fixed_amount=D(amount)) == rates.half_up(D(amount))


@pytest.mark.parametrize("amount", ["0.19", "1.01", "-1", "0"])
def test_farmer_amount_out_of_range_is_refused(amount):
    with pytest.raises(rates.DuesError):
        rates.monthly_amount("farmer", fixed_amount=D(amount))


@pytest.mark.parametrize("category", ["student", "unemployed", "relief"])
def test_flat_categories_pay_twenty_fen(category):
    assert rates.monthly_amount(category) == D("0.20")


@pytest.mark.parametrize("base", ["-0.01", "1000000.01"])
def test_negative_or_absurd_base_is_refused(base):
    with pytest.raises(rates.DuesError):
        rates.monthly_amount("employed", base=D(base))


def test_unknown_category_and_missing_values_are_refused():
    with pytest.raises(rates.DuesError):
        rates.monthly_amount("teacher", base=D("100"))
    with pytest.raises(rates.DuesError):
        rates.monthly_amount("retired")
    with pytest.raises(rates.DuesError):
        rates.monthly_amount("farmer")


def test_months_parse_and_step():
    assert M("2026-03") == dt.date(2026, 3, 1)
    assert M("2026-3") == dt.date(2026, 3, 1)
    for bad in ("2026-13", "2026-00", "26-03", "2026/03", "march"):
        with pytest.raises(rates.DuesError):
            M(bad)
    assert rates.add_months(M("2025-12"), 1) == M("2026-01")
    assert rates.add_months(M("2026-01"), -1) == M("2025-12")
    assert list(rates.months(M("2025-11"), M("2026-02"))) == [
        M("2025-11"),
        M("2025-12"),
        M("2026-01"),
        M("2026-02"),
    ]
    assert rates.month_count(M("2025-11"), M("2026-02")) == 4
    assert rates.month_label(M("2026-03")) == "2026-03"


def test_a_new_base_each_year_keeps_the_old_months():
    records = [
        Record(M("2025-01"), "employed", D("4000")),
        Record(M("2026-01"), "employed", D("6000")),
    ]
    due = rates.months_due(M("2025-11"), M("2026-02"), records)
    assert due == {
        M("2025-11"): D("40.00"),
        M("2025-12"): D("40.00"),
        M("2026-01"): D("90.00"),
        M("2026-02"): D("90.00"),
    }
    assert rates.due_in(M("2024-12"), records) is None  # before the start


def test_reliefs_lower_or_exempt_only_the_months_they_cover():
    records = [Record(M("2026-01"), "employed", D("4000"))]
    reliefs = [Relief("reduction", M("2026-02"), M("2026-03"), D("5")), Relief("exemption", M("2026-05"))]
    due = rates.months_due(M("2026-01"), M("2026-06"), records, reliefs)
    assert due[M("2026-01")] == D("40.00")
    assert due[M("2026-02")] == due[M("2026-03")] == D("5.00")
    assert due[M("2026-04")] == D("40.00")
    assert due[M("2026-05")] == due[M("2026-06")] == D("0.00")
    # a "reduction" above the rule's amount does not raise it
    assert rates.due_in(M("2026-02"), records, [Relief("reduction", M("2026-02"), None, D("99"))]) == D(
        "40.00"
    )


def test_off_the_roll_months_are_not_due():
    records = [Record(M("2026-01"), "student")]
    due = rates.months_due(M("2026-01"), M("2026-12"), records, on_roll=(M("2026-03"), M("2026-05")))
    assert list(due) == [M("2026-03"), M("2026-04"), M("2026-05")]


def test_paid_through_is_the_end_of_the_unbroken_run_from_the_start():
    start = M("2026-01")
    due = {m: D("1.00") for m in rates.months(start, M("2026-06"))}
    payments = [Span(M("2026-01"), M("2026-02")), Span(M("2026-04"), M("2026-04"))]
    assert rates.paid_through(start, M("2026-06"), due, payments) == M("2026-02")
    assert rates.months_unpaid(start, M("2026-06"), due, payments) == [
        M("2026-03"),
        M("2026-05"),
        M("2026-06"),
    ]
    assert rates.unpaid_run(start, M("2026-06"), due, payments) == [M("2026-05"), M("2026-06")]
    assert rates.paid_through(start, M("2026-06"), due, []) is None
    assert rates.months_unpaid(None, M("2026-06"), due, []) == []


def test_paid_in_advance_runs_past_the_report_month():
    start = M("2026-01")
    due = {m: D("1.00") for m in rates.months(start, M("2026-03"))}
    assert rates.paid_through(start, M("2026-03"), due, [Span(M("2026-01"), M("2026-12"))]) == M("2026-12")


def test_exempt_months_count_as_covered():
    start = M("2026-01")
    due = {M("2026-01"): D("1.00"), M("2026-02"): D("0.00"), M("2026-03"): D("1.00")}
    payments = [Span(M("2026-01"), M("2026-01")), Span(M("2026-03"), M("2026-03"))]
    assert rates.paid_through(start, M("2026-03"), due, payments) == M("2026-03")
    assert rates.months_unpaid(start, M("2026-03"), due, []) == [M("2026-01"), M("2026-03")]


def test_payment_due_sums_the_months():
    due = {M("2026-01"): D("15.00"), M("2026-02"): D("15.00"), M("2026-03"): D("30.00")}
    assert rates.payment_due(M("2026-01"), M("2026-03"), due) == D("60.00")
    assert rates.dues_start([Record(M("2026-03"), "student"), Record(M("2026-01"), "student")]) == M(
        "2026-01"
    )
    assert rates.dues_start([Record(M("2026-01"), "student")], first_on_roll=M("2026-02")) == M("2026-02")
    assert rates.dues_start([]) is None
