"""Issue 9: attendance is recorded when a meeting is held; the roster changes nothing in it afterwards."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from education import selectors, services
from education.models import Attendance, Meeting
from members.services import member_record_death, member_transfer
from tests.conftest import login
from users.services import system_user

from .conftest import kinds, member

pytestmark = pytest.mark.django_db


def _numbers(page: str) -> list[str]:
    return re.findall(r"\d+", page)


def _views(client, meeting, org, year):
    detail = client.get(reverse("education:meeting_detail", args=[meeting.pk]))
    sheet = client.get(reverse("education:meeting_attendance", args=[meeting.pk]))
    printed = client.get(reverse("education:meeting_print", args=[meeting.pk]))
    ledger = client.get(reverse("education:ledger", args=[org.pk, year]))
    return detail, sheet, printed, ledger


def _what_they_show(client, meeting, org):
    detail, sheet, printed, ledger = _views(client, meeting, org, meeting.date.year)
    names = lambda ctx: sorted((line.member.name, line.status) for line in ctx["sheet"])  # noqa: E731
    led = next(m for m in ledger.context["meetings"] if m.pk == meeting.pk)
    ledger_names = sorted(
        [(a.member.name, "present") for a in led.present]
        + [(a.member.name, "excused") for a in led.excused]
        + [(a.member.name, "absent") for a in led.absent]
    )
    assert names(detail.context) == names(sheet.context) == names(printed.context) == ledger_names
    assert detail.context["totals"] == sheet.context["totals"] == printed.context["totals"]
    return ledger_names, detail.context["totals"]


def test_pages_agree_before_and_after_join_transfer_and_death(client, alice, branch_a1, branch_a2, today):
    day = today - dt.timedelta(days=40)
    stay, leave, dies, absent = (
        member(branch_a1, name=n, admitted_on=dt.date(2010, 1, 1), full_member_on=dt.date(2011, 1, 1))
        for n in ("留下", "调走", "去世", "缺席")
    )
    meeting = services.meeting_create(
        organization=branch_a1,
        kinds=kinds("themed_day"),
        date=day,
        topic="主题党日",
        minutes="记录",
        by=system_user(),
    )
    services.attendance_set(meeting=meeting, member_id=absent.pk, status="absent", by=system_user())
    services.meeting_mark_held(meeting=meeting, by=system_user())
    login(client, alice)
    before = _what_they_show(client, meeting, branch_a1)
    assert before[0] == [("去世", "present"), ("留下", "present"), ("缺席", "absent"), ("调走", "present")]
    assert (before[1]["expected"], before[1]["present"]) == (4, 3)

    # two newcomers admitted before the meeting (imported afterwards), a transfer, a death
    member(branch_a1, name="新来甲", admitted_on=day - dt.timedelta(days=400))
    member(branch_a1, name="新来乙", admitted_on=day - dt.timedelta(days=10), probationary=True)
    member_transfer(member=leave, to_organization=branch_a2, on=today, by=system_user())
    member_record_death(member=dies, died_on=today - dt.timedelta(days=1), by=system_user())
    transferred_in = member(branch_a2, name="转来", admitted_on=dt.date(2000, 1, 1))
    member_transfer(member=transferred_in, to_organization=branch_a1, on=today, by=system_user())

    assert _what_they_show(client, meeting, branch_a1) == before


def test_planned_meeting_lists_no_one_as_present(client, alice, branch_a1, today):
    for n in ("甲", "乙"):
        member(branch_a1, name=n)
    planned = services.meeting_create(
        organization=branch_a1,
        kinds=kinds("themed_day"),
        date=today + dt.timedelta(days=90),
        topic="明年",
        by=system_user(),
    )
    login(client, alice)
    detail = client.get(reverse("education:meeting_detail", args=[planned.pk]))
    assert {line.status for line in detail.context["sheet"]} == {selectors.EXPECTED}
    assert detail.context["totals"]["present"] == 0
    page = detail.content.decode()
    assert "expected-list" in page and "甲" in page
    printed = client.get(reverse("education:meeting_print", args=[planned.pk])).content.decode()
    assert "甲" in printed
    assert not Attendance.objects.exists()
    # today's meeting before it is confirmed: an exception marked, the rest expected, nobody present
    today_meeting = services.meeting_create(
        organization=branch_a1, kinds=kinds("themed_day"), date=today, topic="今天", by=system_user()
    )
    a = today_meeting.organization.members.get(name="甲")
    services.attendance_toggle(meeting=today_meeting, member_id=a.pk, by=system_user())  # absent
    services.attendance_toggle(meeting=today_meeting, member_id=a.pk, by=system_user())  # excused
    services.attendance_toggle(meeting=today_meeting, member_id=a.pk, by=system_user())  # back to expected
    assert not Attendance.objects.filter(status="present").exists()
    sheet = selectors.attendance_sheet(meeting=today_meeting)
    assert {line.status for line in sheet} == {selectors.EXPECTED}


def test_correcting_a_held_meeting_is_a_stated_action_in_its_history(
    client, alice, branch_a1, branch_a2, today
):
    day = today - dt.timedelta(days=5)
    a = member(branch_a1, name="甲")
    b = member(branch_a1, name="乙")
    late = member(branch_a1, name="迟录", admitted_on=dt.date(2001, 1, 1))
    meeting = services.meeting_create(
        organization=branch_a1, kinds=kinds("themed_day"), date=day, topic="t", minutes="m", by=system_user()
    )
    services.meeting_mark_held(meeting=meeting, by=system_user())
    stranger = member(branch_a2, name="外人")
    newcomer = member(branch_a1, name="新人", admitted_on=today)
    # a correction of status on the record
    services.attendance_set(
        meeting=meeting, member_id=a.pk, status="absent", change_reason="补记", by=system_user()
    )
    # nobody outside the record via the sheet
    with pytest.raises(ValidationError):
        services.attendance_set(meeting=meeting, member_id=newcomer.pk, status="absent", by=system_user())
    # adding and removing need a reason, and only someone who was a member of the organization that day
    with pytest.raises(ValidationError):
        services.attendance_remove(meeting=meeting, member_id=b.pk, change_reason=" ", by=system_user())
    with pytest.raises(ValidationError) as e:
        services.attendance_add(
            meeting=meeting, member_id=newcomer.pk, change_reason="补录", by=system_user()
        )
    assert day.isoformat() in " ".join(e.value.messages)
    with pytest.raises(ValidationError):
        services.attendance_add(
            meeting=meeting, member_id=stranger.pk, change_reason="补录", by=system_user()
        )
    assert set(meeting.attendances.values_list("member_id", flat=True)) == {a.pk, b.pk, late.pk}
    services.attendance_remove(
        meeting=meeting, member_id=late.pk, change_reason="当时已外出务工转出", by=system_user()
    )
    services.attendance_add(
        meeting=meeting, member_id=late.pk, change_reason="核对签到表", status="excused", by=system_user()
    )
    login(client, alice)
    page = client.get(reverse("education:meeting_detail", args=[meeting.pk])).content.decode()
    assert "meeting-history" in page
    assert "核对签到表" in page and "当时已外出务工转出" in page and "补记" in page
    # through the page: a correction without a reason saves nothing
    url = reverse("education:attendance_correct", args=[meeting.pk, "remove"])
    client.post(url, {"member": b.pk, "change_reason": ""})
    assert meeting.attendances.filter(member=b).exists()
    client.post(url, {"member": b.pk, "change_reason": "重复登记"})
    assert not meeting.attendances.filter(member=b).exists()


def test_history_is_for_writers_and_correction_for_outsiders_is_404(
    client, bob, charlie, dora, branch_a1, today
):
    a = member(branch_a1)
    meeting = services.meeting_create(
        organization=branch_a1,
        kinds=kinds("themed_day"),
        date=today,
        topic="t",
        minutes="m",
        by=system_user(),
    )
    services.meeting_mark_held(meeting=meeting, by=system_user())
    login(client, charlie)
    url = reverse("education:attendance_correct", args=[meeting.pk, "remove"])
    assert client.post(url, {"member": a.pk, "change_reason": "x"}).status_code == 404
    assert meeting.attendances.filter(member=a).exists()


def test_an_edit_that_changes_expected_attendees_needs_a_reason(client, alice, branch_a1, today):
    old = member(branch_a1, name="老党员", admitted_on=dt.date(2000, 1, 1))
    new = member(branch_a1, name="新党员", admitted_on=today - dt.timedelta(days=3))
    meeting = services.meeting_create(
        organization=branch_a1,
        kinds=kinds("themed_day"),
        date=today - dt.timedelta(days=10),
        topic="t",
        minutes="m",
        by=system_user(),
    )
    services.meeting_mark_held(meeting=meeting, by=system_user())
    assert list(meeting.attendances.values_list("member_id", flat=True)) == [old.pk]
    with pytest.raises(ValidationError) as e:
        services.meeting_update(meeting=meeting, kinds=kinds("themed_day"), date=today, by=system_user())
    assert "新党员" in " ".join(e.value.messages)
    meeting.refresh_from_db()
    assert meeting.date == today - dt.timedelta(days=10)
    # the same through the form: the message, nothing saved
    login(client, alice)
    form = {
        "kinds": [k.pk for k in kinds("themed_day")],
        "date": today.isoformat(),
        "topic": "t",
        "minutes": "m",
    }
    r = client.post(reverse("education:meeting_edit", args=[meeting.pk]), form)
    assert r.status_code == 200 and "新党员" in r.content.decode()
    meeting.refresh_from_db()
    assert meeting.date == today - dt.timedelta(days=10)
    # a change that keeps the expected attendees needs no reason
    services.meeting_update(meeting=meeting, kinds=kinds("themed_day"), topic="改了题目", by=system_user())
    # with the reason the record follows the new date, kept in the history
    r = client.post(
        reverse("education:meeting_edit", args=[meeting.pk]), {**form, "attendees_reason": "日期记错"}
    )
    assert r.status_code == 302
    assert set(meeting.attendances.values_list("member_id", flat=True)) == {old.pk, new.pk}
    page = client.get(reverse("education:meeting_detail", args=[meeting.pk])).content.decode()
    assert "日期记错" in page


def test_held_meeting_created_at_once_records_attendance(branch_a1, today):
    a = member(branch_a1)
    m = services.meeting_create(
        organization=branch_a1,
        kinds=kinds("themed_day"),
        date=today,
        topic="t",
        minutes="m",
        status=Meeting.Status.HELD,
        by=system_user(),
    )
    assert list(m.attendances.values_list("member_id", "status")) == [(a.pk, "present")]
    with pytest.raises(ValidationError):
        services.meeting_mark_held(meeting=m, by=system_user())


def test_committee_meeting_records_the_committee_on_the_day(branch_a1, today):
    from members.models import BranchOfficer, CommitteeTerm

    people = [member(branch_a1, name=f"委员{i}") for i in range(3)]
    other = member(branch_a1, name="普通党员")
    term = CommitteeTerm.objects.create(
        organization=branch_a1,
        elected_on=today - dt.timedelta(days=100),
        ends_on=today + dt.timedelta(days=900),
    )
    for p in people:
        BranchOfficer.objects.create(term=term, member=p, position=BranchOfficer.Position.COMMITTEE_MEMBER)
    m = services.meeting_create(
        organization=branch_a1,
        kinds=kinds("committee_meeting"),
        date=today,
        topic="t",
        minutes="m",
        by=system_user(),
    )
    services.meeting_mark_held(meeting=m, by=system_user())
    recorded = set(m.attendances.values_list("member_id", flat=True))
    assert recorded == {p.pk for p in people} and other.pk not in recorded


def test_data_migration_records_what_old_held_meetings_showed(branch_a1, today):
    """0004: a held meeting of before issue 9 showed its rows plus everyone the roster expected (present);
    the migration records exactly that, and leaves imported ledgers without names to their numbers."""
    import importlib

    from django.apps import apps

    from .conftest import attend, held

    migration = importlib.import_module("education.migrations.0004_record_shown_attendance")
    a = member(branch_a1, name="甲", admitted_on=dt.date(2010, 1, 1))
    b = member(branch_a1, name="乙", admitted_on=dt.date(2010, 1, 1))
    member(branch_a1, name="后来", admitted_on=today)  # not yet a member on the meeting's day
    old = held(branch_a1, today - dt.timedelta(days=30), "themed_day")
    attend(old, a, Attendance.Status.ABSENT)
    imported = held(branch_a1, today - dt.timedelta(days=20), "themed_day")
    Meeting.objects.filter(pk=imported.pk).update(source="imported", expected_count=9, attended_count=8)
    planned = services.meeting_create(
        organization=branch_a1,
        kinds=kinds("themed_day"),
        date=today - dt.timedelta(days=1),
        topic="p",
        by=system_user(),
    )
    migration.record(apps, None)
    assert dict(old.attendances.values_list("member_id", "status")) == {a.pk: "absent", b.pk: "present"}
    assert not imported.attendances.exists() and not planned.attendances.exists()


def test_attendance_page_and_download_bounded_queries(
    client, alice, branch_a1, today, django_assert_num_queries
):
    people = [member(branch_a1) for _ in range(3)]
    day = today - dt.timedelta(days=3)
    meeting = services.meeting_create(
        organization=branch_a1, kinds=kinds("themed_day"), date=day, topic="t", minutes="m", by=system_user()
    )
    services.meeting_mark_held(meeting=meeting, by=system_user())
    login(client, alice)
    sheet = reverse("education:meeting_attendance", args=[meeting.pk])
    download = reverse("education:ledger_attendance", args=[branch_a1.pk, day.year])
    client.get(sheet), client.get(download)
    with django_assert_num_queries(8) as page_queries:
        assert client.get(sheet).status_code == 200
    with django_assert_num_queries(8) as download_queries:
        assert client.get(download).status_code == 200
    for _ in range(15):
        people.append(member(branch_a1, admitted_on=dt.date(2001, 1, 1)))
    for p in people[3:]:
        services.attendance_add(meeting=meeting, member_id=p.pk, change_reason="补录", by=system_user())
    for p in people[:3]:
        services.attendance_set(
            meeting=meeting, member_id=p.pk, status="absent", change_reason="更正", by=system_user()
        )
    with django_assert_num_queries(len(page_queries.captured_queries)):
        r = client.get(sheet)
    assert len(r.context["sheet"]) == 18
    with django_assert_num_queries(len(download_queries.captured_queries)):
        r = client.get(download)
    assert len(r.content.decode("utf-8-sig").strip().splitlines()) == 19
