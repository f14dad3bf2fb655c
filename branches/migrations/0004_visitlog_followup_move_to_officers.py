"""The visit logs and follow-ups now belong to officers (officers 0001 took over and renamed their tables):
they leave the branches state only; the database is not touched here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0003_visitlog_followup_and_more"),
        ("officers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="FollowUp"),
                migrations.DeleteModel(name="VisitLog"),
            ],
            database_operations=[],
        ),
    ]
