"""Dues demo data, after the roster exists: a dues record for every member on the roll (the category from the
organization's sector and the member's age, a base that rose this January for those in work), payments up
to a month that varies, so that the sheets show members paid up, a little behind, and three, five and six
months in arrears; a few hardship decisions, approved or waiting. Bulk inserts."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from branches.models import Organization
from members.models import Member
from members.selectors import living_on
from users.services import system_user

from . import rates
from .models import DuesRecord, DuesRelief, Payment

BASES = [Decimal(b) for b in ("2600", "2999", "3000", "3800", "4500", "5000", "6200", "8000", "11000")]
PENSIONS = [Decimal(b) for b in ("1800", "2999", "3500", "4800", "5200")]
HARDSHIP = ["长期患病，收入微薄", "家庭遭遇变故，生活困难", "下岗后暂无收入"]


def _category(
    member: Member, rural: bool, as_of: dt.date, rng: random.Random
) -> tuple[str, Decimal | None, Decimal | None]:
    """(category, base, fixed amount): villagers are farmers; elsewhere 60 and over retired, under 24 students,
    a few unemployed or on relief, the rest in work."""
    if rural:
        return rates.FARMER, None, Decimal(rng.choice(["0.20", "0.50", "1.00"]))
    age = member.age_on(as_of)
    if age >= 60:
        return rates.RETIRED, rng.choice(PENSIONS), None
    if age < 24:
        return rates.STUDENT, None, None
    roll = rng.random()
    if roll < 0.05:
        return rates.UNEMPLOYED, None, None
    if roll < 0.08:
        return rates.RELIEF, None, None
    return rates.EMPLOYED, rng.choice(BASES), None


def seed(*, rng: random.Random, as_of: dt.date, scale: str) -> None:
    by = system_user()
    this_year = dt.date(as_of.year, 1, 1)
    last_year = dt.date(as_of.year - 1, 1, 1)
    current = rates.month_of(as_of)
    members = list(
        living_on(on=as_of)
        .exclude(pk__in=DuesRecord.objects.values("member_id"))
        .select_related("organization")
        .order_by("pk")
    )
    records, payments, reliefs = [], [], []
    for m in members:
        rural = m.organization.sector == Organization.Sector.RURAL
        category, base, fixed = _category(m, rural, as_of, rng)
        start = max(last_year, rates.month_of(m.admitted_on))
        records.append(
            DuesRecord(
                member=m, category=category, base=base, fixed_amount=fixed, starts_month=start, created_by=by
            )
        )
        rule = [rates.Record(start, category, base, fixed)]
        if category == rates.EMPLOYED and start < this_year:
            raised = min(rates.MAX_BASE, (base or Decimal(0)) + Decimal(rng.choice(["0", "200", "500"])))
            records.append(
                DuesRecord(
                    member=m,
                    category=category,
                    base=raised,
                    fixed_amount=None,
                    starts_month=this_year,
                    created_by=by,
                )
            )
            rule.append(rates.Record(this_year, category, raised))
        # how far behind: most paid up, some one or two months, some three, five, six or more
        behind = rng.choices([0, 1, 2, 3, 5, 7], weights=[60, 14, 8, 7, 6, 5])[0]
        paid_to = rates.add_months(current, -behind)
        month = start
        while month <= paid_to:
            last = min(paid_to, rates.add_months(month, rng.choice([0, 2, 5, 11])))
            due = rates.payment_due(month, last, rates.months_due(month, last, rule))
            extra = Decimal(rng.choice(["0", "0", "0", "10", "50"])) if due else Decimal(0)
            paid_on = min(as_of, last + dt.timedelta(days=rng.randint(0, 20)))
            payments.append(
                Payment(
                    member=m,
                    paid_on=paid_on,
                    first_month=month,
                    last_month=last,
                    amount=due + extra,
                    due=due,
                    extra=extra,
                    recorded_by=by,
                )
            )
            month = rates.add_months(last, 1)
        if m.hardship and rng.random() < 0.5:
            approved = rng.random() < 0.7
            exempt = rng.random() < 0.5
            reliefs.append(
                DuesRelief(
                    member=m,
                    kind=rates.EXEMPTION if exempt else rates.REDUCTION,
                    amount=None if exempt else Decimal("0.20"),
                    first_month=this_year,
                    last_month=dt.date(as_of.year, 12, 1),
                    reason=rng.choice(HARDSHIP),
                    decided_on=this_year + dt.timedelta(days=10),
                    decided_by=by,
                    approved_on=this_year + dt.timedelta(days=25) if approved else None,
                    approved_by=by if approved else None,
                )
            )
    DuesRecord.objects.bulk_create(records, batch_size=1000)
    Payment.objects.bulk_create(payments, batch_size=1000)
    DuesRelief.objects.bulk_create(reliefs, batch_size=1000)
