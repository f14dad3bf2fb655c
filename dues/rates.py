"""Party dues (党费) by the 2008 rules of the Central Organization Department, as pure functions: no database,
so that every bracket edge and every month rule is pinned by a plain test.

- 在职 (in work): a share of the after-tax regular monthly salary, the whole base at one rate: ≤3,000 yuan 0.5%;
  above 3,000 up to 5,000 1%; above 5,000 up to 10,000 1.5%; above 10,000 2%.
- 离退休 (retired): ≤5,000 0.5%; above 5,000 1%.
- 农民 (farmers): a fixed amount from 0.20 to 1.00 yuan a month; 学生, 下岗失业, 低保: 0.20 yuan.
- Amounts in yuan to the fen, rounded half up (四舍五入): a retiree's 2,999.00 at 0.5% is 14.995 → 15.00.

Months are `datetime.date`s on the first day of the month. A member's dues run from the start month of their
first dues record; each later record (a new base each year) applies from its own start month; an approved
hardship reduction (减) or exemption (免) changes what the months it covers are due. A month is *covered*
when a payment covers it or when nothing is due for it (an exemption): only months that are due and
unpaid count as arrears.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache

FEN = Decimal("0.01")
EMPLOYED, RETIRED, FARMER, STUDENT, UNEMPLOYED, RELIEF = (
    "employed",
    "retired",
    "farmer",
    "student",
    "unemployed",
    "relief",
)
CATEGORIES = (EMPLOYED, RETIRED, FARMER, STUDENT, UNEMPLOYED, RELIEF)
SALARIED = (EMPLOYED, RETIRED)  # dues are a share of a monthly base
FLAT = (STUDENT, UNEMPLOYED, RELIEF)  # 0.20 yuan a month
FLAT_AMOUNT = Decimal("0.20")
FARMER_MIN, FARMER_MAX = Decimal("0.20"), Decimal("1.00")
# A monthly base above this is a typing error (an annual salary, a figure in fen), not a salary.
MAX_BASE = Decimal("1000000.00")
# A payment or a reduced monthly amount above this is a typing error too (and would not fit the columns).
MAX_PAYMENT = Decimal("1000000.00")

# (upper bound of the base, inclusive; rate), the last bracket open-ended.
BRACKETS: dict[str, tuple[tuple[Decimal | None, Decimal], ...]] = {
    EMPLOYED: (
        (Decimal("3000"), Decimal("0.005")),
        (Decimal("5000"), Decimal("0.01")),
        (Decimal("10000"), Decimal("0.015")),
        (None, Decimal("0.02")),
    ),
    RETIRED: ((Decimal("5000"), Decimal("0.005")), (None, Decimal("0.01"))),
}

EXEMPTION, REDUCTION = "exemption", "reduction"


class DuesError(ValueError):
    """Input the rules refuse (a farmer's amount out of range, a negative base …); the message says why."""


def half_up(amount: Decimal) -> Decimal:
    """To the fen, 四舍五入 (never banker's rounding)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def rate(category: str, base: Decimal) -> Decimal:
    """The one rate the whole base is paid at (在职 / 离退休)."""
    for upper, share in BRACKETS[category]:
        if upper is None or base <= upper:
            return share
    raise AssertionError("the last bracket is open")  # pragma: no cover


def monthly_amount(
    category: str, *, base: Decimal | None = None, fixed_amount: Decimal | None = None
) -> Decimal:
    """What one month is due by the category's rule, before any hardship reduction."""
    if category in SALARIED:
        if base is None:
            raise DuesError("base required")
        if base < 0 or base > MAX_BASE:
            raise DuesError("base out of range")
        return half_up(base * rate(category, base))
    if category == FARMER:
        if fixed_amount is None:
            raise DuesError("amount required")
        if not FARMER_MIN <= fixed_amount <= FARMER_MAX:
            raise DuesError("farmer amount out of range")
        return half_up(fixed_amount)
    if category in FLAT:
        return FLAT_AMOUNT
    raise DuesError(f"unknown category {category!r}")


# -- months -------------------------------------------------------------------------------------------------
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def parse_month(text: str) -> dt.date:
    """ "YYYY-MM" (also "YYYY-M") → the first day of that month; DuesError otherwise."""
    match = _MONTH_RE.match(str(text).strip())
    if not match:
        raise DuesError(f"{text!r} is not a month YYYY-MM")
    year, month = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise DuesError(f"{text!r} is not a month YYYY-MM")
    return dt.date(year, month, 1)


def month_label(month: dt.date | None) -> str:
    return f"{month.year}-{month.month:02d}" if month else ""


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every month from `first` through `last`, both included (nothing when last < first)."""
    return iter(_months(month_of(first), last))


@lru_cache(maxsize=4096)
def _months(first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    """months() as a tuple, made once per range: a county's dues walk the same ranges member after member
    (from each start month through the same last month), some 200,000 months a day's jobs."""
    out = []
    month = first
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return tuple(out)


def month_count(first: dt.date, last: dt.date) -> int:
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


# -- a member's months --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Record:
    """One row of a member's dues history: from `starts` on, until the next record's start."""

    starts: dt.date
    category: str
    base: Decimal | None = None
    fixed_amount: Decimal | None = None

    @cached_property
    def amount(self) -> Decimal:
        # once per record, not once per month it applies to (a frozen dataclass keeps it in __dict__)
        return monthly_amount(self.category, base=self.base, fixed_amount=self.fixed_amount)


@dataclass(frozen=True)
class Relief:
    """An approved hardship reduction (to `amount` a month) or exemption, for `first` through `last` (open)."""

    kind: str
    first: dt.date
    last: dt.date | None = None
    amount: Decimal | None = None

    def covers(self, month: dt.date) -> bool:
        return self.first <= month and (self.last is None or month <= self.last)


@dataclass(frozen=True)
class Span:
    """A payment's months, first through last."""

    first: dt.date
    last: dt.date


def due_in(
    month: dt.date,
    records: Iterable[Record],
    reliefs: Iterable[Relief] = (),
    *,
    on_roll: tuple[dt.date | None, dt.date | None] = (None, None),
) -> Decimal | None:
    """What `month` is due: None when no record has started by then or the member is not on the roll in
    that month (`on_roll` = the first and last month on the roll, either open); else the amount of the latest
    record started by then, lowered by an approved reduction (never raised) or 0 under an exemption."""
    first_on_roll, last_on_roll = on_roll
    if (first_on_roll and month < first_on_roll) or (last_on_roll and month > last_on_roll):
        return None
    current = None
    for record in records:
        if record.starts <= month and (current is None or record.starts > current.starts):
            current = record
    if current is None:
        return None
    amount = current.amount
    for relief in reliefs:
        if relief.covers(month):
            if relief.kind == EXEMPTION:
                return Decimal("0.00")
            if relief.amount is not None:
                amount = min(amount, half_up(relief.amount))
    return amount


def months_due(
    first: dt.date,
    last: dt.date,
    records: Iterable[Record],
    reliefs: Iterable[Relief] = (),
    *,
    on_roll: tuple[dt.date | None, dt.date | None] = (None, None),
) -> dict[dt.date, Decimal]:
    """Each month from `first` through `last` that is due (see due_in), with its amount."""
    records, reliefs = list(records), list(reliefs)
    out = {}
    for month in months(first, last):
        amount = due_in(month, records, reliefs, on_roll=on_roll)
        if amount is not None:
            out[month] = amount
    return out


def dues_start(records: Iterable[Record], *, first_on_roll: dt.date | None = None) -> dt.date | None:
    """The month dues begin: the first record's start, not before the member is on the roll."""
    starts = [r.starts for r in records]
    if not starts:
        return None
    start = min(starts)
    return max(start, first_on_roll) if first_on_roll else start


def _covered(month: dt.date, due: dict[dt.date, Decimal], payments: Iterable[Span]) -> bool:
    if due.get(month) == 0:
        return True  # exempted: nothing to pay
    return any(p.first <= month <= p.last for p in payments)


def paid_through(
    start: dt.date | None, through: dt.date, due: dict[dt.date, Decimal], payments: Iterable[Span]
) -> dt.date | None:
    """The last month of the unbroken run of covered months from `start` ("paid up to"), looking no further
    than `through` would need (a payment in advance counts: the run goes on past `through` while payments
    cover it); None when the start month itself is not covered. Months that are not due (before the
    start, off the roll) do not break the run."""
    if start is None:
        return None
    payments = list(payments)
    horizon = max([through, *(p.last for p in payments)])
    last = None
    for month in months(start, horizon):
        if month not in due and month > through:
            # past the report month nothing is known to be due: advance payments still count
            if any(p.first <= month <= p.last for p in payments):
                last = month
                continue
            break
        if month not in due:
            continue
        if not _covered(month, due, payments):
            break
        last = month
    return last


def months_unpaid(
    start: dt.date | None, through: dt.date, due: dict[dt.date, Decimal], payments: Iterable[Span]
) -> list[dt.date]:
    """The months from `start` through `through` that are due and that no payment covers (arrears)."""
    if start is None:
        return []
    # the months the payments cover within the range, once (not every payment for every month)
    paid = {m for p in payments for m in months(max(p.first, start), min(p.last, through))}
    return [m for m in months(start, through) if m in due and due[m] != 0 and m not in paid]


def unpaid_run(
    start: dt.date | None, through: dt.date, due: dict[dt.date, Decimal], payments: Iterable[Span]
) -> list[dt.date]:
    """The unbroken run of unpaid months that ends with `through` (empty when `through` is covered): how long
    a member has paid no dues in a row (Party Constitution art. 9 counts six)."""
    unpaid = set(months_unpaid(start, through, due, payments))
    run: list[dt.date] = []
    month = month_of(through)
    while month in unpaid:
        run.insert(0, month)
        month = add_months(month, -1)
    return run


def payment_due(first: dt.date, last: dt.date, due: dict[dt.date, Decimal]) -> Decimal:
    """What a payment for `first` through `last` must at least be: the sum of those months' dues."""
    return sum((due.get(m, Decimal("0.00")) for m in months(first, last)), Decimal("0.00"))
