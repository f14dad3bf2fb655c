"""Escalation that reaches the county (issue 10, item 3): what the township has not dealt with in time reaches
the county office's digest once per thing; what was dealt with does not; the township hears as before."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from branches.models import OfficerAssignment
from care import services as care_services
from members.services import member_confirm
from notifications.jobs import registered_jobs, run_job
from notifications.models import Delivery
from officers.services import officer_assign, visit_log_create
from tests.care.factories import make_member
from tests.education.conftest import held
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

D = dt.date
JOBS = (
    "education_county_escalation",
    "care_county_escalation",
    "probation_county_escalation",
    "officer_county_escalation",
)


def _county(dora, kind):
    return list(
        Delivery.objects.filter(user=dora, kind=kind).order_by("key").values_list("key", "status", flat=False)
    )


def _once(job, as_of):
    first = run_job(job, as_of=as_of)
    assert run_job(job, as_of=as_of) == 0
    assert run_job(job, as_of=as_of + dt.timedelta(days=1)) == 0  # the next day: the same things, nothing new
    return first


def test_the_four_jobs_are_registered():
    assert set(JOBS) <= set(registered_jobs())


def test_nothing_overdue_sends_nothing(dora, branch_a1):
    for job in JOBS[1:]:
        assert run_job(job, as_of=D(2026, 4, 2)) == 0


class TestMissedMeetings:
    def test_two_months_running_reach_the_county_once_per_run(self, dora, bob, alice, branch_a1, branch_b1):
        held(branch_a1, D(2026, 1, 10), "themed_day")  # January held: the run is February and March
        branch_b1.established_on = D(2025, 11, 15)  # measured from November on, never a meeting
        branch_b1.save()
        assert _once("education_county_escalation", D(2026, 4, 2)) > 0
        key = f"county_meetings_missed:{branch_a1.pk}:themed_day:0:{dora.pk}:2026-03"
        delivery = Delivery.objects.get(key=key)
        assert (
            delivery.user == dora and delivery.status == Delivery.Status.DIGEST
        )  # her digest, not an e-mail
        assert "2026-02" in delivery.body_text
        # branch_b1 (no meeting since it was established) too, keyed by its run's second month
        assert Delivery.objects.filter(
            key=f"county_meetings_missed:{branch_b1.pk}:themed_day:0:{dora.pk}:2025-12"
        ).exists()
        # nobody below the county hears from this job
        assert Delivery.objects.filter(
            key__startswith=f"county_meetings_missed:{branch_b1.pk}:themed_day:"
        ).exists()
        assert set(Delivery.objects.values_list("user", flat=True)) == {dora.pk}
        # April missed as well: the same run, nothing new about it
        assert run_job("education_county_escalation", as_of=D(2026, 5, 2)) >= 0
        assert (
            Delivery.objects.filter(
                key__startswith=f"county_meetings_missed:{branch_a1.pk}:themed_day:"
            ).count()
            == 1
        )

    def test_a_long_run_stays_escalated_once_as_the_years_pass(self, dora, branch_a1):
        branch_a1.established_on = D(2025, 6, 10)
        branch_a1.save()
        run_job("education_county_escalation", as_of=D(2026, 4, 2))
        themed = Delivery.objects.filter(key__startswith=f"county_meetings_missed:{branch_a1.pk}:themed_day:")
        assert list(themed.values_list("key", flat=True)) == [
            f"county_meetings_missed:{branch_a1.pk}:themed_day:0:{dora.pk}:2025-07"
        ]
        # next year the run's start is out of the grid: it is not sent again under another key
        run_job("education_county_escalation", as_of=D(2027, 1, 5))
        run_job("education_county_escalation", as_of=D(2027, 3, 5))
        assert themed.count() == 1

    def test_a_meeting_held_ends_the_run(self, dora, branch_a1):
        held(branch_a1, D(2026, 1, 10), "themed_day")
        held(branch_a1, D(2026, 3, 28), "themed_day")  # recorded late, but within March
        run_job("education_county_escalation", as_of=D(2026, 4, 2))
        assert not Delivery.objects.filter(
            key__startswith=f"county_meetings_missed:{branch_a1.pk}:themed_day:"
        ).exists()

    def test_one_missed_period_stays_with_the_township(self, dora, bob, alice, branch_a1):
        held(branch_a1, D(2026, 1, 10), "themed_day")
        held(branch_a1, D(2026, 2, 10), "themed_day")
        run_job("education_county_escalation", as_of=D(2026, 4, 2))
        assert not Delivery.objects.filter(
            key__startswith=f"county_meetings_missed:{branch_a1.pk}:themed_day:"
        ).exists()
        # the township secretary's own notice about March still goes to the township as before
        run_job("education_period_reminders", as_of=D(2026, 4, 2))
        base = f"{branch_a1.pk}:themed_day:0:2026-03"
        assert Delivery.objects.filter(key=f"edu_period_township:{base}:{bob.pk}").count() == 1
        assert not Delivery.objects.filter(user=dora, key__startswith="edu_").exists()


class TestCareVisits:
    def test_a_month_overdue_reaches_the_county_once(self, dora, alice, bob, branch_a1):
        m = make_member(branch_a1, born=D(1970, 1, 1), name="王五")
        v = care_services.visit_create(
            member=m, kind="home", planned_on=D(2026, 3, 1), due_on=D(2026, 3, 10), by=alice
        )
        assert run_job("care_county_escalation", as_of=D(2026, 4, 8)) == 0  # 29 days
        assert _once("care_county_escalation", D(2026, 4, 9)) == 1
        assert _county(dora, "county_care_visit") == [
            (f"county_care_visit:{v.pk}:{dora.pk}:2026-03-10", Delivery.Status.DIGEST)
        ]
        with translation.override("zh-hans"):
            assert "王五" in Delivery.objects.get(kind="county_care_visit").subject
        # the township was told as before (care_visit_escalated), and only the county by this job
        care_services.visits_remind(as_of=D(2026, 4, 9))
        assert Delivery.objects.filter(kind="care_visit_escalated", user=bob).exists()
        assert not Delivery.objects.filter(kind="county_care_visit").exclude(user=dora).exists()

    def test_a_visit_done_does_not(self, dora, alice, branch_a1):
        m = make_member(branch_a1, born=D(1970, 1, 1))
        v = care_services.visit_create(
            member=m, kind="home", planned_on=D(2026, 3, 1), due_on=D(2026, 3, 10), by=alice
        )
        care_services.visit_complete(visit=v, done_on=D(2026, 3, 20), visitors="Alice", by=alice)
        assert run_job("care_county_escalation", as_of=D(2026, 4, 20)) == 0


class TestProbation:
    def test_a_month_overdue_reaches_the_county_once(self, dora, alice, bob, branch_a1):
        p = MemberFactory(organization=branch_a1, name="李四", probationary=True, admitted_on=D(2024, 6, 1))
        assert run_job("probation_county_escalation", as_of=D(2025, 6, 30)) == 0  # 29 days after 2025-06-01
        assert _once("probation_county_escalation", D(2025, 7, 1)) == 1
        assert _county(dora, "county_probation") == [
            (f"county_probation:{p.pk}:{dora.pk}:2025-06-01", Delivery.Status.DIGEST)
        ]
        # the township's own notice is unchanged: probation_overdue to bob, never to the county
        run_job("probation_due", as_of=D(2025, 7, 1))
        assert Delivery.objects.filter(kind="probation_overdue", user=bob).exists()
        assert not Delivery.objects.filter(kind="probation_overdue", user=dora).exists()

    def test_a_confirmed_member_does_not(self, dora, alice, branch_a1):
        p = MemberFactory(organization=branch_a1, probationary=True, admitted_on=D(2024, 6, 1))
        member_confirm(member=p, on=D(2025, 6, 5), meeting="2025-06-05 支部大会", by=alice)
        assert run_job("probation_county_escalation", as_of=D(2025, 7, 15)) == 0


class TestOfficers:
    @pytest.fixture
    def officer(self, dora, branch_a1):
        user = UserFactory(email="olga@example.com", name="Olga")
        officer_assign(
            officer=user,
            organization=branch_a1,
            kind=OfficerAssignment.Kind.LIAISON,
            starts_on=D(2026, 1, 1),
            by=dora,
        )
        return user

    def test_no_visit_in_a_quarter_reaches_the_county_once(self, officer, dora, branch_a1):
        assert run_job("officer_county_escalation", as_of=D(2026, 3, 30)) == 0  # the quarter is not over
        assert _once("officer_county_escalation", D(2026, 4, 2)) == 1
        assignment = OfficerAssignment.objects.get(officer=officer)
        assert _county(dora, "county_officer_visits") == [
            (f"county_officer_visits:{assignment.pk}:{dora.pk}:2026-Q1", Delivery.Status.DIGEST)
        ]
        assert "Olga" in Delivery.objects.get(kind="county_officer_visits").body_text
        assert run_job("officer_county_escalation", as_of=D(2026, 6, 30)) == 0  # still about Q1: sent

    def test_a_visit_in_the_quarter_does_not(self, officer, dora, branch_a1):
        visit_log_create(
            officer=officer,
            organization=branch_a1,
            visited_on=D(2026, 2, 3),
            purpose="检查",
            today=D(2026, 2, 3),
        )
        assert run_job("officer_county_escalation", as_of=D(2026, 4, 2)) == 0

    def test_assigned_mid_quarter_is_not_counted(self, dora, branch_a1):
        user = UserFactory()
        officer_assign(
            officer=user,
            organization=branch_a1,
            kind=OfficerAssignment.Kind.LIAISON,
            starts_on=D(2026, 2, 1),
            by=dora,
        )
        assert run_job("officer_county_escalation", as_of=D(2026, 4, 2)) == 0


def test_inactive_county_account_is_left_out(dora, branch_a1):
    dora.is_active = False
    dora.save()
    MemberFactory(organization=branch_a1, probationary=True, admitted_on=D(2024, 6, 1))
    assert run_job("probation_county_escalation", as_of=D(2025, 7, 1)) == 0


def _queries(job, as_of):
    with CaptureQueriesContext(connection) as ctx:
        run_job(job, as_of=as_of)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_things_escalated(dora, alice, branch_a1, branch_a2, branch_b1):
    """A fixed number of queries per job: one overdue thing or many (the outbox inserts in one statement)."""
    for org in (branch_a1,):
        MemberFactory(organization=org, probationary=True, admitted_on=D(2024, 6, 1))
        m = make_member(org, born=D(1970, 1, 1))
        care_services.visit_create(
            member=m, kind="home", planned_on=D(2026, 3, 1), due_on=D(2026, 3, 10), by=alice
        )
    small = {
        "probation_county_escalation": _queries("probation_county_escalation", D(2025, 7, 1)),
        "care_county_escalation": _queries("care_county_escalation", D(2026, 4, 20)),
        "education_county_escalation": _queries("education_county_escalation", D(2026, 4, 2)),
    }
    Delivery.objects.all().delete()
    for org in (branch_a1, branch_a2, branch_b1) * 3:
        MemberFactory(organization=org, probationary=True, admitted_on=D(2024, 6, 1))
        m = make_member(org, born=D(1970, 1, 1))
        care_services.visit_create(
            member=m, kind="home", planned_on=D(2026, 3, 1), due_on=D(2026, 3, 10), by=alice
        )
    assert _queries("probation_county_escalation", D(2025, 7, 1)) == small["probation_county_escalation"]
    assert _queries("care_county_escalation", D(2026, 4, 20)) == small["care_county_escalation"]
    assert _queries("education_county_escalation", D(2026, 4, 2)) == small["education_county_escalation"]
    assert Delivery.objects.filter(kind="county_probation").count() == 10
