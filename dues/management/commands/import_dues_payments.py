from branches.commands import ImportCommand
from dues.importers import DuesPaymentImporter


class Command(ImportCommand):
    importer = DuesPaymentImporter
    help = (
        "Import party dues payments from a CSV (UTF-8, BOM optional) or XLSX file with the headers 公民身份号码, "
        "缴纳日期, 起始月份, 结束月份 (YYYY-MM), 金额. All-or-nothing: any bad row → nothing written, errors with "
        "their row numbers on stderr, non-zero exit."
    )
