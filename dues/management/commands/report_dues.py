"""report_dues --month YYYY-MM [--org CODE] [--format csv|xlsx] [--output FILE]

One row per member with a dues record who is a member at some time in the month:
id_number,name,org_code,category,base,amount,paid_through,months_unpaid
`amount` the month's dues, `paid_through` the last month of the unbroken run of paid months from the start
month (blank if none), `months_unpaid` the months from the start month through the report month that no
payment covers. The report carries full ID numbers: it is recorded like an export.
"""

from __future__ import annotations

import contextlib
import time

from django.core.management.base import BaseCommand, CommandError

from branches.models import Organization
from common.replica import reads_from_replica
from common.spreadsheets.tables import stream_csv, stream_xlsx
from dues import rates
from dues.selectors import REPORT_COLUMNS, report_rows
from members.services import command_line_actor, members_export_recorded
from users.services import system_user


class Command(BaseCommand):
    help = "Party dues for a month: one row per member with a dues record (CSV or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--org", help="organization code: its subtree only (default: the whole county)")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output; required for xlsx)")

    @reads_from_replica  # a whole county's rows, from the read replica when there is one
    def handle(self, *args, month, org=None, format="csv", output=None, **options):
        try:
            first = rates.parse_month(month)
        except rates.DuesError:
            raise CommandError(f"--month must be a month YYYY-MM, not {month!r}") from None
        organization = None
        if org:
            organization = Organization.objects.filter(code=org).first()
            if organization is None:
                raise CommandError(f"No organization with code {org!r}")
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE")
        started = time.perf_counter()
        rows = report_rows(month=first, org=organization)
        members_export_recorded(
            by=system_user(),
            count=len(rows),
            detail=" ".join(filter(None, [command_line_actor("report_dues"), month, org])),
        )
        if format == "xlsx":
            stream_xlsx(output, REPORT_COLUMNS, rows, sheet_title=rates.month_label(first))
        else:
            with contextlib.ExitStack() as stack:
                handle = (
                    stack.enter_context(open(output, "w", newline="", encoding="utf-8"))
                    if output
                    else self.stdout
                )
                stream_csv(handle, REPORT_COLUMNS, rows)
        self.stderr.write(
            f"{len(rows)} members in {rates.month_label(first)} ({time.perf_counter() - started:.2f}s)"
        )
