"""Version triggers on the standing app's reviews and their entries (common.table_versions): the organization
page's latest review with its grade counts is cached exactly under their versions (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "standing_review",
    "standing_reviewentry",
]


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("standing", "0001_notices_suggestions_reviews"),
    ]

    operations = [track_tables(*TABLES)]
