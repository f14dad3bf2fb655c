"""python manage.py report_recruitment --as-of D [--org CODE] [--format csv|xlsx] [--output FILE]

One row per person who had applied by D, their stage on D:
id_number,name,org_code,stage,stage_since,next_step,due
(`stage`: applicant, activist, target, probationary, full; `due`: the date by which `next_step` is owed by
the rules, blank when none is owed.)
"""

from __future__ import annotations

import contextlib

from django.core.management.base import BaseCommand, CommandError

from branches.selectors import organization_get_by_code
from common.commands import date_option
from common.replica import reads_from_replica
from common.spreadsheets.tables import stream_csv, stream_xlsx
from members.services import command_line_actor, members_export_recorded
from users.services import system_user

from ...selectors import report_rows

COLUMNS = ["id_number", "name", "org_code", "stage", "stage_since", "next_step", "due"]


class Command(BaseCommand):
    help = "The recruitment pipeline on a date: one row per person with their stage, next step and due date."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="The date (YYYY-MM-DD).")
        parser.add_argument("--org", help="Organization code: report its subtree only.")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="File to write (default: standard output; required for xlsx).")

    @reads_from_replica  # a whole county's rows, from the read replica when there is one
    def handle(self, *args, as_of, org, format, output, **options):
        day = date_option(as_of)
        root = None
        if org:
            root = organization_get_by_code(org)
            if root is None:
                raise CommandError(f"No organization with the code {org!r}.")
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE.")
        rows = report_rows(as_of=day, org=root)
        # The report carries full ID numbers: recorded like the roster's exports (PIPL).
        members_export_recorded(
            by=system_user(), count=len(rows), detail=command_line_actor("report_recruitment")
        )
        if format == "xlsx":
            stream_xlsx(output, COLUMNS, rows, sheet_title=day.isoformat())
        else:
            with contextlib.ExitStack() as stack:
                handle = (
                    stack.enter_context(open(output, "w", newline="", encoding="utf-8"))
                    if output
                    else self.stdout
                )
                stream_csv(handle, COLUMNS, rows)
        if output:
            self.stderr.write(f"{len(rows)} rows written to {output}")
