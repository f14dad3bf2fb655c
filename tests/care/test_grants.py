"""Grants: no double payment (database and service), approval by the level above, budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from care import selectors, services
from care.models import BenefitRule, Grant
from tests.care.factories import make_member

D = dt.date
ON = D(2026, 6, 15)


@pytest.fixture
def poor(branch_a1):
    return make_member(branch_a1, born=D(1960, 1, 1), admitted=D(2000, 1, 1), hardship=True)


@pytest.fixture
def rule(db):
    return BenefitRule.objects.get(code="subsidy_poor")


def test_database_refuses_a_second_live_grant_for_the_same_period(poor, rule, branch_a1):
    kw = dict(rule=rule, member=poor, organization=branch_a1, period_key="2026", year=2026, granted_on=ON)
    Grant.objects.create(**kw)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(**kw)


def test_a_cancelled_grant_frees_the_period(poor, rule, alice):
    g = services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    services.grant_cancel(grant=g, reason="重复录入", by=alice)
    again = services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    assert again.pk != g.pk


def test_service_gives_a_friendly_error_for_the_same_year(poor, rule, alice):
    services.grant_create(member=poor, rule=rule, granted_on=D(2026, 1, 5), by=alice)
    with pytest.raises(ValidationError, match="2026"):
        services.grant_create(member=poor, rule=rule, granted_on=D(2026, 11, 5), by=alice)
    services.grant_create(member=poor, rule=rule, granted_on=D(2027, 1, 5), by=alice)  # next year is fine


def test_once_in_a_lifetime_is_once_ever(branch_a1, alice):
    m = make_member(branch_a1, born=D(1940, 1, 1), admitted=D(1960, 1, 1), full=D(1961, 1, 1))
    cup = BenefitRule.objects.get(code="cup_50")
    g = services.grant_create(member=m, rule=cup, granted_on=D(2020, 1, 1), by=alice)
    assert g.period_key == "once" and g.in_kind == "纪念杯"
    with pytest.raises(ValidationError, match="一次性"):
        services.grant_create(member=m, rule=cup, granted_on=D(2030, 1, 1), by=alice)


def test_race_is_caught_as_a_validation_error(poor, rule, alice, monkeypatch):
    services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    # pretend the pre-check did not see the first grant (another request in flight)
    real_filter = Grant.objects.filter

    class Blind:
        def exclude(self, **kw):
            return self

        def exists(self):
            return False

    monkeypatch.setattr(
        Grant.objects, "filter", lambda *a, **kw: Blind() if "period_key" in kw else real_filter(*a, **kw)
    )
    with pytest.raises(ValidationError):
        services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    assert real_filter(member=poor).count() == 1


def test_deceased_member_cannot_be_granted_even_by_the_county(poor, rule, dora):
    poor.died_on = D(2026, 3, 1)
    poor.save()
    with pytest.raises(ValidationError):
        services.grant_create(member=poor, rule=rule, granted_on=ON, by=dora, override_reason="特殊")


def test_bulk_create_respects_write_scope_and_is_idempotent(alice, bob, branch_a1, branch_a2, township_a):
    a = make_member(branch_a1, born=D(1960, 1, 1), admitted=D(2000, 1, 1), hardship=True)
    make_member(branch_a2, born=D(1960, 1, 1), admitted=D(2000, 1, 1), hardship=True)
    with pytest.raises(PermissionDenied):
        services.grants_create_for_eligible(org=township_a, granted_on=ON, by=alice)
    assert services.grants_create_for_eligible(org=branch_a1, granted_on=ON, by=alice) == 1
    assert list(Grant.objects.values_list("member", flat=True)) == [a.pk]
    assert Grant.objects.get().township == township_a
    assert services.grants_create_for_eligible(org=township_a, granted_on=ON, by=bob) == 1
    assert services.grants_create_for_eligible(org=township_a, granted_on=ON, by=bob) == 0


def test_approval_by_the_level_above(poor, rule, alice, bob, charlie, dora):
    g = services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    for user in (alice, charlie):
        with pytest.raises(PermissionDenied):
            services.grants_approve(grants=[g], by=user)
    assert services.grants_approve(grants=[g], by=bob) == 1
    g2 = services.grant_create(
        member=poor, rule=BenefitRule.objects.get(code="subsidy_poor"), granted_on=D(2027, 2, 1), by=alice
    )
    assert services.grants_approve(grants=[g2], by=dora) == 1


def test_budget_committed_and_left_and_refusal(branch_a1, township_a, alice, bob, dora):
    rule = BenefitRule.objects.get(code="subsidy_poor")  # 500 yuan
    members = [
        make_member(branch_a1, born=D(1960, 1, 1), admitted=D(2000, 1, 1), hardship=True) for _ in range(3)
    ]
    services.budget_set(township=township_a, year=2026, amount=Decimal("1000"), by=dora)
    grants = [services.grant_create(member=m, rule=rule, granted_on=ON, by=alice) for m in members]
    services.grants_approve(grants=grants[:2], by=bob)
    line = selectors.budget_line(township=township_a, year=2026)
    assert (line.budget, line.committed, line.left) == (1000, 1000, 0)
    with pytest.raises(ValidationError, match="预算"):
        services.grants_approve(grants=grants[2:], by=bob)
    services.grant_mark_paid(
        grant=grants[0], paid_on=ON, method="cash", handed_over_by="王", by=alice, amount=Decimal("400")
    )
    assert selectors.budget_line(township=township_a, year=2026).left == 100
    with pytest.raises(ValidationError):
        services.budget_set(township=township_a, year=2026, amount=Decimal("800"), by=dora)
    with pytest.raises(PermissionDenied):
        services.budget_set(township=township_a, year=2026, amount=Decimal("8000"), by=bob)


def test_paying_needs_approval_and_a_person(poor, rule, alice, bob):
    g = services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    with pytest.raises(ValidationError):
        services.grant_mark_paid(grant=g, paid_on=ON, method="cash", handed_over_by="王", by=alice)
    services.grants_approve(grants=[g], by=bob)
    with pytest.raises(ValidationError):
        services.grant_mark_paid(grant=g, paid_on=ON, method="cash", handed_over_by=" ", by=alice)
    services.grant_mark_paid(grant=g, paid_on=ON, method="cash", handed_over_by="王", by=alice)
    with pytest.raises(ValidationError):
        services.grant_cancel(grant=g, reason="x", by=alice)


def test_a_paid_grant_stays_paid_and_keeps_its_period(poor, rule, alice, bob):
    """A paid grant is never cancelled (service and database), so the period stays taken."""
    g = services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    services.grants_approve(grants=[g], by=bob)
    services.grant_mark_paid(grant=g, paid_on=ON, method="cash", handed_over_by="王", by=alice)
    stale = Grant.objects.get(pk=g.pk)
    stale.status = Grant.Status.APPROVED  # a page loaded before the payment
    with pytest.raises(ValidationError):
        services.grant_cancel(grant=stale, reason="x", by=alice)
    with pytest.raises(ValidationError):
        services.grant_mark_paid(grant=stale, paid_on=ON, method="cash", handed_over_by="李", by=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=g.pk).update(status=Grant.Status.CANCELLED)
    with pytest.raises(ValidationError):
        services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    assert Grant.objects.get(pk=g.pk).status == Grant.Status.PAID
