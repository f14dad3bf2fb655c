"""Version triggers on the dues app's tables (common.table_versions): the county-wide figures computed from them are
cached exactly under their versions (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "dues_duesrecord",
    "dues_duesrelief",
    "dues_payment",
]


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("dues", "0001_dues_records_reliefs_payments"),
    ]

    operations = [track_tables(*TABLES)]
