"""Dues records, hardship decisions and payments: the rules and the bad input they refuse (nothing saved)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dues import services
from dues.models import DuesRecord, DuesRelief, Payment
from dues.selectors import member_dues
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
M = dt.date


def _set(member, by, **kw):
    kw.setdefault("starts_month", M(2026, 1, 1))
    return services.dues_record_set(member=member, by=by, **kw)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"category": "farmer", "fixed_amount": D("0.19")}, "fixed_amount"),
        ({"category": "farmer", "fixed_amount": D("1.01")}, "fixed_amount"),
        ({"category": "farmer"}, "fixed_amount"),
        ({"category": "employed", "base": D("-1")}, "base"),
        ({"category": "employed", "base": D("1000000.01")}, "base"),
        ({"category": "retired"}, "base"),
        ({"category": "student", "base": D("3000")}, "base"),
        ({"category": "student", "fixed_amount": D("0.50")}, "fixed_amount"),
        ({"category": "employed", "base": D("4000"), "fixed_amount": D("41.00")}, "fixed_amount"),
        ({"category": "teacher"}, "category"),
        ({"category": "student", "starts_month": M(1990, 1, 1)}, "starts_month"),
    ],
)
def test_bad_dues_records_are_refused_and_nothing_is_saved(member_a1, alice, kw, field):
    with pytest.raises(ValidationError) as e:
        _set(member_a1, alice, **kw)
    assert field in e.value.message_dict
    assert not DuesRecord.objects.exists()


def test_a_new_base_each_year_keeps_the_old_one(member_a1, alice):
    _set(member_a1, alice, category="employed", base=D("4000"), starts_month=M(2025, 1, 1))
    _, outcome = _set(member_a1, alice, category="employed", base=D("6000"), starts_month=M(2026, 1, 1))
    assert outcome == "created"
    dues = member_dues(member=member_a1)
    assert [r.base for r in dues.records] == [D("4000.00"), D("6000.00")]
    assert dues.due(M(2025, 12, 1)) == D("40.00") and dues.due(M(2026, 1, 1)) == D("90.00")
    _, outcome = _set(member_a1, alice, category="employed", base=D("6000"), starts_month=M(2026, 1, 15))
    assert outcome == "unchanged"
    _, outcome = _set(member_a1, alice, category="employed", base=D("6500"), starts_month=M(2026, 1, 1))
    assert outcome == "updated" and DuesRecord.objects.count() == 2


def test_a_matching_monthly_amount_is_accepted_and_not_stored_for_salaried(member_a1, alice):
    record, _ = _set(member_a1, alice, category="retired", base=D("2999"), fixed_amount=D("15.00"))
    assert record.fixed_amount is None and record.amount == D("15.00")


def test_payment_records_the_voluntary_extra_and_moves_paid_through(worker, alice):
    payment = services.payment_record(
        member=worker,
        paid_on=M(2026, 3, 10),
        first_month=M(2026, 1, 1),
        last_month=M(2026, 3, 1),
        amount=D("150.00"),
        by=alice,
        today=M(2026, 6, 15),
    )
    assert (payment.due, payment.extra, payment.recorded_by) == (D("120.00"), D("30.00"), alice)
    dues = member_dues(member=worker)
    assert dues.paid_through(M(2026, 6, 1)) == M(2026, 3, 1)
    assert dues.unpaid(M(2026, 6, 1)) == [M(2026, 4, 1), M(2026, 5, 1), M(2026, 6, 1)]


@pytest.mark.parametrize(
    ("first", "last", "amount", "field"),
    [
        (M(2025, 12, 1), M(2026, 1, 1), D("80.00"), "first_month"),  # before the dues start
        (M(2026, 1, 1), M(2026, 2, 1), D("79.99"), "amount"),  # below what the months are due
        (M(2026, 2, 1), M(2026, 1, 1), D("80.00"), "last_month"),
        (M(2026, 1, 1), M(2026, 1, 1), D("-1"), "amount"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_saved(worker, alice, first, last, amount, field):
    with pytest.raises(ValidationError) as e:
        services.payment_record(
            member=worker,
            paid_on=M(2026, 3, 1),
            first_month=first,
            last_month=last,
            amount=amount,
            by=alice,
            today=M(2026, 6, 15),
        )
    assert field in e.value.message_dict
    assert not Payment.objects.exists()


def test_months_paid_already_are_refused(worker, alice):
    kw = {"member": worker, "paid_on": M(2026, 3, 1), "by": alice, "today": M(2026, 6, 15)}
    services.payment_record(first_month=M(2026, 1, 1), last_month=M(2026, 2, 1), amount=D("80"), **kw)
    with pytest.raises(ValidationError, match="2026-02"):
        services.payment_record(first_month=M(2026, 2, 1), last_month=M(2026, 3, 1), amount=D("80"), **kw)
    assert Payment.objects.count() == 1


def test_a_payment_without_a_dues_record_or_in_the_future_is_refused(member_a1, worker, alice):
    with pytest.raises(ValidationError):
        services.payment_record(
            member=member_a1,
            paid_on=M(2026, 3, 1),
            first_month=M(2026, 1, 1),
            last_month=M(2026, 1, 1),
            amount=D("1"),
            by=alice,
            today=M(2026, 6, 15),
        )
    with pytest.raises(ValidationError) as e:
        services.payment_record(
            member=worker,
            paid_on=M(2026, 7, 1),
            first_month=M(2026, 1, 1),
            last_month=M(2026, 1, 1),
            amount=D("40"),
            by=alice,
            today=M(2026, 6, 15),
        )
    assert "paid_on" in e.value.message_dict


def test_relief_decided_by_the_branch_applies_only_once_approved_above(worker, alice, bob):
    relief = services.relief_decide(
        member=worker,
        kind="exemption",
        first_month=M(2026, 4, 1),
        last_month=None,
        reason="长期患病",
        decided_on=M(2026, 3, 20),
        by=alice,
    )
    assert member_dues(member=worker).due(M(2026, 4, 1)) == D("40.00")
    with pytest.raises(PermissionDenied):  # the branch does not approve its own decision
        services.relief_approve(relief=relief, on=M(2026, 3, 25), by=alice)
    services.relief_approve(relief=relief, on=M(2026, 3, 25), by=bob)
    relief.refresh_from_db()
    assert (relief.approved_by, relief.approved_on, relief.decided_by) == (bob, M(2026, 3, 25), alice)
    dues = member_dues(member=worker)
    assert dues.due(M(2026, 4, 1)) == D("0.00")
    assert dues.unpaid(M(2026, 6, 1)) == [M(2026, 1, 1), M(2026, 2, 1), M(2026, 3, 1)]
    with pytest.raises(ValidationError):
        services.relief_approve(relief=relief, on=M(2026, 3, 26), by=bob)


def test_another_townships_secretary_cannot_approve(worker, alice, charlie):
    relief = services.relief_decide(
        member=worker,
        kind="reduction",
        amount=D("5"),
        first_month=M(2026, 4, 1),
        last_month=M(2026, 6, 1),
        reason="困难",
        decided_on=M(2026, 3, 20),
        by=alice,
    )
    with pytest.raises(PermissionDenied):
        services.relief_approve(relief=relief, on=M(2026, 3, 25), by=charlie)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "reduction"}, "amount"),
        ({"kind": "reduction", "amount": D("-1")}, "amount"),
        ({"kind": "exemption", "last_month": M(2026, 1, 1)}, "last_month"),
        ({"kind": "exemption", "reason": " "}, "reason"),
        ({"kind": "forgiven"}, "kind"),
    ],
)
def test_bad_relief_decisions_are_refused(worker, alice, kw, field):
    kw = {
        "first_month": M(2026, 4, 1),
        "last_month": None,
        "reason": "困难",
        "decided_on": M(2026, 3, 1),
        **kw,
    }
    with pytest.raises(ValidationError) as e:
        services.relief_decide(member=worker, by=alice, **kw)
    assert field in e.value.message_dict
    assert not DuesRelief.objects.exists()


def test_a_probationary_member_pays_from_admission(branch_a1, alice):
    member = MemberFactory(organization=branch_a1, probationary=True, admitted_on=M(2026, 3, 12))
    with pytest.raises(ValidationError):
        _set(member, alice, category="student", starts_month=M(2026, 2, 1))
    _set(member, alice, category="student", starts_month=M(2026, 3, 1))
    assert member_dues(member=member).start == M(2026, 3, 1)


def test_absurd_payment_or_reduction_is_refused(worker, alice):
    with pytest.raises(ValidationError) as e:
        services.payment_record(
            member=worker,
            paid_on=M(2026, 3, 1),
            first_month=M(2026, 1, 1),
            last_month=M(2026, 1, 1),
            amount=D("99999999.99"),
            by=alice,
            today=M(2026, 6, 15),
        )
    assert "amount" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.relief_decide(
            member=worker,
            kind="reduction",
            amount=D("100000"),
            first_month=M(2026, 1, 1),
            last_month=None,
            reason="困难",
            decided_on=M(2026, 1, 1),
            by=alice,
        )
    assert "amount" in e.value.message_dict
    assert not Payment.objects.exists() and not DuesRelief.objects.exists()
