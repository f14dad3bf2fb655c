from django.core.management.base import BaseCommand

from branches.selectors import COUNTY_SCOPE
from common.spreadsheets.commands import run_import_command
from members.importers import MemberImporter
from users.services import system_user


class Command(BaseCommand):
    help = (
        "Import members from a CSV (UTF-8, BOM optional) or XLSX file with the headers 姓名, 性别, 民族, 出生日期, "
        "公民身份号码, 所在党组织编码, 党小组, 入党日期, 转正日期, 手机号码, 老干部, 困难党员, 去世日期 (or their English "
        "aliases). All-or-nothing: any bad row → nothing written, errors on stderr, non-zero exit."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        run_import_command(
            MemberImporter,
            options["file"],
            user=system_user(),
            scope=COUNTY_SCOPE,
            stdout=self.stdout,
            stderr=self.stderr,
            dry_run=options["dry_run"],
        )
