from branches.commands import ImportCommand
from members.importers import UserImporter


class Command(ImportCommand):
    importer = UserImporter
    help = (
        "Import accounts and roles from CSV or XLSX: 邮箱 (email), 姓名 (name), 角色 (role), 组织编码 (org_code), "
        "密码 (password, optional: without it an invitation to set one is e-mailed after the import commits). "
        "All-or-nothing."
    )
