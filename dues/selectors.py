"""Reads for party dues (党费). Pages read through the scope; the sheet, the totals, the report, the reminders
and the six-month lapse all load the members first and then their records, reliefs and payments in three
more queries (`dues_for_members`), and apply the pure rules of dues/rates.py in Python."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Sum, Value, Window
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Lag, Least
from django.urls import reverse

from branches.models import Organization, RoleAssignment
from branches.paths import subtree_q
from branches.selectors import Scope
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
        due = self.due(month)
        if due is None:
            return "paid" if self.paid(month) else "none"
        if self.paid(month):
            return "paid"
        if due == 0:
            return "exempt"
        return "unpaid" if month <= current else "ahead"


def dues_for_members(
    members: Iterable[Member], *, source: QuerySet[Member] | None = None
) -> dict[int, MemberDues]:
    """Every member's MemberDues in three queries: the members already loaded, and `source`, the queryset
    they were loaded from (used as a subquery when they are many)."""
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
        for r in DuesRecord.objects.filter(q):
            records[r.member_id].append(r)
        for relief in DuesRelief.objects.filter(q):
            reliefs[relief.member_id].append(relief)
        for p in Payment.objects.filter(q):
            payments[p.member_id].append(p)
    return {m.pk: MemberDues(m, records[m.pk], reliefs[m.pk], payments[m.pk]) for m in members}


CHUNK = 900  # ids per query when they are few; past that, a subquery


def member_dues(*, member: Member) -> MemberDues:
    """One member's dues (three queries)."""
    return dues_for_members([member])[member.pk]


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
        rows.append(
            SheetRow(
                member=m,
                dues=d,
                cells=[(month, d.cell(month, current=current), d.due(month)) for month in months],
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


@dataclass
class OrgTotal:
    organization_id: int
    code: str
    name: str
    months: list[MonthTotal] = field(default_factory=list)

    @property
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


def dues_totals(*, org: Organization, year: int, as_of: dt.date) -> tuple[OrgTotal, list[OrgTotal]]:
    """Per month of `year`: what the members of `org`'s subtree were due, paid and owe; for the subtree as a
    whole and for each basic organization in it (by the members' present organization). Four queries."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    source = Member.objects.filter(subtree_q(org), during_q(first, last)).filter(
        pk__in=DuesRecord.objects.values("member_id")
    )
    members = list(source.select_related("organization").order_by("organization__path", "pk"))
    dues = dues_for_members(members, source=source)
    months = list(rates.months(first, dt.date(year, 12, 1)))
    current = rates.month_of(as_of)
    whole = OrgTotal(org.pk, org.code, org.name, [MonthTotal(m) for m in months])
    per_org: dict[int, OrgTotal] = {}
    for member in members:
        d = dues[member.pk]
        unit = per_org.get(member.organization_id)
        if unit is None:
            o = member.organization
            unit = per_org[o.pk] = OrgTotal(o.pk, o.code, o.name, [MonthTotal(m) for m in months])
        for i, month in enumerate(months):
            _add(whole.months[i], d, month, current)
            _add(unit.months[i], d, month, current)
        for p in d.payments:
            if p.extra and p.paid_on.year == year:
                i = p.paid_on.month - 1
                whole.months[i].extra += p.extra
                unit.months[i].extra += p.extra
    return whole, sorted(per_org.values(), key=lambda t: t.code)


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
    dues: four queries."""
    members = _on_roll_with_dues(as_of)
    if member_ids is not None:
        members = members.filter(pk__in=list(member_ids))
    loaded = list(members.select_related("organization", "user").order_by("pk"))
    return loaded, dues_for_members(loaded, source=members)


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


def arrears_notices(*, as_of: dt.date) -> list[ArrearsNotice]:
    """Members on the roll with three or more months unpaid up to the last month that has ended (`arrears3`),
    five or more (`arrears5`, the stronger one, a month before the six of art. 9): to the member (if they
    have an account) and the branch secretary. The rules are applied to the members that may be behind
    (_maybe_in_arrears); eight queries for the county."""
    through = rates.add_months(rates.month_of(as_of), -1)
    least = min(months for months, _stage in ARREARS_STAGES)
    candidates = _maybe_in_arrears(members=_on_roll_with_dues(as_of), through=through, least=least)
    members, dues = _with_dues_on(as_of, candidates)
    behind = []
    for m in members:
        unpaid = dues[m.pk].unpaid(through)
        for months, stage in ARREARS_STAGES:
            if len(unpaid) >= months:
                behind.append((stage, m, unpaid))
                break
    if not behind:
        return []
    secretaries = recipients_for(
        org_ids={m.organization_id for _s, m, _u in behind}, roles=[Role.BRANCH_SECRETARY]
    )
    notices = []
    for stage, m, unpaid in behind:
        recipients = list(secretaries.get(m.organization_id, []))
        if m.user is not None and m.user.is_active and all(u.pk != m.user_id for u in recipients):
            recipients.insert(0, m.user)
        notices.append(ArrearsNotice(stage, m, unpaid, recipients, reverse("dues:member", args=[m.pk])))
    return notices


def members_six_months_unpaid(*, member_ids: Iterable[int] | None, as_of: dt.date) -> dict[int, dt.date]:
    """Members on the roll on `as_of` who have paid no dues for six months in a row up to the last month that
    has ended (Party Constitution art. 9), with the first month of that run. The rules are applied only to
    members with no payment for any of those six months and a dues record by the first of them (the others
    cannot have the run). Five queries."""
    through = rates.add_months(rates.month_of(as_of), -1)
    first = rates.add_months(through, 1 - LAPSE_MONTHS)
    candidates = _on_roll_with_dues(as_of).filter(
        Exists(DuesRecord.objects.filter(member=OuterRef("pk"), starts_month__lte=first)),
        ~Exists(
            Payment.objects.filter(member=OuterRef("pk"), first_month__lte=through, last_month__gte=first)
        ),
    )
    if member_ids is not None:
        candidates = candidates.filter(pk__in=list(member_ids))
    members, dues = _with_dues_on(as_of, candidates.values_list("pk", flat=True))
    found = {}
    for m in members:
        run = dues[m.pk].unpaid_run(through)
        if len(run) >= LAPSE_MONTHS:
            found[m.pk] = run[0]
    return found
