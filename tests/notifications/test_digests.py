import datetime as dt

from django.core import mail

from notifications.digests import digest_period, digests_due, digests_send
from notifications.models import Delivery
from notifications.services import notify

MONDAY = dt.date(2025, 3, 3)


def _notify(user, n):
    return notify(
        user=user,
        key=f"test:{n}:{user.pk}:x",
        kind="test",
        template="users/email/invite",
        context={"link": "http://x/", "timeout_days": 3},
        url=f"/members/{n}/",
    )


def test_daily_digest_gathers_waiting_messages_into_one_email(make_user, send_now):
    user = make_user("daily")
    items = [_notify(user, n) for n in range(3)]
    with send_now():
        assert digests_send(frequency="daily", as_of=MONDAY) == 1
    assert len(mail.outbox) == 1
    digest = Delivery.objects.get(kind="digest")
    assert digest.key == f"digest:daily:{user.pk}:2025-03-03"
    assert digest.status == Delivery.Status.SENT
    assert "/members/2/" in mail.outbox[0].body
    for item in items:
        item.refresh_from_db()
        assert item.digest_id == digest.pk
        assert item.status == Delivery.Status.DIGESTED


def test_digest_twice_for_one_period_sends_once_and_keeps_later_messages_for_next(make_user, send_now):
    user = make_user("daily")
    _notify(user, 1)
    with send_now():
        digests_send(frequency="daily", as_of=MONDAY)
    later = _notify(user, 2)
    with send_now():
        assert digests_send(frequency="daily", as_of=MONDAY) == 0
    later.refresh_from_db()
    assert later.status == Delivery.Status.DIGEST
    with send_now():
        assert digests_send(frequency="daily", as_of=MONDAY + dt.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_weekly_and_daily_users_are_kept_apart(make_user, send_now):
    daily, weekly, none = make_user("daily"), make_user("weekly"), make_user("none")
    for u in (daily, weekly, none):
        _notify(u, 1)
    with send_now():
        assert digests_send(frequency="weekly", as_of=MONDAY) == 1
    assert mail.outbox[0].to == [weekly.email]
    assert Delivery.objects.get(kind="digest").key == f"digest:weekly:{weekly.pk}:2025-W10"
    with send_now():
        assert digests_send(frequency="daily", as_of=MONDAY) == 1
    assert mail.outbox[1].to == [daily.email]
    assert not Delivery.objects.filter(kind="digest", user=none).exists()


def test_user_who_switched_to_immediate_gets_waiting_messages_in_the_daily_digest(make_user, send_now):
    user = make_user("weekly")
    _notify(user, 1)
    user.notification_frequency = "immediate"
    user.save()
    with send_now():
        assert digests_send(frequency="daily", as_of=MONDAY) == 1


def test_nothing_waiting_sends_nothing(make_user):
    make_user("daily")
    assert digests_send(frequency="daily", as_of=MONDAY) == 0
    assert mail.outbox == []


def test_periods_and_schedule():
    assert digest_period(frequency="weekly", as_of=dt.date(2025, 1, 1)) == "2025-W01"
    assert digest_period(frequency="weekly", as_of=dt.date(2024, 12, 30)) == "2025-W01"
    assert digest_period(frequency="daily", as_of=MONDAY) == "2025-03-03"
    assert digests_due(as_of=MONDAY) == ["daily", "weekly"]
    assert digests_due(as_of=MONDAY + dt.timedelta(days=1)) == ["daily"]


def test_digest_query_count_does_not_grow_with_messages(make_user, django_assert_max_num_queries):
    user = make_user("daily")
    for n in range(20):
        _notify(user, n)
    with django_assert_max_num_queries(8):
        digests_send(frequency="daily", as_of=MONDAY)
