"""Helpers for the concurrency tests: they need PostgreSQL (row locks, real parallel transactions) and run
each actor in its own thread with its own database connection."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections

from tests.conftest import IN_CI

# A concurrency test: real transactions (not the test's wrapping one). Use it with the `seeded` fixture when the
# test needs the rows the data migrations seed: an earlier transactional test's flush removed them.
# (serialized_rollback is no help: after a flush without it the content types come back twice.)
concurrent = pytest.mark.django_db(transaction=True)

SEED_MIGRATIONS = [
    ("care.migrations.0002_seed_rules_policies", "seed"),
    ("education.migrations.0002_seed_meeting_kinds", "seed"),
    ("accountability.migrations.0002_grade_bands", "add_bands"),
    ("recruitment.migrations.0002_seed_rules", "seed"),
]


@pytest.fixture
def seeded(transactional_db):
    """The rows the data migrations seed (benefit rules, meeting kinds, grade bands, recruitment rules), put back if a flush
    took them (each seed is idempotent: get_or_create)."""
    for module, function in SEED_MIGRATIONS:
        getattr(importlib.import_module(module), function)(django_apps, None)


def require_postgres() -> None:
    """Skip on SQLite (one writer at a time, no row locks); under CI=true, where DATABASE_URL points at
    PostgreSQL, fail instead."""
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("PostgreSQL is required under CI=true (DATABASE_URL)")
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://...")


def run_together(*actors: Callable[[Callable[[], None]], Any], timeout: float = 30) -> list[tuple[str, Any]]:
    """Run each actor in its own thread; each gets `go`, a barrier it calls once it has read what a browser
    would have read (the page it submits), so all of them then write at the same moment. Returns, in order,
    ("ok", result) or ("error", exception) per actor."""
    barrier = threading.Barrier(len(actors), timeout=timeout)
    results: list[tuple[str, Any]] = [("error", TimeoutError())] * len(actors)

    def run(i: int, actor) -> None:
        try:
            results[i] = ("ok", actor(barrier.wait))
        except Exception as e:
            results[i] = ("error", e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a), daemon=True) for i, a in enumerate(actors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
