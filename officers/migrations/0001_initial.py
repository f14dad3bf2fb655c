"""The visit logs and follow-ups move from branches to officers with their rows.

branches 0003 created the tables `branches_visitlog` and `branches_followup`. Here the models enter the
officers state on those tables (no database change), then the tables and their indexes are renamed to the
officers names, and the content types (and with them permissions and admin log entries) change app.
branches 0004 then removes the models from the branches state (no database change either)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["visitlog", "followup"]


def _move_content_types(apps, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = ContentType.objects.db_manager()
    for model in MODELS:
        if not db.filter(app_label=target, model=model).exists():
            db.filter(app_label=source, model=model).update(app_label=target)


def content_types_forward(apps, schema_editor):
    _move_content_types(apps, "branches", "officers")


def content_types_backward(apps, schema_editor):
    _move_content_types(apps, "officers", "branches")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("branches", "0003_visitlog_followup_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VisitLog",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("visited_on", models.DateField(verbose_name="visited on")),
                        ("purpose", models.CharField(max_length=255, verbose_name="purpose")),
                        ("findings", models.TextField(blank=True, verbose_name="findings")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "assignment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="visits",
                                to="branches.officerassignment",
                                verbose_name="assignment",
                            ),
                        ),
                        (
                            "officer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="visits",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="officer",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="officer_visits",
                                to="branches.organization",
                                verbose_name="organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "visit log",
                        "verbose_name_plural": "visit logs",
                        "ordering": ["-visited_on", "-pk"],
                        "db_table": "branches_visitlog",
                        "indexes": [
                            models.Index(
                                fields=["organization", "visited_on"], name="branches_vi_organiz_c3b8b1_idx"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FollowUp",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("description", models.CharField(max_length=255, verbose_name="follow-up")),
                        ("due_on", models.DateField(verbose_name="due on")),
                        ("done_on", models.DateField(blank=True, null=True, verbose_name="done on")),
                        (
                            "done_note",
                            models.CharField(blank=True, max_length=255, verbose_name="how it was done"),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="follow_ups",
                                to="branches.organization",
                                verbose_name="organization",
                            ),
                        ),
                        (
                            "visit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="follow_ups",
                                to="officers.visitlog",
                                verbose_name="visit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "follow-up",
                        "verbose_name_plural": "follow-ups",
                        "ordering": ["done_on", "due_on", "pk"],
                        "db_table": "branches_followup",
                        "indexes": [
                            models.Index(fields=["done_on", "due_on"], name="branches_fo_done_on_810296_idx")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="visitlog", table=None),
        migrations.AlterModelTable(name="followup", table=None),
        migrations.RenameIndex(
            model_name="visitlog",
            new_name="officers_vi_organiz_a3ad22_idx",
            old_name="branches_vi_organiz_c3b8b1_idx",
        ),
        migrations.RenameIndex(
            model_name="followup",
            new_name="officers_fo_done_on_982cc9_idx",
            old_name="branches_fo_done_on_810296_idx",
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
