"""Grant payment races (issue 13, High 2), on PostgreSQL with threads: two people act on the same grant at
the same moment, each having loaded the page before the other saved. Exactly one of them wins."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from care import services
from care.models import BenefitRule, Grant
from tests.care.factories import make_member
from tests.concurrency import concurrent, require_postgres, run_together, seeded  # noqa: F401

pytestmark = [concurrent, pytest.mark.services, pytest.mark.usefixtures("seeded")]

ON = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()


@pytest.fixture
def rule():
    return BenefitRule.objects.get(code="subsidy_poor")


@pytest.fixture
def poor(branch_a1):
    return make_member(branch_a1, born=dt.date(1960, 1, 1), admitted=dt.date(2000, 1, 1), hardship=True)


@pytest.fixture
def planned(poor, rule, alice):
    return services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)


@pytest.fixture
def approved(planned, bob):
    services.grants_approve(grants=[planned], by=bob)
    return planned


def _fresh(pk):
    return Grant.objects.select_related("member").get(pk=pk)


def _pay(pk, user, who="王"):
    def actor(go):
        grant = _fresh(pk)  # what the payment page loaded
        go()
        return services.grant_mark_paid(grant=grant, paid_on=ON, method="cash", handed_over_by=who, by=user)

    return actor


def _cancel(pk, user):
    def actor(go):
        grant = _fresh(pk)
        go()
        return services.grant_cancel(grant=grant, reason="重复", by=user)

    return actor


def _approve(pk, user):
    def actor(go):
        grant = _fresh(pk)
        go()
        return services.grants_approve(grants=[grant], by=user)

    return actor


def _won(results):
    return [r for kind, r in results if kind == "ok" and r != 0]


def _refused(results):
    errors = [r for kind, r in results if kind == "error"]
    assert all(isinstance(e, ValidationError) for e in errors), errors
    return errors


@pytest.mark.parametrize("run", range(3))
def test_pay_and_cancel_at_once_one_wins_and_the_state_is_whole(approved, alice, bob, poor, rule, run):
    results = run_together(_pay(approved.pk, alice), _cancel(approved.pk, bob))
    assert len(_won(results)) == 1 and len(_refused(results)) == 1
    grant = _fresh(approved.pk)
    if grant.status == Grant.Status.PAID:
        assert grant.paid_on == ON and grant.cancel_reason == ""
        # the period stays taken: no second grant, no second payment
        with pytest.raises(ValidationError):
            services.grant_create(member=poor, rule=rule, granted_on=ON, by=alice)
    else:
        assert grant.status == Grant.Status.CANCELLED
        assert grant.paid_on is None and grant.handed_over_by == ""


@pytest.mark.parametrize("run", range(3))
def test_two_payments_at_once_record_one(approved, alice, bob, run):
    results = run_together(_pay(approved.pk, alice, "王"), _pay(approved.pk, bob, "李"))
    assert len(_won(results)) == 1 and len(_refused(results)) == 1
    grant = _fresh(approved.pk)
    assert grant.status == Grant.Status.PAID
    assert grant.history.filter(status=Grant.Status.PAID).count() == 1


def test_approve_and_cancel_at_once_one_wins(planned, alice, bob):
    results = run_together(_approve(planned.pk, bob), _cancel(planned.pk, alice))
    assert len(_won(results)) == 1
    grant = _fresh(planned.pk)
    approved = [r for kind, r in results if kind == "ok" and r == 1]
    if approved:
        assert grant.status == Grant.Status.APPROVED and grant.approved_by_id == bob.pk
    else:
        assert grant.status == Grant.Status.CANCELLED and grant.approved_by_id is None


def test_double_submitted_approval_approves_once(planned, bob):
    results = run_together(_approve(planned.pk, bob), _approve(planned.pk, bob))
    assert sorted(r for _kind, r in results) == [0, 1]


def test_double_submitted_cancel_cancels_once(approved, alice):
    results = run_together(_cancel(approved.pk, alice), _cancel(approved.pk, alice))
    assert len(_won(results)) == 1 and len(_refused(results)) == 1
    assert _fresh(approved.pk).history.filter(status=Grant.Status.CANCELLED).count() == 1


def test_two_approvals_never_exceed_the_townships_budget(branch_a1, township_a, alice, bob, dora, rule):
    services.budget_set(township=township_a, year=2026, amount=Decimal("500"), by=dora)  # one grant's worth
    grants = [
        services.grant_create(
            member=make_member(
                branch_a1, born=dt.date(1960, 1, 1), admitted=dt.date(2000, 1, 1), hardship=True
            ),
            rule=rule,
            granted_on=ON,
            by=alice,
        )
        for _ in range(2)
    ]
    results = run_together(*(_approve(g.pk, bob) for g in grants))
    assert len(_won(results)) == 1 and len(_refused(results)) == 1
    assert Grant.objects.filter(status=Grant.Status.APPROVED).count() == 1
