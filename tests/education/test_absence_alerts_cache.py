"""Who an absence alert is about (education.selectors.absence_notices: three unexcused absences in a row, six
months without organizational life) is kept under the versions of the tables it is computed from
(ABSENCE_TABLES, common.table_versions): a run of the jobs with nothing new reads no attendance, and every write
to what it is computed from is seen by the next run. Who is told is read afresh every time.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction

from branches.models import RoleAssignment
from education import selectors
from education.models import Attendance, Meeting
from members.models import Member
from tests.concurrency import seeded  # noqa: F401  (a fixture: the meeting kinds back after a flush)
from tests.factories import UserFactory, make_role

from .conftest import attend, full_members, held

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

AS_OF = dt.date(2026, 9, 30)


@pytest.fixture
def world(seeded, branch_a1, alice):  # noqa: F811
    streak, fine = full_members(branch_a1, 2)
    meetings = [held(branch_a1, dt.date(2026, month, 10), "themed_day") for month in (5, 6, 7)]
    for meeting in meetings:
        attend(meeting, streak, Attendance.Status.ABSENT)
        attend(meeting, fine)
    return {"streak": streak, "fine": fine, "meetings": meetings}


def shown() -> list:
    """What the alerts say, and to whom."""
    return [
        (n.kind, n.obj, n.context["member"].name, [u.pk for u in n.recipients], n.url)
        for n in selectors.absence_notices(as_of=AS_OF)
    ]


def fresh() -> list:
    cache.clear()
    with transaction.atomic():  # nothing is read from or kept in the cache inside a transaction
        return shown()


def about(notices) -> set[str]:
    return {obj.split(":")[0] for _kind, obj, *_rest in notices}


def test_kept_until_a_table_it_reads_is_written(world, branch_a1, django_assert_num_queries):
    first = shown()
    assert about(first) == {str(world["streak"].pk)}
    assert first == fresh()
    shown()  # stored again after the clear
    with django_assert_num_queries(3):  # the versions, the members alerted, their secretaries
        assert shown() == first

    late = held(branch_a1, dt.date(2026, 8, 10), "themed_day")  # a new meeting, attended: the streak ends
    attend(late, world["streak"])
    assert about(shown()) == set() and shown() == fresh()
    Attendance.objects.filter(meeting=late).update(status=Attendance.Status.ABSENT)
    assert about(shown()) == {str(world["streak"].pk)} and shown() == fresh()
    Meeting.objects.filter(pk=world["meetings"][0].pk).update(status=Meeting.Status.PLANNED)
    assert shown() == fresh()
    Member.objects.filter(pk=world["streak"].pk).update(
        departed_on=dt.date(2026, 9, 1), departure_reason="transferred_out"
    )
    assert about(shown()) == set() and shown() == fresh()


def test_who_is_told_is_read_afresh(world, branch_a1):
    before = shown()
    carol = UserFactory(email="carol@example.com")
    make_role(carol, branch_a1, RoleAssignment.Role.BRANCH_SECRETARY)
    after = shown()
    assert after == fresh() != before
    assert all(carol.pk in recipients for *_rest, recipients, _url in after)
    Member.objects.filter(pk=world["streak"].pk).update(name="改了名")
    assert {name for _kind, _obj, name, *_rest in shown()} == {"改了名"}
