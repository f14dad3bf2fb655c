"""The member page's panel (education.selectors.member_summary): one member's figures and last meetings, read
in two light queries, agree with the per-member annotations (with_absence, with_study_hours) and with
member_attendance_history, for every kind of member."""

import datetime as dt

import pytest
from django.urls import reverse

from education.models import Attendance, Meeting, StudyRecord
from education.selectors import (
    member_attendance_history,
    member_summary,
    study_channels_for,
    with_absence,
    with_study_hours,
)
from members.models import Member
from tests.conftest import login

from .conftest import attend, held, member

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 9, 30)
EARLY = dt.date(2010, 1, 1)


@pytest.fixture
def members(branch_a1):
    present_then_absent = member(branch_a1, admitted_on=EARLY)
    attend(held(branch_a1, dt.date(2026, 1, 10), "themed_day", topic="一月"), present_then_absent)
    for day in (dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 9, 1)):
        attend(held(branch_a1, day, "themed_day"), present_then_absent, Attendance.Status.ABSENT)
    # a meeting after the day judged: in the history, not in the figures
    attend(held(branch_a1, dt.date(2026, 10, 5), "themed_day"), present_then_absent, Attendance.Status.ABSENT)
    planned = Meeting.objects.create(
        organization=branch_a1, date=dt.date(2026, 9, 2), topic="计划", status=Meeting.Status.PLANNED
    )
    attend(planned, present_then_absent, Attendance.Status.ABSENT)  # not held: nowhere
    never_present = member(branch_a1, admitted_on=EARLY)  # six months without organizational life
    for day in (dt.date(2026, 5, 2), dt.date(2026, 6, 2)):
        attend(held(branch_a1, day, "themed_day"), never_present, Attendance.Status.ABSENT)
    excused = member(branch_a1, admitted_on=EARLY)
    attend(held(branch_a1, dt.date(2026, 6, 3), "themed_day"), excused, Attendance.Status.ABSENT)
    attend(held(branch_a1, dt.date(2026, 6, 4), "themed_day"), excused, Attendance.Status.EXCUSED)
    attend(held(branch_a1, dt.date(2026, 6, 5), "themed_day"), excused, Attendance.Status.ABSENT)
    new = member(branch_a1, admitted_on=dt.date(2026, 6, 1))  # admitted within the window: not flagged
    attend(held(branch_a1, dt.date(2026, 7, 2), "themed_day"), new, Attendance.Status.ABSENT)
    studied = member(branch_a1, admitted_on=EARLY)
    StudyRecord.objects.create(
        member=studied, date=dt.date(2026, 2, 1), hours=3, channel="remote", content="学"
    )
    StudyRecord.objects.create(
        member=studied, date=dt.date(2026, 2, 2), hours=5, channel="self_study", content="学"
    )
    lecture = held(branch_a1, dt.date(2026, 3, 3), "party_lecture")
    Meeting.objects.filter(pk=lecture.pk).update(study_hours=2)
    attend(lecture, studied)
    # the same lecture recorded as study: counted once
    StudyRecord.objects.create(
        member=studied, date=dt.date(2026, 3, 3), hours=2, channel="lecture", content="党课"
    )
    regular = member(branch_a1, admitted_on=EARLY)  # more meetings than the history shows
    for month in range(1, 10):
        for day in (3, 17):
            status = Attendance.Status.EXCUSED if day == 17 and month % 4 == 0 else Attendance.Status.PRESENT
            attend(
                held(branch_a1, dt.date(2026, month, day), "themed_day", topic=f"{month}-{day}"),
                regular,
                status,
            )
    nothing = member(branch_a1, admitted_on=EARLY)
    return [present_then_absent, never_present, excused, new, studied, regular, nothing]


def test_the_panel_figures_agree_with_the_annotations(members):
    channels = study_channels_for(year=2026)
    annotated = {
        m.pk: m
        for m in with_study_hours(
            with_absence(Member.objects.filter(pk__in=[m.pk for m in members]), as_of=AS_OF), year=2026
        )
    }
    for m in members:
        figures, history = member_summary(member=m, year=2026, as_of=AS_OF, channels=channels, limit=12)
        a = annotated[m.pk]
        assert (figures.last_present, figures.absence_streak, figures.no_life_6m, figures.study_hours) == (
            a.last_present,
            a.absence_streak,
            a.no_life_6m,
            a.study_hours,
        ), m.pk
        assert [(h.status, h.date, h.topic) for h in history] == [
            (x.status, x.meeting.date, x.meeting.topic) for x in member_attendance_history(member=m, limit=12)
        ], m.pk
    present_then_absent, never_present, excused, new, studied, regular, _nothing = (
        member_summary(member=m, year=2026, as_of=AS_OF, channels=channels)[0] for m in members
    )
    assert present_then_absent.absence_streak == 3 and present_then_absent.last_present == dt.date(
        2026, 1, 10
    )
    assert never_present.no_life_6m is True
    assert excused.no_life_6m is False and excused.absence_streak == 2
    assert new.no_life_6m is False
    assert studied.study_hours == 5  # 3 remote + the 2-hour lecture once; self-study does not count
    assert regular.absence_streak == 0


def test_the_member_page_shows_the_panel(client, alice, members):
    login(client, alice)
    page = client.get(reverse("members:detail", args=[members[0].pk])).content.decode()
    assert 'title="一月"' in page and ">01-10<" in page
