"""Exact caching of figures computed from whole tables (issue 14).

The county's summaries (its dashboard, its organization page, 党内统计, the dues totals, the 三会一课 cells)
read tens of thousands of rows on every request, a cost that grows with the county. They are kept in the cache
(Redis in production) under the versions of the tables they are computed from.

Exact, not a timeout: each tracked table's version (common.TableVersion) is bumped by database triggers in the
very transaction that writes the table (`track_tables`, called by the migration of the app that owns it), so
it becomes visible together with the data. The versions are read before the figures are computed, so figures
stored under a version were computed from data at least that new, and versions seen after a write can never
find figures computed before it. Inside a transaction (every test, a request that writes first) nothing is
read from or stored in the cache: what it would store might yet be rolled back.

PostgreSQL: a deferred constraint trigger per row bumps the table's row once per transaction, at commit (the
version row is locked only for the instant of the commit, not for the length of an import), and a statement
trigger for TRUNCATE. SQLite: a trigger per row and operation (SQLite writes one transaction at a time).
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, migrations, router

from .models import TableVersion

T = TypeVar("T")
CACHE_SECONDS = 24 * 3600  # callers put the day into the key when the figures depend on it
_ABSENT = object()

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION common_table_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('common_touched.' || TG_TABLE_NAME, true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('common_touched.' || TG_TABLE_NAME, txid_current()::text, true);
        INSERT INTO common_tableversion ("table", token, n) VALUES (TG_TABLE_NAME, md5(random()::text), 1)
        ON CONFLICT ("table") DO UPDATE SET n = common_tableversion.n + 1;
    END IF;
    RETURN NULL;
END
$$
"""


def _sqlite_trigger(table: str, operation: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS common_touch_{operation.lower()}_{table} AFTER {operation} ON {table}"
        f' BEGIN INSERT INTO common_tableversion ("table", token, n)'
        f" VALUES ('{table}', lower(hex(randomblob(16))), 1)"
        f' ON CONFLICT ("table") DO UPDATE SET n = n + 1; END'
    )


def triggers_create(schema_editor, tables: Iterable[str]) -> None:
    """Idempotent: the browser tests run every RunPython again after a flush (tests/browser/conftest.py)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS common_table_touch ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS common_table_truncate ON {table}")
            schema_editor.execute(
                f"CREATE CONSTRAINT TRIGGER common_table_touch AFTER INSERT OR UPDATE OR DELETE ON {table}"
                f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION common_table_touch()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER common_table_truncate AFTER TRUNCATE ON {table}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION common_table_touch()"
            )
    elif vendor == "sqlite":
        for table in tables:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(_sqlite_trigger(table, operation))
    else:
        raise NotImplementedError(f"table version triggers for {vendor}")


def triggers_drop(schema_editor, tables: Iterable[str]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS common_table_touch ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS common_table_truncate ON {table}")
        else:
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS common_touch_{operation}_{table}")


def track_tables(*tables: str) -> migrations.RunPython:
    """The migration operation that puts the version triggers on `tables` (the app's own), and takes them off
    when unapplied. The migration depends on common's 0001."""

    def forward(apps, schema_editor):
        triggers_create(schema_editor, tables)

    def backward(apps, schema_editor):
        triggers_drop(schema_editor, tables)

    return migrations.RunPython(forward, backward)


def table_versions(tables: Iterable[str]) -> str | None:
    """The versions of `tables` as one string, or None inside a transaction (nothing may be cached then). A
    table whose row is missing (never written since the flush that emptied the versions) gets one under a new
    token, so that a version string is never seen twice for different contents."""
    if connection.in_atomic_block:
        return None
    names = sorted(set(tables))
    found = _read(names)
    if len(found) < len(names):  # made under new tokens, unless a writer made them first; then read again
        TableVersion.objects.bulk_create(
            [TableVersion(table=t, token=uuid.uuid4().hex, n=0) for t in names if t not in found],
            ignore_conflicts=True,
        )
        found = _read(names)
        if len(found) < len(names):
            return None  # a replica that has not replayed them yet: computed, not cached, this once
    return ",".join(found[t] for t in names)


def versions_renew() -> int:
    """Every table's version under a new token; returns how many. For a database that is a copy of another (a
    restored backup, a copy for a test run): its versions repeat the original's, and once each is written to, the
    same version could stand for different contents, so figures cached for one could be read for the other.
    Run it (`manage.py renew_table_versions`) after restoring and before serving."""
    tables = list(TableVersion.objects.values_list("table", flat=True))
    for table in tables:
        TableVersion.objects.filter(table=table).update(token=uuid.uuid4().hex)
    return len(tables)


@functools.cache
def code_version() -> str:
    """A digest of our code (every app's Python and the templates): part of every key, so that what a release
    computes or renders differently is never read from what the one before it stored under the same versions."""
    base = Path(settings.BASE_DIR).resolve()
    folders = [base / "templates"] + [
        Path(config.path).resolve()
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base) and ".venv" not in Path(config.path).parts
    ]
    digest = hashlib.sha1()
    for folder in sorted(set(folders)):
        for path in sorted(p for p in folder.rglob("*") if p.suffix in (".py", ".html") and p.is_file()):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _read(names: list[str]) -> dict[str, str]:
    """One small statement on every cached read: written in SQL (the ORM's query building cost more than it),
    on the database the ORM would read (the replica inside reads_from_replica: the versions come from the same
    database as the figures computed under them, never newer than those)."""
    with connections[router.db_for_read(TableVersion)].cursor() as cursor:
        cursor.execute(
            f'SELECT "table", token, n FROM common_tableversion WHERE "table" IN ({", ".join(["%s"] * len(names))})',
            names,
        )
        return {table: f"{token}:{n}" for table, token, n in cursor.fetchall()}


def cached_exactly(
    key: str, *, tables: Iterable[str], compute: Callable[[], T], seconds: int = CACHE_SECONDS
) -> T:
    """compute(), from the cache while none of `tables` has been written since it was stored (one query for the
    versions) and the code is the same (code_version). `key` must hold every argument the figures depend on (the
    organization, the day, the language of any names in them...); `tables` every table compute() reads."""
    versions = table_versions(tables)
    if versions is None:
        return compute()
    full_key = f"exact:{code_version()}:{key}:{hashlib.sha1(versions.encode()).hexdigest()}"
    value = cache.get(full_key, _ABSENT)
    if value is _ABSENT:
        value = compute()
        cache.set(full_key, value, seconds)
    return value
