"""Services: plans without duplicates, attachment limits, study, absence streaks."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from education import selectors, services
from education.models import Attendance, Meeting, MeetingKind, MeetingPlan
from members.models import Member

from .conftest import attend, held, kinds, member

pytestmark = pytest.mark.django_db


def test_plan_generates_coming_months_without_duplicates(branch_a1, alice):
    as_of = dt.date(2026, 1, 20)
    plan = services.plan_save(
        by=alice,
        organization=branch_a1,
        kinds=kinds("committee_meeting"),
        frequency="monthly",
        day=31,
        as_of=as_of,
    )
    dates = sorted(Meeting.objects.filter(plan=plan).values_list("date", flat=True))
    assert dates == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]
    # move one; regenerate twice: nothing duplicated
    Meeting.objects.filter(plan=plan, occurrence=dt.date(2026, 2, 28)).update(date=dt.date(2026, 2, 26))
    assert services.plans_generate(plans=MeetingPlan.objects.all(), as_of=as_of) == 0
    assert services.plans_generate(plans=MeetingPlan.objects.all(), as_of=dt.date(2026, 2, 1)) == 1  # May
    assert Meeting.objects.filter(plan=plan).count() == 5
    assert Meeting.objects.get(plan=plan, occurrence=dt.date(2026, 2, 28)).date == dt.date(2026, 2, 26)
    assert all(m.kinds.get().code == "committee_meeting" for m in Meeting.objects.filter(plan=plan))


def test_quarterly_plan_in_the_first_month(branch_a1, alice):
    plan = services.plan_save(
        by=alice,
        organization=branch_a1,
        kinds=kinds("party_lecture"),
        frequency="quarterly",
        day=15,
        month_of_period=1,
        as_of=dt.date(2026, 2, 1),
        start_time=dt.time(9, 0),
    )
    assert list(Meeting.objects.filter(plan=plan).values_list("date", flat=True)) == [dt.date(2026, 4, 15)]
    with pytest.raises(ValidationError):
        services.plan_save(
            by=alice,
            organization=branch_a1,
            kinds=kinds("party_lecture"),
            frequency="quarterly",
            day=1,
            month_of_period=4,
        )


def test_stopping_a_plan_removes_untouched_future_meetings(branch_a1, today, alice):
    plan = services.plan_save(
        by=alice, organization=branch_a1, kinds=kinds("themed_day"), frequency="monthly", day=28
    )
    count = Meeting.objects.filter(plan=plan).count()
    assert count >= 3
    services.plan_deactivate(by=alice, plan=plan)
    assert Meeting.objects.filter(plan=plan, date__gt=today).count() == 0


def test_group_meeting_needs_a_group_and_the_group_of_the_branch(branch_a1, branch_a2, today, alice):
    from tests.factories import make_party_group

    with pytest.raises(ValidationError) as e:
        services.meeting_create(by=alice, organization=branch_a1, kinds=kinds("group_meeting"), date=today)
    assert "party_group" in e.value.message_dict
    other = make_party_group(branch_a2)
    with pytest.raises(ValidationError):
        services.meeting_create(
            by=alice, organization=branch_a1, kinds=kinds("group_meeting"), date=today, party_group=other
        )


def test_group_meeting_attendance_is_the_groups_members(branch_a1, today, alice):
    from tests.factories import make_party_group

    g = make_party_group(branch_a1)
    inside = member(branch_a1, party_group=g)
    outside = member(branch_a1)
    m = services.meeting_create(
        by=alice,
        organization=branch_a1,
        kinds=kinds("group_meeting"),
        date=today,
        party_group=g,
        minutes="记录",
    )
    with pytest.raises(ValidationError):
        services.attendance_set(by=alice, meeting=m, member_id=outside.pk, status="absent")
    services.meeting_mark_held(by=alice, meeting=m)
    assert list(m.attendances.values_list("member_id", flat=True)) == [inside.pk]


def test_attachment_type_and_size(branch_a1, today, alice):
    m = held(branch_a1, today, "themed_day")
    services.attachment_add(by=alice, meeting=m, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 ..."))
    with pytest.raises(ValidationError, match="JPG"):
        services.attachment_add(by=alice, meeting=m, file=SimpleUploadedFile("a.exe", b"MZ"))
    with pytest.raises(ValidationError):
        services.attachment_add(by=alice, meeting=m, file=SimpleUploadedFile("fake.jpg", b"<html>"))
    big = SimpleUploadedFile("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError, match="5 MB"):
        services.attachment_add(by=alice, meeting=m, file=big)
    assert m.attachments.count() == 1


def test_study_hours_against_target(branch_a1, today, alice):
    a = member(branch_a1)
    services.study_record_create(
        by=alice, member=a, date=today, hours=Decimal("4.5"), channel="remote", content="远程教育"
    )
    with pytest.raises(ValidationError):
        services.study_record_create(
            by=alice,
            member=a,
            date=today + dt.timedelta(days=1),
            hours=Decimal("1"),
            channel="remote",
            content="x",
        )
    annotated = selectors.with_study_hours(Member.objects.filter(pk=a.pk), year=today.year).get()
    assert annotated.study_hours == Decimal("4.5")
    assert services.study_target_for(today.year) == Decimal("32.0")


def test_absence_streak_counts_unexcused_absences_since_last_present(branch_a1):
    a = member(branch_a1)
    days = [dt.date(2026, m, 5) for m in range(1, 7)]
    meetings = [held(branch_a1, d, "themed_day") for d in days]
    attend(meetings[0], a, Attendance.Status.ABSENT)
    attend(meetings[1], a, Attendance.Status.PRESENT)
    attend(meetings[2], a, Attendance.Status.ABSENT)
    attend(meetings[3], a, Attendance.Status.EXCUSED, "病假")  # neither breaks nor extends
    attend(meetings[4], a, Attendance.Status.ABSENT)
    attend(meetings[5], a, Attendance.Status.ABSENT)
    row = selectors.with_absence(Member.objects.filter(pk=a.pk), as_of=dt.date(2026, 6, 30)).get()
    assert row.last_present == dt.date(2026, 2, 5)
    assert row.absence_streak == 3
    assert not selectors.no_organizational_life(row)  # attended in February (within six months)
    # art. 9: the leave (请假) in April is not a miss, so the six months up to 6 August are not all missed
    row = selectors.with_absence(Member.objects.filter(pk=a.pk), as_of=dt.date(2026, 8, 6)).get()
    assert not selectors.no_organizational_life(row)
    # from 6 April on, every expected meeting (May, June) was missed without leave
    row = selectors.with_absence(Member.objects.filter(pk=a.pk), as_of=dt.date(2026, 10, 6)).get()
    assert selectors.no_organizational_life(row)


def test_quorum_probationary_members_have_no_vote(branch_a1, today, alice):
    full = [member(branch_a1) for _ in range(4)]
    member(branch_a1, probationary=True, admitted_on=today - dt.timedelta(days=10))
    m = services.meeting_create(
        by=alice, organization=branch_a1, kinds=kinds("general_meeting"), date=today, votes=True
    )
    for f in full[:2]:
        services.attendance_set(by=alice, meeting=m, member_id=f.pk, status="absent")
    q = selectors.meeting_quorum(meeting=m, sheet=selectors.attendance_sheet(meeting=m))
    assert (q.eligible, q.present, q.needed, q.ok) == (4, 2, 3, False)
    services.attendance_set(by=alice, meeting=m, member_id=full[1].pk, status="present")
    q = selectors.meeting_quorum(meeting=m, sheet=selectors.attendance_sheet(meeting=m))
    assert q.ok
    m.votes = False
    m.save()
    assert selectors.meeting_quorum(meeting=m, sheet=selectors.attendance_sheet(meeting=m)) is None


def test_meeting_with_attendance_cannot_move_into_the_future(branch_a1, today, alice):
    a = member(branch_a1)
    m = services.meeting_create(by=alice, organization=branch_a1, kinds=kinds("themed_day"), date=today)
    services.attendance_set(by=alice, meeting=m, member_id=a.pk, status="absent")
    with pytest.raises(ValidationError):
        services.meeting_update(
            by=alice, meeting=m, kinds=kinds("themed_day"), date=today + dt.timedelta(days=2)
        )


def test_seeded_kinds():
    assert set(MeetingKind.objects.values_list("code", flat=True)) == {
        "general_meeting",
        "committee_meeting",
        "group_meeting",
        "party_lecture",
        "themed_day",
        "life_meeting",
        "member_review",
    }


def test_six_month_rule_needs_six_months_of_membership_and_every_meeting_missed_without_leave(branch_a1):
    """党章 art. 9 as the issue states it: a member admitted on 2026-10-01 who missed one meeting is not
    flagged; leave (请假) is not a miss; six whole months of membership with every meeting missed is."""
    newcomer = member(branch_a1, admitted_on=dt.date(2026, 10, 1), probationary=True)
    on_leave = member(branch_a1, admitted_on=dt.date(2010, 1, 1))
    gone = member(branch_a1, admitted_on=dt.date(2010, 1, 1))
    missed_once = held(branch_a1, dt.date(2026, 10, 10), "themed_day")
    attend(missed_once, newcomer, Attendance.Status.ABSENT)
    for month in (7, 8, 9, 10):
        m = held(branch_a1, dt.date(2026, month, 5), "themed_day")
        attend(m, gone, Attendance.Status.ABSENT)
        attend(m, on_leave, Attendance.Status.EXCUSED if month == 8 else Attendance.Status.ABSENT)
    as_of = dt.date(2026, 11, 20)
    rows = {r.pk: r for r in selectors.with_absence(Member.objects.all(), as_of=as_of)}
    assert not selectors.no_organizational_life(rows[newcomer.pk])
    assert not selectors.no_organizational_life(rows[on_leave.pk])
    assert selectors.no_organizational_life(rows[gone.pk])
    notices = selectors.absence_notices(as_of=as_of)
    flagged = {n.context["member"].pk for n in notices if n.kind == "absence_six_months"}
    assert flagged == {gone.pk}
