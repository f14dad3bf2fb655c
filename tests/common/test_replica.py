"""The read replica (common/replica.py): reads inside replica_reads() go to it when it is configured, writes and
everything else to the primary; without one, nothing changes."""

import pytest
from django.db import connections

from common.replica import REPLICA, ReplicaRouter, reads_from_replica, replica_reads
from users.models import User

router = ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch, settings):
    databases = dict(connections.databases)
    databases[REPLICA] = dict(databases["default"])
    monkeypatch.setattr(connections, "settings", databases, raising=False)
    monkeypatch.setattr(type(connections), "databases", property(lambda self: databases))
    return databases


def test_without_a_replica_every_read_goes_to_the_primary():
    assert REPLICA not in connections.databases
    with replica_reads():
        assert router.db_for_read(User) is None
    assert router.db_for_write(User) is None


def test_reads_inside_go_to_the_replica_and_writes_do_not(with_replica):
    assert router.db_for_read(User) is None  # outside: the primary
    with replica_reads():
        assert router.db_for_read(User) == REPLICA
        assert router.db_for_write(User) is None
    assert router.db_for_read(User) is None


def test_the_decorator_reads_from_the_replica_only_while_it_runs(with_replica):
    @reads_from_replica
    def view():
        return router.db_for_read(User)

    assert view() == REPLICA
    assert router.db_for_read(User) is None


def test_nothing_is_migrated_on_the_replica():
    assert router.allow_migrate(REPLICA, "members") is False
    assert router.allow_migrate("default", "members") is True


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_on_the_primary_reads_stay_there(with_replica):
    from django.db import transaction

    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(User) is None
        assert router.db_for_read(User) == REPLICA
