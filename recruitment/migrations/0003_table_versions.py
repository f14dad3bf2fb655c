"""Version triggers on the recruitment app's candidates (common.table_versions): the organization page's stage
counts are cached exactly under their versions (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "recruitment_candidate",
]


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("recruitment", "0002_seed_rules"),
    ]

    operations = [track_tables(*TABLES)]
