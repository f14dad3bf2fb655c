"""Jobs: each reminder once per (branch, kind, period, stage), however often the job runs."""

import datetime as dt

import pytest
from django.core.management import call_command

from education.models import Attendance, Meeting
from notifications.jobs import registered_jobs, run_job
from notifications.models import Delivery
from tests.factories import UserFactory, make_role

from .conftest import attend, held, kinds, member

pytestmark = pytest.mark.django_db


def test_jobs_are_registered():
    assert {
        "education_plans",
        "education_period_reminders",
        "education_minutes_missing",
        "education_absence_alerts",
    } <= set(registered_jobs())


def test_due_reminder_before_the_period_ends_once(alice, branch_a1):
    as_of = dt.date(2026, 3, 25)  # themed day / committee: 7 days before; quarterly kinds: 14 days
    first = run_job("education_period_reminders", as_of=as_of)
    second = run_job("education_period_reminders", as_of=as_of)
    assert first > 0 and second == 0
    keys = set(Delivery.objects.values_list("key", flat=True))
    assert f"edu_period_due:{branch_a1.pk}:themed_day:0:2026-03:{alice.pk}" in keys
    assert f"edu_period_due:{branch_a1.pk}:general_meeting:0:2026-Q1:{alice.pk}" in keys
    # the next day is another run but the same (branch, kind, period, stage): nothing new
    assert run_job("education_period_reminders", as_of=as_of + dt.timedelta(days=1)) == 0


def test_no_reminder_when_the_meeting_is_held(alice, branch_a1):
    held(branch_a1, dt.date(2026, 3, 2), "themed_day", "general_meeting", "party_lecture")
    run_job("education_period_reminders", as_of=dt.date(2026, 3, 25))
    assert not Delivery.objects.filter(key__contains=":themed_day:0:2026-03:").exists()
    assert not Delivery.objects.filter(key__contains=":general_meeting:").exists()
    # February (ended within the look-back) was missed: that one is reported
    assert Delivery.objects.filter(key__startswith="edu_period_missed:", key__contains=":2026-02:").exists()


def test_missed_goes_to_secretary_and_township_once(alice, bob, branch_a1, branch_b1, charlie):
    staff = UserFactory(notification_frequency="weekly")
    make_role(staff, branch_a1.parent, "township_staff")
    as_of = dt.date(2026, 4, 2)
    call_command("run_jobs", "--as-of", as_of.isoformat(), "--job", "education_period_reminders")
    call_command("run_jobs", "--as-of", as_of.isoformat(), "--job", "education_period_reminders")
    base = f"{branch_a1.pk}:themed_day:0:2026-03"
    assert Delivery.objects.filter(key=f"edu_period_missed:{base}:{alice.pk}").count() == 1
    assert Delivery.objects.filter(key=f"edu_period_township:{base}:{bob.pk}").count() == 1
    weekly = Delivery.objects.get(key=f"edu_period_township:{base}:{staff.pk}")
    assert weekly.status in ("digest",)
    # charlie (other township) is told only about his own branch
    assert not Delivery.objects.filter(user=charlie, key__contains=f":{branch_a1.pk}:").exists()
    assert Delivery.objects.filter(
        user=charlie, key__startswith=f"edu_period_missed:{branch_b1.pk}:"
    ).exists()


def test_minutes_missing_three_days_after(alice, branch_a1):
    m = Meeting.objects.create(organization=branch_a1, date=dt.date(2026, 5, 10), topic="支委会")
    m.kinds.set(kinds("committee_meeting"))
    assert run_job("education_minutes_missing", as_of=dt.date(2026, 5, 12)) == 0
    assert run_job("education_minutes_missing", as_of=dt.date(2026, 5, 13)) == 1
    assert run_job("education_minutes_missing", as_of=dt.date(2026, 5, 14)) == 0
    assert Delivery.objects.get().key == f"edu_minutes_missing:{m.pk}:{alice.pk}"


def test_absence_alerts_once_per_streak(alice, branch_a1):
    a = member(branch_a1)
    ok = member(branch_a1)
    meetings = [held(branch_a1, dt.date(2026, m, 5), "themed_day") for m in (1, 2, 3, 4)]
    attend(meetings[0], a, Attendance.Status.PRESENT)
    for m in meetings:
        attend(m, ok)
    for m in meetings[1:]:
        attend(m, a, Attendance.Status.ABSENT)
    assert run_job("education_absence_alerts", as_of=dt.date(2026, 4, 10)) == 1
    assert run_job("education_absence_alerts", as_of=dt.date(2026, 4, 10)) == 0
    assert Delivery.objects.get().key == f"edu_absence_streak:{a.pk}:2026-01-05:{alice.pk}"
    # six months on with no attendance: the stronger alert, once
    later = held(branch_a1, dt.date(2026, 7, 10), "themed_day")
    attend(later, a, Attendance.Status.ABSENT)
    assert run_job("education_absence_alerts", as_of=dt.date(2026, 7, 20)) == 1
    assert run_job("education_absence_alerts", as_of=dt.date(2026, 7, 21)) == 0
    assert Delivery.objects.filter(key__startswith="edu_absence_six_months:").count() == 1


def test_plans_job_is_idempotent(branch_a1, alice):
    from education.services import plan_save

    plan_save(
        by=alice,
        organization=branch_a1,
        kinds=kinds("themed_day"),
        frequency="monthly",
        day=1,
        as_of=dt.date(2026, 1, 1),
    )
    before = Meeting.objects.count()
    run_job("education_plans", as_of=dt.date(2026, 1, 1))
    assert Meeting.objects.count() == before
    assert run_job("education_plans", as_of=dt.date(2026, 3, 2)) == 2
    assert run_job("education_plans", as_of=dt.date(2026, 3, 2)) == 0
