from branches.commands import ImportCommand
from members.importers import MemberImporter


class Command(ImportCommand):
    importer = MemberImporter
    help = (
        "Import members from a CSV (UTF-8, BOM optional) or XLSX file with the headers 姓名, 性别, 民族, 出生日期, "
        "公民身份号码, 所在党组织编码, 党小组, 入党日期, 转正日期, 手机号码, 老干部, 困难党员, 去世日期, 离开日期, 离开原因, 学历, 职业 (or their English "
        "aliases). All-or-nothing: any bad row → nothing written, errors on stderr, non-zero exit."
    )
