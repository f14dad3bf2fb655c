"""dues.demo: a record for every member on the roll, payments that never overlap and cover what is due, and
members paid up, a little behind and in arrears."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from branches.models import Organization
from dues import demo, rates
from dues.models import DuesRecord, Payment
from dues.selectors import dues_for_members
from members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 15)


def test_demo_seed(branch_a1, branch_a2):
    branch_a2.sector = Organization.Sector.ORGAN
    branch_a2.save()
    for i in range(60):
        MemberFactory(
            organization=branch_a1 if i % 2 else branch_a2,
            birth_date=dt.date(1940 + i, 3, 1),
            admitted_on=dt.date(1990, 1, 1) if i < 50 else dt.date(2026, 2, 10),
            hardship=i % 7 == 0,
        )
    gone = MemberFactory(organization=branch_a1, died_on=dt.date(2026, 1, 3))
    demo.seed(rng=random.Random(3), as_of=AS_OF, scale="demo")
    members = list(Member.objects.exclude(pk=gone.pk))
    assert set(DuesRecord.objects.values_list("member_id", flat=True)) == {m.pk for m in members}
    assert {"farmer", "employed", "retired"} <= set(DuesRecord.objects.values_list("category", flat=True))
    dues = dues_for_members(members)
    through = rates.add_months(rates.month_of(AS_OF), -1)
    behind = [len(dues[m.pk].unpaid(through)) for m in members]
    assert behind.count(0) > 20 and any(n >= 3 for n in behind) and any(n >= 6 for n in behind)
    for d in dues.values():
        covered = [m for p in d.spans for m in rates.months(p.first, p.last)]
        assert len(covered) == len(set(covered))  # never two payments for one month
        assert d.start is None or all(p.first >= d.start for p in d.spans)
    for p in Payment.objects.all():
        assert p.amount >= p.due and p.extra == p.amount - p.due and p.paid_on <= AS_OF
    demo.seed(rng=random.Random(3), as_of=AS_OF, scale="demo")  # again: members with dues are left alone
    assert DuesRecord.objects.filter(member__in=members).values("member").distinct().count() == len(members)
