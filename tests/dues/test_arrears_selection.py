"""The reminders and the six-month lapse apply the rules only to the members who may be behind (issue 14): the
selection must never leave out one the rules would find. Checked against the rules applied to every member
on the roll, over payments that overlap, start before the first record, leave gaps, and months exempted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from dues import rates, selectors
from dues.models import DuesRecord, DuesRelief, Payment
from members.models import Member
from tests.factories import MemberFactory
from users.services import system_user

pytestmark = pytest.mark.django_db
M = dt.date
AS_OF = M(2026, 12, 2)  # the last month ended: 2026-11
JANUARY = M(2026, 1, 1)
LONG_AGO = M(2000, 1, 1)


def _member(org, *, starts=JANUARY, payments=(), admitted=LONG_AGO, **kw):
    by = system_user()
    member = MemberFactory(organization=org, admitted_on=admitted, **kw)
    DuesRecord.objects.create(member=member, category="student", starts_month=starts, created_by=by)
    for first, last in payments:
        Payment.objects.create(
            member=member,
            paid_on=last,
            first_month=first,
            last_month=last,
            amount=D("10.00"),
            due=D("0.00"),
            recorded_by=by,
        )
    return member


def _every_member(as_of):
    """The rules for every member on the roll with a dues record: what the selection must agree with."""
    through = rates.add_months(rates.month_of(as_of), -1)
    members, dues = selectors._with_dues_on(as_of)
    arrears, lapsed = {}, {}
    for m in members:
        unpaid = dues[m.pk].unpaid(through)
        if len(unpaid) >= 3:
            arrears[m.pk] = ("arrears5" if len(unpaid) >= 5 else "arrears3", unpaid)
        run = dues[m.pk].unpaid_run(through)
        if len(run) >= selectors.LAPSE_MONTHS:
            lapsed[m.pk] = run[0]
    return arrears, lapsed


@pytest.fixture
def county(branch_a1):
    by = system_user()
    cases = {
        "paid up": _member(branch_a1, payments=[(M(2026, 1, 1), M(2026, 11, 1))]),
        "gap of three": _member(
            branch_a1, payments=[(M(2026, 1, 1), M(2026, 3, 1)), (M(2026, 7, 1), M(2026, 12, 1))]
        ),
        "overlap then nothing": _member(
            branch_a1, payments=[(M(2026, 1, 1), M(2026, 3, 1)), (M(2026, 3, 1), M(2026, 5, 1))]
        ),
        # the months paid add up to eleven, but two payments are the same three months: April to June unpaid
        "overlap hides a gap": _member(
            branch_a1,
            payments=[
                (M(2026, 1, 1), M(2026, 3, 1)),
                (M(2026, 1, 1), M(2026, 3, 1)),
                (M(2026, 7, 1), M(2026, 11, 1)),
            ],
        ),
        "paid before the first record": _member(
            branch_a1, starts=M(2026, 3, 1), payments=[(M(2025, 10, 1), M(2026, 5, 1))]
        ),
        "two missing": _member(branch_a1, payments=[(M(2026, 1, 1), M(2026, 9, 1))]),
        "never paid": _member(branch_a1),
        "starts late": _member(branch_a1, starts=M(2026, 10, 1)),
        "admitted late": _member(branch_a1, admitted=M(2026, 9, 15), probationary=True),
        "departed": _member(branch_a1, departed_on=M(2026, 8, 1), departure_reason="transferred_out"),
        "exempted": _member(branch_a1, payments=[(M(2026, 1, 1), M(2026, 5, 1))]),
        "paid ahead": _member(branch_a1, payments=[(M(2026, 1, 1), M(2027, 6, 1))]),
    }
    DuesRelief.objects.create(
        member=cases["exempted"],
        kind="exemption",
        first_month=M(2026, 6, 1),
        reason="病",
        decided_on=M(2026, 6, 1),
        decided_by=by,
        approved_on=M(2026, 6, 2),
        approved_by=by,
    )
    return cases


@pytest.mark.parametrize("as_of", [AS_OF, M(2026, 9, 1), M(2026, 5, 20), M(2027, 3, 1)])
def test_the_selection_finds_whom_the_rules_find(county, as_of):
    arrears, lapsed = _every_member(as_of)
    notices = selectors.arrears_notices(as_of=as_of)
    assert {n.member.pk: (n.stage, n.months) for n in notices} == arrears
    assert selectors.members_six_months_unpaid(member_ids=None, as_of=as_of) == lapsed


def test_the_cases_are_what_they_say(county):
    arrears, lapsed = _every_member(AS_OF)
    names = {m.pk: name for name, m in county.items()}
    assert {names[pk]: stage for pk, (stage, _months) in arrears.items()} == {
        "gap of three": "arrears3",
        "overlap then nothing": "arrears5",
        "overlap hides a gap": "arrears3",
        "paid before the first record": "arrears5",
        "never paid": "arrears5",
        "admitted late": "arrears3",  # on the roll from September: September to November
    }
    assert {names[pk] for pk in lapsed} == {
        "overlap then nothing",
        "paid before the first record",
        "never paid",
    }
    assert Member.objects.count() == len(county)
