"""Version triggers on the officers app's tables (common.table_versions): the county-wide figures computed from them are
cached exactly under their versions (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "officers_followup",
    "officers_visitlog",
]


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("officers", "0001_initial"),
    ]

    operations = [track_tables(*TABLES)]
