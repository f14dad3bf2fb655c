"""Sending by batches (issue 14): what one notify_many leaves PENDING goes out as send_deliveries tasks of up
to SEND_BATCH rows; deliveries_send claims a batch once, sends it over one mail connection and marks it SENT
in one UPDATE; a failure touches only its own row."""

from unittest import mock

import pytest
from django.core import mail

from notifications import services, tasks
from notifications.digests import digests_send
from notifications.models import Delivery
from notifications.services import Message, deliveries_send, notify_many
from tests.concurrency import concurrent, require_postgres, run_together
from tests.factories import UserFactory

TEMPLATE = "users/email/invite"  # any trio; the context below satisfies it


def _pending(n: int) -> list[Delivery]:
    """n PENDING rows, not sent yet."""
    users = [UserFactory(notification_frequency="immediate") for _ in range(n)]
    with mock.patch.object(services, "deliveries_enqueue"):
        notify_many(messages=[_message(u) for u in users])
    return list(Delivery.objects.filter(kind="test").select_related("user").order_by("pk"))


def _message(user) -> Message:
    return Message(
        user=user, key=f"t:{user.pk}", kind="test", template=TEMPLATE, context={"link": "http://x/"}
    )


@pytest.mark.django_db
def test_a_batch_is_sent_once_and_a_second_call_sends_nothing():
    rows = _pending(3)
    ids = [d.pk for d in rows]
    first = deliveries_send(delivery_ids=ids)
    assert first.sent == ids and first.retry == [] and first.errors == {}
    assert deliveries_send(delivery_ids=ids).sent == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.user.email for d in rows)
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", "attempts")) == {
        (Delivery.Status.SENT, 1)
    }


@pytest.mark.django_db
def test_rows_no_longer_pending_are_left_alone():
    rows = _pending(3)
    Delivery.objects.filter(pk=rows[0].pk).update(status=Delivery.Status.SENDING)  # another worker has it
    Delivery.objects.filter(pk=rows[1].pk).update(status=Delivery.Status.SKIPPED)  # withdrawn meanwhile
    outcome = deliveries_send(delivery_ids=[d.pk for d in rows])
    assert outcome.sent == [rows[2].pk]
    assert [m.to[0] for m in mail.outbox] == [rows[2].user.email]


@pytest.mark.django_db
def test_a_failing_row_among_good_ones_goes_back_alone_with_its_error():
    rows = _pending(3)
    bad = rows[1]
    real = services._send_mail

    def send(**kw):
        if kw["to"] == bad.user.email:
            raise OSError("mailbox unavailable")
        return real(**kw)

    with mock.patch.object(services, "_send_mail", side_effect=send):
        outcome = deliveries_send(delivery_ids=[d.pk for d in rows])
    assert outcome.sent == [rows[0].pk, rows[2].pk]
    assert outcome.retry == [bad.pk]
    assert "mailbox unavailable" in outcome.errors[bad.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([rows[0].user.email, rows[2].user.email])
    bad.refresh_from_db()
    assert (bad.status, bad.attempts) == (Delivery.Status.PENDING, 1)
    assert "mailbox unavailable" in bad.error
    assert set(Delivery.objects.exclude(pk=bad.pk).values_list("status", flat=True)) == {Delivery.Status.SENT}
    # the retry sends it, once
    assert deliveries_send(delivery_ids=[d.pk for d in rows]).sent == [bad.pk]
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_row_out_of_attempts_is_failed_and_not_retried():
    rows = _pending(2)
    Delivery.objects.filter(pk=rows[0].pk).update(attempts=services.MAX_ATTEMPTS - 1)
    with mock.patch.object(services, "_send_mail", side_effect=OSError("no")):
        outcome = deliveries_send(delivery_ids=[d.pk for d in rows])
    assert outcome.sent == [] and outcome.retry == [rows[1].pk]
    assert Delivery.objects.get(pk=rows[0].pk).status == Delivery.Status.FAILED
    assert Delivery.objects.get(pk=rows[1].pk).status == Delivery.Status.PENDING


@pytest.mark.django_db
def test_inactive_or_addressless_accounts_are_skipped():
    rows = _pending(3)
    rows[0].user.is_active = False
    rows[0].user.save()
    rows[1].user.email = ""
    rows[1].user.save()
    assert deliveries_send(delivery_ids=[d.pk for d in rows]).sent == [rows[2].pk]
    assert Delivery.objects.get(pk=rows[0].pk).status == Delivery.Status.SKIPPED
    assert Delivery.objects.get(pk=rows[1].pk).status == Delivery.Status.SKIPPED


@pytest.mark.django_db
def test_one_mail_connection_per_batch():
    rows = _pending(4)
    with mock.patch.object(services, "get_connection", wraps=services.get_connection) as connections:
        deliveries_send(delivery_ids=[d.pk for d in rows])
    assert connections.call_count == 1
    assert len(mail.outbox) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 20])
def test_queries_do_not_grow_with_the_batch(n, django_assert_num_queries):
    rows = _pending(n)
    # savepoint, lock and read the pending rows with their users, claim them (UPDATE), release; mark SENT
    with django_assert_num_queries(5):
        assert len(deliveries_send(delivery_ids=[d.pk for d in rows]).sent) == n


@pytest.mark.django_db
def test_notify_many_enqueues_one_task_per_batch(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(services, "SEND_BATCH", 2)
    calls = []
    monkeypatch.setattr(tasks.send_deliveries, "delay", lambda ids: calls.append(ids))
    users = [UserFactory(notification_frequency="immediate") for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        notify_many(messages=[_message(u) for u in users])
    rows = list(Delivery.objects.order_by("pk"))
    assert calls == [[d.pk for d in rows[:2]], [d.pk for d in rows[2:4]], [rows[4].pk]]


@pytest.mark.django_db
def test_the_task_retries_only_the_rows_that_failed():
    rows = _pending(2)
    retried = {}

    def retry(**kw):
        retried.update(kw)
        return RuntimeError("retry")

    with (
        mock.patch.object(services, "_send_mail", side_effect=[None, OSError("smtp down")]),
        mock.patch.object(tasks.send_deliveries, "retry", side_effect=retry),
        pytest.raises(RuntimeError),
    ):
        tasks.send_deliveries.run([d.pk for d in rows])
    assert retried["args"] == [[rows[1].pk]]
    assert isinstance(retried["exc"], services.DeliveryFailed)


@pytest.mark.django_db
def test_the_single_row_task_still_sends(send_now):
    """A send_delivery task queued before the upgrade (still in the broker) sends its row, once."""
    row = _pending(1)[0]
    assert tasks.send_delivery.delay(row.pk).get() is True
    assert tasks.send_delivery.delay(row.pk).get() is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_digest_queries_do_not_grow_with_users(django_assert_max_num_queries):
    for _ in range(12):
        user = UserFactory(notification_frequency="daily")
        for n in range(3):
            services.notify(
                user=user, key=f"d:{n}:{user.pk}", kind="test", template=TEMPLATE, context={"link": "/x/"}
            )
    # the waiting rows; then for the batch of users: savepoint, lock the users, their digests already made,
    # lock their rows, insert the digests, update the rows, release
    with django_assert_max_num_queries(8):
        assert digests_send(frequency="daily") == 12
    assert Delivery.objects.filter(kind="digest").count() == 12
    assert not Delivery.objects.filter(kind="test").exclude(status=Delivery.Status.DIGESTED).exists()


@concurrent
def test_two_workers_with_the_same_batch_send_each_row_once():
    require_postgres()
    rows = _pending(30)
    ids = [d.pk for d in rows]

    def worker(go):
        go()
        return deliveries_send(delivery_ids=ids).sent

    results = run_together(worker, worker)
    assert [kind for kind, _r in results] == ["ok", "ok"], results
    sent = [pk for _kind, r in results for pk in r]
    assert sorted(sent) == ids
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.user.email for d in rows)
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Delivery.Status.SENT}
