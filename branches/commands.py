"""The import commands' one body: `manage.py import_<kind> FILE [--dry-run]`, run for the whole county
(COUNTY_SCOPE) as the system account, all-or-nothing, errors with their row numbers on stderr. A command is a
subclass naming its importer and its help."""

from __future__ import annotations

from typing import ClassVar

from django.core.management.base import BaseCommand

from common.spreadsheets.commands import run_import_command
from common.spreadsheets.importing import Importer
from users.services import system_user

from .selectors import COUNTY_SCOPE


class ImportCommand(BaseCommand):
    importer: ClassVar[type[Importer]]

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        run_import_command(
            self.importer,
            options["file"],
            user=system_user(),
            scope=COUNTY_SCOPE,
            stdout=self.stdout,
            stderr=self.stderr,
            dry_run=options["dry_run"],
        )
