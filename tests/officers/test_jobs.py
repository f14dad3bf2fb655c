"""The officers' jobs: the right people, and a second run the same day sends nothing."""

import datetime as dt

import pytest
from django.utils import translation

from accountability import jobs as accountability_jobs
from accountability import services as accountability_services
from branches.models import OfficerAssignment
from common import overdue
from notifications.models import Delivery
from officers import jobs
from officers.services import officer_assign, visit_log_create
from tests.accountability.conftest import YEAR, library  # noqa: F401  (the indicator library fixture)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _twice(job, as_of):
    first = job(as_of)
    assert job(as_of) == 0
    return first


@pytest.fixture
def officer(dora, branch_a1):
    user = UserFactory(email="olga@example.com")
    officer_assign(
        officer=user,
        organization=branch_a1,
        kind=OfficerAssignment.Kind.LIAISON,
        starts_on=dt.date(YEAR, 1, 1),
        by=dora,
    )
    return user


@pytest.fixture
def follow_up_due(officer, branch_a1):
    visit_log_create(
        officer=officer,
        organization=branch_a1,
        visited_on=dt.date(YEAR, 10, 1),
        purpose="检查台账",
        follow_ups=[{"description": "补齐记录", "due_on": dt.date(YEAR, 10, 20)}],
        today=dt.date(YEAR, 10, 1),
    )


def test_overdue_follow_up_to_the_officer_and_weekly_digest(officer, follow_up_due, bob, dora, county):
    assert _twice(jobs.follow_up_overdue, dt.date(YEAR, 10, 21)) == 1
    assert Delivery.objects.get().user == officer
    monday = dt.date(YEAR, 10, 26)
    assert monday.weekday() == 0
    assert _twice(jobs.officer_weekly_digest, monday) == 1
    digest = Delivery.objects.get(kind="officer_weekly")
    assert "补齐记录" in digest.body_text
    assert jobs.officer_weekly_digest(monday + dt.timedelta(days=1)) == 0  # not a Monday
    # four weeks on, the county office hears of it (accountability's escalation reads officers' items)
    assert _twice(accountability_jobs.county_escalation_weekly, dt.date(YEAR, 11, 23)) == 1
    assert Delivery.objects.get(kind="county_escalation").user == dora


@pytest.mark.usefixtures("library")
def test_weekly_digest_names_other_apps_overdue_items(officer, follow_up_due, bob, township_a, branch_a1):
    """The officer's digest reads every app's overdue items through common.overdue: the branch's unsigned
    contract (accountability) before its follow-up (officers), as before the move."""
    accountability_services.contracts_issue_to_children(
        parent=township_a, year=YEAR, by=bob, on=dt.date(YEAR, 3, 1)
    )
    monday = dt.date(YEAR, 10, 26)
    items = overdue.collect(as_of=monday, org_ids={branch_a1.pk}, grace=0)[branch_a1.pk]
    with translation.override("en"):
        assert [str(i) for i in items] == [
            f"{YEAR} responsibility contract not signed",
            "Follow-up overdue since 2026-10-20: 补齐记录",
        ]
    assert jobs.officer_weekly_digest(monday) == 1
    body = Delivery.objects.get(kind="officer_weekly").body_text
    assert "补齐记录" in body and str(YEAR) in body


def test_overdue_items_grace_and_organizations(follow_up_due, branch_a1, branch_a2):
    as_of = dt.date(YEAR, 10, 30)  # ten days after the due date
    assert len(jobs.overdue_items(as_of=as_of, org_ids=None, grace=0)[branch_a1.pk]) == 1
    assert jobs.overdue_items(as_of=as_of, org_ids=None, grace=10) == {}
    assert jobs.overdue_items(as_of=as_of, org_ids={branch_a2.pk}, grace=0) == {}


def test_follow_up_overdue_links_carry_the_site_url_once(settings, officer, follow_up_due):
    """issue 13, 15: the job stores a path; the e-mail and the digest put the site URL in front once."""
    settings.SITE_URL = "https://pb.example.org"
    jobs.follow_up_overdue(dt.date(YEAR, 10, 21))
    delivery = Delivery.objects.get(kind="follow_up_overdue")
    assert delivery.url.startswith("/officers/")
    assert f"https://pb.example.org{delivery.url}" in delivery.body_text
    assert "https://pb.example.orghttps" not in delivery.body_text
