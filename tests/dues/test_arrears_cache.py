"""Who is behind with dues (the reminders, dues.selectors.arrears_notices) and who has paid nothing for six
months (the lapse, members_six_months_unpaid) are kept under the versions of the tables they are computed from
(ARREARS_TABLES, common.table_versions): a run of the jobs with nothing new applies no rules, and every write
to what they are computed from is seen by the next run. Who is told is read afresh every time.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import transaction

from branches.models import RoleAssignment
from dues import selectors
from dues.models import DuesRecord, DuesRelief, Payment
from members.models import Member
from tests.factories import UserFactory, make_role
from users.services import system_user

from .test_arrears_selection import AS_OF, JANUARY, M, _member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]


@pytest.fixture
def world(branch_a1, alice):
    return {
        "never paid": _member(branch_a1),
        "paid up": _member(branch_a1, payments=[(JANUARY, M(2026, 11, 1))]),
        "four behind": _member(branch_a1, payments=[(JANUARY, M(2026, 7, 1))]),
    }


def shown() -> tuple:
    """What the reminders and the lapse say, and to whom."""
    notices = selectors.arrears_notices(as_of=AS_OF)
    return (
        [
            (n.stage, n.member.pk, n.member.name, n.months, [u.pk for u in n.recipients], n.url)
            for n in notices
        ],
        selectors.members_six_months_unpaid(member_ids=None, as_of=AS_OF),
    )


def fresh() -> tuple:
    cache.clear()
    with transaction.atomic():  # nothing is read from or kept in the cache inside a transaction
        return shown()


def _pay(member, first, last):
    Payment.objects.create(
        member=member,
        paid_on=last,
        first_month=first,
        last_month=last,
        amount=D("10.00"),
        due=D("0.00"),
        recorded_by=system_user(),
    )


def test_kept_until_a_table_it_reads_is_written(world, branch_a1, django_assert_num_queries):
    first = shown()
    assert {pk for _s, pk, *_rest in first[0]} == {world["never paid"].pk, world["four behind"].pk}
    assert first == fresh()
    shown()  # stored again after the clear
    # two versions, the members behind, their secretaries: no rules applied
    with django_assert_num_queries(4):
        assert shown() == first

    _pay(world["never paid"], JANUARY, M(2026, 11, 1))
    assert shown() == fresh() != first
    relief = DuesRelief.objects.create(
        member=world["four behind"],
        kind="exemption",
        first_month=M(2026, 8, 1),
        reason="病",
        decided_on=M(2026, 8, 1),
        decided_by=system_user(),
        approved_on=M(2026, 8, 2),
        approved_by=system_user(),
    )
    assert shown() == fresh()
    assert world["four behind"].pk not in {pk for _s, pk, *_rest in shown()[0]}
    relief.delete()
    assert world["four behind"].pk in {pk for _s, pk, *_rest in shown()[0]} and shown() == fresh()
    late = _member(branch_a1, starts=M(2026, 6, 1))  # a new member and dues record: behind since June
    assert late.pk in {pk for _s, pk, *_rest in shown()[0]} and shown() == fresh()
    DuesRecord.objects.filter(member=late).update(starts_month=M(2026, 10, 1))
    assert late.pk not in {pk for _s, pk, *_rest in shown()[0]} and shown() == fresh()
    Member.objects.filter(pk=world["four behind"].pk).update(
        departed_on=M(2026, 11, 1), departure_reason="transferred_out"
    )
    assert world["four behind"].pk not in {pk for _s, pk, *_rest in shown()[0]} and shown() == fresh()


def test_who_is_told_is_read_afresh(world, branch_a1, alice):
    before = shown()
    carol = UserFactory(email="carol@example.com")
    make_role(carol, branch_a1, RoleAssignment.Role.BRANCH_SECRETARY)
    after = shown()
    assert after == fresh() != before
    assert all(carol.pk in recipients for *_rest, recipients, _url in after[0])
    Member.objects.filter(pk=world["never paid"].pk).update(name="改了名")
    assert "改了名" in {name for _s, _pk, name, *_rest in shown()[0]}
