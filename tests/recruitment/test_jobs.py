"""Reminders through the outbox, once each, from `reminder_days` before the date owed."""

import datetime as dt

import pytest

from notifications.models import Delivery
from recruitment import procedure
from recruitment.jobs import recruitment_reminders
from recruitment.models import Step
from tests.recruitment.helpers import applicant, full_members, walk

pytestmark = pytest.mark.django_db
Kind = Step.Kind


def sent(kind):
    return list(
        Delivery.objects.filter(kind=kind).values_list("user__email", flat=True).order_by("user__email")
    )


def test_talk_reminder_a_week_before_the_month_ends_once(branch_a1, alice, charlie):
    c = applicant(branch_a1, alice, applied=dt.date(2024, 1, 31))
    due = dt.date(2024, 2, 29)
    assert recruitment_reminders(due - dt.timedelta(days=8)) == 0
    assert recruitment_reminders(due - dt.timedelta(days=7)) == 1
    assert recruitment_reminders(due) == 0  # once
    assert sent("recruitment_talk") == ["alice@example.com"]
    key = Delivery.objects.get().key
    assert key == f"recruitment_talk:{c.pk}:{alice.pk}:2024-02-29"


def test_no_talk_reminder_once_the_talk_is_recorded(branch_a1, alice):
    c = applicant(branch_a1, alice, applied=dt.date(2024, 1, 31))
    c = walk(c, alice, until=Kind.TALK, people=[])
    assert recruitment_reminders(dt.date(2024, 2, 28)) == 0


def test_activist_check_reminder_per_due_date(branch_a1, alice):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.ACTIVIST, people=full_members(branch_a1))
    due = procedure.add_months(c.activist_on, 6)
    assert recruitment_reminders(due - dt.timedelta(days=8)) == 0
    assert recruitment_reminders(due - dt.timedelta(days=7)) == 1
    assert recruitment_reminders(due + dt.timedelta(days=30)) == 0
    walk(c, alice, until=Kind.CHECK, people=[], start_after=Kind.ACTIVIST)
    c.refresh_from_db()
    next_due = procedure.add_months(c.last_checked_on, 6)
    assert recruitment_reminders(next_due - dt.timedelta(days=7)) == 1
    assert len(sent("recruitment_check")) == 2


def test_approval_reminder_to_the_branch_and_the_township(branch_a1, alice, bob, charlie):
    c = walk(applicant(branch_a1, alice), alice, until=Kind.ADMISSION, people=full_members(branch_a1))
    due = procedure.add_months(c.admitted_on, 3)
    assert recruitment_reminders(due - dt.timedelta(days=8)) == 0
    assert recruitment_reminders(due - dt.timedelta(days=7)) == 2
    assert recruitment_reminders(due + dt.timedelta(days=1)) == 0
    assert sent("recruitment_approval") == ["alice@example.com", "bob@example.com"]
    delivery = Delivery.objects.filter(kind="recruitment_approval").first()
    assert c.name in delivery.subject and delivery.url == f"/recruitment/{c.pk}/"
