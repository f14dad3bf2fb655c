"""The seven kinds of organizational life with the 2018 Party Branch Work Regulations' frequencies as the
first requirement version, and the common 32-hour study target (DOMAIN.md, "Official frequencies")."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

EFFECTIVE = dt.date(2018, 1, 1)

KINDS = [
    # code, 中文, English, order, period, minimum, applies_to, remind days before period end
    ("general_meeting", "支部党员大会", "Branch general meeting", 10, "quarter", 1, "all", 14),
    ("committee_meeting", "支部委员会会议", "Branch committee meeting", 20, "month", 1, "committee", 7),
    ("group_meeting", "党小组会", "Party group meeting", 30, "month", 1, "group", 7),
    ("party_lecture", "党课", "Party lecture", 40, "quarter", 1, "all", 14),
    ("themed_day", "主题党日", "Themed party day", 50, "month", 1, "all", 7),
    ("life_meeting", "组织生活会", "Organizational life meeting", 60, "year", 1, "all", 30),
    ("member_review", "民主评议党员", "Democratic review of members", 70, "year", 1, "all", 30),
]


def seed(apps, schema_editor):
    MeetingKind = apps.get_model("education", "MeetingKind")
    MeetingRequirement = apps.get_model("education", "MeetingRequirement")
    StudyTarget = apps.get_model("education", "StudyTarget")
    for code, zh, en, order, period, minimum, applies_to, remind in KINDS:
        kind, _ = MeetingKind.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "order": order, "remind_days_before": remind}
        )
        MeetingRequirement.objects.get_or_create(
            kind=kind,
            effective_from=EFFECTIVE,
            defaults={
                "period": period,
                "minimum": minimum,
                "applies_to": applies_to,
                "note": "中国共产党支部工作条例（试行）2018",
            },
        )
    StudyTarget.objects.get_or_create(
        effective_from=EFFECTIVE, defaults={"hours": Decimal("32.0"), "note": "每名党员每年集中学习不少于32学时"}
    )


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
