from django.core.management.base import BaseCommand

from branches.selectors import COUNTY_SCOPE
from common.spreadsheets.commands import run_import_command
from users.services import system_user

from ...importers import MeetingImporter


class Command(BaseCommand):
    help = "Import a historical 三会一课 ledger (xlsx or csv): all rows or nothing; errors name the row."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, write nothing.")

    def handle(self, *args, file, dry_run, **options):
        run_import_command(
            MeetingImporter,
            file,
            user=system_user(),
            scope=COUNTY_SCOPE,
            stdout=self.stdout,
            stderr=self.stderr,
            dry_run=dry_run,
        )
