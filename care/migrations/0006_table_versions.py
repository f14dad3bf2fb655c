"""Version triggers on the care app's tables (common.table_versions): the county-wide figures computed from them are
cached exactly under their versions (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "care_benefitrule",
    "care_ruleversion",
    "care_rulecondition",
    "care_grant",
    "care_condolence",
    "care_pairing",
    "care_visit",
    "care_visitpolicy",
    "care_servicepoint",
    "care_townshipbudget",
    "care_lunarnewyear",
]


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("care", "0005_merge_grant_check_and_policy_sector"),
    ]

    operations = [track_tables(*TABLES)]
