"""python manage.py report_compliance --year 2026 [--org CODE] [--format csv|xlsx] [--output FILE]

One row per organization, kind, period and party group:
org_code,kind,party_group,period,required,held,status
"""

from __future__ import annotations

import contextlib
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from branches.models import Organization
from branches.paths import subtree_q
from common.commands import date_option
from common.replica import reads_from_replica
from common.spreadsheets.tables import stream_csv, stream_xlsx

from ...compliance import compliance_records

COLUMNS = ["org_code", "kind", "party_group", "period", "required", "held", "status"]


class Command(BaseCommand):
    help = "三会一课 compliance for a year, one row per organization, kind, period and party group."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--org", help="Organization code: report its subtree only.")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="File to write (default: standard output; required for xlsx).")
        parser.add_argument("--as-of", help="Judge periods as of this date (YYYY-MM-DD; default today).")

    @reads_from_replica  # a whole county's rows, from the read replica when there is one
    def handle(self, *args, year, org, format, output, as_of, **options):
        started = time.monotonic()
        as_of_date = date_option(as_of) if as_of else timezone.localdate()
        orgs = None  # every organization: its counts read through the exact cache (county_measured)
        if org:
            root = Organization.objects.filter(code=org).first()
            if root is None:
                raise CommandError(f"No organization with the code {org!r}.")
            orgs = Organization.objects.filter(subtree_q(root, ""))
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE.")
        rows = records = compliance_records(orgs, year=year, as_of=as_of_date)
        if format == "xlsx":
            stream_xlsx(output, COLUMNS, records, sheet_title=f"{year}")
        else:
            with contextlib.ExitStack() as stack:
                handle = (
                    stack.enter_context(open(output, "w", newline="", encoding="utf-8"))
                    if output
                    else self.stdout
                )
                stream_csv(handle, COLUMNS, records)
        if output:
            self.stderr.write(f"{len(rows)} rows written to {output} in {time.monotonic() - started:.2f}s")
        elif options.get("verbosity", 1) > 1:
            sys.stderr.write(f"{len(rows)} rows in {time.monotonic() - started:.2f}s\n")
