"""Writes for grants (planned, approved, paid, cancelled) and the townships' yearly budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from branches import paths
from branches.models import Organization
from branches.selectors import organization_township, scope_for
from members.models import Member
from users.models import User

from .. import selectors
from ..models import (
    BenefitRule,
    Grant,
    TownshipBudget,
)


def township_index() -> list[tuple[str, int]]:
    return list(Organization.objects.filter(kind=Organization.Kind.TOWNSHIP).values_list("path", "pk"))


def township_for_path(path: str, index: list[tuple[str, int]]) -> int | None:
    for prefix, pk in index:
        if paths.is_within(path, prefix):
            return pk
    return None


def _rule_on(rule: BenefitRule, on: dt.date) -> selectors.RuleInForce:
    found = selectors.rules_in_force(as_of=on, codes=[rule.code])
    if not found:
        raise ValidationError(
            {
                "granted_on": _("The benefit “%(rule)s” is not in force on %(date)s.")
                % {"rule": rule.name, "date": on}
            }
        )
    return found[0]


def _duplicate_message(rule: BenefitRule, period_key: str) -> str:
    if period_key == "once":
        return _("This member has already received “%(rule)s” (once in a lifetime).") % {"rule": rule.name}
    return _("This member already has “%(rule)s” for %(period)s.") % {"rule": rule.name, "period": period_key}


def grant_create(
    *,
    member: Member,
    rule: BenefitRule,
    granted_on: dt.date,
    by: User,
    amount: Decimal | None = None,
    in_kind: str | None = None,
    override_reason: str = "",
) -> Grant:
    """Plan one grant. Refused for a deceased member, for a second live grant of the same benefit and period
    (and the database refuses it too), and for a member not eligible on `granted_on` unless the county office
    records a reason."""
    in_force = _rule_on(rule, granted_on)
    if member.died_on and member.died_on <= granted_on:
        raise ValidationError(
            _("%(name)s died on %(date)s: no benefit can be granted.")
            % {"name": member.name, "date": member.died_on}
        )
    if member.departed_on and member.departed_on <= granted_on:
        raise ValidationError(
            _("%(name)s left the roll on %(date)s: no benefit can be granted.")
            % {"name": member.name, "date": member.departed_on}
        )
    if not selectors.member_is_eligible(member=member, rule=in_force):
        if not override_reason.strip():
            raise ValidationError(
                _(
                    "%(name)s is not eligible for “%(rule)s” on %(date)s. Only the county office may grant it, "
                    "with a recorded reason."
                )
                % {"name": member.name, "rule": rule.name, "date": granted_on}
            )
        if not scope_for(by).is_county:
            raise ValidationError(
                {"override_reason": _("Only the county organization department may grant outside the rule.")}
            )
    elif not scope_for(by).is_county:
        override_reason = ""
    period_key = rule.period_key(granted_on)
    grant = Grant(
        rule=rule,
        member=member,
        organization=member.organization,
        township=organization_township(member.organization),
        period_key=period_key,
        year=granted_on.year,
        granted_on=granted_on,
        amount=amount if amount is not None else in_force.version.amount,
        in_kind=in_kind if in_kind is not None else in_force.version.in_kind,
        override_reason=override_reason.strip(),
        created_by=by,
    )
    if (
        Grant.objects.filter(rule=rule, member=member, period_key=period_key)
        .exclude(status=Grant.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError(_duplicate_message(rule, period_key))
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError:  # a concurrent request won the race; the database said no
        raise ValidationError(_duplicate_message(rule, period_key)) from None
    return grant


def grants_create_for_eligible(
    *, org: Organization, granted_on: dt.date, by: User, codes: list[str] | None = None
) -> int:
    """批量: a planned grant for every member of `org`'s subtree (within the user's write scope) eligible on
    `granted_on` and not yet granted this period. A constant number of queries per rule; bulk insert."""
    scope = scope_for(by)
    if not scope.can_write(org):
        raise PermissionDenied
    townships = township_index()
    created = 0
    for r in selectors.rules_in_force(as_of=granted_on, codes=codes):
        candidates = (
            scope.filter(selectors.members_in(org), "organization", write=True)
            .filter(selectors.alive_member_q(as_of=granted_on) & selectors.rule_q(r))
            .exclude(pk__in=selectors.granted_member_ids(r, paid=False))
            .values_list("pk", "organization_id", "organization__path")
        )
        objs = [
            Grant(
                rule=r.rule,
                member_id=pk,
                organization_id=org_id,
                township_id=township_for_path(path, townships),
                period_key=r.period_key,
                year=granted_on.year,
                granted_on=granted_on,
                amount=r.version.amount,
                in_kind=r.version.in_kind,
                created_by=by,
            )
            for pk, org_id, path in candidates
        ]
        # ignore_conflicts: a grant inserted meanwhile by someone else is kept, never doubled.
        Grant.objects.bulk_create(objs, batch_size=1000, ignore_conflicts=True)
        created += len(objs)
    return created


def _approving_org_path(grant: Grant, county_path: str) -> str:
    return grant.township.path if grant.township is not None else county_path


def grants_approve(*, grants: list[Grant], by: User) -> int:
    """Approve planned grants. Approval comes from the level above: a township approves the grants of its
    villages, the county office those outside any township. Refused beyond the township's yearly budget.

    The grants are locked (in id order, so two approvals never deadlock) and read again: one cancelled or
    approved meanwhile by someone else is left as it is. Returns how many this call approved."""
    scope = scope_for(by)
    county = (
        Organization.objects.filter(kind=Organization.Kind.COUNTY).values_list("path", flat=True).first()
        or ""
    )
    todo = [g for g in grants if g.status == Grant.Status.PLANNED]
    for g in todo:
        approving = _approving_org_path(g, county)
        if not (scope.is_superuser or any(paths.is_within(approving, p) for p in scope.write_paths)):
            raise PermissionDenied(
                _("Grants are approved by the level above (the township or the county office).")
            )
    if not todo:
        return 0
    with transaction.atomic():
        locked = list(
            Grant.objects.select_for_update()
            .filter(pk__in=[g.pk for g in todo], status=Grant.Status.PLANNED)
            .order_by("pk")
        )
        if not locked:
            return 0
        _check_budgets(grants=locked, extra={})
        now = timezone.now()
        updated = Grant.objects.filter(pk__in=[g.pk for g in locked], status=Grant.Status.PLANNED).update(
            status=Grant.Status.APPROVED, approved_by=by, approved_at=now
        )
    approved = {g.pk for g in locked}
    for g in todo:
        if g.pk in approved:
            g.status, g.approved_by, g.approved_at = Grant.Status.APPROVED, by, now
    return updated


def _check_budgets(*, grants: list[Grant], extra: dict) -> None:
    """Refuse when the grants would commit more than a township's budget for their year (rows locked)."""
    need: dict[tuple[int, int], Decimal] = {}
    for g in grants:
        if g.township_id and g.amount:
            key = (g.township_id, g.year)
            need[key] = need.get(key, Decimal("0")) + extra.get(g.pk, g.amount)
    for (township_id, year), amount in need.items():
        budget = TownshipBudget.objects.select_for_update().filter(township_id=township_id, year=year).first()
        if budget is None:
            continue  # no budget recorded for that township and year: nothing to check against
        committed = Grant.objects.filter(
            township_id=township_id, year=year, status__in=Grant.COMMITTED
        ).exclude(pk__in=[g.pk for g in grants if extra.get(g.pk) is not None]).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
        if committed + amount > budget.amount:
            raise ValidationError(
                _(
                    "The %(year)s budget of %(township)s has %(left)s yuan left; these grants need %(need)s yuan."
                )
                % {
                    "year": year,
                    "township": budget.township.name,
                    "left": budget.amount - committed,
                    "need": amount,
                }
            )


def _lock(grant: Grant) -> Grant:
    """The grant's row, locked until the transaction ends and read afresh: every state change checks the
    status it found under the lock, so of two clicks (pay and cancel, pay twice) exactly one wins."""
    return Grant.objects.select_for_update().get(pk=grant.pk)


def _copy_state(source: Grant, target: Grant) -> None:
    for f in Grant._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def grant_mark_paid(
    *,
    grant: Grant,
    paid_on: dt.date,
    method: str,
    handed_over_by: str,
    by: User,
    amount: Decimal | None = None,
) -> Grant:
    """Record that an approved grant was paid or handed over: how much, when, how, by whom. The row is locked
    and its status read again: a grant paid or cancelled meanwhile is refused."""
    if not handed_over_by.strip():
        raise ValidationError({"handed_over_by": _("Say who handed it over.")})
    with transaction.atomic():
        current = _lock(grant)
        if current.status != Grant.Status.APPROVED:
            raise ValidationError(_("Only an approved grant can be marked paid."))
        if paid_on < current.granted_on.replace(month=1, day=1) and current.period_key != "once":
            raise ValidationError({"paid_on": _("The payment date is before the grant's period.")})
        if grant.member.died_on and paid_on > grant.member.died_on:
            raise ValidationError({"paid_on": _("The member had died by that date.")})
        if grant.member.departed_on and paid_on >= grant.member.departed_on:
            raise ValidationError({"paid_on": _("The member had left the roll by that date.")})
        if amount is not None and amount != current.amount:
            _check_budgets(grants=[current], extra={current.pk: amount})
            current.amount = amount
        current.status = Grant.Status.PAID
        current.paid_on = paid_on
        current.method = method
        current.handed_over_by = handed_over_by.strip()
        current.paid_recorded_by = by
        current.save()
    _copy_state(current, grant)
    return grant


def grant_cancel(*, grant: Grant, reason: str, by: User) -> Grant:
    """Cancel a planned or approved grant; the period is free again. A paid grant is never cancelled: it
    happened (so the one-live-grant-per-period rule still counts it, and the database refuses a cancelled
    grant that carries a payment date). The row is locked and its status read again: a grant paid meanwhile
    is refused."""
    if not reason.strip():
        raise ValidationError({"cancel_reason": _("Give a reason for cancelling.")})
    with transaction.atomic():
        current = _lock(grant)
        if current.status == Grant.Status.CANCELLED:
            raise ValidationError(_("This grant has been cancelled already."))
        if current.status not in (Grant.Status.PLANNED, Grant.Status.APPROVED):
            raise ValidationError(_("A paid grant cannot be cancelled."))
        current.status = Grant.Status.CANCELLED
        current.cancel_reason = reason.strip()
        current.save()
    _copy_state(current, grant)
    return grant


def budget_set(
    *, township: Organization, year: int, amount: Decimal, by: User, note: str = ""
) -> TownshipBudget:
    """The county office sets a township's yearly care budget (recorded with history)."""
    if not scope_for(by).is_county:
        raise PermissionDenied(_("Budgets are set by the county organization department."))
    if township.kind != Organization.Kind.TOWNSHIP:
        raise ValidationError(_("Budgets are set per township."))
    committed = selectors.budget_line(township=township, year=year).committed
    if amount < committed:
        raise ValidationError(
            {
                "amount": _("%(committed)s yuan is already committed this year: the budget cannot be lower.")
                % {"committed": committed}
            }
        )
    budget, _created = TownshipBudget.objects.update_or_create(
        township=township, year=year, defaults={"amount": amount, "note": note}
    )
    return budget
