"""Reads that may come from a PostgreSQL read replica: the county-wide dashboards and the report commands.

Set DATABASE_REPLICA_URL (a streaming replica of DATABASE_URL) and, inside `replica_reads()` (or a view or
command method decorated with `@reads_from_replica`), every read goes to the replica; writes, and everything
outside, go to the primary. Without the variable there is one database and nothing changes. A replica lags the
primary by a moment: only pages and reports that summarize (where a meeting recorded a second ago may be
missing for that second) read from it, never a page that shows what its user has just written; and inside a
transaction on the primary (a report recording its export) reads stay on the primary.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connections

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("reads_from_replica", default=False)

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_from_replica(func: F) -> F:
    """A view (or a command's `handle`) whose reads may come from the replica."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReplicaRouter:
    """Reads inside `replica_reads()` to the replica when one is configured; the rest to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        # inside a transaction on the primary the code is writing: it reads its own writes (and any
        # select_for_update) there
        if _reading.get() and REPLICA in connections.databases and not connections["default"].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str | None:
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same rows, whichever copy they were read from

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db != REPLICA  # the replica follows the primary's schema by replication
