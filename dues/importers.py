"""Dues imports (import_dues, import_dues_payments and /imports/): all-or-nothing, every row checked by the same
services' checks as the forms, errors with their row numbers.

- dues: 公民身份号码, 党费类别 (在职/离退休/农民/学生/下岗失业/低保), 月工资基数, 月缴纳额, 起始月份 (YYYY-MM). A row
  sets the member's dues from that month on (dues.services.dues_record_set): a new start month is a new row of
  the history, the same start month is corrected; the same file twice changes nothing the second time.
- dues_payments: 公民身份号码, 缴纳日期, 起始月份, 结束月份, 金额. A row records a payment
  (dues.services.payment_record); a payment already recorded with the same date, months and amount is left as
  it is, so the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.selectors import Scope
from common.spreadsheets.importing import (
    CellError,
    Column,
    Importer,
    ParsedRow,
    RowError,
    choice_parser,
    parse_date,
)
from common.spreadsheets.registry import register
from members import idnumbers
from members.importers import parse_id_number
from members.models import Member

from . import rates, services
from .models import CATEGORY_LABELS, Category
from .selectors import dues_for_members

TOO_LARGE = Decimal("1000000000")  # a figure this large is no amount in yuan; the rules refuse far less
ID_NOT_FOUND = gettext_lazy("No member with the ID number %(number)s among those you manage.")
FIELD_HEADERS = {
    "category": "党费类别",
    "base": "月工资基数",
    "fixed_amount": "月缴纳额",
    "starts_month": "起始月份",
    "paid_on": "缴纳日期",
    "first_month": "起始月份",
    "last_month": "结束月份",
    "amount": "金额",
}


def parse_money(value) -> Decimal:
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not an amount in yuan") % {"value": value}) from None
    if not amount.is_finite() or abs(amount) >= TOO_LARGE:
        raise CellError(_("“%(value)s” is not an amount in yuan") % {"value": value})
    if amount != rates.half_up(amount):
        raise CellError(_("“%(value)s” is not an amount in yuan to the fen") % {"value": value})
    return rates.half_up(amount)


def parse_month_cell(value) -> dt.date:
    """YYYY-MM as text; a date cell (Excel turns 2026-03 into 2026-03-01) stands for its month."""
    if isinstance(value, dt.date):
        return rates.month_of(value)
    try:
        return rates.parse_month(str(value))
    except rates.DuesError:
        raise CellError(_("“%(value)s” is not a month in the form YYYY-MM") % {"value": value}) from None


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        out = []
        for field, errors in error.error_dict.items():
            header = FIELD_HEADERS.get(field)
            for e in errors:
                text = " ".join(e.messages)
                out.append(f"{header}: {text}" if header else text)
        return out
    return list(error.messages)


class _MemberRows(Importer):
    """The shared part: the rows' members, found by ID number among those the user may change."""

    @classmethod
    def allowed(cls, scope: Scope) -> bool:
        return scope.is_superuser or bool(scope.write_paths)

    def _members(self, rows: list[ParsedRow]) -> dict[str, Member]:
        numbers = sorted({r["id_number"] for r in rows if r["id_number"]})
        found: dict[str, Member] = {}
        for i in range(0, len(numbers), 500):
            qs = Member.objects.filter(id_number__in=numbers[i : i + 500]).select_related("organization")
            for m in self.scope.filter(qs, "organization", write=True):
                found[m.id_number] = m
        return found

    def _member(self, row: ParsedRow, members: dict[str, Member]) -> tuple[Member | None, list[str]]:
        number = row["id_number"]
        if not number:
            return None, [_("公民身份号码 (id_number) is required.")]
        member = members.get(number)
        if member is None:
            return None, [str(ID_NOT_FOUND % {"number": idnumbers.mask(number)})]
        return member, []


@register
class DuesRecordImporter(_MemberRows):
    kind = "dues"
    label = gettext_lazy("Party dues (category and base)")
    description = gettext_lazy(
        "One row per member and start month: the dues category, the monthly base (在职/离退休) or the monthly "
        "amount (农民), and the month it applies from. A later start month adds to the member's history."
    )
    columns = (
        Column("id_number", "公民身份号码", required=True, parse=parse_id_number),
        Column(
            "category",
            "党费类别",
            required=True,
            parse=choice_parser(
                {
                    **{label: c.value for c, label in CATEGORY_LABELS.items()},
                    **{c: c for c in Category.values},
                }
            ),
        ),
        Column("base", "月工资基数", required=True, parse=parse_money),
        Column("amount", "月缴纳额", required=True, parse=parse_money),
        Column("starts_month", "起始月份", required=True, parse=parse_month_cell),
    )

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        members = self._members(rows)
        errors: list[RowError] = []
        first_row: dict[tuple[str, dt.date], int] = {}
        for row in rows:
            member, messages = self._member(row, members)
            if row["category"] is None and "category" in row.blank:
                messages.append(_("党费类别 (category) is required."))
            if row["starts_month"] is None and "starts_month" in row.blank:
                messages.append(_("起始月份 (starts_month) is required."))
            if member is not None and row["category"] and row["starts_month"]:
                key = (member.id_number, row["starts_month"])
                if key in first_row:
                    messages.append(
                        _("This member's dues from %(month)s are in the file already (row %(row)d).")
                        % {"month": rates.month_label(row["starts_month"]), "row": first_row[key]}
                    )
                else:
                    first_row[key] = row.number
                    try:
                        services.dues_record_check(
                            member=member,
                            category=row["category"],
                            base=row["base"],
                            fixed_amount=row["amount"],
                            starts_month=row["starts_month"],
                        )
                    except ValidationError as e:
                        messages.extend(_messages(e))
            errors.extend(RowError(row.number, m) for m in messages)
        self.members = members
        return errors

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for row in rows:
            _record, outcome = services.dues_record_set(
                member=self.members[row["id_number"]],
                category=row["category"],
                base=row["base"],
                fixed_amount=row["amount"],
                starts_month=row["starts_month"],
                by=user,
            )
            counts[outcome] += 1
        return counts


@register
class DuesPaymentImporter(_MemberRows):
    kind = "dues_payments"
    label = gettext_lazy("Party dues payments")
    description = gettext_lazy(
        "One row per payment: the date, the first and last month it covers and the amount, at least what those "
        "months are due (more is recorded as a voluntary extra). Import the members' dues first."
    )
    columns = (
        Column("id_number", "公民身份号码", required=True, parse=parse_id_number),
        Column("paid_on", "缴纳日期", required=True, parse=parse_date),
        Column("first_month", "起始月份", required=True, parse=parse_month_cell),
        Column("last_month", "结束月份", required=True, parse=parse_month_cell),
        Column("amount", "金额", required=True, parse=parse_money),
    )

    def validate(self, rows: list[ParsedRow]) -> list[RowError]:
        members = self._members(rows)
        dues = dues_for_members(members.values())
        today = timezone.localdate()
        pending: dict[int, list[rates.Span]] = {}
        self.unchanged: set[int] = set()
        errors: list[RowError] = []
        for row in rows:
            member, messages = self._member(row, members)
            for key, header in (
                ("paid_on", "缴纳日期"),
                ("first_month", "起始月份"),
                ("last_month", "结束月份"),
                ("amount", "金额"),
            ):
                if row[key] is None and key in row.blank:
                    messages.append(_("%(column)s is required.") % {"column": header})
            if (
                member is not None
                and not messages
                and None not in (row["paid_on"], row["first_month"], row["last_month"], row["amount"])
            ):
                d = dues[member.pk]
                if any(
                    (p.paid_on, p.first_month, p.last_month, p.amount)
                    == (row["paid_on"], row["first_month"], row["last_month"], row["amount"])
                    for p in d.payments
                ):
                    self.unchanged.add(row.number)
                    continue
                try:
                    services.payment_check(
                        dues=d,
                        paid_on=row["paid_on"],
                        first_month=row["first_month"],
                        last_month=row["last_month"],
                        amount=row["amount"],
                        today=today,
                        pending=pending.get(member.pk, []),
                    )
                except ValidationError as e:
                    messages.extend(_messages(e))
                else:
                    pending.setdefault(member.pk, []).append(
                        rates.Span(row["first_month"], row["last_month"])
                    )
            errors.extend(RowError(row.number, m) for m in messages)
        self.members = members
        return errors

    def apply(self, rows: list[ParsedRow], *, user, scope) -> dict[str, int]:
        counts = {"created": 0, "unchanged": len(self.unchanged)}
        today = timezone.localdate()
        for row in rows:
            if row.number in self.unchanged:
                continue
            services.payment_record(
                member=self.members[row["id_number"]],
                paid_on=row["paid_on"],
                first_month=row["first_month"],
                last_month=row["last_month"],
                amount=row["amount"],
                by=user,
                today=today,
            )
            counts["created"] += 1
        return counts
