"""Recording a meeting on a phone: create → attendance (one tap per exception) → held → the strip turns ok."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from common import periods
from education.models import Attendance, Meeting, MeetingKind
from tests.conftest import login
from tests.factories import MemberFactory

from .conftest import held

pytestmark = pytest.mark.django_db


def themed(org, day, **kw):
    m = Meeting.objects.create(organization=org, date=day, topic="主题党日", **kw)
    m.kinds.set([MeetingKind.objects.get(code="themed_day")])
    return m


def test_secretary_records_a_meeting_and_the_strip_turns_ok(client, alice, branch_a1, today):
    members = [MemberFactory(organization=branch_a1, name=f"成员{i}") for i in range(4)]
    login(client, alice)
    strip_url = reverse("education:compliance_org", args=[branch_a1.pk]) + f"?year={today.year}"
    page = client.get(strip_url).content.decode()
    assert "strip-missing" in page or "strip-due" in page
    kind = MeetingKind.objects.get(code="themed_day")
    response = client.post(
        reverse("education:meeting_create") + f"?org={branch_a1.pk}",
        {"kinds": [kind.pk], "date": today.isoformat(), "topic": "学习党章", "minutes": "学习了党章第一章。"},
    )
    meeting = Meeting.objects.get()
    assert response.url == reverse("education:meeting_attendance", args=[meeting.pk])
    sheet = client.get(response.url)
    assert sheet.status_code == 200
    assert all(m.name in sheet.content.decode() for m in members)
    # one tap: absent; htmx swaps the row
    r = client.post(
        reverse("education:attendance_mark", args=[meeting.pk, members[0].pk]), HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "att-absent" in r.content.decode()
    # two taps: excused, with a reason
    client.post(reverse("education:attendance_mark", args=[meeting.pk, members[1].pk]))
    client.post(reverse("education:attendance_mark", args=[meeting.pk, members[1].pk]))
    client.post(
        reverse("education:attendance_mark", args=[meeting.pk, members[1].pk]),
        {"status": "excused", "reason": "外出务工"},
    )
    r = client.post(reverse("education:meeting_held", args=[meeting.pk]))
    assert r.url == reverse("education:meeting_detail", args=[meeting.pk])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("member__name", "status"))
    assert statuses == {"成员0": "absent", "成员1": "excused", "成员2": "present", "成员3": "present"}
    assert Attendance.objects.get(meeting=meeting, member=members[1]).reason == "外出务工"
    page = client.get(strip_url).content.decode()
    with translation.override("zh-hans"):
        label = periods.month(today.year, today.month).display  # 2026年12月: as a person reads it
    assert f'title="{label}：1/1"' in page  # a Chinese colon in Chinese text
    assert "strip-ok" in page


def test_held_needs_minutes(client, alice, branch_a1, today):
    meeting = themed(branch_a1, today)
    login(client, alice)
    r = client.post(reverse("education:meeting_held", args=[meeting.pk]))
    assert r.url == reverse("education:meeting_edit", args=[meeting.pk])
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_future_meeting_cannot_have_attendance(client, alice, branch_a1, today):
    member = MemberFactory(organization=branch_a1)
    meeting = themed(branch_a1, today + dt.timedelta(days=3), minutes="x")
    login(client, alice)
    r = client.post(
        reverse("education:attendance_mark", args=[meeting.pk, member.pk]), HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 422
    assert not Attendance.objects.exists()
    client.post(reverse("education:meeting_held", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_attendance_only_for_members_of_the_organization(client, alice, branch_a1, branch_a2, today):
    stranger = MemberFactory(organization=branch_a2)
    meeting = themed(branch_a1, today)
    login(client, alice)
    r = client.post(
        reverse("education:attendance_mark", args=[meeting.pk, stranger.pk]), HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 422
    assert not Attendance.objects.exists()


def test_group_meeting_needs_a_group_message_in_the_form(client, alice, branch_a1, today):
    login(client, alice)
    kind = MeetingKind.objects.get(code="group_meeting")
    r = client.post(
        reverse("education:meeting_create") + f"?org={branch_a1.pk}",
        {"kinds": [kind.pk], "date": today.isoformat(), "topic": "小组学习"},
    )
    assert r.status_code == 200
    assert "党小组会需要选择党小组" in r.content.decode() or "needs a party group" in r.content.decode()
    assert 'value="小组学习"' in r.content.decode()  # what the user typed is kept
    assert not Meeting.objects.exists()


def test_quorum_shown_for_a_voting_general_meeting(client, alice, branch_a1, today):
    full = [MemberFactory(organization=branch_a1) for _ in range(4)]
    MemberFactory(organization=branch_a1, probationary=True, admitted_on=today - dt.timedelta(days=30))
    m = Meeting.objects.create(organization=branch_a1, date=today, topic="接收预备党员", votes=True)
    m.kinds.set([MeetingKind.objects.get(code="general_meeting")])
    for member in full[:2]:
        Attendance.objects.create(meeting=m, member=member, status="absent")
    login(client, alice)
    r = client.get(reverse("education:meeting_attendance", args=[m.pk]))
    q = r.context["quorum"]
    assert (q.present, q.eligible, q.needed, q.ok) == (2, 4, 3, False)  # 2 of 4 full members: no quorum
    assert 'class="alert alert-warning py-2 small" id="quorum"' in r.content.decode()
    Attendance.objects.filter(meeting=m, member=full[1]).delete()
    r = client.get(reverse("education:meeting_attendance", args=[m.pk]))
    q = r.context["quorum"]
    assert (q.present, q.eligible, q.ok) == (3, 4, True)
    assert 'class="alert alert-success py-2 small" id="quorum"' in r.content.decode()


def test_meeting_list_paginates_with_bounded_queries(client, alice, branch_a1, django_assert_num_queries):
    login(client, alice)
    url = reverse("education:meetings") + f"?org={branch_a1.pk}"
    for i in range(3):
        held(branch_a1, dt.date(2026, 1, 1 + i), "themed_day")
    client.get(url)
    with django_assert_num_queries(9) as few:
        assert client.get(url).status_code == 200
    for i in range(60):
        held(branch_a1, dt.date(2025, 1 + i % 12, 1 + i // 12), "themed_day", "general_meeting")
    with django_assert_num_queries(len(few.captured_queries)):
        r = client.get(url)
    assert r.context["page"].paginator.count == 63


def test_meeting_detail_bounded_queries(client, alice, branch_a1, today, django_assert_num_queries):
    m = held(branch_a1, today, "themed_day")
    login(client, alice)
    url = reverse("education:meeting_detail", args=[m.pk])
    client.get(url)
    with django_assert_num_queries(10) as few:  # the sheet is one query; the history (writers) two
        client.get(url)
    for member in [MemberFactory(organization=branch_a1) for _ in range(20)]:
        Attendance.objects.create(meeting=m, member=member)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_printable_record_and_ledger(client, alice, branch_a1, today):
    member = MemberFactory(organization=branch_a1, name="李四")
    m = held(branch_a1, today, "themed_day", topic="学习二十大精神")
    Attendance.objects.create(meeting=m, member=member, status="excused", reason="生病")
    login(client, alice)
    page = client.get(reverse("education:meeting_print", args=[m.pk])).content.decode()
    assert "学习二十大精神" in page and "李四（生病）" in page and "education/print.css" in page
    page = client.get(reverse("education:ledger", args=[branch_a1.pk, today.year])).content.decode()
    assert "学习二十大精神" in page and "page-break" in page


def test_ledger_bounded_queries(client, alice, branch_a1, django_assert_num_queries):
    login(client, alice)
    url = reverse("education:ledger", args=[branch_a1.pk, 2026])
    members = [MemberFactory(organization=branch_a1, birth_date=dt.date(1960, 1, 1 + i)) for i in range(5)]
    m = held(branch_a1, dt.date(2026, 1, 5), "themed_day")
    for member in members:
        Attendance.objects.create(meeting=m, member=member)
    client.get(url)
    with django_assert_num_queries(15) as few:
        client.get(url)
    for month in range(2, 12):
        m = held(branch_a1, dt.date(2026, month, 5), "themed_day", "general_meeting")
        for member in members:
            Attendance.objects.create(meeting=m, member=member, status="absent")
    with django_assert_num_queries(len(few.captured_queries)):
        r = client.get(url)
    assert len(r.context["meetings"]) == 11


def test_meeting_list_counts_each_shown_meetings_attendance(client, alice, branch_a1):
    """The counts are read per meeting shown (scalar subqueries after the page is cut), each its own."""
    login(client, alice)
    members = [MemberFactory(organization=branch_a1) for _ in range(4)]
    busy = held(branch_a1, dt.date(2026, 3, 1), "themed_day")
    for m, status in zip(members, ["present", "present", "absent", "excused"], strict=True):
        Attendance.objects.create(meeting=busy, member=m, status=status)
    quiet = held(branch_a1, dt.date(2026, 2, 1), "themed_day")
    Attendance.objects.create(meeting=quiet, member=members[0], status="absent")
    r = client.get(reverse("education:meetings") + f"?org={branch_a1.pk}")
    shown = {m.pk: (m.n_present, m.n_excused, m.n_absent) for m in r.context["page"]}
    assert shown == {busy.pk: (2, 1, 1), quiet.pk: (0, 0, 1)}
