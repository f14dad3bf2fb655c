"""Writes for party dues (党费): a member's dues record, hardship reductions and exemptions, payments.

Every check that a form and an import share lives here (`dues_record_check`, `payment_check`), so a bad value
gets the same clear message wherever it comes from and nothing is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from branches.selectors import scope_for
from members.models import Member
from users.models import User

from . import rates
from .models import DuesRecord, DuesRelief, Payment
from .selectors import MemberDues, member_dues

MAX_REDUCED = Decimal("100000.00")  # fits the column; above the highest monthly dues the rules give anyway


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# -- the dues record ------------------------------------------------------------------------------------------
def dues_record_check(
    *,
    member: Member,
    category: str,
    base: Decimal | None,
    fixed_amount: Decimal | None,
    starts_month: dt.date,
) -> tuple[Decimal | None, Decimal | None]:
    """The rules a dues record must meet (2008 rules): a base of 0 to 1,000,000.00 yuan for 在职/离退休 (and
    no fixed amount), 0.20–1.00 yuan for 农民, nothing for 学生/下岗失业/低保 (0.20 yuan, or a fixed amount of
    exactly 0.20); not before the month the member was admitted (probationary members pay from then).
    Returns the (base, fixed_amount) to store; raises ValidationError naming the field."""
    errors: dict[str, str] = {}
    if category not in rates.CATEGORIES:
        raise ValidationError({"category": _("“%(value)s” is not a dues category.") % {"value": category}})
    if category in rates.SALARIED:
        if base is None:
            errors["base"] = _("In work and retired members pay a share of a monthly base: give the base.")
        elif base < 0:
            errors["base"] = _("The monthly base cannot be negative.")
        elif base > rates.MAX_BASE:
            errors["base"] = _(
                "A monthly base above %(max)s yuan is not a monthly salary: check the figure."
            ) % {"max": _money(rates.MAX_BASE)}
        if fixed_amount is not None and base is not None and errors.get("base") is None:
            computed = rates.monthly_amount(category, base=base)
            if rates.half_up(fixed_amount) != computed:
                errors["fixed_amount"] = _(
                    "The monthly amount %(given)s does not match the rate for this base (%(computed)s)."
                ) % {"given": _money(fixed_amount), "computed": _money(computed)}
        fixed_amount = None
    else:
        if base is not None:
            errors["base"] = _("Only in-work and retired members have a monthly base.")
        if category == rates.FARMER:
            if fixed_amount is None:
                errors["fixed_amount"] = _(
                    "A farmer pays a fixed monthly amount of 0.20 to 1.00 yuan: give it."
                )
            elif not rates.FARMER_MIN <= fixed_amount <= rates.FARMER_MAX:
                errors["fixed_amount"] = _(
                    "A farmer's monthly amount is 0.20 to 1.00 yuan, not %(value)s."
                ) % {"value": _money(fixed_amount)}
        else:
            if fixed_amount is not None and rates.half_up(fixed_amount) != rates.FLAT_AMOUNT:
                errors["fixed_amount"] = _(
                    "Students, unemployed members and members on relief pay 0.20 yuan a month, not %(value)s."
                ) % {"value": _money(fixed_amount)}
            fixed_amount = None
    if starts_month < rates.month_of(member.admitted_on):
        errors["starts_month"] = _("Dues cannot start before the member was admitted (%(month)s).") % {
            "month": rates.month_label(rates.month_of(member.admitted_on))
        }
    if errors:
        raise ValidationError(errors)
    return base, fixed_amount


def dues_record_set(
    *,
    member: Member,
    category: str,
    base: Decimal | None = None,
    fixed_amount: Decimal | None = None,
    starts_month: dt.date,
    by: User,
) -> tuple[DuesRecord, str]:
    """Set the member's dues from `starts_month` on: a new row (a new base each year keeps the old one), or a
    correction of the row that starts in that very month. Returns the record and "created", "updated" or
    "unchanged"."""
    starts_month = rates.month_of(starts_month)
    base, fixed_amount = dues_record_check(
        member=member, category=category, base=base, fixed_amount=fixed_amount, starts_month=starts_month
    )
    record = DuesRecord.objects.filter(member=member, starts_month=starts_month).first()
    if record is None:
        record = DuesRecord.objects.create(
            member=member,
            category=category,
            base=base,
            fixed_amount=fixed_amount,
            starts_month=starts_month,
            created_by=by,
        )
        return record, "created"
    if (record.category, record.base, record.fixed_amount) == (category, base, fixed_amount):
        return record, "unchanged"
    record.category, record.base, record.fixed_amount, record.created_by = category, base, fixed_amount, by
    record.save(update_fields=["category", "base", "fixed_amount", "created_by"])
    return record, "updated"


# -- hardship reductions and exemptions -----------------------------------------------------------------------
def relief_decide(
    *,
    member: Member,
    kind: str,
    first_month: dt.date,
    last_month: dt.date | None,
    reason: str,
    decided_on: dt.date,
    amount: Decimal | None = None,
    by: User,
) -> DuesRelief:
    """The branch decides a reduction (减缴, to a lower monthly amount) or an exemption (免缴) for a member in
    hardship; it applies only once the level above has approved it (relief_approve)."""
    first_month = rates.month_of(first_month)
    last_month = rates.month_of(last_month) if last_month else None
    errors: dict[str, str] = {}
    if kind == DuesRelief.Kind.REDUCTION:
        if amount is None:
            errors["amount"] = _("Give the reduced monthly amount.")
        elif amount < 0:
            errors["amount"] = _("The reduced monthly amount cannot be negative.")
        elif amount >= MAX_REDUCED:
            errors["amount"] = _("A reduced monthly amount is below %(max)s yuan.") % {
                "max": _money(MAX_REDUCED)
            }
    elif kind == DuesRelief.Kind.EXEMPTION:
        amount = None
    else:
        errors["kind"] = _("Choose a reduction or an exemption.")
    if last_month is not None and last_month < first_month:
        errors["last_month"] = _("The last month cannot be before the first month.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the reduction or exemption.")
    if errors:
        raise ValidationError(errors)
    return DuesRelief.objects.create(
        member=member,
        kind=kind,
        amount=amount,
        first_month=first_month,
        last_month=last_month,
        reason=reason.strip(),
        decided_on=decided_on,
        decided_by=by,
    )


def relief_can_approve(*, relief: DuesRelief, user) -> bool:
    """Approval comes from above the branch: whoever may change the branch's parent organization."""
    parent = relief.member.organization.parent
    return parent is not None and scope_for(user).can_write(parent)


@transaction.atomic
def relief_approve(*, relief: DuesRelief, on: dt.date, by: User) -> DuesRelief:
    """The level above approves a branch's decision (approved above, 报上级党委批准); once."""
    if not relief_can_approve(relief=relief, user=by):
        raise PermissionDenied
    relief = DuesRelief.objects.select_for_update().get(pk=relief.pk)
    if relief.approved_on is not None:
        raise ValidationError(_("This reduction or exemption is approved already."))
    if on < relief.decided_on:
        raise ValidationError(_("It cannot be approved before the branch decided it."))
    relief.approved_on, relief.approved_by = on, by
    relief.save(update_fields=["approved_on", "approved_by"])
    return relief


# -- payments -------------------------------------------------------------------------------------------------
def payment_check(
    *,
    dues: MemberDues,
    paid_on: dt.date,
    first_month: dt.date,
    last_month: dt.date,
    amount: Decimal,
    today: dt.date,
    pending: Sequence[rates.Span] = (),
) -> Decimal:
    """A payment covers months from the start of the member's dues, not months another payment covers
    already (nor one of `pending`, the earlier rows of the same import), and is at least what those months
    are due; the rest is a voluntary extra. Returns what the months are due; raises ValidationError."""
    errors: dict[str, str] = {}
    if last_month < first_month:
        raise ValidationError({"last_month": _("The last month cannot be before the first month.")})
    if amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if amount > rates.MAX_PAYMENT:
        raise ValidationError(
            {
                "amount": _("%(amount)s yuan is not a plausible payment: check the figure.")
                % {"amount": _money(amount)}
            }
        )
    if paid_on > today:
        errors["paid_on"] = _("A payment cannot be recorded before it is made.")
    start = dues.start
    if start is None:
        raise ValidationError(_("This member has no dues record yet: set the dues first."))
    if first_month < start:
        errors["first_month"] = _("The member's dues start in %(month)s: no payment for months before.") % {
            "month": rates.month_label(start)
        }
    due_map = dues.due_map(first_month, last_month)
    if not due_map and not errors:
        errors["first_month"] = _("Nothing is due for these months (the member is not on the roll then).")
    taken = [m for m in rates.months(first_month, last_month) if dues.paid(m, extra=pending)]
    if taken:
        errors["first_month"] = _("Already paid: %(months)s.") % {
            "months": ", ".join(rates.month_label(m) for m in taken)
        }
    due = rates.payment_due(first_month, last_month, due_map)
    if amount < due and "first_month" not in errors:
        errors["amount"] = _("These months are due %(due)s yuan; %(amount)s is not enough.") % {
            "due": _money(due),
            "amount": _money(amount),
        }
    if errors:
        raise ValidationError(errors)
    return due


@transaction.atomic
def payment_record(
    *,
    member: Member,
    paid_on: dt.date,
    first_month: dt.date,
    last_month: dt.date,
    amount: Decimal,
    by: User,
    today: dt.date,
) -> Payment:
    """Record a payment (缴纳党费). The member row is locked so that two secretaries recording the same
    months at once cannot both succeed."""
    Member.objects.select_for_update().filter(pk=member.pk).first()
    first_month, last_month = rates.month_of(first_month), rates.month_of(last_month)
    dues = member_dues(member=member)
    due = payment_check(
        dues=dues, paid_on=paid_on, first_month=first_month, last_month=last_month, amount=amount, today=today
    )
    return Payment.objects.create(
        member=member,
        paid_on=paid_on,
        first_month=first_month,
        last_month=last_month,
        amount=amount,
        due=due,
        extra=amount - due,
        recorded_by=by,
    )
