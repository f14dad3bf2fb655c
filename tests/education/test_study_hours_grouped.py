"""study_hours_of (the dashboard's set-based study hours) gives with_study_hours' results, member by member."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from education.models import Attendance, StudyRecord
from education.selectors import (
    StudyRule,
    study_hours_of,
    study_hours_of_ids,
    study_progress_by,
    study_rule,
    with_study_hours,
)
from members.models import Member
from tests.education.conftest import attend, held, member

pytestmark = pytest.mark.django_db


def _record(m, day, hours, channel):
    StudyRecord.objects.create(member=m, date=day, hours=Decimal(hours), channel=channel, content="学习")


def test_the_same_hours_as_with_study_hours(branch_a1, branch_a2):
    a, b, c, d = (member(branch_a1) for _ in range(4))
    e = member(branch_a2)
    lecture = held(branch_a1, dt.date(2026, 4, 8), "party_lecture")
    lecture.study_hours = Decimal("2.5")
    lecture.save()
    timed = held(branch_a1, dt.date(2026, 6, 3), "party_lecture", "themed_day")
    timed.start_time, timed.end_time = dt.time(9, 0), dt.time(10, 15)  # 1.25 hours
    timed.save()
    old = held(branch_a1, dt.date(2025, 12, 30), "party_lecture")
    for m in (a, b):
        attend(lecture, m)
        attend(timed, m)
        attend(old, m)
    attend(lecture, c, Attendance.Status.ABSENT)
    _record(a, dt.date(2026, 4, 8), "2.5", "lecture")  # the same lecture: adds nothing
    _record(a, dt.date(2026, 2, 1), "4", "remote")
    _record(a, dt.date(2026, 3, 1), "8", "self_study")  # does not count
    _record(b, dt.date(2026, 5, 1), "3.5", "lecture")  # a lecture elsewhere: counts
    _record(c, dt.date(2026, 1, 1), "31.9", "training")
    _record(c, dt.date(2025, 12, 31), "9", "training")  # last year
    _record(e, dt.date(2026, 7, 7), "40", "training")
    members = Member.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk, e.pk])
    channels = study_rule(year=2026).channels
    # to the tenth, half up (PostgreSQL's cast of with_study_hours does it; SQLite keeps 7.75)
    expected = {
        m.pk: Decimal(m.study_hours).quantize(Decimal("0.1"), ROUND_HALF_UP)
        for m in with_study_hours(members, year=2026, channels=channels)
    }
    got = study_hours_of(members=members, year=2026, channels=channels)
    rounded = {pk: Decimal(str(got.get(pk, 0.0))).quantize(Decimal("0.1"), ROUND_HALF_UP) for pk in expected}
    assert rounded == expected
    few = study_hours_of(members=members, year=2026, channels=channels, few=True)  # only the 党课 attended
    assert few == got
    # by ids (a member's page, a page of a list): the same figures, from the statement built once
    ids = [a.pk, b.pk, c.pk, d.pk, e.pk]
    assert study_hours_of_ids(ids=ids, year=2026, channels=channels) == got
    for m in (a, b, c, d, e):
        one = study_hours_of_ids(ids=[m.pk], year=2026, channels=channels)
        assert one == ({m.pk: got[m.pk]} if m.pk in got else {})
    assert study_hours_of_ids(ids=ids, year=2025, channels=channels) == study_hours_of(
        members=members, year=2025, channels=channels, few=True
    )
    assert study_hours_of_ids(ids=[], year=2026, channels=channels) == {}
    assert expected[a.pk] == Decimal("7.8")  # 4 + 2.5 + 1.25 (rounded half up)

    progress = study_progress_by(org=branch_a1.parent, year=2026, as_of=dt.date(2026, 12, 1), depth=2)
    one, two = progress[branch_a1.path], progress[branch_a2.path]
    assert (one.members, one.reached, one.hours) == (4, 0, sum(expected[m.pk] for m in (a, b, c, d)))
    assert (two.members, two.reached, two.hours) == (1, 1, Decimal("40.0"))
    (branch,) = study_progress_by(org=branch_a1, year=2026, as_of=dt.date(2026, 12, 1), depth=3).values()
    assert branch == one

    # from the county (a root: its year's rows are not first matched against its members), the same sums
    county = branch_a1.parent.parent
    (township,) = study_progress_by(org=county, year=2026, as_of=dt.date(2026, 12, 1), depth=1).values()
    assert (township.members, township.reached, township.hours) == (5, 1, one.hours + two.hours)
    # a channel rule without lectures: records only, and no 党课
    records_only = StudyRule(Decimal("32"), ["remote", "training"])
    (township,) = study_progress_by(
        org=county, year=2026, as_of=dt.date(2026, 12, 1), depth=1, rule=records_only
    ).values()
    assert (township.members, township.hours) == (5, Decimal("4") + Decimal("31.9") + Decimal("40"))
    assert study_hours_of(members=members, year=2026, channels=["remote", "training"]) == {
        a.pk: Decimal("4.0"),
        c.pk: Decimal("31.9"),
        e.pk: Decimal("40.0"),
    }
