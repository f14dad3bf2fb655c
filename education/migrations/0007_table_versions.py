"""Version triggers on education's tables (common.table_versions), which take over from the compliance version
of 0006: the county-wide figures computed from them (三会一课 cells, study hours) are cached exactly under the
versions of the tables each reads (issue 14)."""

from django.db import migrations

from common.table_versions import track_tables

TABLES = [
    "education_meeting",
    "education_meeting_kinds",
    "education_meetingkind",
    "education_meetingrequirement",
    "education_meetingplan",
    "education_meetingplan_kinds",
    "education_attendance",
    "education_studyrecord",
    "education_studytarget",
]

COMPLIANCE_TABLES = [  # 0006's
    "branches_organization",
    "branches_partygroup",
    "members_member",
    "members_transfer",
    "education_meeting",
    "education_meeting_kinds",
    "education_meetingkind",
    "education_meetingrequirement",
]


def compliance_triggers_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in COMPLIANCE_TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS education_compliance_touch ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS education_compliance_truncate ON {table}")
        else:
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS education_compliance_{operation}_{table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS education_compliance_touch()")


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_initial"),
        ("branches", "0006_table_versions"),
        ("members", "0007_table_versions"),
        ("education", "0006_compliance_version"),
    ]

    operations = [
        migrations.RunPython(compliance_triggers_drop, migrations.RunPython.noop),
        migrations.DeleteModel(name="ComplianceVersion"),
        track_tables(*TABLES),
    ]
