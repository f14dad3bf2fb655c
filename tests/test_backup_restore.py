"""Backup and restore on PostgreSQL (docs/backup.md): the demo county, dumped with pg_dump and restored with
pg_restore into an empty database, has every table's row count equal."""

import shutil
import subprocess
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from tests.concurrency import concurrent, require_postgres, seeded  # noqa: F401
from tests.conftest import IN_CI

pytestmark = [concurrent, pytest.mark.services]


def _tools():
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            if IN_CI:
                pytest.fail(f"{tool} is required under CI=true")
            pytest.skip(f"{tool} not installed")


def _counts(conn, tables):
    with conn.cursor() as cursor:
        found = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            found[table] = cursor.fetchone()[0]
        return found


def _env(settings_dict):
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin"}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _args(settings_dict):
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    return args


@pytest.mark.usefixtures("seeded")
def test_demo_county_survives_pg_dump_and_pg_restore(tmp_path):
    require_postgres()
    _tools()

    call_command("seed_demo", "--seed", "3", "--as-of", "2026-06-30", verbosity=0)
    tables = connection.introspection.table_names()
    before = _counts(connection, tables)
    assert before["members_member"] > 100 and before["education_meeting"] > 0

    sd = connection.settings_dict
    dump = tmp_path / "county.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *_args(sd), sd["NAME"]],
        check=True,
        env=_env(sd),
        timeout=300,
    )
    restored = f"{sd['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, *_args(sd), str(dump)],
            check=True,
            env=_env(sd),
            timeout=300,
        )
        query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
        out = subprocess.run(
            ["psql", "--no-psqlrc", "-tA", "-F", "\t", "-c", query, *_args(sd), restored],
            check=True,
            env=_env(sd),
            timeout=120,
            capture_output=True,
            text=True,
        ).stdout
        after = {t: int(n) for t, n in (line.split("\t") for line in out.splitlines() if line)}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}"')
    assert after == before
