"""The outbox after a crash, through a real broker (Redis) and a real worker (issue 13, 9): a worker killed
during the SMTP send leaves its row SENDING; the task's late redelivery and the retry sweep never send it
again, the sweep marks it UNKNOWN, and an operator's "send again" goes out once."""

import datetime as dt
import time

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Delivery
from notifications.services import deliveries_resend
from tests.concurrency import require_postgres
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres():
    """The worker thread writes while the test reads: SQLite's one writer locks the table (skip there;
    under CI=true DATABASE_URL is PostgreSQL). Autouse, so it runs before the worker starts."""
    require_postgres()


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_claim_left_by_a_killed_worker_is_marked_unknown_never_resent(celery_app, celery_worker):
    user = UserFactory(notification_frequency="immediate")
    claimed = timezone.now() - dt.timedelta(hours=1)
    # what kill -9 during the SMTP conversation leaves behind: claimed, attempt counted, never marked sent
    delivery = Delivery.objects.create(
        key="crash:1",
        kind="test",
        user=user,
        subject="Hello",
        body_text="Hello",
        status=Delivery.Status.SENDING,
        attempts=1,
        claimed_at=claimed,
    )
    send, sweep = (
        celery_app.tasks[f"notifications.tasks.{name}"] for name in ("send_delivery", "retry_deliveries")
    )
    # the broker redelivers the unacknowledged task (acks_late) to another worker: it sends nothing
    assert send.delay(delivery.pk).get(timeout=20) is False
    assert sweep.delay().get(timeout=20) == 0
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.UNKNOWN
    assert sweep.delay().get(timeout=20) == 0
    assert mail.outbox == []
    # an operator checked with the recipient and sends it again: once
    assert deliveries_resend(delivery_ids=[delivery.pk]) == 1
    assert _wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT)
    assert len(mail.outbox) == 1
