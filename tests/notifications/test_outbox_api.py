"""The outbox API the jobs use: notify_many, deliveries_withdraw, recipients_for/_above, delivery_key."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError

from branches.models import RoleAssignment
from notifications import services
from notifications.models import Delivery
from notifications.services import (
    Message,
    deliveries_withdraw,
    delivery_key,
    notify_many,
    recipients_above,
    recipients_for,
)
from tests.factories import UserFactory, make_role

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role
TEMPLATE = "users/email/invite"  # any trio; the context below satisfies it


def _message(user, key, **kw):
    return Message(
        user=user,
        key=key,
        kind="test",
        template=TEMPLATE,
        context={"link": "http://x/", "timeout_days": 3},
        **kw,
    )


# -- delivery_key ---------------------------------------------------------------------------------------


def test_delivery_key_keeps_the_shapes_already_in_the_outbox():
    assert (
        delivery_key("probation_due", 7, 3, dt.date(2025, 6, 1).isoformat()) == "probation_due:7:3:2025-06-01"
    )
    assert delivery_key("care_visit_due", 9, 4, dt.date(2025, 6, 1)) == "care_visit_due:9:4:2025-06-01"
    assert delivery_key("care_condolence", 2, 5, "start") == "care_condolence:2:5:start"
    assert delivery_key("invite", 5, period="2025-06-01") == "invite:5:2025-06-01"
    assert delivery_key("edu_minutes_missing", 11, 3) == "edu_minutes_missing:11:3"
    assert delivery_key("edu_period_due", "4:Q:0:2025Q2", 3) == "edu_period_due:4:Q:0:2025Q2:3"


# -- notify_many ----------------------------------------------------------------------------------------


def test_notify_many_creates_once_and_a_second_run_creates_nothing(make_user):
    users = [make_user("daily") for _ in range(3)]
    messages = [_message(u, f"t:1:{u.pk}:p") for u in users]
    assert notify_many(messages=messages) == 3
    assert notify_many(messages=[_message(u, f"t:1:{u.pk}:p") for u in users]) == 0
    assert set(Delivery.objects.values_list("key", flat=True)) == {f"t:1:{u.pk}:p" for u in users}
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.DIGEST}


def test_notify_many_skips_inactive_users_and_a_key_repeated_in_one_call(make_user):
    active, inactive = make_user("none"), make_user("none", is_active=False)
    messages = [_message(active, "t:a"), _message(active, "t:a"), _message(inactive, "t:b")]
    assert notify_many(messages=messages) == 1
    assert list(Delivery.objects.values_list("key", flat=True)) == ["t:a"]


def test_notify_many_checks_keys_once_per_chunk(make_user, django_assert_num_queries):
    user = make_user("none")
    notify_many(messages=[_message(user, f"t:{i}") for i in range(5)])
    # 5 known keys, 2 new ones, chunks of 3: (3 known) (2 known + 1 new) (1 new) → 3 lookups + 2 inserts,
    # each insert in its own savepoint (2 queries more each).
    with django_assert_num_queries(3 + 2 * 3):
        created = notify_many(messages=[_message(user, f"t:{i}") for i in range(7)], chunk_size=3)
    assert created == 2
    assert Delivery.objects.count() == 7


def test_notify_many_enqueues_immediate_ones_on_commit(make_user, send_now):
    now, later = make_user("immediate"), make_user("weekly")
    with send_now():
        created = notify_many(
            messages=[
                _message(now, "t:now"),
                _message(later, "t:later"),
                _message(later, "t:inv", immediate=True),
            ]
        )
        assert created == 3
        assert mail.outbox == []  # nothing inside the transaction
    assert sorted(m.to[0] for m in mail.outbox) == sorted([now.email, later.email])
    assert Delivery.objects.get(key="t:later").status == Delivery.Status.DIGEST
    assert Delivery.objects.get(key="t:inv").status == Delivery.Status.SENT


def test_notify_many_under_a_race_keeps_the_unique_key_and_inserts_the_rest(make_user, monkeypatch):
    """Another run inserted a key between the lookup and the insert: the bulk insert fails, the rows go in
    one by one and the duplicate is skipped."""
    user = make_user("none")
    real_new_messages = services._new_messages

    def racing(messages):
        new = real_new_messages(messages)
        Delivery.objects.create(key="t:raced", kind="t", user=user, subject="s", body_text="x")
        return new

    monkeypatch.setattr(services, "_new_messages", racing)
    assert notify_many(messages=[_message(user, "t:raced"), _message(user, "t:other")]) == 1
    assert sorted(Delivery.objects.values_list("key", flat=True)) == ["t:other", "t:raced"]


def test_the_unique_key_is_still_the_guarantee(make_user):
    user = make_user("none")
    notify_many(messages=[_message(user, "t:1")])
    with pytest.raises(IntegrityError):
        Delivery.objects.create(key="t:1", kind="t", user=user, subject="s", body_text="x")


def test_notify_returns_the_delivery_then_none(make_user):
    user = make_user("none")
    first = services.notify(user=user, key="t:one", kind="test", template=TEMPLATE, context={"link": "x"})
    again = services.notify(user=user, key="t:one", kind="test", template=TEMPLATE, context={"link": "x"})
    assert isinstance(first, Delivery) and again is None


# -- deliveries_withdraw --------------------------------------------------------------------------------


def test_withdraw_takes_back_only_what_still_waits_under_the_prefix(make_user):
    user = make_user("none")
    rows = {
        key: Delivery.objects.create(key=key, kind="t", user=user, subject="s", body_text="x", status=status)
        for key, status in [
            ("care_visit_due:1:5:2025-01-01", Delivery.Status.PENDING),
            ("care_visit_overdue:1:5:2025-01-01", Delivery.Status.DIGEST),
            ("care_visit_due:1:6:2025-01-01", Delivery.Status.SENT),
            ("care_visit_due:10:5:2025-01-01", Delivery.Status.PENDING),  # visit 10, not 1
        ]
    }
    assert deliveries_withdraw(key_prefix=["care_visit_due:1:", "care_visit_overdue:1:"], reason="gone") == 2
    status = {k: d.status for k, d in ((k, Delivery.objects.get(pk=d.pk)) for k, d in rows.items())}
    assert status == {
        "care_visit_due:1:5:2025-01-01": Delivery.Status.SKIPPED,
        "care_visit_overdue:1:5:2025-01-01": Delivery.Status.SKIPPED,
        "care_visit_due:1:6:2025-01-01": Delivery.Status.SENT,
        "care_visit_due:10:5:2025-01-01": Delivery.Status.PENDING,
    }
    assert Delivery.objects.get(key="care_visit_due:1:5:2025-01-01").error == "gone"
    assert deliveries_withdraw(key_prefix="care_visit_due:10:") == 1
    assert deliveries_withdraw(key_prefix=[]) == 0


# -- recipients ------------------------------------------------------------------------------------------


def test_recipients_for_leaves_out_inactive_users(branch_a1, branch_a2, alice):
    gone = UserFactory(is_active=False)
    make_role(gone, branch_a1, Role.BRANCH_SECRETARY)
    other = UserFactory()
    make_role(other, branch_a2, Role.BRANCH_SECRETARY)
    make_role(other, branch_a2, Role.MEMBER)
    found = recipients_for(org_ids=[branch_a1.pk, branch_a2.pk], roles=[Role.BRANCH_SECRETARY, Role.MEMBER])
    assert found == {branch_a1.pk: [alice], branch_a2.pk: [other]}  # each user once per organization
    everyone = recipients_for(org_ids=[branch_a1.pk], roles=[Role.BRANCH_SECRETARY], active_only=False)
    assert everyone[branch_a1.pk] == [alice, gone]


def test_recipients_above_reads_the_organization_and_those_above_it(
    county, township_a, branch_a1, branch_b1, bob, dora
):
    staff = UserFactory()
    make_role(staff, township_a, Role.TOWNSHIP_STAFF)
    make_role(staff, township_a, Role.TOWNSHIP_SECRETARY)  # two roles: still once
    make_role(UserFactory(is_active=False), township_a, Role.TOWNSHIP_STAFF)
    roles = [Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF]
    found = recipients_above(paths=[branch_a1.path, branch_b1.path, township_a.path], roles=roles)
    assert found == {branch_a1.path: [bob, staff], branch_b1.path: [], township_a.path: [bob, staff]}
    county_roles = recipients_above(paths=[branch_a1.path], roles=[Role.COUNTY_ADMIN])
    assert county_roles == {branch_a1.path: [dora]}
    assert recipients_above(paths=[branch_a1.path], roles=[Role.COUNTY_ADMIN], kind="township") == {
        branch_a1.path: []
    }
    assert recipients_above(paths=[], roles=roles) == {}
