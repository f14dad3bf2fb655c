"""Time the reports and hot pages of an already seeded county (see bench/run). Prints a table, writes JSON."""

import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from branches.models import Organization  # noqa: E402
from members.models import Member  # noqa: E402
from users.models import User  # noqa: E402

HERE = Path(__file__).resolve().parent
targets = json.loads((HERE / "targets.json").read_text())
today = timezone.localdate()
results: dict = {
    "when": dt.datetime.now().isoformat(timespec="seconds"),
    "database": connection.vendor,
    "organizations": Organization.objects.count(),
    "members": Member.objects.count(),
    "timings": {},
    "pages": {},
}
seed = os.environ.get("SEED_MILLISECONDS")
if seed and seed != "null":
    results["timings"]["seed_demo_large"] = round(int(seed) / 1000, 2)


def timed(name, *args, **kwargs):
    start = time.perf_counter()
    call_command(*args, stdout=io.StringIO(), **kwargs)
    results["timings"][name] = round(time.perf_counter() - start, 3)


out = "/tmp/bench-out"
timed("report_compliance_year", "report_compliance", "--year", str(today.year), "--output", out + ".csv")
timed("report_benefits", "report_benefits", "--as-of", today.isoformat(), "--output", out + "-b.csv")
timed("report_evaluations", "report_evaluations", "--year", str(today.year), "--output", out + "-e.csv")
timed("export_members_csv", "export_members", "--output", out + "-m.csv")

county_org = Organization.objects.get(kind=Organization.Kind.COUNTY)
county = User.objects.get(email="county@demo.local")
township = User.objects.get(email="township@demo.local")
PAGES = [
    (county, "dashboard:home", {}),
    (county, "branches:detail", {}, [county_org.pk]),
    (county, "members:list", {}),
    (county, "members:list", {"q": "王"}),
    (county, "branches:list", {}),
    (county, "education:compliance", {}),
    (township, "education:compliance", {}),
    (county, "care:eligible", {}, [county_org.pk]),
    (county, "accountability:rankings", {}),
    (county, "accountability:contracts", {}),
]
for user, name, params, *args in PAGES:
    client = Client()
    client.force_login(user)
    try:
        url = reverse(name, args=args[0] if args else None)
    except Exception as e:  # a page renamed: say so, don't hide it
        results["pages"][name] = {"error": repr(e)}
        continue
    times = []
    for _ in range(5):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - start)
    key = f"{user.email.split('@')[0]} {name}" + (f" {params}" if params else "")
    results["pages"][key] = {
        "status": response.status_code,
        "median_s": round(statistics.median(times), 3),
        "queries": len(ctx),
    }

failed = []
for name, seconds in results["timings"].items():
    limit = targets.get(name)
    ok = limit is None or seconds <= limit
    failed += [] if ok else [name]
    print(f"{name:28} {seconds:8.2f} s   target {limit} s   {'ok' if ok else 'SLOW'}")
for name, row in results["pages"].items():
    if "error" in row:
        print(f"{name:50} {row['error']}")
        failed.append(name)
        continue
    ok = row["status"] == 200 and row["median_s"] <= targets["page_median"]
    failed += [] if ok else [name]
    print(
        f"{name:50} {row['status']} {row['median_s']:6.3f} s {row['queries']:4d} queries  {'ok' if ok else 'SLOW'}"
    )
print(f"{results['organizations']} organizations, {results['members']} members, {connection.vendor}")
(HERE / "results").mkdir(exist_ok=True)
(HERE / "results" / f"{results['when'].replace(':', '')}.json").write_text(json.dumps(results, indent=2))
sys.exit(1 if failed else 0)
