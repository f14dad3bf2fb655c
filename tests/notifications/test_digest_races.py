"""Two digest runs at once (issue 13, 10: runs for two days sent 74 digests to 37 users with the same items),
on PostgreSQL with threads: each waiting message goes out in exactly one digest."""

import datetime as dt

import pytest

from notifications.digests import digests_send
from notifications.models import Delivery
from notifications.services import notify
from tests.concurrency import concurrent, require_postgres, run_together
from tests.factories import UserFactory

pytestmark = [concurrent, pytest.mark.services]

MONDAY = dt.date(2025, 3, 3)


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()


def _run(frequency, as_of):
    def actor(go):
        go()
        return digests_send(frequency=frequency, as_of=as_of)

    return actor


@pytest.mark.parametrize("run", range(3))
def test_digest_runs_for_two_days_at_once_send_each_item_once(run):
    users = [UserFactory(notification_frequency="daily") for _ in range(15)]
    for user in users:
        for n in range(3):
            notify(
                user=user,
                key=f"t:{n}:{user.pk}",
                kind="test",
                template="users/email/invite",
                context={"link": "/x/"},
                url=f"/members/{n}/",
            )
    results = run_together(_run("daily", MONDAY), _run("daily", MONDAY + dt.timedelta(days=1)))
    assert [kind for kind, _r in results] == ["ok", "ok"], results
    assert sum(r for _kind, r in results) == len(users)
    digests = Delivery.objects.filter(kind="digest")
    assert digests.count() == len(users)
    assert sorted(digests.values_list("user_id", flat=True)) == sorted(u.pk for u in users)
    items = Delivery.objects.filter(kind="test")
    assert not items.filter(status=Delivery.Status.DIGEST).exists()
    for digest in digests:
        assert digest.digested.count() == 3


def test_two_runs_for_a_user_who_switched_to_immediate_send_once():
    """A user who switched from weekly to immediate: both daily runs collect for them; one digest only."""
    user = UserFactory(notification_frequency="weekly")
    for n in range(3):
        notify(user=user, key=f"t:{n}", kind="test", template="users/email/invite", context={"link": "/x/"})
    user.notification_frequency = "immediate"
    user.save()
    results = run_together(_run("daily", MONDAY), _run("daily", MONDAY + dt.timedelta(days=1)))
    assert sum(r for _kind, r in results) == 1
    assert Delivery.objects.filter(kind="digest").count() == 1
