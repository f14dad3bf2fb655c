"""Benchmark what users open, on the demo county and the large county side by side, in one run.

    ./bench/run [--keep] [--rounds N] [--scales demo,large] [--skip-jobs]

One variable names the database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pb_bench); the
two counties live in `<name>_demo` and `<name>_large` (with a pristine copy of each, `<name>_<scale>_pristine`, on
a fresh copy of which `run_jobs` is timed). Without --keep both are dropped, migrated, seeded and VACUUM ANALYZEd.

Pages are timed through gunicorn (production settings, DEBUG off), one server per county, with the requests
interleaved: for each round and page, the blank page and the page on the demo county, then on the large one.
Ratios are computed within the run: a page's p95 against the blank page's p95 on the same county, and the
large county's median against the demo county's. Query counts come from the same pages in process.
Writes bench/results.md (and bench/results/<time>.json) and exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = str(ROOT / ".venv" / "bin" / "python")
TARGETS = json.loads((HERE / "targets.json").read_text())


def database_urls(scales: list[str]) -> dict[str, str]:
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pb_bench")
    parts = urlsplit(base)
    name = parts.path.lstrip("/")
    return {scale: urlunsplit(parts._replace(path=f"/{name}_{scale}")) for scale in scales}


def env_for(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
        # the cache production has (Redis, shared by every worker), not a worker's own memory: a cached figure
        # costs its round trip and its unpickling here as it does there
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15"),
        # production mode has a broker: run_jobs queues the day's e-mails for the workers (bench/inproc.py
        # times what a worker then does with them apart, and empties the queue)
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
    }


def manage(url: str, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env_for(url), check=True, capture_output=capture, text=True
    )
    return done.stdout if capture else ""


def recreate(url: str) -> None:
    """Drop and create the database named in `url`, through the server's maintenance database."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def renamed(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_{suffix}"))


def copy_database(source: str, target: str) -> None:
    """`target` afresh as a copy of `source` (CREATE DATABASE … TEMPLATE: nobody may be connected to it)."""
    import psycopg2

    parts = urlsplit(target)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
        cursor.execute(
            f'CREATE DATABASE "{parts.path.lstrip("/")}" TEMPLATE "{urlsplit(source).path.lstrip("/")}"'
        )
    admin.close()


def seed(url: str, scale: str) -> float:
    """Seed the county, VACUUM ANALYZE it (as autovacuum leaves a production database: statistics and the
    visibility map that index-only scans need), and keep a pristine copy (`<name>_pristine`) on which every
    run, --keep or not, times `run_jobs` as the first run of a day."""
    recreate(url)
    manage(url, "migrate", "-v0")
    start = time.perf_counter()
    manage(url, "seed_demo", "--scale", scale, "--seed", "1")
    seconds = time.perf_counter() - start
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    conn.close()
    copy_database(url, renamed(url, "pristine"))
    return seconds


def jobs_on_a_copy(url: str) -> dict:
    """run_jobs twice (the first run of the day, then with nothing due) on a fresh copy of the pristine county,
    so that a kept county, whose day has already run, still measures a first run."""
    import psycopg2

    pristine, scratch = renamed(url, "pristine"), renamed(url, "jobs")
    conn = psycopg2.connect(url)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [urlsplit(pristine).path.lstrip("/")])
        found = cursor.fetchone()
    conn.close()
    if not found:
        raise SystemExit(f"{pristine} is missing: run ./bench/run without --keep once to seed it")
    copy_database(pristine, scratch)
    manage(scratch, "migrate", "-v0")
    # a copy repeats the pristine county's table versions: new tokens, so that nothing an earlier run cached
    # serves this one (the first run of a day computes its figures, as on a new day's data)
    manage(scratch, "renew_table_versions", "-v0")
    try:
        return inproc(scratch, "jobs")
    finally:
        parts = urlsplit(scratch)
        admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
        admin.close()


def inproc(url: str, what: str) -> dict:
    out = subprocess.run(
        [PY, str(HERE / "inproc.py"), what],
        cwd=ROOT,
        env=env_for(url),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env_for(url),
        start_new_session=True,
    )
    for _ in range(100):
        try:  # the first request pays for the imports: slow on a busy machine
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=30)
            return server, port
        except OSError:  # URLError, a refused connection, a timeout
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def get(port: int, path: str, session: str) -> tuple[int, float]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={session}"}
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - start


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def measure_pages(prepared: dict, servers: dict, rounds: int) -> dict:
    scales = list(servers)
    keys = [p["key"] for p in prepared[scales[0]]["pages"]]
    by_key = {s: {p["key"]: p for p in prepared[s]["pages"]} for s in scales}
    times = {s: {k: [] for k in keys} for s in scales}
    status = {s: {} for s in scales}
    for page_key in keys:  # warm every worker's caches once, untimed
        for s in scales:
            page = by_key[s][page_key]
            get(servers[s], page["url"], prepared[s]["sessions"][page["account"]])
    for _ in range(rounds):
        for page_key in keys[1:]:
            for s in scales:
                blank = by_key[s]["blank"]
                page = by_key[s][page_key]
                _, t = get(servers[s], blank["url"], prepared[s]["sessions"][blank["account"]])
                times[s]["blank"].append(t)
                code, t = get(servers[s], page["url"], prepared[s]["sessions"][page["account"]])
                times[s][page_key].append(t)
                status[s][page_key] = code
    return {"times": times, "status": status}


# The county-wide summaries are cached exactly (common/table_versions.py): measured warm above, as users open
# them between writes; here the first request after a write, which computes them again (no target: shown so
# that what a write costs the next reader stays in sight).
AFTER_A_WRITE = [
    "county home",
    "county dashboard, one quarter",
    "county organization page",
    "county statistics (党内统计)",
    "county dues totals",
]


def bump_versions(url: str) -> None:
    """What a committed write to every tracked table does to the versions (no data changes)."""
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("UPDATE common_tableversion SET n = n + 1")
    conn.close()


def measure_after_a_write(prepared: dict, servers: dict, urls: dict, rounds: int) -> dict:
    times = {s: {k: [] for k in AFTER_A_WRITE} for s in servers}
    for _ in range(rounds):
        for key in AFTER_A_WRITE:
            for s in servers:
                page = next(p for p in prepared[s]["pages"] if p["key"] == key)
                bump_versions(urls[s])
                _, t = get(servers[s], page["url"], prepared[s]["sessions"][page["account"]])
                times[s][key].append(t)
    return times


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    return f"{os.cpu_count()} cores {cpu}, {memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="reuse the seeded databases")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--scales", default="demo,large")
    parser.add_argument(
        "--skip-jobs", action="store_true", help="do not time run_jobs (it writes deliveries)"
    )
    args = parser.parse_args()
    scales = args.scales.split(",")
    urls = database_urls(scales)
    seeded = {}
    if not args.keep:
        for scale in scales:
            print(f"seeding {scale} …", flush=True)
            seeded[scale] = round(seed(urls[scale], scale), 1)
    else:
        for scale in scales:  # the kept counties get the migrations that came since they were seeded
            manage(urls[scale], "migrate", "-v0")
    manage(urls[scales[0]], "collectstatic", "--noinput", "-v0")  # production serves hashed static names

    prepared = {s: inproc(urls[s], "pages") for s in scales}
    counts = {s: {p["key"]: p["queries"] for p in prepared[s]["pages"]} for s in scales}
    servers, processes = {}, []
    try:
        for s in scales:
            process, port = start_server(urls[s])
            processes.append(process)
            servers[s] = port
        print(
            f"timing {len(prepared[scales[0]]['pages']) - 1} pages × {len(scales)} counties × {args.rounds} rounds …"
        )
        timed = measure_pages(prepared, servers, args.rounds)
        after_a_write = measure_after_a_write(prepared, servers, urls, max(3, args.rounds // 3))
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
    reports = {s: inproc(urls[s], "reports") for s in scales}
    jobs = {} if args.skip_jobs else {s: jobs_on_a_copy(urls[s]) for s in scales}

    rows, missed = [], []
    big, small = scales[-1], scales[0]
    for page in prepared[big]["pages"][1:]:
        key = page["key"]
        row = {"key": key, "target": page["target"]}
        for s in scales:
            values = timed["times"][s][key]
            row[s] = {
                "status": timed["status"][s].get(key),
                "median_ms": round(statistics.median(values) * 1000, 1),
                "p95_ms": round(p95(values) * 1000, 1),
                "queries": counts[s][key],
                "vs_blank": round(p95(values) / p95(timed["times"][s]["blank"]), 1),
            }
        limit = (
            TARGETS["summary_p95_vs_blank"] if page["target"] == "summary" else TARGETS["page_p95_vs_blank"]
        )
        row["limit_vs_blank"] = limit
        row["large_vs_demo"] = (
            round(row[big]["median_ms"] / row[small]["median_ms"], 2) if big != small else None
        )
        problems = []
        if any(row[s]["status"] != 200 for s in scales):
            problems.append("status " + "/".join(str(row[s]["status"]) for s in scales))
        if row[big]["vs_blank"] > limit:
            problems.append(f"p95 {row[big]['vs_blank']}x blank > {limit}x")
        if row["large_vs_demo"] is not None and row["large_vs_demo"] > TARGETS["large_vs_demo_median"]:
            problems.append(f"large/demo {row['large_vs_demo']} > {TARGETS['large_vs_demo_median']}")
        if len({row[s]["queries"] for s in scales}) > 1:
            problems.append("query counts differ")
        row["problems"] = problems
        missed += [key] if problems else []
        rows.append(row)
    report_rows = []
    for name, figures in reports[big].items():
        ratio = figures["seconds"] / max(figures["sql_seconds"], 1e-4)
        ok = ratio <= TARGETS["report_vs_sql"]
        report_rows.append((name, figures, round(ratio, 1), ok))
        missed += [] if ok else [name]
    job_rows = []
    if jobs:
        first, again = jobs[big]["first"], jobs[big]["again"]
        for label, figures, limit in (
            ("run_jobs, first run", first, TARGETS["run_jobs_first_s"]),
            ("run_jobs, nothing due", again, TARGETS["run_jobs_idle_s"]),
        ):
            ok = figures["seconds"] <= limit
            job_rows.append((label, figures, limit, ok))
            missed += [] if ok else [label]

    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"- when: {when}; commit {git('rev-parse', '--short', 'HEAD')}"
        + (" (uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""),
        f"- machine: {machine()}",
        f"- command: `./bench/run{' --keep' if args.keep else ''} --rounds {args.rounds} --scales {args.scales}`",
        "- databases: " + ", ".join(f"{s} `{urlsplit(u).path.lstrip('/')}`" for s, u in urls.items()),
        "- blank page p95: "
        + ", ".join(f"{s} {p95(timed['times'][s]['blank']) * 1000:.1f} ms" for s in scales)
        + " (gunicorn, one worker, production settings)",
    ]
    if seeded:
        lines.append("- seed_demo: " + ", ".join(f"{s} {v} s" for s, v in seeded.items()))
    lines += [
        "",
        f"Targets: p95 ≤ {TARGETS['page_p95_vs_blank']}× blank (county-wide summaries ≤ "
        f"{TARGETS['summary_p95_vs_blank']}×), large/demo median ≤ {TARGETS['large_vs_demo_median']}, equal "
        f"query counts; reports ≤ {TARGETS['report_vs_sql']}× their bare SQL; run_jobs on the large county < "
        f"{TARGETS['run_jobs_first_s']} s first, < {TARGETS['run_jobs_idle_s']} s when nothing is due.",
        "",
        "| page | "
        + " | ".join(f"{s} median / p95 ms" for s in scales)
        + " | p95 ÷ blank | large ÷ demo | queries | |",
        "|---|" + "---|" * len(scales) + "---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['key']} | "
            + " | ".join(f"{row[s]['median_ms']} / {row[s]['p95_ms']}" for s in scales)
            + f" | {row[big]['vs_blank']} (≤ {row['limit_vs_blank']}) | {row['large_vs_demo'] or '–'} | "
            + "/".join(str(row[s]["queries"]) for s in scales)
            + f" | {'MISSED: ' + '; '.join(row['problems']) if row['problems'] else 'met'} |"
        )
    lines += [
        "",
        "The first request after a write (every table version bumped before each request, so every cached figure "
        "is computed again; no target):",
        "",
        "| page | " + " | ".join(f"{s} median / p95 ms" for s in scales) + " | p95 ÷ blank |",
        "|---|" + "---|" * len(scales) + "---|",
    ]
    for key in AFTER_A_WRITE:
        values = {s: after_a_write[s][key] for s in scales}
        lines.append(
            f"| {key} | "
            + " | ".join(
                f"{statistics.median(values[s]) * 1000:.1f} / {p95(values[s]) * 1000:.1f}" for s in scales
            )
            + f" | {p95(values[big]) / p95(timed['times'][big]['blank']):.1f} |"
        )
    lines += ["", f"| report ({big}) | seconds | bare SQL seconds | ratio | |", "|---|---|---|---|---|"]
    for name, figures, ratio, ok in report_rows:
        lines.append(
            f"| {name} | {figures['seconds']} | {figures['sql_seconds']} | {ratio} (≤ {TARGETS['report_vs_sql']}) "
            f"| {'met' if ok else 'MISSED'} |"
        )
    if job_rows:
        lines += ["", f"| job ({big}) | seconds | queries | target | |", "|---|---|---|---|---|"]
        for label, figures, limit, ok in job_rows:
            lines.append(
                f"| {label} | {figures['seconds']} | {figures['queries']} | < {limit} s | {'met' if ok else 'MISSED'} |"
            )
        send = jobs[big]["send"]
        lines.append(
            f"| sending the first run's {send['emails']} e-mails (what one Celery worker does after it; "
            f"file backend) | {send['seconds']} | {send['queries']} | none | |"
        )
    lines += ["", f"**{'All targets met.' if not missed else f'{len(missed)} target(s) missed.'}**", ""]
    (HERE / "results.md").write_text("\n".join(lines), encoding="utf-8")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"{when.replace(':', '').replace(' ', '_')}.json").write_text(
        json.dumps(
            {
                "pages": rows,
                "after_a_write": after_a_write,
                "reports": reports,
                "jobs": jobs,
                "seeded": seeded,
            },
            indent=2,
        )
    )
    print("\n".join(lines))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
