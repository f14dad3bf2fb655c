"""Every job: the right people, and a second run the same day sends nothing."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

from accountability import jobs, services
from accountability.models import Contract
from members.models import CommitteeTerm
from notifications.digests import digests_send
from notifications.models import Delivery
from tests.accountability.conftest import YEAR

pytestmark = pytest.mark.django_db


def _twice(job, as_of):
    first = job(as_of)
    assert job(as_of) == 0
    return first


def test_signing_reminders_to_whoever_must_act(
    dora, bob, alice, county, township_a, branch_a1, branch_a2, library
):
    services.contracts_issue_to_children(parent=county, year=YEAR, by=dora, on=dt.date(YEAR, 3, 1))
    services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)  # a draft
    as_of = dt.date(YEAR, 3, 20)  # 11 days before 31 March
    assert (
        _twice(jobs.contract_signing_reminders, as_of) == 2
    )  # bob signs with the county, bob issues the draft
    assert set(Delivery.objects.values_list("user__email", "kind")) == {
        ("bob@example.com", "contract_sign"),
        ("bob@example.com", "contract_issue"),
    }
    assert _twice(jobs.contract_signing_reminders, dt.date(YEAR, 3, 29)) == 2  # the last reminder
    assert jobs.contract_signing_reminders(dt.date(YEAR, 3, 30)) == 0  # same stage
    assert jobs.contract_signing_reminders(dt.date(YEAR, 1, 5)) == 0  # too early


def test_evaluation_reminders(dora, bob, alice, township_a, branch_a1, library):
    c = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    services.contract_issue(contract=c, by=bob, on=dt.date(YEAR, 3, 1))
    services.contract_sign(contract=c, by=alice, on=dt.date(YEAR, 3, 2))
    assert _twice(jobs.evaluation_reminders, dt.date(YEAR, 12, 10)) == 1  # alice: self-evaluation
    assert Delivery.objects.get().user == alice
    assert _twice(jobs.evaluation_reminders, dt.date(YEAR + 1, 1, 25)) == 1  # bob: evaluation
    assert Delivery.objects.filter(user=bob, kind="contract_evaluation").exists()


def test_duty_report_reminders(alice, bob, dora, branch_a1, township_a, county):
    report = services.duty_report_save(organization=branch_a1, year=YEAR, by=alice, title="述职", text="内容")
    services.duty_report_submit(report=report, by=alice)
    assert _twice(jobs.duty_report_reminders, dt.date(YEAR + 1, 1, 10)) == 2  # bob and dora, not alice
    assert set(Delivery.objects.values_list("user__email", flat=True)) == {
        "bob@example.com",
        "dora@example.com",
    }


def test_committee_term_reminders(alice, bob, branch_a1):
    CommitteeTerm.objects.create(
        organization=branch_a1, elected_on=dt.date(YEAR - 5, 5, 1), ends_on=dt.date(YEAR, 5, 1)
    )
    assert _twice(jobs.committee_term_reminders, dt.date(YEAR, 1, 2)) == 2  # alice and bob (the level above)
    assert _twice(jobs.committee_term_reminders, dt.date(YEAR, 4, 5)) == 2  # again within one month
    assert jobs.committee_term_reminders(dt.date(YEAR, 4, 20)) == 0
    # a newly elected committee replaces the old term: no more reminders for it
    CommitteeTerm.objects.create(
        organization=branch_a1, elected_on=dt.date(YEAR, 4, 28), ends_on=dt.date(YEAR + 5, 4, 28)
    )
    Delivery.objects.all().delete()
    assert jobs.committee_term_reminders(dt.date(YEAR, 4, 29)) == 0


def test_unsigned_contract_escalates(dora, bob, county, township_a, library):
    services.contracts_issue_to_children(parent=county, year=YEAR, by=dora, on=dt.date(YEAR, 3, 1))
    assert Contract.objects.get().status == Contract.Status.ISSUED
    early = jobs.overdue_items(as_of=dt.date(YEAR, 4, 6), org_ids={township_a.pk}, grace=jobs.ESCALATE_AFTER)
    late = jobs.overdue_items(as_of=dt.date(YEAR, 5, 4), org_ids={township_a.pk}, grace=jobs.ESCALATE_AFTER)
    with translation.override("en"):
        assert not any("contract" in str(i) for i in early.get(township_a.pk, []))  # under four weeks late
        assert any("contract" in str(i) for i in late[township_a.pk])
    assert _twice(jobs.county_escalation_weekly, dt.date(YEAR, 5, 4)) == 1


def test_term_ending_links_carry_the_site_url_once_in_the_digest(settings, alice, bob, branch_a1):
    """issue 13, 15: the reminder stores a path; the digest text puts the site URL in front once."""
    settings.SITE_URL = "https://pb.example.org"
    alice.notification_frequency = "daily"
    alice.save()
    CommitteeTerm.objects.create(
        organization=branch_a1, elected_on=dt.date(YEAR - 5, 5, 1), ends_on=dt.date(YEAR, 5, 1)
    )
    jobs.committee_term_reminders(dt.date(YEAR, 1, 2))
    delivery = Delivery.objects.get(user=alice)
    assert delivery.url == f"/orgs/{branch_a1.pk}/"
    assert f"https://pb.example.org/orgs/{branch_a1.pk}/" in delivery.body_text
    mail.outbox.clear()
    digests_send(frequency="daily", as_of=dt.date(YEAR, 1, 2))
    digest = Delivery.objects.get(kind="digest", user=alice)
    assert f"https://pb.example.org/orgs/{branch_a1.pk}/" in digest.body_text
    assert "https://pb.example.orghttps" not in digest.body_text
