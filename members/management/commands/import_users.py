from django.core.management.base import BaseCommand

from branches.selectors import COUNTY_SCOPE
from common.spreadsheets.commands import run_import_command
from members.importers import UserImporter
from users.services import system_user


class Command(BaseCommand):
    help = (
        "Import accounts and roles from CSV or XLSX: 邮箱 (email), 姓名 (name), 角色 (role), 组织编码 (org_code), "
        "密码 (password, optional: without it an invitation to set one is e-mailed after the import commits). "
        "All-or-nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        run_import_command(
            UserImporter,
            options["file"],
            user=system_user(),
            scope=COUNTY_SCOPE,
            stdout=self.stdout,
            stderr=self.stderr,
            dry_run=options["dry_run"],
        )
