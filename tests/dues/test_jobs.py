"""Arrears reminders through the outbox, once per member and stage and run of arrears; the six-month lapse
that education's warning reads through common.lapses."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common import lapses
from dues import services
from notifications.jobs import registered_jobs, run_job
from notifications.models import Delivery
from tests.factories import MemberFactory, UserFactory
from users.services import system_user

pytestmark = pytest.mark.django_db
M = dt.date


@pytest.fixture
def member_user(worker):
    user = UserFactory(email="lisi@example.com", name="李四")
    worker.user = user
    worker.save(update_fields=["user"])
    return user


def _pay(member, first, last, amount):
    services.payment_record(
        member=member,
        paid_on=last,
        first_month=first,
        last_month=last,
        amount=amount,
        by=system_user(),
        today=M(2026, 12, 31),
    )


def test_the_job_is_registered():
    assert "dues_arrears_reminders" in registered_jobs()


def test_three_months_behind_tells_member_and_secretary_once(worker, member_user, alice, charlie):
    # dues from 2026-01; on 2026-04-02 January to March have ended unpaid
    assert run_job("dues_arrears_reminders", as_of=M(2026, 3, 31)) == 0  # two months ended: not yet
    assert run_job("dues_arrears_reminders", as_of=M(2026, 4, 2)) == 2
    assert run_job("dues_arrears_reminders", as_of=M(2026, 4, 2)) == 0  # running twice sends nothing twice
    assert run_job("dues_arrears_reminders", as_of=M(2026, 4, 20)) == 0  # the same stage and run
    keys = set(Delivery.objects.values_list("key", flat=True))
    assert keys == {
        f"dues_arrears3:{worker.pk}:{member_user.pk}:2026-01",
        f"dues_arrears3:{worker.pk}:{alice.pk}:2026-01",
    }
    assert not Delivery.objects.filter(user=charlie).exists()
    own = Delivery.objects.get(user=member_user)
    assert "40" not in own.subject and "3" in own.subject
    assert own.url == f"/dues/members/{worker.pk}/"


def test_five_months_is_a_stronger_reminder_once(worker, member_user, alice):
    run_job("dues_arrears_reminders", as_of=M(2026, 4, 2))
    assert run_job("dues_arrears_reminders", as_of=M(2026, 6, 1)) == 2
    assert run_job("dues_arrears_reminders", as_of=M(2026, 6, 1)) == 0
    strong = Delivery.objects.filter(key__startswith="dues_arrears5:")
    assert {d.user_id for d in strong} == {member_user.pk, alice.pk}
    body = Delivery.objects.filter(kind="dues_arrears5", user=alice).get().body_text
    assert "9" in body or "九" in body  # art. 9 is named
    # the link once, absolute and not doubled (the shared layout adds the site and the preferences link)
    assert body.count(f"/dues/members/{worker.pk}/") == 1
    assert f"{settings.SITE_URL.rstrip('/')}/dues/members/{worker.pk}/" in body
    assert not re.search(r"https?://\S*https?://", body)


def test_no_reminder_for_a_member_who_paid(worker, alice):
    _pay(worker, M(2026, 1, 1), M(2026, 3, 1), D("120"))
    assert run_job("dues_arrears_reminders", as_of=M(2026, 4, 2)) == 0


def test_a_new_run_of_arrears_after_paying_up_reminds_again(worker, alice):
    run_job("dues_arrears_reminders", as_of=M(2026, 4, 2))
    _pay(worker, M(2026, 1, 1), M(2026, 3, 1), D("120"))
    assert run_job("dues_arrears_reminders", as_of=M(2026, 7, 2)) == 1  # April to June
    assert Delivery.objects.filter(key=f"dues_arrears3:{worker.pk}:{alice.pk}:2026-04").exists()


def test_an_exempted_member_is_not_in_arrears(worker, alice, bob):
    relief = services.relief_decide(
        member=worker,
        kind="exemption",
        first_month=M(2026, 1, 1),
        last_month=None,
        reason="困难",
        decided_on=M(2026, 1, 5),
        by=alice,
    )
    services.relief_approve(relief=relief, on=M(2026, 1, 10), by=bob)
    assert run_job("dues_arrears_reminders", as_of=M(2026, 8, 2)) == 0


def test_six_months_unpaid_is_a_lapse_for_educations_warning(worker, alice):
    assert lapses.collect(member_ids=None, as_of=M(2026, 6, 30)) == {}  # five months ended
    found = lapses.collect(member_ids=None, as_of=M(2026, 7, 1))
    (lapse,) = found[worker.pk]
    assert (lapse.reason, lapse.since) == ("dues", M(2026, 1, 1))
    assert lapses.collect(member_ids={worker.pk + 1}, as_of=M(2026, 7, 1)) == {}


def test_educations_six_month_warning_counts_unpaid_dues_once(worker, alice):
    assert run_job("education_absence_alerts", as_of=M(2026, 7, 1)) == 1
    assert run_job("education_absence_alerts", as_of=M(2026, 7, 1)) == 0
    delivery = Delivery.objects.get(kind="six_months_lapse")
    assert delivery.key == f"edu_six_months_lapse:dues:{worker.pk}:2026-01-01:{alice.pk}"
    assert delivery.user == alice and worker.name in delivery.subject
    # paying one month breaks the run: no lapse any more
    _pay(worker, M(2026, 6, 1), M(2026, 6, 1), D("40"))
    assert lapses.collect(member_ids=None, as_of=M(2026, 7, 1)) == {}


@pytest.mark.parametrize("behind", [3, 30])
def test_the_job_and_its_sending_take_the_same_queries_for_few_or_many_members(
    branch_a1, alice, behind, django_capture_on_commit_callbacks
):
    """issue 14: queries grow with batches (500 messages), not with members or deliveries."""
    for _ in range(behind):
        member = MemberFactory(organization=branch_a1, admitted_on=M(2000, 1, 1))
        member.user = UserFactory(notification_frequency="immediate")
        member.save(update_fields=["user"])
        services.dues_record_set(
            member=member, category="student", base=None, starts_month=M(2026, 1, 1), by=system_user()
        )
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = run_job("dues_arrears_reminders", as_of=M(2026, 6, 2))
    assert created == 2 * behind  # the member and the secretary
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2 * behind
    assert len(queries) == 19, "\n".join(q["sql"][:120] for q in queries.captured_queries)
