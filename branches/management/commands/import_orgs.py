from django.core.management.base import BaseCommand

from branches.importers import OrganizationImporter
from branches.selectors import COUNTY_SCOPE
from common.spreadsheets.commands import run_import_command
from users.services import system_user


class Command(BaseCommand):
    help = (
        "Import the organization tree from CSV or XLSX: 组织编码 (code), 组织名称 (name), 上级组织编码 (parent_code, "
        "blank for the county), 组织类别 (kind), 领域 (sector). Re-import updates by code. All-or-nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        run_import_command(
            OrganizationImporter,
            options["file"],
            user=system_user(),
            scope=COUNTY_SCOPE,
            stdout=self.stdout,
            stderr=self.stderr,
            dry_run=options["dry_run"],
        )
