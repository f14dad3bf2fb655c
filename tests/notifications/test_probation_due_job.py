"""members.jobs.probation_due: 预备期满 reminders to the branch secretary, overdue notices to the township."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from branches.models import RoleAssignment
from members.jobs import probation_due
from members.selectors import probationers_due
from notifications.models import Delivery
from tests.factories import MemberFactory, UserFactory, make_org, make_role

ADMITTED = dt.date(2024, 6, 1)
DUE = dt.date(2025, 6, 1)


@pytest.fixture
def probationer(branch_a1):
    return MemberFactory(organization=branch_a1, name="李四", probationary=True, admitted_on=ADMITTED)


@pytest.fixture
def staff(township_a):
    user = UserFactory(email="staff@example.com")
    make_role(user, township_a, RoleAssignment.Role.TOWNSHIP_STAFF)
    return user


def _keys():
    return set(Delivery.objects.values_list("key", flat=True))


def test_secretary_reminded_at_30_days_not_at_31(probationer, alice, bob, send_now):
    with send_now():
        assert probation_due(DUE - dt.timedelta(days=31)) == 0
    assert not Delivery.objects.exists()
    with send_now():
        assert probation_due(DUE - dt.timedelta(days=30)) == 1
    assert _keys() == {f"probation_due:{probationer.pk}:{alice.pk}:2025-06-01"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]
    assert "李四" in mail.outbox[0].subject
    with send_now():
        assert probation_due(DUE - dt.timedelta(days=29)) == 0  # once per due date


def test_overdue_reaches_the_branch_and_the_township_not_other_townships(
    probationer, alice, bob, staff, charlie, send_now
):
    with send_now():
        assert probation_due(DUE) == 3
    assert _keys() == {
        f"probation_overdue:{probationer.pk}:{alice.pk}:2025-06-01",
        f"probation_overdue:{probationer.pk}:{bob.pk}:2025-06-01",
        f"probation_overdue:{probationer.pk}:{staff.pk}:2025-06-01",
    }
    assert {m.to[0] for m in mail.outbox} == {alice.email, bob.email, staff.email}
    with send_now():
        assert probation_due(DUE + dt.timedelta(days=5)) == 0


def test_full_deceased_and_extended_members_are_left_out(branch_a1, alice, send_now):
    MemberFactory(organization=branch_a1, admitted_on=ADMITTED)  # full member
    MemberFactory(
        organization=branch_a1, probationary=True, admitted_on=ADMITTED, died_on=dt.date(2025, 1, 1)
    )
    extended = MemberFactory(
        organization=branch_a1,
        probationary=True,
        admitted_on=ADMITTED,
        probation_ends_on=dt.date(2025, 12, 1),
    )
    assert probation_due(DUE) == 0
    assert list(probationers_due(as_of=dt.date(2025, 11, 1))) == [extended]


def test_leap_day_admission_is_due_on_1_march(branch_a1, alice):
    member = MemberFactory(organization=branch_a1, probationary=True, admitted_on=dt.date(2024, 2, 29))
    assert member.probation_due_on == dt.date(2025, 3, 1)
    assert list(probationers_due(as_of=dt.date(2025, 1, 29))) == []  # +30 days = 28 Feb
    assert list(probationers_due(as_of=dt.date(2025, 1, 30))) == [member]  # +30 days = 1 Mar


def test_general_branch_members_reach_their_own_secretary(township_a, send_now):
    general = make_org("general_branch", parent=township_a, code="GB-1")
    secretary = UserFactory()
    make_role(secretary, general, RoleAssignment.Role.BRANCH_SECRETARY)
    MemberFactory(organization=general, probationary=True, admitted_on=ADMITTED)
    with send_now():
        assert probation_due(DUE - dt.timedelta(days=10)) == 1
    assert mail.outbox[0].to == [secretary.email]


def test_query_count_does_not_grow_with_members(
    branch_a1, branch_a2, alice, bob, django_assert_max_num_queries
):
    for org in (branch_a1, branch_a2):
        for _ in range(10):
            MemberFactory(organization=org, probationary=True, admitted_on=ADMITTED)
    assert probation_due(DUE) == 20 + 10 - 0  # alice: 10 of branch_a1; bob: all 20
    # A second run reads candidates, secretaries, township staff and the keys already delivered: 4 queries.
    with django_assert_max_num_queries(4):
        assert probation_due(DUE) == 0


def test_run_jobs_twice_for_the_same_day_sends_nothing_new(probationer, alice, bob, send_now):
    with send_now():
        call_command("run_jobs", as_of=DUE - dt.timedelta(days=30), stdout=StringIO())
    sent = len(mail.outbox)
    assert [m.to for m in mail.outbox if "李四" in m.subject] == [[alice.email]]
    with send_now():
        call_command("run_jobs", as_of=DUE - dt.timedelta(days=30), stdout=StringIO())
    assert len(mail.outbox) == sent  # nothing new, from any job
