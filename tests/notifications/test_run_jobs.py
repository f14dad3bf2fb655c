import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from notifications import jobs
from notifications.models import Delivery, JobRun
from notifications.services import notify


@pytest.fixture
def fake_job(db):
    calls = []

    def job(as_of):
        calls.append(as_of)
        return 0

    jobs._REGISTRY["test_fake"] = job
    yield calls
    jobs._REGISTRY.pop("test_fake", None)


def test_run_jobs_as_of_runs_every_job_for_that_day_and_records_it(fake_job):
    out = StringIO()
    call_command("run_jobs", "--as-of", "2025-03-04", stdout=out)
    assert fake_job == [dt.date(2025, 3, 4)]
    assert JobRun.objects.filter(job="test_fake", as_of=dt.date(2025, 3, 4), error="").exists()
    assert "2025-03-04" in out.getvalue()


def test_one_job(fake_job):
    call_command("run_jobs", "--job", "test_fake", "--as-of", "2025-03-04", stdout=StringIO())
    assert fake_job == [dt.date(2025, 3, 4)]


def test_unknown_job_and_bad_date_are_refused(db):
    with pytest.raises(CommandError, match="unknown job"):
        call_command("run_jobs", "--job", "nope")
    with pytest.raises(CommandError):
        call_command("run_jobs", "--as-of", "2025-13-01")


def test_a_failing_job_does_not_stop_the_others(fake_job):
    def broken(as_of):
        raise RuntimeError("boom")

    jobs._REGISTRY["test_broken"] = broken
    try:
        with pytest.raises(CommandError, match="test_broken"):
            call_command("run_jobs", "--as-of", "2025-03-04", stdout=StringIO())
    finally:
        jobs._REGISTRY.pop("test_broken")
    assert fake_job == [dt.date(2025, 3, 4)]
    assert "boom" in JobRun.objects.get(job="test_broken").error


def test_run_jobs_sends_the_days_digests_once(make_user, send_now):
    daily = make_user("daily")
    weekly = make_user("weekly")
    for u in (daily, weekly):
        notify(user=u, key=f"t:{u.pk}", kind="t", template="users/email/invite", context={"link": "x"})
    with send_now():
        call_command("run_jobs", "--as-of", "2025-03-04", stdout=StringIO())  # a Tuesday: daily only
    assert [m.to for m in mail.outbox] == [[daily.email]]
    with send_now():
        call_command("run_jobs", "--as-of", "2025-03-10", stdout=StringIO())  # Monday: weekly too
        call_command("run_jobs", "--as-of", "2025-03-10", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [[daily.email], [weekly.email]]
    assert Delivery.objects.filter(kind="digest").count() == 2


def test_beat_tasks_call_the_same_functions(fake_job, make_user, send_now):
    from notifications.tasks import run_daily_jobs, send_digests

    assert run_daily_jobs.delay("2025-03-04").get()["test_fake"] == 0
    assert fake_job == [dt.date(2025, 3, 4)]
    u = make_user("daily")
    notify(user=u, key="t:1", kind="t", template="users/email/invite", context={"link": "x"})
    with send_now():
        assert send_digests.delay("daily", "2025-03-04").get() == 1
    assert len(mail.outbox) == 1
