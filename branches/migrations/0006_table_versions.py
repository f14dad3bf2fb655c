"""Version triggers on the branches app's tables (common.table_versions): the county-wide figures computed from them are
cached exactly under their versions (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "branches_organization",
    "branches_partygroup",
    "branches_roleassignment",
    "branches_officerassignment",
]


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("branches", "0005_admin_groups"),
    ]

    operations = [track_tables(*TABLES)]
