"""report_benefits --as-of YYYY-MM-DD [--org CODE] [--format csv|xlsx] [--output FILE] [--user EMAIL]

One row per living member eligible for at least one benefit on the date:
id_number,name,org_code,benefits (codes sorted, joined by ';'). Evaluated in one database query.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from branches.models import Organization
from branches.selectors import scope_for
from care.selectors import report_rows
from common.commands import date_option
from common.replica import reads_from_replica
from common.spreadsheets.tables import stream_csv, stream_xlsx
from members.models import Member
from members.selectors import living_on
from members.services import command_line_actor, members_export_recorded
from users.models import User
from users.services import system_user

COLUMNS = ["id_number", "name", "org_code", "benefits"]


class Command(BaseCommand):
    help = "List every living member eligible for at least one benefit on a date (CSV or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--org", help="organization code (default: the whole county)")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output; required for xlsx)")
        parser.add_argument("--user", help="e-mail of a user: restrict to what that user may see")

    @reads_from_replica  # a whole county's rows, from the read replica when there is one
    def handle(self, *args, as_of, org=None, format="csv", output=None, user=None, **options):
        as_of_date = date_option(as_of)
        members = Member.objects.all()
        if org:
            organization = Organization.objects.filter(code=org).first()
            if organization is None:
                raise CommandError(f"No organization with code {org!r}")
            members = living_on(on=as_of_date, org=organization)  # its subtree on that day
        if user:
            account = User.objects.filter(email__iexact=user).first()
            if account is None:
                raise CommandError(f"No user {user!r}")
            members = scope_for(account).filter(members, "organization")
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE")
        started = time.perf_counter()
        rows = report_rows(members=members, as_of=as_of_date)
        # The report carries full ID numbers: recorded like an export (PIPL).
        members_export_recorded(
            by=account if user else system_user(),
            count=len(rows),
            detail=" ".join(filter(None, [command_line_actor("report_benefits"), org])),
        )
        if format == "csv":
            if output:
                with open(output, "w", newline="", encoding="utf-8") as f:
                    self._csv(f, rows)
            else:
                self._csv(self.stdout, rows)
        else:
            self._xlsx(output, rows)
        elapsed = time.perf_counter() - started
        self.stderr.write(f"{len(rows)} members eligible on {as_of_date} ({elapsed:.2f}s)")

    @staticmethod
    def _csv(stream, rows):
        stream_csv(stream, COLUMNS, rows)

    @staticmethod
    def _xlsx(path, rows):
        stream_xlsx(path, COLUMNS, rows, sheet_title="benefits")
