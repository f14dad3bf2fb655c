from branches.commands import ImportCommand
from recruitment.importers import RecruitmentImporter


class Command(ImportCommand):
    importer = RecruitmentImporter
    help = (
        "Import the recruitment ledger from a CSV (UTF-8, BOM optional) or XLSX file with the headers 姓名, 性别, "
        "民族, 出生日期, 公民身份号码, 所在党组织编码, 申请日期, 谈话日期, 确定积极分子日期, 确定发展对象日期, "
        "接收预备党员日期 (a blank date: not reached). An admission date puts the person on the roster as a "
        "probationary member. All-or-nothing: any bad row → nothing written, errors on stderr, non-zero exit."
    )
