"""The dues totals (`dues_totals`), summed in the database, against the rules applied member by member: the
per-member Python that the totals page ran before (MemberDues month by month) is kept here as the reference,
and every figure of every month must be the same, for the county, a township and a branch, for several years
and days. The members are varied on purpose: records changing mid-year, reliefs of both kinds (approved or
not, open-ended, overlapping, above the amount), payments spanning months, ahead, overlapping, with extras,
deaths, departures and admissions on the first and in the middle of a month."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D

import pytest

from branches.paths import subtree_q
from dues import rates, selectors
from dues.models import DuesRecord, DuesRelief, Payment
from dues.selectors import MemberDues, MonthTotal, dues_for_members, during_q
from members.models import Member
from tests.factories import MemberFactory, make_branch
from users.services import system_user

pytestmark = pytest.mark.django_db
M = dt.date


# -- the reference: what the totals page computed member by member ---------------------------------------------
def _add(total: MonthTotal, dues: MemberDues, month: dt.date, current: dt.date) -> None:
    due = dues.due(month)
    if due is None:
        return
    total.members += 1
    total.due += due
    if dues.paid(month):
        total.paid += due
    elif due and month <= current:
        total.unpaid_members += 1
        total.unpaid += due


def reference_totals(*, org, year, as_of):
    """(whole months, [(organization id, code, name, months)]) as the page computed them before."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    source = Member.objects.filter(subtree_q(org), during_q(first, last)).filter(
        pk__in=DuesRecord.objects.values("member_id")
    )
    members = list(source.select_related("organization").order_by("organization__path", "pk"))
    dues = dues_for_members(members, source=source)
    months = list(rates.months(first, dt.date(year, 12, 1)))
    current = rates.month_of(as_of)
    whole = [MonthTotal(m) for m in months]
    per_org: dict[int, tuple] = {}
    for member in members:
        d = dues[member.pk]
        o = member.organization
        unit = per_org.setdefault(o.pk, (o.pk, o.code, o.name, [MonthTotal(m) for m in months]))
        for i, month in enumerate(months):
            _add(whole[i], d, month, current)
            _add(unit[3][i], d, month, current)
        for p in d.payments:
            if p.extra and p.paid_on.year == year:
                whole[p.paid_on.month - 1].extra += p.extra
                unit[3][p.paid_on.month - 1].extra += p.extra
    return whole, sorted(per_org.values(), key=lambda t: t[1])


def _reference_year(months: list[MonthTotal]) -> MonthTotal:
    total = MonthTotal(months[0].month)
    for t in months:
        total.due += t.due
        total.paid += t.paid
        total.extra += t.extra
        total.unpaid += t.unpaid
    total.members = max(t.members for t in months)
    total.unpaid_members = months[-1].unpaid_members
    return total


def assert_same_totals(org, year, as_of):
    whole, units = selectors.dues_totals(org=org, year=year, as_of=as_of)
    expected_whole, expected_units = reference_totals(org=org, year=year, as_of=as_of)
    assert whole.months == expected_whole, (org.code, year, as_of)
    assert whole.year == _reference_year(expected_whole)
    assert (whole.organization_id, whole.code, whole.name) == (org.pk, org.code, org.name)
    assert [(u.organization_id, u.code, u.name, u.months) for u in units] == expected_units, (
        org.code,
        year,
        as_of,
    )
    for unit, (*_ids, months) in zip(units, expected_units, strict=True):
        assert unit.year == _reference_year(months)
    # the same text on the page and in the export: two places after the point, always
    assert all(len(str(t.due).split(".")[1]) == 2 for t in whole.months)


# -- building members -----------------------------------------------------------------------------------------
def _member(org, admitted_on, *, died_on=None, departed_on=None):
    return MemberFactory(
        organization=org,
        admitted_on=admitted_on,
        full_member_on=None,
        died_on=died_on,
        departed_on=departed_on,
        departure_reason=Member.Departure.TRANSFERRED_OUT if departed_on else "",
    )


def _record(member, starts, category, base=None, fixed=None):
    return DuesRecord.objects.create(
        member=member,
        starts_month=starts,
        category=category,
        base=None if base is None else D(base),
        fixed_amount=None if fixed is None else D(fixed),
        created_by=system_user(),
    )


def _relief(member, kind, first, last=None, amount=None, *, approved=True):
    by = system_user()
    return DuesRelief.objects.create(
        member=member,
        kind=kind,
        amount=None if amount is None else D(amount),
        first_month=first,
        last_month=last,
        reason="困难",
        decided_on=first,
        decided_by=by,
        approved_on=first if approved else None,
        approved_by=by if approved else None,
    )


def _pay(member, first, last, *, paid_on=None, extra="0"):
    return Payment.objects.create(
        member=member,
        paid_on=paid_on or first,
        first_month=first,
        last_month=last,
        amount=D(extra),
        due=D("0"),
        extra=D(extra),
        recorded_by=system_user(),
    )


@pytest.fixture
def varied(county, township_a, township_b, branch_a1, branch_a2, branch_b1):
    """Members chosen to reach every rule at its edge."""
    # in work, a new base mid-year, paid ahead into next year with an extra
    a = _member(branch_a1, M(2010, 3, 4))
    _record(a, M(2025, 1, 1), "employed", "2999.00")  # 14.995 → 15.00 (四舍五入)
    _record(a, M(2026, 7, 1), "employed", "4322.50")  # 43.225 → 43.23
    _pay(a, M(2025, 1, 1), M(2026, 3, 1), paid_on=M(2025, 12, 20), extra="10.50")
    _pay(a, M(2026, 4, 1), M(2027, 2, 1), paid_on=M(2026, 4, 2), extra="3")
    # retired, an approved reduction that would raise the amount (it does not) and a lower one on top
    b = _member(branch_a1, M(1990, 1, 1))
    _record(b, M(2024, 6, 1), "retired", "5000.01")  # 50.00
    _relief(b, "reduction", M(2026, 2, 1), M(2026, 9, 1), "80")
    _relief(b, "reduction", M(2026, 5, 1), None, "12.34")
    _relief(b, "exemption", M(2026, 11, 1), None, approved=False)  # not approved: does not count
    _pay(b, M(2026, 1, 1), M(2026, 6, 1), paid_on=M(2026, 6, 30))
    # a farmer exempted for part of the year, two payments that overlap (they count once)
    c = _member(branch_a2, M(2000, 1, 1))
    _record(c, M(2020, 1, 1), "farmer", fixed="0.55")
    _relief(c, "exemption", M(2026, 3, 1), M(2026, 5, 1))
    _pay(c, M(2026, 1, 1), M(2026, 4, 1))
    _pay(c, M(2026, 3, 1), M(2026, 8, 1), paid_on=M(2026, 8, 31), extra="0.45")
    _pay(c, M(2026, 3, 1), M(2026, 8, 1), paid_on=M(2026, 9, 1))  # the very same months again
    # admitted mid-month, dues from admission, died mid-year (off the roll from the day of death)
    d = _member(branch_a2, M(2026, 2, 17), died_on=M(2026, 9, 15))
    _record(d, M(2026, 2, 1), "student")
    _pay(d, M(2026, 2, 1), M(2026, 12, 1), paid_on=M(2026, 2, 17), extra="1")
    # departed on the first of a month (not on the roll that month), a reduction to nothing
    e = _member(branch_b1, M(2015, 5, 5), departed_on=M(2026, 6, 1))
    _record(e, M(2025, 3, 1), "relief")
    _relief(e, "reduction", M(2026, 1, 1), M(2026, 2, 1), "0")
    _pay(e, M(2026, 2, 1), M(2026, 3, 1))
    # admitted on the last day of a month, died on the first of one
    f = _member(township_a, M(2026, 4, 30), died_on=M(2026, 10, 1))
    _record(f, M(2026, 4, 1), "unemployed")
    # a record that starts next year (listed, nothing due), a member without a record (not listed)
    g = _member(branch_b1, M(2001, 1, 1))
    _record(g, M(2027, 1, 1), "employed", "12000")
    _pay(g, M(2026, 12, 1), M(2026, 12, 1), paid_on=M(2026, 11, 3), extra="5")  # paid, never due
    _member(branch_b1, M(2001, 1, 1))
    # left the roll before the year: not counted, their extras neither
    h = _member(branch_a1, M(2001, 1, 1), departed_on=M(2025, 12, 31))
    _record(h, M(2020, 1, 1), "employed", "10000.01")
    _pay(h, M(2025, 1, 1), M(2025, 12, 1), paid_on=M(2026, 1, 5), extra="7")
    # in a branch of its own, in the middle of a month: rows the service would have put on the first
    other = make_branch(township_b, code="B-B9", name="另一支部")
    i = _member(other, M(2003, 3, 3))
    _record(i, M(2026, 3, 15), "employed", "10000.00")
    _record(i, M(2026, 3, 20), "employed", "100")  # both after the first: in force from April
    _relief(i, "reduction", M(2026, 5, 10), M(2026, 7, 20), "0.3")
    _pay(i, M(2026, 4, 2), M(2026, 5, 31))
    _pay(i, M(2026, 8, 15), M(2026, 8, 15))  # covers no first day: no month
    return county


@pytest.mark.parametrize("year", [2025, 2026, 2027])
@pytest.mark.parametrize("as_of", [M(2026, 6, 15), M(2026, 12, 2), M(2025, 3, 1)])
def test_totals_are_the_rules_member_by_member(varied, township_a, township_b, branch_a1, year, as_of):
    for org in (varied, township_a, township_b, branch_a1):
        assert_same_totals(org, year, as_of)


def test_the_edges_give_these_figures(varied):
    whole, units = selectors.dues_totals(org=varied, year=2026, as_of=M(2026, 12, 2))
    by_code = {u.code: u for u in units}
    a1, a2, b1, b9 = (by_code[code].months for code in ("B-A1", "B-A2", "B-B1", "B-B9"))
    # B-A1: a 15.00 (2,999.00 × 0.5%, half up), 43.23 from July; b 50.00, a reduction to 80 does not raise
    # it, 12.34 from May; h left the roll before the year
    assert [t.due for t in a1][:7] == [D("65.00")] * 4 + [D("27.34"), D("27.34"), D("55.57")]
    assert a1[6].unpaid == D("12.34") and a1[6].unpaid_members == 1  # b paid through June
    assert a1[3].extra == D("3.00")  # a's extra of 2025 is not this year's; h is not counted
    # B-A2: c's overlapping payments count once; exempt months are due 0, never unpaid; d from February
    assert [t.members for t in a2][:3] == [1, 2, 2]
    assert a2[3].due == a2[3].paid == D("0.20")  # April: c exempt, d paid
    assert a2[8].members == 2 and a2[9].members == 1  # d died on 15 September
    assert a2[8].unpaid == D("0.55")  # c paid through August
    # B-B1: e departed on 1 June (on the roll through May), reduced to nothing in January and February; g's
    # record starts next year: listed, nothing due, its payment and extra of November count as extra only
    assert [t.members for t in b1][4:6] == [1, 0]
    assert [t.due for t in b1][:3] == [D("0.00"), D("0.00"), D("0.20")]
    assert b1[0].unpaid_members == 0 and b1[10].extra == D("5.00") and b1[11].members == 0
    # B-B9: records that start after the first of March are in force from April; the reduction from 10 May
    # reaches June and July; the payment of 2 April to 31 May covers May only
    assert [t.due for t in b9][2:8] == [D("0.00"), D("0.50"), D("0.50"), D("0.30"), D("0.30"), D("0.50")]
    assert [t.paid for t in b9][3:5] == [D("0.00"), D("0.50")]
    # the county: a, b, c and e in January; f and d later
    assert whole.months[0].members == 4 and whole.months[4].members == 7
    assert [u.code for u in units] == ["B-A1", "B-A2", "B-B1", "B-B9", "T-A"]


def test_nobody_with_a_record_gives_zeros(county, branch_a1):
    _member(branch_a1, M(2000, 1, 1))  # no dues record: not counted
    whole, units = selectors.dues_totals(org=county, year=2026, as_of=M(2026, 6, 15))
    assert units == []
    assert whole.months == [MonthTotal(m) for m in rates.months(M(2026, 1, 1), M(2026, 12, 1))]
    assert whole.year == MonthTotal(M(2026, 1, 1))
    assert_same_totals(county, 2026, M(2026, 6, 15))


@pytest.fixture
def random_members(county, township_a, township_b, branch_a1, branch_a2, branch_b1):
    """A seeded crowd: any mix of the above, more of them than anyone would write by hand."""
    rng = random.Random(14)
    orgs = [branch_a1, branch_a2, branch_b1, township_a]
    end = M(2027, 12, 31)

    def day(after: dt.date) -> dt.date:
        return after + dt.timedelta(days=rng.randrange(max(1, (end - after).days)))

    def month(after: dt.date) -> dt.date:  # now and then not on the first, as no service would write it
        d = day(after)
        return d if rng.random() < 0.05 else d.replace(day=1)

    for _ in range(60):
        admitted = (
            day(M(2018, 1, 1)) if rng.random() < 0.3 else M(2010, 1, 1) + dt.timedelta(rng.randrange(3000))
        )
        died = day(admitted) if rng.random() < 0.15 else None
        departed = day(admitted) if rng.random() < 0.15 else None
        m = _member(rng.choice(orgs), admitted, died_on=died, departed_on=departed)
        starts = sorted({month(M(2024, 1, 1)) for _ in range(rng.randrange(0, 4))})
        for s in starts:
            kind = rng.choice(rates.CATEGORIES)
            if kind in rates.SALARIED:
                base = rng.choice(["0.00", "2999.00", "3000.01", "4321.50", "5000.00", "9999.99", "15000"])
                _record(m, s, kind, base)
            elif kind == rates.FARMER:
                _record(m, s, kind, fixed=rng.choice(["0.20", "0.55", "1.00"]))
            else:
                _record(m, s, kind)
        for _ in range(rng.randrange(0, 3)):
            first = month(M(2025, 1, 1))
            last = None if rng.random() < 0.3 else month(first)
            if rng.random() < 0.5:
                _relief(m, "exemption", first, last, approved=rng.random() < 0.8)
            else:
                amount = rng.choice(["0", "0.10", "5", "30", "1000"])
                _relief(m, "reduction", first, last, amount, approved=rng.random() < 0.8)
        for _ in range(rng.randrange(0, 5)):
            first = month(M(2024, 10, 1))
            last = month(first) if rng.random() < 0.7 else first
            extra = rng.choice(["0", "0", "0.01", "2.50", "100"])
            _pay(m, first, last, paid_on=day(M(2024, 10, 1)), extra=extra)
    return county


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_a_crowd_gives_the_same_totals(random_members, township_a, branch_b1, year):
    for as_of in (M(2026, 1, 31), M(2026, 7, 1), M(2027, 12, 31)):
        for org in (random_members, township_a, branch_b1):
            assert_same_totals(org, year, as_of)


def test_monthly_amount_in_sql_is_the_rule(county, branch_a1):
    """Every bracket edge and every half-up case of test_rates, through the SQL expression."""
    from django.db import connection

    m = _member(branch_a1, M(2000, 1, 1))
    cases = [
        ("employed", "3000.00"),
        ("employed", "3000.01"),
        ("employed", "5000.00"),
        ("employed", "5000.01"),
        ("employed", "10000.00"),
        ("employed", "10000.01"),
        ("retired", "5000.00"),
        ("retired", "5000.01"),
        ("retired", "2999.00"),
        ("employed", "2999.00"),
        ("employed", "2998.00"),
        ("employed", "0.00"),
        ("employed", "4321.50"),
        ("employed", "4322.50"),
        ("employed", "999999.99"),
        ("retired", "1000000.00"),
        ("employed", "1234.56"),
        ("retired", "7777.77"),
    ]
    records = [_record(m, M(2000 + i, 1, 1), category, base) for i, (category, base) in enumerate(cases)] + [
        _record(m, M(1980, 1, 1), "farmer", fixed="0.55"),
        _record(m, M(1981, 1, 1), "farmer", fixed="1.00"),
        _record(m, M(1982, 1, 1), "student"),
        _record(m, M(1983, 1, 1), "relief"),
    ]
    expression = selectors._monthly_fen_sql(selectors._fen("w.base"), "w")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT w.id, {expression} FROM {DuesRecord._meta.db_table} w")
        got = {pk: fen for pk, fen in cursor.fetchall()}
    for record in records:
        assert D(got[record.pk]).scaleb(-2) == record.amount, (record.category, record.base)
