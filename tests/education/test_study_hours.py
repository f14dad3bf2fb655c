"""Study hours stay exact when combined with the attendance annotations (no join multiplying the sum)."""

import datetime as dt
from decimal import Decimal

import pytest

from education.models import StudyRecord
from education.selectors import with_absence, with_study_hours
from members.models import Member
from tests.education.conftest import attend, held, member

pytestmark = pytest.mark.django_db


def test_hours_are_not_multiplied_by_attendance_rows(branch_a1):
    m = member(branch_a1)
    for day in (3, 10, 17):
        attend(held(branch_a1, dt.date(2026, 3, day), "themed_day"), m)
    for hours, day in ((Decimal("4"), dt.date(2026, 2, 1)), (Decimal("2.5"), dt.date(2026, 5, 1))):
        StudyRecord.objects.create(member=m, date=day, hours=hours, channel="lecture", content="学习")
    StudyRecord.objects.create(
        member=m, date=dt.date(2025, 12, 31), hours=8, channel="lecture", content="去年"
    )
    qs = with_study_hours(with_absence(Member.objects.filter(pk=m.pk), as_of=dt.date(2026, 6, 1)), year=2026)
    row = qs.get()
    assert row.study_hours == Decimal("6.5")
    assert row.absence_streak == 0


def test_member_without_study_has_zero(branch_a1):
    m = member(branch_a1)
    assert with_study_hours(Member.objects.filter(pk=m.pk), year=2026).get().study_hours == 0
