"""report_statistics --as-of YYYY-MM-DD [--org CODE] [--format csv|xlsx] [--output FILE]

党内统计: one row per measure and category, zeros included (members.statistics.party_statistics):
org_code,measure,category,count — org_code is the report's organization (the county without --org).
"""

from __future__ import annotations

import contextlib
import time

from django.core.management.base import BaseCommand, CommandError

from branches.models import Organization
from common.commands import date_option
from common.replica import reads_from_replica
from common.spreadsheets.tables import stream_csv, stream_xlsx
from members.statistics import COLUMNS, FIRST_DAY, party_statistics, statistics_records


class Command(BaseCommand):
    help = (
        "党内统计: the members on the roll of an organization's subtree on a date by status, gender, "
        "ethnicity, age, admission period, education and occupation, and the organizations under it by kind."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--org", help="organization code (default: the county)")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output; required for xlsx)")

    @reads_from_replica  # a whole county's rows, from the read replica when there is one
    def handle(self, *args, as_of, org=None, format="csv", output=None, **options):
        as_of_date = date_option(as_of)
        if as_of_date < FIRST_DAY:
            raise CommandError(f"--as-of must be on or after {FIRST_DAY.isoformat()}")
        if org:
            organization = Organization.objects.filter(code=org).first()
            if organization is None:
                raise CommandError(f"No organization with code {org!r}")
        else:
            organization = (
                Organization.objects.filter(kind=Organization.Kind.COUNTY, parent__isnull=True)
                .order_by("path")
                .first()
            )
            if organization is None:
                raise CommandError("There is no county organization yet: import the organizations first.")
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE")
        started = time.perf_counter()
        rows = party_statistics(org=organization, as_of=as_of_date)
        records = statistics_records(org=organization, rows=rows)
        if format == "xlsx":
            stream_xlsx(output, COLUMNS, records, sheet_title=f"statistics {as_of_date.isoformat()}")
        else:
            with contextlib.ExitStack() as stack:
                handle = (
                    stack.enter_context(open(output, "w", newline="", encoding="utf-8"))
                    if output
                    else self.stdout
                )
                stream_csv(handle, COLUMNS, records)
        elapsed = time.perf_counter() - started
        self.stderr.write(f"{len(rows)} rows for {organization.code} on {as_of_date} ({elapsed:.2f}s)")
