import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Delivery
from notifications.services import deliveries_retry, delivery_send, notify
from users.models import User

TEMPLATE = "users/email/invite"  # any trio; context below satisfies it


def _notify(user, key="test:1:1:2025-01-01", **kw):
    return notify(
        user=user,
        key=key,
        kind="test",
        template=TEMPLATE,
        context={"link": "http://x/", "timeout_days": 3},
        **kw,
    )


def test_immediate_user_gets_one_email_after_commit(make_user, send_now):
    user = make_user("immediate")
    with send_now():
        delivery = _notify(user)
        assert mail.outbox == []  # nothing inside the transaction
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.sent_at is not None
    assert delivery.attempts == 1
    assert mail.outbox[0].alternatives  # html part


def test_same_key_twice_creates_and_sends_one(make_user, send_now):
    user = make_user("immediate")
    with send_now():
        first = _notify(user)
        second = _notify(user)
    assert first is not None and second is None
    assert Delivery.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("frequency", "status"),
    [
        ("daily", Delivery.Status.DIGEST),
        ("weekly", Delivery.Status.DIGEST),
        ("none", Delivery.Status.SKIPPED),
    ],
)
def test_preference_decides_status_and_nothing_is_sent_now(make_user, send_now, frequency, status):
    user = make_user(frequency)
    with send_now():
        delivery = _notify(user)
    assert delivery.status == status
    assert mail.outbox == []


def test_immediate_flag_overrides_digest_preference(make_user, send_now):
    user = make_user("weekly")
    with send_now():
        delivery = _notify(user, immediate=True)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("frequency", "status"),
    [
        ("immediate", Delivery.Status.DIGEST),
        ("weekly", Delivery.Status.DIGEST),
        ("none", Delivery.Status.SKIPPED),
    ],
)
def test_digest_only_waits_for_the_digest_even_for_immediate_users(make_user, send_now, frequency, status):
    user = make_user(frequency)
    with send_now():
        delivery = _notify(user, digest_only=True)
    assert delivery.status == status
    assert mail.outbox == []


def test_inactive_user_gets_nothing(make_user):
    user = make_user("immediate", is_active=False)
    assert _notify(user) is None
    assert not Delivery.objects.exists()


def test_message_is_rendered_in_the_users_language(make_user):
    zh = _notify(make_user("none", language="zh-hans"), key="k:zh")
    en = _notify(make_user("none", language="en"), key="k:en")
    assert "账户" in zh.subject or "帐户" in zh.subject
    assert en.subject == "Your account in the county party-building system"


def test_delivery_send_twice_sends_once(make_user):
    delivery = _notify(make_user("immediate"))  # not committed: the task has not run
    assert delivery_send(delivery_id=delivery.pk) is True
    assert delivery_send(delivery_id=delivery.pk) is False
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_another_worker_is_not_sent(make_user):
    delivery = _notify(make_user("immediate"))
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENDING, claimed_at=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) is False
    assert mail.outbox == []


def test_failure_leaves_it_pending_with_the_error_then_a_retry_sends(make_user):
    delivery = _notify(make_user("immediate"))
    with (
        mock.patch.object(services, "_send_mail", side_effect=OSError("smtp down")),
        pytest.raises(services.DeliveryFailed),
    ):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert "smtp down" in delivery.error
    assert delivery_send(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.error == ""
    assert len(mail.outbox) == 1


def test_failed_after_max_attempts(make_user):
    delivery = _notify(make_user("immediate"))
    Delivery.objects.filter(pk=delivery.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    with (
        mock.patch.object(services, "_send_mail", side_effect=OSError("no")),
        pytest.raises(services.DeliveryFailed),
    ):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


def test_task_in_process_swallows_failure_and_keeps_the_row(make_user, send_now):
    """With no broker the sending runs inside the request's commit: a mail failure must not break it."""
    user = make_user("immediate")
    with mock.patch.object(services, "_send_mail", side_effect=OSError("smtp down")), send_now():
        delivery = _notify(user)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1


def test_retry_sweep_sends_left_behind_and_marks_stale_claims_unknown(make_user, send_now):
    """issue 13, 9: a worker killed during the SMTP send leaves its claim; the sweep never sends it again (the
    message may have gone out), it marks it UNKNOWN for an operator, who can send it again from the admin."""
    old = timezone.now() - dt.timedelta(hours=1)
    left = _notify(make_user("immediate"), key="k:left")
    stale = _notify(make_user("immediate"), key="k:stale")
    fresh = _notify(make_user("immediate"), key="k:fresh")
    Delivery.objects.filter(pk=left.pk).update(created_at=old)
    Delivery.objects.filter(pk=stale.pk).update(
        status=Delivery.Status.SENDING, claimed_at=old, created_at=old, attempts=1
    )
    with send_now():
        assert deliveries_retry() == 1
    assert [m.to[0] for m in mail.outbox] == [left.user.email]
    stale.refresh_from_db()
    assert stale.status == Delivery.Status.UNKNOWN
    assert stale.error
    fresh.refresh_from_db()
    assert fresh.status == Delivery.Status.PENDING  # too recent: its own task may still be on its way
    # a second sweep leaves it alone; a late redelivery of its task sends nothing
    with send_now():
        assert deliveries_retry() == 0
    assert delivery_send(delivery_id=stale.pk) is False
    assert len(mail.outbox) == 1
    # the operator checked: send it again
    with send_now():
        assert services.deliveries_resend(delivery_ids=[stale.pk, fresh.pk]) == 1
    stale.refresh_from_db()
    assert stale.status == Delivery.Status.SENT
    assert [m.to[0] for m in mail.outbox] == [left.user.email, stale.user.email]


def test_a_recent_claim_is_left_to_its_worker(make_user, send_now):
    delivery = _notify(make_user("immediate"))
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=10)
    )
    with send_now():
        deliveries_retry()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENDING
    assert mail.outbox == []


def test_admin_lists_unknown_deliveries_and_sends_them_again(client, make_user, send_now):
    admin_user = User.objects.create_superuser(email="root@example.com", password="x")
    delivery = _notify(make_user("immediate"))
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.UNKNOWN, error="stopped")
    client.force_login(admin_user)
    listing = client.get("/admin/notifications/delivery/?status__exact=unknown")
    assert listing.status_code == 200
    assert delivery.subject in listing.content.decode()
    with send_now():
        response = client.post(
            "/admin/notifications/delivery/",
            {"action": "send_again", "_selected_action": [delivery.pk]},
        )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1
