from branches.commands import ImportCommand
from dues.importers import DuesRecordImporter


class Command(ImportCommand):
    importer = DuesRecordImporter
    help = (
        "Import members' party dues from a CSV (UTF-8, BOM optional) or XLSX file with the headers 公民身份号码, "
        "党费类别, 月工资基数, 月缴纳额, 起始月份 (YYYY-MM). All-or-nothing: any bad row → nothing written, errors "
        "with their row numbers on stderr, non-zero exit."
    )
