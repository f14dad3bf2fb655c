"""Version triggers on the accountability app's tables (common.table_versions): the county-wide figures computed from them are
cached exactly under their versions (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "accountability_contract",
    "accountability_contractline",
    "accountability_dutyreport",
    "accountability_gradeband",
    "accountability_indicator",
    "accountability_indicatorgroup",
    "accountability_yeardeadlines",
]


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("accountability", "0003_labels"),
    ]

    operations = [track_tables(*TABLES)]
