"""Study hours stay exact when combined with the attendance annotations (no join multiplying the sum)."""

import datetime as dt
from decimal import Decimal

import pytest

from education.models import StudyRecord
from education.selectors import (
    MemberFigures,
    member_figures,
    study_channels_for,
    with_absence,
    with_study_hours,
)
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


def _rule_member(branch_a1):
    return member(branch_a1, admitted_on=dt.date(2010, 1, 1))


def _hours(m, year=2026):
    """The member's study hours, read both ways: the annotation and the grouped pass (member_figures) agree."""
    hours = with_study_hours(Member.objects.filter(pk=m.pk), year=year).get().study_hours
    grouped = member_figures(
        Member.objects.filter(pk=m.pk),
        year=year,
        as_of=dt.date(year, 12, 31),
        channels=study_channels_for(year=year),
    )
    assert grouped.get(m.pk, MemberFigures()).study_hours == hours
    return hours


def test_only_concentrated_study_counts_and_the_channels_are_data(branch_a1):
    from education.models import StudyTarget

    m = _rule_member(branch_a1)
    for channel, hours in (("remote", 3), ("training", 4), ("self_study", 10), ("lecture", 2)):
        StudyRecord.objects.create(
            member=m, date=dt.date(2026, 2, 1), hours=hours, channel=channel, content="学习"
        )
    assert _hours(m) == Decimal("9")  # 自学 does not count (DOMAIN.md: 32 hours of 集中学习)
    target = StudyTarget.objects.get()
    assert target.channel_codes == ["remote", "lecture", "training"]
    StudyTarget.objects.create(
        effective_from=dt.date(2026, 1, 1), hours=Decimal("40"), channels="remote,self_study"
    )
    assert _hours(m) == Decimal("13")
    assert _hours(m, 2025) == Decimal("0")


def test_a_party_lecture_attended_adds_its_hours_once(branch_a1):
    from education.models import Meeting

    m = _rule_member(branch_a1)
    away = _rule_member(branch_a1)
    lecture = held(branch_a1, dt.date(2026, 3, 5), "party_lecture")
    Meeting.objects.filter(pk=lecture.pk).update(start_time=dt.time(9, 0), end_time=dt.time(10, 30))
    attend(lecture, m)
    attend(lecture, away, "absent")
    assert _hours(m) == Decimal("1.5")  # its duration
    assert _hours(away) == Decimal("0")
    # the same 党课 also entered as a study record: counted once
    StudyRecord.objects.create(member=m, date=dt.date(2026, 3, 5), hours=2, channel="lecture", content="党课")
    assert _hours(m) == Decimal("1.5")
    # a stated number of hours wins over the duration
    Meeting.objects.filter(pk=lecture.pk).update(study_hours=Decimal("3"))
    assert _hours(m) == Decimal("3")
    # a lecture record on another day is another lecture
    StudyRecord.objects.create(member=m, date=dt.date(2026, 4, 5), hours=2, channel="lecture", content="党课")
    assert _hours(m) == Decimal("5")
    # a themed day is not a lecture
    attend(held(branch_a1, dt.date(2026, 4, 9), "themed_day"), m)
    assert _hours(m) == Decimal("5")


def test_study_target_rejects_unknown_channels():
    from django.core.exceptions import ValidationError

    from education.models import StudyTarget

    target = StudyTarget(effective_from=dt.date(2030, 1, 1), hours=32, channels="remote, nonsense")
    with pytest.raises(ValidationError):
        target.full_clean()
