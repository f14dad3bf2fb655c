"""The in-process half of the benchmark, run by bench/bench.py once per county (its DATABASE_URL set):

python bench/inproc.py pages     sessions for the demo accounts, each page's url and its query count (JSON)
python bench/inproc.py reports   each report command and the bare SQL aggregate it stands on, timed (JSON)
python bench/inproc.py jobs      run_jobs for today twice: the first run, then the run with nothing due (JSON)
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.pages import resolve  # noqa: E402
from users.models import User  # noqa: E402


def pages() -> dict:
    resolved = resolve()
    sessions, clients = {}, {}
    for email in {p["account"] for p in resolved}:
        client = Client()
        client.force_login(User.objects.get(email=email))
        sessions[email] = client.cookies["sessionid"].value
        clients[email] = client
    client = clients[resolved[0]["account"]]
    blank = {"key": "blank", "account": resolved[0]["account"], "url": "/bench/blank/", "target": "blank"}
    for page in [blank, *resolved]:
        client = clients[page["account"]]
        client.get(page["url"])  # warm: the first request pays for imports and template loading
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page["url"])
        page["status"] = response.status_code
        page["queries"] = len(ctx)
    return {"sessions": sessions, "pages": [blank, *resolved]}


# The bare SQL each report stands on: the aggregate, with no formatting, no Python per row.
REPORT_SQL = {
    "report_compliance": (
        "SELECT m.organization_id, mk.meetingkind_id, date_trunc('month', m.date) AS month, count(*) "
        "FROM education_meeting m JOIN education_meeting_kinds mk ON mk.meeting_id = m.id "
        "WHERE m.status = 'held' AND m.date BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3"
    ),
    # every row the report writes: the five rules as seeded (the paper's), rural ones on the organization's
    # sector, the benefits joined in code order, the organization each member belonged to on the day (a later
    # transfer undone, looked up only for those who moved) and the report's order: the same work, without Python
    "report_benefits": (
        "SELECT m.id_number, m.name, CASE WHEN m.id IN (SELECT t.member_id FROM members_transfer t "
        "WHERE t.transferred_on > %(today)s) THEN COALESCE((SELECT fo.code FROM members_transfer t "
        "JOIN branches_organization fo ON fo.id = t.from_organization_id WHERE t.member_id = m.id "
        "AND t.transferred_on > %(today)s ORDER BY t.transferred_on, t.id LIMIT 1), o.code) ELSE o.code END "
        "AS org_code, concat_ws(';', CASE WHEN m.full_member_on <= %(party50)s THEN 'cup_50' END, "
        "CASE WHEN o.sector = 'rural' AND m.birth_date <= %(age80)s THEN 'subsidy_80' END, "
        "CASE WHEN o.sector = 'rural' AND m.hardship THEN 'subsidy_poor' END, "
        "CASE WHEN o.sector = 'rural' AND m.admitted_on < '1949-10-01' THEN 'subsidy_pre1949' END, "
        "CASE WHEN (m.veteran_cadre AND m.birth_date <= %(age65)s) "
        "OR (m.full_member_on <= %(party40)s AND m.birth_date <= %(age60)s) THEN 'taxi_free' END) AS benefits "
        "FROM members_member m JOIN branches_organization o ON o.id = m.organization_id "
        "WHERE m.admitted_on <= %(today)s AND (m.died_on IS NULL OR m.died_on > %(today)s) "
        "AND (m.departed_on IS NULL OR m.departed_on > %(today)s) AND (m.full_member_on <= %(party50)s "
        "OR (o.sector = 'rural' AND (m.birth_date <= %(age80)s OR m.hardship OR m.admitted_on < '1949-10-01')) "
        "OR (m.veteran_cadre AND m.birth_date <= %(age65)s) "
        "OR (m.full_member_on <= %(party40)s AND m.birth_date <= %(age60)s)) ORDER BY 3, 1"
    ),
    # with the codes and the grade the report writes, in its order
    "report_evaluations": (
        "SELECT o.code, p.code, c.status, c.self_score, c.score, c.vetoed, g.label, "
        "rank() OVER (PARTITION BY c.parent_id, c.status ORDER BY c.score DESC NULLS LAST) "
        "FROM accountability_contract c JOIN branches_organization o ON o.id = c.organization_id "
        "JOIN branches_organization p ON p.id = c.parent_id "
        "LEFT JOIN accountability_gradeband g ON g.id = c.grade_id WHERE c.year = %(year)s ORDER BY p.path, o.code"
    ),
    "export_members": (
        "SELECT m.*, o.code FROM members_member m JOIN branches_organization o ON o.id = m.organization_id "
        "ORDER BY o.path, m.name"
    ),
}


def _interleaved_medians(n: int, *funcs) -> list[float]:
    """Each function's median time over `n` rounds, the functions taking turns within each round: a report and
    its bare SQL see the same machine (a moment of load on a shared 2-core machine falls on both, not on one)."""
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(n):
        for func, samples in zip(funcs, times, strict=True):
            start = time.perf_counter()
            func()
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in times]


def reports() -> dict:
    today = timezone.localdate()
    params = {
        "start": today.replace(month=1, day=1),
        "end": today.replace(month=12, day=31),
        "today": today,
        "age80": today.replace(year=today.year - 80),
        "age65": today.replace(year=today.year - 65),
        "age60": today.replace(year=today.year - 60),
        "party50": today.replace(year=today.year - 50),
        "party40": today.replace(year=today.year - 40),
        "year": today.year,
    }
    out = Path(tempfile.mkdtemp())
    commands = {
        "report_compliance": ["report_compliance", "--year", str(today.year)],
        "report_benefits": ["report_benefits", "--as-of", today.isoformat()],
        "report_evaluations": ["report_evaluations", "--year", str(today.year)],
        "export_members": ["export_members"],
    }
    result = {}
    for name, args in commands.items():

        def run(args=args, name=name):
            call_command(*args, "--output", str(out / f"{name}.csv"), stdout=io.StringIO())

        def sql(name=name):
            with connection.cursor() as cursor:
                cursor.execute(REPORT_SQL[name], params)
                cursor.fetchall()

        run()  # warm
        seconds, sql_seconds = _interleaved_medians(9, run, sql)
        result[name] = {"seconds": round(seconds, 4), "sql_seconds": round(sql_seconds, 4)}
    return result


def jobs() -> dict:
    """run_jobs as production runs it, with a broker: the e-mails a job creates are queued for the Celery
    workers, not sent by the job. Twice: the first run of the day, then with nothing due. Between the two, what
    one worker then does with the queue (send every e-mail, SEND_BATCH a task, as the tasks would), timed apart;
    the queue itself is emptied (no worker listens to the bench's broker)."""
    from celery import current_app

    from notifications.models import Delivery
    from notifications.services import SEND_BATCH, deliveries_send

    current_app.control.purge()
    result = {}
    for run in ("first", "again"):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            call_command("run_jobs", stdout=io.StringIO())
            seconds = time.perf_counter() - start
        result[run] = {"seconds": round(seconds, 2), "queries": len(ctx)}
        if run == "first":
            queued = list(
                Delivery.objects.filter(status=Delivery.Status.PENDING)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            current_app.control.purge()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                for i in range(0, len(queued), SEND_BATCH):
                    deliveries_send(delivery_ids=queued[i : i + SEND_BATCH])
                seconds = time.perf_counter() - start
            result["send"] = {"seconds": round(seconds, 2), "queries": len(ctx), "emails": len(queued)}
    current_app.control.purge()
    return result


if __name__ == "__main__":
    what = sys.argv[1]
    print(json.dumps({"pages": pages, "reports": reports, "jobs": jobs}[what](), default=str))
