from branches.commands import ImportCommand
from branches.importers import OrganizationImporter


class Command(ImportCommand):
    importer = OrganizationImporter
    help = (
        "Import the organization tree from CSV or XLSX: 组织编码 (code), 组织名称 (name), 上级组织编码 (parent_code, "
        "blank for the county), 组织类别 (kind), 领域 (sector). Re-import updates by code. All-or-nothing."
    )
