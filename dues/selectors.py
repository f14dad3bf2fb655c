"""Reads for party dues (党费). Pages read through the scope. The sheet, the report, the reminders and the
six-month lapse load the members first and then their records, reliefs and payments in three more queries
(`dues_for_members`), and apply the pure rules of dues/rates.py in Python (MemberDues). The totals of a
township or the county, tens of thousands of members, are summed in the database by the same rules
(`dues_totals`, _TOTALS_SQL); tests/dues/test_totals.py compares the two."""

from __future__ import annotations

import datetime as dt
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.db.models import Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Lag, Least

from branches.models import Organization, RoleAssignment
from branches.paths import subtree_q
from branches.selectors import Scope
from common import statements
from common.links import id_url
from common.table_versions import cached_exactly
from members.models import Member
from members.selectors import in_subtree_on_q, living_on_q, organization_on
from notifications.services import recipients_for

from . import rates
from .models import DuesRecord, DuesRelief, Payment

ZERO = Decimal("0.00")
Role = RoleAssignment.Role
ARREARS_STAGES = ((5, "arrears5"), (3, "arrears3"))  # months unpaid → reminder stage, the stronger first
LAPSE_MONTHS = 6  # Party Constitution art. 9: six months in a row without paying dues


class MemberDues:
    """One member's dues: the rows, and the rules of dues/rates.py applied to them."""

    def __init__(
        self,
        member: Member,
        records: list[DuesRecord],
        reliefs: list[DuesRelief],
        payments: list[Payment],
    ):
        self.member = member
        self.records = sorted(records, key=lambda r: r.starts_month)
        self.reliefs = reliefs
        self.payments = sorted(payments, key=lambda p: p.first_month)
        self._rules = [r.as_rule() for r in self.records]
        self._reliefs = [r.as_rule() for r in reliefs if r.is_approved]
        self.spans = [p.as_span() for p in self.payments]
        ends = [d for d in (member.died_on, member.departed_on) if d]
        end = min(ends) if ends else None
        # On the roll in a month when on the roll on any day of it (off the roll on the day of death or departure).
        self.on_roll = (
            rates.month_of(member.admitted_on),
            rates.month_of(end - dt.timedelta(days=1)) if end else None,
        )

    @property
    def start(self) -> dt.date | None:
        return rates.dues_start(self._rules, first_on_roll=self.on_roll[0])

    def record_on(self, month: dt.date) -> DuesRecord | None:
        current = None
        for record in self.records:
            if record.starts_month <= month:
                current = record
        return current

    def due(self, month: dt.date) -> Decimal | None:
        return rates.due_in(month, self._rules, self._reliefs, on_roll=self.on_roll)

    def due_map(self, first: dt.date, last: dt.date) -> dict[dt.date, Decimal]:
        return rates.months_due(first, last, self._rules, self._reliefs, on_roll=self.on_roll)

    def paid(self, month: dt.date, *, extra: Iterable[rates.Span] = ()) -> bool:
        return any(p.first <= month <= p.last for p in [*self.spans, *extra])

    def _through_map(self, through: dt.date) -> dict[dt.date, Decimal]:
        start = self.start
        if start is None:
            return {}
        last = max([through, *(p.last for p in self.spans)])
        return self.due_map(start, last)

    def paid_through(self, through: dt.date) -> dt.date | None:
        return rates.paid_through(self.start, through, self._through_map(through), self.spans)

    def unpaid(self, through: dt.date) -> list[dt.date]:
        return rates.months_unpaid(self.start, through, self._through_map(through), self.spans)

    def unpaid_run(self, through: dt.date) -> list[dt.date]:
        return rates.unpaid_run(self.start, through, self._through_map(through), self.spans)

    def cell(self, month: dt.date, *, current: dt.date) -> str:
        """The sheet's cell: "none" (nothing due), "exempt", "paid", "unpaid" (due by `current`) or "ahead"."""
        return self.cell_of(month, self.due(month), current=current)

    def cell_of(self, month: dt.date, due: Decimal | None, *, current: dt.date) -> str:
        """`cell` for a caller that has the month's due (`self.due(month)`) already."""
        if due is None:
            return "paid" if self.paid(month) else "none"
        if self.paid(month):
            return "paid"
        if due == 0:
            return "exempt"
        return "unpaid" if month <= current else "ahead"


# The columns MemberDues' rules read (the reminders and the lapse ask no more of the rows: thousands of them)
RULE_FIELDS = {
    DuesRecord: ("member_id", "category", "base", "fixed_amount", "starts_month"),
    DuesRelief: ("member_id", "kind", "amount", "first_month", "last_month", "approved_on"),
    Payment: ("member_id", "first_month", "last_month"),
}


def dues_for_members(
    members: Iterable[Member], *, source: QuerySet[Member] | None = None, rules_only: bool = False
) -> dict[int, MemberDues]:
    """Every member's MemberDues in three queries: the members already loaded, and `source`, the queryset
    they were loaded from (used as a subquery when they are many). `rules_only`: the rows with only the columns
    the rules read (RULE_FIELDS), for a caller that shows nothing else of them."""

    def rows(model):
        return model.objects.only(*RULE_FIELDS[model]) if rules_only else model.objects.all()

    members = list(members)
    ids = [m.pk for m in members]
    if source is not None and len(ids) > CHUNK:
        filters = [Q(member_id__in=source.order_by().values("pk"))]
    else:
        filters = [Q(member_id__in=ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]
    records: dict[int, list[DuesRecord]] = defaultdict(list)
    reliefs: dict[int, list[DuesRelief]] = defaultdict(list)
    payments: dict[int, list[Payment]] = defaultdict(list)
    for q in filters:
        for r in rows(DuesRecord).filter(q):
            records[r.member_id].append(r)
        for relief in rows(DuesRelief).filter(q):
            reliefs[relief.member_id].append(relief)
        for p in rows(Payment).filter(q):
            payments[p.member_id].append(p)
    return {m.pk: MemberDues(m, records[m.pk], reliefs[m.pk], payments[m.pk]) for m in members}


CHUNK = 900  # ids per query when they are few; past that, a subquery


def member_dues(*, member: Member) -> MemberDues:
    """One member's dues (three queries, as dues_for_members reads them, their statements compiled once:
    common.statements)."""

    def rows(model):
        return statements.by_id(
            model,
            ("dues.member_dues", model.__name__),
            lambda pk: model.objects.filter(member_id=pk),
            member.pk,
        )

    return MemberDues(member, rows(DuesRecord), rows(DuesRelief), rows(Payment))


def during_q(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    """On the roll on some day from `first` through `last`: on the roll on `first` (living_on_q), or admitted
    after it but by `last`."""
    return living_on_q(first, prefix) | Q(
        **{f"{prefix}admitted_on__gt": first, f"{prefix}admitted_on__lte": last}
    )


# -- pages ----------------------------------------------------------------------------------------------------
def member_payments(*, member: Member) -> QuerySet[Payment]:
    return Payment.objects.filter(member=member).select_related("recorded_by").order_by("-first_month", "-pk")


def member_reliefs(*, member: Member) -> QuerySet[DuesRelief]:
    return DuesRelief.objects.filter(member=member).select_related(
        "decided_by", "approved_by", "member__organization__parent"
    )


@dataclass
class SheetRow:
    member: Member
    dues: MemberDues
    cells: list[tuple[dt.date, str, Decimal | None]]
    record: DuesRecord | None
    paid_through: dt.date | None
    unpaid: int


def sheet_members(*, org: Organization, year: int) -> QuerySet[Member]:
    """The organization's own members on the roll at some time in `year`, by name (the sheet pages them)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Member.objects.filter(during_q(first, last), organization=org).order_by("name", "pk")


def sheet_rows(*, members: Iterable[Member], year: int, as_of: dt.date) -> list[SheetRow]:
    """The dues sheet (months × members) for one page of members: three queries."""
    members = list(members)
    dues = dues_for_members(members)
    current = rates.month_of(as_of)
    months = list(rates.months(dt.date(year, 1, 1), dt.date(year, 12, 1)))
    rows = []
    for m in members:
        d = dues[m.pk]
        due = [(month, d.due(month)) for month in months]
        rows.append(
            SheetRow(
                member=m,
                dues=d,
                cells=[(month, d.cell_of(month, x, current=current), x) for month, x in due],
                record=d.record_on(current) or (d.records[-1] if d.records else None),
                paid_through=d.paid_through(current),
                unpaid=len(d.unpaid(current)),
            )
        )
    return rows


def sheet_row(*, member: Member, year: int, as_of: dt.date) -> SheetRow:
    return sheet_rows(members=[member], year=year, as_of=as_of)[0]


@dataclass
class MonthTotal:
    month: dt.date
    members: int = 0  # members with something due that month
    due: Decimal = ZERO
    paid: Decimal = ZERO  # the dues of the months payments cover
    extra: Decimal = ZERO  # voluntary extras of payments made that month
    unpaid_members: int = 0
    unpaid: Decimal = ZERO

    @property
    def label(self) -> str:
        return rates.month_label(self.month)


class OrgTotal:
    """An organization's dues per month of a year (or a whole subtree's): `months`, a MonthTotal each, and
    `year`, the year's. Built from the figures in fen when first read: a county lists hundreds of
    organizations, a page shows a few of them."""

    def __init__(
        self,
        organization_id: int,
        code: str,
        name: str,
        *,
        first_days: list[dt.date],
        figures: Iterable[list[int]],
        current: dt.date,
    ):
        self.organization_id, self.code, self.name = organization_id, code, name
        self._first_days, self._figures, self._current = first_days, figures, current

    @cached_property
    def months(self) -> list[MonthTotal]:
        return [
            _month_total(month, figures, self._current)
            for month, figures in zip(self._first_days, self._figures, strict=True)
        ]

    @cached_property
    def year(self) -> MonthTotal:
        total = MonthTotal(self.months[0].month if self.months else dt.date.min)
        for t in self.months:
            total.due += t.due
            total.paid += t.paid
            total.extra += t.extra
            total.unpaid += t.unpaid
        total.members = max((t.members for t in self.months), default=0)
        total.unpaid_members = self.months[-1].unpaid_members if self.months else 0
        return total


def _month_total(month: dt.date, figures: list[int], current: dt.date) -> MonthTotal:
    """A month's totals from (members due, due, paid, members with something due, of them paid, extra), money
    in fen: what is due and not paid is owed once the month has come (`current`, the month of today)."""
    members, due, paid, due_members, paid_members, extra = figures
    owed = month <= current
    return MonthTotal(
        month,
        members=members,
        due=_money(due),
        paid=_money(paid),
        extra=_money(extra),
        unpaid_members=due_members - paid_members if owed else 0,
        unpaid=_money(due - paid) if owed else ZERO,
    )


# -- the totals in the database -------------------------------------------------------------------------------
# A county's totals are tens of thousands of members × 12 months: MemberDues member by member takes seconds,
# and a row per member and month in SQL most of one. Instead each month of the year is a bit (month k = 1 <<
# (k - 1)) and every date that the rules compare with a month becomes the months on one side of it, a mask: a
# member's months on the roll, a record's months in force, the months a member's payments cover (overlapping
# payments count once: an OR). Each record's months due and, of those, months paid are grouped per
# organization with their amounts summed, and the groups spread over the months; the few months under an
# approved reduction or exemption are corrected one by one. The rules are MemberDues.due and .paid's:
# tests/dues/test_totals.py holds the two side by side.
#
# Rows: (organization, month 1–12, members due, due, paid, members with something due, of them paid,
# voluntary extra), money in fen; month 0 only lists the organization (a member there has a dues record).
_TOTALS_SQL = """
WITH src (id, org_id, admitted_on, died_on, departed_on) AS ({members}),
mem AS (SELECT id, org_id, {died} & {departed} & ~{admitted} AS roll FROM src),
rec AS (
    SELECT member_id, org_id, {record_fen} AS fen, roll & {ends} & ~{starts} AS due
    FROM (SELECT r.member_id, mem.org_id, mem.roll, r.category, r.fixed_amount, r.starts_month AS starts,
                 LEAD(r.starts_month) OVER (PARTITION BY r.member_id ORDER BY r.starts_month) AS ends,
                 {base_fen} AS base_fen
          FROM {record} r JOIN mem ON mem.id = r.member_id) AS w
),
paid AS (
    SELECT member_id, {bit_or} AS mask
    FROM (SELECT p.member_id, {pay_last} & ~{pay_first} AS mask
          FROM {payment} p {pay_members}
          WHERE p.first_month <= '{last}' AND p.last_month >= '{first}') AS p
    GROUP BY member_id
),
months (k, bit) AS (VALUES {months}),
due AS (
    SELECT rec.member_id, rec.org_id, rec.fen, rec.due, rec.due & COALESCE(paid.mask, 0) AS paid
    FROM rec LEFT JOIN paid ON paid.member_id = rec.member_id
),
grp AS (
    SELECT org_id, due, paid, COUNT(*) AS n, CAST(SUM(fen) AS BIGINT) AS fen,
           SUM(CASE WHEN fen > 0 THEN 1 ELSE 0 END) AS npos
    FROM due GROUP BY org_id, due, paid
),
relief AS (
    SELECT d.member_id, months.k, months.bit,
           MAX(CASE WHEN d.kind = '{exemption}' THEN 1 ELSE 0 END) AS exempt,
           MIN(CASE WHEN d.kind <> '{exemption}' THEN {relief_fen} END) AS reduced
    FROM {relief} d JOIN months ON ({relief_last} & ~{relief_first} & months.bit) <> 0
    WHERE d.approved_on IS NOT NULL
    GROUP BY d.member_id, months.k, months.bit
),
relieved AS (
    SELECT due.org_id, relief.k, due.fen,
           CASE WHEN relief.exempt = 1 THEN 0 WHEN relief.reduced < due.fen THEN relief.reduced ELSE due.fen END
               AS now,
           CASE WHEN (due.paid & relief.bit) <> 0 THEN 1 ELSE 0 END AS is_paid
    FROM relief JOIN due ON due.member_id = relief.member_id AND (due.due & relief.bit) <> 0
),
extra AS (
    SELECT mem.org_id, {paid_in} AS k, CAST(SUM({extra_fen}) AS BIGINT) AS fen
    FROM {payment} p JOIN mem ON mem.id = p.member_id
    WHERE p.paid_on >= '{first}' AND p.paid_on < '{after}' AND p.extra > 0
    GROUP BY mem.org_id, 2
),
figures (org_id, k, n, due, paid, npos, npos_paid, extra) AS (
    SELECT grp.org_id, months.k, grp.n, grp.fen, CASE WHEN (grp.paid & months.bit) <> 0 THEN grp.fen ELSE 0 END,
           grp.npos, CASE WHEN (grp.paid & months.bit) <> 0 THEN grp.npos ELSE 0 END, 0
    FROM grp JOIN months ON (grp.due & months.bit) <> 0
    UNION ALL
    SELECT org_id, k, 0, now - fen, (now - fen) * is_paid,
           (CASE WHEN now > 0 THEN 1 ELSE 0 END) - (CASE WHEN fen > 0 THEN 1 ELSE 0 END),
           ((CASE WHEN now > 0 THEN 1 ELSE 0 END) - (CASE WHEN fen > 0 THEN 1 ELSE 0 END)) * is_paid, 0
    FROM relieved
    UNION ALL
    SELECT org_id, k, 0, 0, 0, 0, 0, fen FROM extra
    UNION ALL
    SELECT org_id, 0, 0, 0, 0, 0, 0, 0 FROM grp
)
SELECT org_id, k, CAST(SUM(n) AS BIGINT), CAST(SUM(due) AS BIGINT), CAST(SUM(paid) AS BIGINT),
       CAST(SUM(npos) AS BIGINT), CAST(SUM(npos_paid) AS BIGINT), CAST(SUM(extra) AS BIGINT)
FROM figures GROUP BY org_id, k
"""


def _fen(column: str) -> str:
    """A money column (two decimals) as a whole number of fen: exact on PostgreSQL (numeric) and on SQLite,
    which holds the column as a float (× 100, rounded, lands on the integer)."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _to_fen(amount: Decimal) -> int:
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise AssertionError(f"{amount} is not a whole number of fen")
    return int(fen)


def _monthly_fen_sql(base_fen: str, alias: str) -> str:
    """rates.monthly_amount in fen, as SQL built from the same brackets (`base_fen` the base in fen, `alias`
    the row with the category and fixed amount): the base times the rate rounded half up (四舍五入) in whole
    numbers, ⌊(2 × fen × numerator + denominator) / (2 × denominator)⌋, so that no float rounds 14.995 down.
    NULL for a row the rules refuse."""
    cases = []
    for category in rates.SALARIED:
        brackets = []
        for upper, share in rates.BRACKETS[category]:
            numerator, denominator = share.as_integer_ratio()
            amount = f"({base_fen} * {2 * numerator} + {denominator}) / {2 * denominator}"
            if upper is None:
                brackets.append(f"ELSE {amount}")
            else:
                brackets.append(f"WHEN {base_fen} <= {_to_fen(upper)} THEN {amount}")
        cases.append(f"WHEN '{category}' THEN CASE {' '.join(brackets)} END")
    cases.append(f"WHEN '{rates.FARMER}' THEN {_fen(f'{alias}.fixed_amount')}")
    cases += [f"WHEN '{category}' THEN {_to_fen(rates.FLAT_AMOUNT)}" for category in rates.FLAT]
    return f"CASE {alias}.category {' '.join(cases)} END"


def _months_count(
    column: str, bounds: list[dt.date], op: str, *, mask: bool = True, if_null: int | None = None
) -> str:
    """How many of the months whose first days are `bounds` (in order) stand in relation `op` to the date
    `column` ("<": begin before it; "<=": begin by it): those are the first months of the year, k of them, so
    the mask of months 1..k (bit k - 1 for month k), or k itself when not `mask`; four comparisons. Literal
    dates: the same text compares as a date on PostgreSQL and on SQLite (where dates are ISO text)."""

    def search(lo: int, hi: int) -> str:  # months 1..lo qualify, lo+1..hi are unknown, hi+1.. do not
        if lo == hi:
            return str((1 << lo) - 1 if mask else lo)
        mid = (lo + hi + 1) // 2
        bound = bounds[mid - 1].isoformat()
        return f"CASE WHEN '{bound}' {op} {column} THEN {search(mid, hi)} ELSE {search(lo, mid - 1)} END"

    if if_null is None:
        return f"({search(0, len(bounds))})"
    return f"(CASE WHEN {column} IS NULL THEN {if_null} ELSE {search(0, len(bounds))} END)"


def _bit_or(column: str) -> str:
    """The aggregate OR of a mask column: PostgreSQL has one; elsewhere each month's bit is a MAX."""
    if connection.vendor == "postgresql":
        return f"BIT_OR({column})"
    return " + ".join(f"MAX({column} & {1 << k})" for k in range(12))


def _money(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


# Everything dues_totals' figures are computed from: they are cached exactly under these tables' versions.
TOTALS_TABLES = (
    "branches_organization",
    "members_member",
    "dues_duesrecord",
    "dues_duesrelief",
    "dues_payment",
)
_FIGURES = (
    6  # per organization and month: members due, due, paid, members with something due, of them paid, extra
)


class _Months:
    """One organization's figures month by month, read from the flat array the cache holds: a county's are
    hundreds of organizations × 12 months, unpickled on every request as one block of bytes instead of
    thousands of lists; a page builds the few it shows."""

    def __init__(self, flat: array, start: int, count: int):
        self._flat, self._start, self._count = flat, start, count

    def __iter__(self) -> Iterator[list[int]]:
        for at in range(self._start, self._start + self._count * _FIGURES, _FIGURES):
            yield self._flat[at : at + _FIGURES].tolist()


def dues_totals(*, org: Organization, year: int, as_of: dt.date) -> tuple[OrgTotal, list[OrgTotal]]:
    """Per month of `year`: what the members of `org`'s subtree were due, paid and owe; for the subtree as a
    whole and for each basic organization in it (by the members' present organization: each one with a member
    on the roll that year who has a dues record). The figures MemberDues gives member by member, summed in the
    database (_TOTALS_SQL), and kept in the cache under the versions of TOTALS_TABLES (common.table_versions):
    a county's are tens of thousands of members. One query from the cache, else three."""
    months = list(rates.months(dt.date(year, 1, 1), dt.date(year, 12, 1)))
    current = rates.month_of(as_of)  # what is owed: the figures themselves do not depend on the day
    units, packed = cached_exactly(
        f"dues:totals:{org.pk}:{org.path}:{year}",
        tables=TOTALS_TABLES,
        compute=lambda: _totals_figures(org=org, year=year),
    )
    flat = array("q")
    flat.frombytes(packed)
    size = len(months) * _FIGURES  # the subtree's figures first, then each unit's in the order of `units`
    return (
        OrgTotal(
            org.pk,
            org.code,
            org.name,
            first_days=months,
            figures=_Months(flat, 0, len(months)),
            current=current,
        ),
        [
            OrgTotal(
                pk,
                code,
                name,
                first_days=months,
                figures=_Months(flat, (i + 1) * size, len(months)),
                current=current,
            )
            for i, (pk, code, name) in enumerate(units)
        ],
    )


def _totals_figures(*, org: Organization, year: int) -> tuple[list[tuple[int, str, str]], bytes]:
    """dues_totals' figures in fen: the basic organizations with figures (pk, code, name) in order of code,
    and the figures month by month (_FIGURES each) of the subtree and then of each of those organizations, as
    the bytes of one array of integers. Two queries, whatever the number of members."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    months = list(rates.months(first, dt.date(year, 12, 1)))
    nexts = [*months[1:], dt.date(year + 1, 1, 1)]  # the first day after each month
    everything = (1 << len(months)) - 1
    members_sql, members_params = (
        Member.objects.filter(subtree_q(org), during_q(first, last))
        .filter(pk__in=DuesRecord.objects.values("member_id"))
        .order_by()
        .values_list("pk", "organization_id", "admitted_on", "died_on", "departed_on")
        .query.sql_with_params()
    )

    def before(column: str, if_null: int | None = None) -> str:  # the months that begin before the date
        return _months_count(column, months, "<", if_null=if_null)

    def reached(column: str, if_null: int | None = None) -> str:  # the months that begin by the date
        return _months_count(column, months, "<=", if_null=if_null)

    sql = _TOTALS_SQL.format(
        members=members_sql,
        first=first.isoformat(),
        last=months[-1].isoformat(),
        after=nexts[-1].isoformat(),
        # on the roll in a month: admitted before the next month begins, not dead or departed when it begins
        admitted=_months_count("admitted_on", nexts, "<="),
        died=before("died_on", everything),
        departed=before("departed_on", everything),
        record=DuesRecord._meta.db_table,
        base_fen=_fen("r.base"),
        record_fen=_monthly_fen_sql("base_fen", "w"),
        # a record is in force from the month its start is in (starts <= month) until the next one's
        starts=before("w.starts"),
        ends=before("w.ends", everything),
        payment=Payment._meta.db_table,
        bit_or=_bit_or("mask"),
        # payments of other members join no record and count nowhere: picking out those of `mem` only saves
        # work, which for a county (nearly every member) it does not
        pay_members="" if org.parent_id is None else "JOIN mem ON mem.id = p.member_id",
        pay_first=before("p.first_month"),
        pay_last=reached("p.last_month"),
        months=", ".join(f"({k}, {1 << (k - 1)})" for k in range(1, len(months) + 1)),
        relief=DuesRelief._meta.db_table,
        relief_fen=_fen("d.amount"),
        relief_first=before("d.first_month"),
        relief_last=reached("d.last_month", everything),
        exemption=rates.EXEMPTION,
        paid_in=_months_count("p.paid_on", months, "<=", mask=False),
        extra_fen=_fen("p.extra"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, members_params)
        rows = cursor.fetchall()
    nothing = [0] * 6
    figures: dict[int, list[list[int]]] = {}  # organization → its figures month by month
    for org_id, k, *values in rows:
        unit = figures.get(org_id)
        if unit is None:
            unit = figures[org_id] = [nothing] * len(months)
        if k:
            unit[k - 1] = values
    whole = [
        [sum(column) for column in zip(*month, strict=True)] for month in zip(*figures.values(), strict=True)
    ]
    whole = whole or [nothing] * len(months)  # no member has a record
    units = sorted(
        (
            u
            for u in Organization.objects.filter(subtree_q(org, "")).values_list("pk", "code", "name")
            if u[0] in figures
        ),
        key=lambda u: u[1],  # by code as Python orders it, whatever the database's collation
    )
    flat = array("q", (n for month in whole for n in month))
    flat.extend(n for pk, _code, _name in units for month in figures[pk] for n in month)
    return units, flat.tobytes()


def reliefs_to_approve(*, scope: Scope, org: Organization) -> QuerySet[DuesRelief]:
    """Decisions of branches in `org`'s subtree that wait for the user's approval (the user may change the
    branch's parent organization)."""
    return (
        scope.filter(
            DuesRelief.objects.filter(subtree_q(org, "member__organization")),
            "member__organization__parent",
            write=True,
        )
        .filter(approved_on__isnull=True)
        .select_related("member__organization", "decided_by")
        .order_by("decided_on", "pk")
    )


# -- report_dues ----------------------------------------------------------------------------------------------
REPORT_COLUMNS = [
    "id_number",
    "name",
    "org_code",
    "category",
    "base",
    "amount",
    "paid_through",
    "months_unpaid",
]


def report_rows(*, month: dt.date, org: Organization | None = None) -> list[list]:
    """report_dues: one row per member with a dues record started by `month` who is a member at some time in
    that month (in `org`'s subtree then, when given): the month's dues, "paid up to" and the months from the
    start through `month` that no payment covers. Four queries."""
    month = rates.month_of(month)
    end = rates.add_months(month, 1) - dt.timedelta(days=1)
    members = Member.objects.filter(during_q(month, end)).filter(
        pk__in=DuesRecord.objects.filter(starts_month__lte=month).values("member_id")
    )
    if org is not None:
        members = members.filter(in_subtree_on_q(end, org))
    loaded = list(
        members.annotate(org_code_then=organization_on(end, "code")).order_by("org_code_then", "name", "pk")
    )
    dues = dues_for_members(loaded, source=members)
    rows = []
    for m in loaded:
        d = dues[m.pk]
        record = d.record_on(month)
        amount = d.due(month)
        rows.append(
            [
                m.id_number,
                m.name,
                m.org_code_then,
                record.category_zh if record else "",
                f"{record.base:.2f}" if record and record.base is not None else "",
                f"{amount:.2f}" if amount is not None else "",
                rates.month_label(d.paid_through(month)),
                len(d.unpaid(month)),
            ]
        )
    return rows


# -- reminders and the six-month lapse ------------------------------------------------------------------------
@dataclass
class ArrearsNotice:
    stage: str  # arrears3 / arrears5
    member: Member
    months: list[dt.date]  # the unpaid months, oldest first
    recipients: list
    url: str


def _on_roll_with_dues(as_of: dt.date) -> QuerySet[Member]:
    """The members on the roll on `as_of` who have a dues record."""
    return Member.objects.filter(living_on_q(as_of), pk__in=DuesRecord.objects.values("member_id"))


def _with_dues_on(
    as_of: dt.date, member_ids: Iterable[int] | None = None
) -> tuple[list[Member], dict[int, MemberDues]]:
    """The members on the roll on `as_of` who have a dues record (among `member_ids` when given), with their
    dues (the columns the rules read): four queries."""
    members = _on_roll_with_dues(as_of)
    if member_ids is not None:
        members = members.filter(pk__in=list(member_ids))
    loaded = list(members.select_related("organization", "user").order_by("pk"))
    return loaded, dues_for_members(loaded, source=members, rules_only=True)


def _month_index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def _months_between(first, last) -> Cast:
    """The months from `first` through `last` (expressions of first days of months), both counted: an
    integer (a sum of them stays one)."""
    months = (ExtractYear(last) - ExtractYear(first)) * 12 + ExtractMonth(last) - ExtractMonth(first) + 1
    return Cast(months, IntegerField())


def _maybe_in_arrears(*, members: QuerySet[Member], through: dt.date, least: int) -> list[int]:
    """A superset of the members with `least` or more unpaid months up to `through`: those with `least` or more
    months that no payment covers from their first dues record through `through` (an unpaid month is always
    among them: it is due, so a record has started, and no payment covers it). The rules (MemberDues) then
    decide for these members only, not for the whole county.

    Counted in the database, one row per member: the months their payments cover up to `through`, each
    payment's months added up. That is the months covered when no two of them overlap and none starts before
    the first record; a member whose payments overlap (a window query) or start earlier is kept as it is.
    Three queries."""
    last = _month_index(through)
    first_of = dict(
        DuesRecord.objects.filter(member__in=members.values("pk"))
        .values("member_id")
        .annotate(first=Min("starts_month"))
        .filter(first__lte=rates.add_months(through, 1 - least))
        .values_list("member_id", "first")
    )
    # every member's payments (those off the roll are few, and skipped below): no join to the roll
    payments = Payment.objects.filter(first_month__lte=through).order_by()
    paid = {
        member_id: (earliest, months)
        for member_id, earliest, months in payments.values("member_id")
        .annotate(
            earliest=Min("first_month"),
            months=Sum(_months_between(F("first_month"), Least("last_month", Value(through)))),
        )
        .values_list("member_id", "earliest", "months")
    }
    overlapping = set(
        payments.annotate(
            previous_last=Window(
                Lag("last_month"), partition_by=[F("member_id")], order_by=[F("first_month"), F("pk")]
            )
        )
        .filter(previous_last__gte=F("first_month"))
        .values_list("member_id", flat=True)
    )
    maybe = []
    for member_id, first in first_of.items():
        earliest, months = paid.get(member_id, (None, 0))
        exact = member_id not in overlapping and (earliest is None or earliest >= first)
        if not exact or last - _month_index(first) + 1 - months >= least:
            maybe.append(member_id)
    return maybe


# What the reminders and the lapse are computed from (common.table_versions): the roll and the dues rows. Who
# is told (the members' accounts, the secretaries) is read afresh each time, never kept.
ARREARS_TABLES = ("members_member", "dues_duesrecord", "dues_duesrelief", "dues_payment")


Behind = tuple[list[tuple[str, int, list[dt.date]]], dict[int, dt.date]]


def _behind(as_of: dt.date, loaded: dict[int, Member]) -> Behind:
    """(stage, member id, unpaid months) of the members in arrears on `as_of`, in the order of their ids, and
    the first month of each one's six months or more unpaid in a row (members_six_months_unpaid: a run of six
    unpaid months is six months in arrears, so those members are among these); the members in arrears
    themselves (with their organization and account) put into `loaded`."""
    through = rates.add_months(rates.month_of(as_of), -1)
    least = min(months for months, _stage in ARREARS_STAGES)
    candidates = _maybe_in_arrears(members=_on_roll_with_dues(as_of), through=through, least=least)
    members, dues = _with_dues_on(as_of, candidates)
    behind, lapsed = [], {}
    for m in members:
        unpaid = dues[m.pk].unpaid(through)
        for months, stage in ARREARS_STAGES:
            if len(unpaid) >= months:
                behind.append((stage, m.pk, unpaid))
                loaded[m.pk] = m
                break
        if len(unpaid) >= LAPSE_MONTHS:
            run = dues[m.pk].unpaid_run(through)
            if len(run) >= LAPSE_MONTHS:
                lapsed[m.pk] = run[0]
    return behind, lapsed


def _behind_cached(as_of: dt.date, loaded: dict[int, Member]) -> Behind:
    """_behind kept exactly under the versions of ARREARS_TABLES (the reminders and the lapse read it both)."""
    return cached_exactly(
        f"dues:behind:{as_of.isoformat()}", tables=ARREARS_TABLES, compute=lambda: _behind(as_of, loaded)
    )


def arrears_notices(*, as_of: dt.date) -> list[ArrearsNotice]:
    """Members on the roll with three or more months unpaid up to the last month that has ended (`arrears3`),
    five or more (`arrears5`, the stronger one, a month before the six of art. 9): to the member (if they
    have an account) and the branch secretary. The rules are applied to the members that may be behind
    (_maybe_in_arrears), and who is behind is kept exactly under the versions of ARREARS_TABLES: a run of the
    jobs with no new dues row, payment or member applies none of them. Eight queries for the county when
    computed (nine with the versions), three when kept (the versions, the members behind, their
    secretaries)."""
    loaded: dict[int, Member] = {}  # filled when computed here: no second read of the members
    behind, _lapsed = _behind_cached(as_of, loaded)
    if not behind:
        return []
    members = loaded or Member.objects.select_related("organization", "user").in_bulk(
        [pk for _s, pk, _u in behind]
    )
    secretaries = recipients_for(
        org_ids={m.organization_id for m in members.values()}, roles=[Role.BRANCH_SECRETARY]
    )
    notices = []
    member_url = id_url("dues:member")
    for stage, pk, unpaid in behind:
        m = members[pk]
        recipients = list(secretaries.get(m.organization_id, []))
        if m.user is not None and m.user.is_active and all(u.pk != m.user_id for u in recipients):
            recipients.insert(0, m.user)
        notices.append(ArrearsNotice(stage, m, unpaid, recipients, member_url(m.pk)))
    return notices


def members_six_months_unpaid(*, member_ids: Iterable[int] | None, as_of: dt.date) -> dict[int, dt.date]:
    """Members on the roll on `as_of` who have paid no dues for six months in a row up to the last month that
    has ended (Party Constitution art. 9), with the first month of that run. The rules are applied only to
    members with no payment for any of those six months and a dues record by the first of them (the others
    cannot have the run). Five queries. The county's (no `member_ids`) comes with the reminders' members in
    arrears (_behind: a run of six unpaid months is six months in arrears), kept exactly under the versions of
    ARREARS_TABLES: computed once for both, one query while none of the tables is written."""
    if member_ids is None:
        return _behind_cached(as_of, {})[1]
    through = rates.add_months(rates.month_of(as_of), -1)
    first = rates.add_months(through, 1 - LAPSE_MONTHS)
    candidates = _on_roll_with_dues(as_of).filter(
        Exists(DuesRecord.objects.filter(member=OuterRef("pk"), starts_month__lte=first)),
        ~Exists(
            Payment.objects.filter(member=OuterRef("pk"), first_month__lte=through, last_month__gte=first)
        ),
    )
    candidates = candidates.filter(pk__in=list(member_ids))
    members, dues = _with_dues_on(as_of, candidates.values_list("pk", flat=True))
    found = {}
    for m in members:
        run = dues[m.pk].unpaid_run(through)
        if len(run) >= LAPSE_MONTHS:
            found[m.pk] = run[0]
    return found
