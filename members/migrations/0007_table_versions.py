"""Version triggers on the members app's tables (common.table_versions): the county-wide figures computed from them are
cached exactly under their versions (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "members_member",
    "members_transfer",
    "members_committeeterm",
    "members_branchofficer",
]


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("members", "0006_education_occupation"),
    ]

    operations = [track_tables(*TABLES)]
