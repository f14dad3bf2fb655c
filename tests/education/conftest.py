"""Helpers for the education tests (the shared fixtures are in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from education.models import Attendance, Meeting, MeetingKind
from tests.factories import MemberFactory


def kinds(*codes: str) -> list[MeetingKind]:
    found = {k.code: k for k in MeetingKind.objects.filter(code__in=codes)}
    return [found[c] for c in codes]


def held(org, day: dt.date, *codes: str, group=None, topic: str = "学习") -> Meeting:
    """A held meeting (no attendance rows), straight into the database."""
    meeting = Meeting.objects.create(
        organization=org, party_group=group, date=day, topic=topic, status=Meeting.Status.HELD, minutes="记录"
    )
    meeting.kinds.set(kinds(*codes))
    return meeting


_births = itertools.count()


def member(org, **kw):
    """A member with a distinct birth date (the factory's ID numbers repeat after 100 on one birth date)."""
    kw.setdefault("birth_date", dt.date(1950, 1, 1) + dt.timedelta(days=next(_births) % 15000))
    return MemberFactory(organization=org, **kw)


def full_members(org, n: int, *, since: dt.date = dt.date(2000, 1, 1), **kw):
    admitted = since - dt.timedelta(days=365)
    return [member(org, full_member_on=since, admitted_on=admitted, **kw) for _ in range(n)]


def attend(meeting: Meeting, member, status: str = Attendance.Status.PRESENT, reason: str = ""):
    return Attendance.objects.create(meeting=meeting, member=member, status=status, reason=reason)


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()
