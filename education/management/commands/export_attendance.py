"""python manage.py export_attendance --org CODE --year Y [--format csv|xlsx] [--output FILE]

One row per expected attendee per held meeting with recorded attendance in the organization's subtree:
date,kinds,party_group,id_number,name,status  (status: present, absent, leave; kinds: codes joined by ;)
sorted by date, then meeting, then name.
"""

from __future__ import annotations

import contextlib

from django.core.management.base import BaseCommand, CommandError

from branches.models import Organization
from common.replica import reads_from_replica
from common.spreadsheets.tables import stream_csv, stream_xlsx

from ...selectors import EXPORT_COLUMNS, attendance_export_rows


class Command(BaseCommand):
    help = "Recorded 三会一课 attendance of a year, one row per expected attendee per meeting."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization code: its subtree.")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="File to write (default: standard output; required for xlsx).")

    @reads_from_replica  # a whole county's rows, from the read replica when there is one
    def handle(self, *args, org, year, format, output, **options):
        root = Organization.objects.filter(code=org).first()
        if root is None:
            raise CommandError(f"No organization with the code {org!r}.")
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE.")
        rows = attendance_export_rows(organization=root, year=year)
        if format == "xlsx":
            count = stream_xlsx(output, EXPORT_COLUMNS, rows, sheet_title=f"{year}")
        else:
            with contextlib.ExitStack() as stack:
                handle = (
                    stack.enter_context(open(output, "w", newline="", encoding="utf-8"))
                    if output
                    else self.stdout
                )
                count = stream_csv(handle, EXPORT_COLUMNS, rows)
        if output:
            self.stderr.write(f"{count} rows written to {output}")
