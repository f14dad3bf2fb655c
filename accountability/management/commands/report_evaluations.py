"""One row per responsibility contract of a year:

    org_code,parent_code,year,status,self_score,score,vetoed,grade,rank

`status` is the contract state (draft / issued / signed / evaluated); `vetoed` is yes/no; `grade` is the
Chinese band (好 / 较好 / 一般 / 差); `rank` is within the issuing organization, among its evaluated
contracts (a vetoed one after all others). A contract not yet evaluated has its self-score if given, and
blank score, grade and rank (vetoed "no"): nothing is invented for it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accountability.exports import csv_text, xlsx_bytes
from accountability.selectors import evaluation_report_rows
from branches.selectors import organization_get_by_code
from common.replica import reads_from_replica

COLUMNS = ["org_code", "parent_code", "year", "status", "self_score", "score", "vetoed", "grade", "rank"]


class Command(BaseCommand):
    help = "Export the year's contract evaluations (one row per contract) as csv or xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--org", help="organization code: only contracts in its subtree")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output; required for xlsx)")

    @reads_from_replica  # a whole county's rows, from the read replica when there is one
    def handle(self, *args, year: int, org: str | None, format: str, output: str | None, **options):
        organization = None
        if org:
            organization = organization_get_by_code(org)
            if organization is None:
                raise CommandError(f"No organization with code {org!r}.")
        rows = evaluation_report_rows(year=year, organization=organization)  # as written: one query
        if format == "xlsx":
            if not output:
                raise CommandError("--output is required for xlsx.")
            with open(output, "wb") as fh:
                fh.write(xlsx_bytes(COLUMNS, rows))
        else:
            text = csv_text(COLUMNS, rows)
            if output:
                with open(output, "w", encoding="utf-8", newline="") as fh:
                    fh.write(text)
            else:
                self.stdout.write(text, ending="")
        if output:
            self.stderr.write(f"{len(rows)} contracts written to {output}")
