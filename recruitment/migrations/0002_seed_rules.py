"""The intervals and limits of the 2014 work rules (中国共产党发展党员工作细则) as the first rows of the rules
table: the county reads them on /recruitment/rules/ and changes them in the admin."""

from django.db import migrations

RULES = [
    # code, value, unit, text, order
    ("min_age", 18, "years", "入党申请人递交入党申请书时须年满十八周岁", 10),
    ("talk_within", 1, "months", "党组织应当在收到入党申请书后一个月内派人同入党申请人谈话", 20),
    ("cultivating_contacts", 2, "people", "党组织应当指定两名正式党员作为入党积极分子的培养联系人", 30),
    ("check_interval", 6, "months", "党支部每半年对入党积极分子进行一次考察", 40),
    (
        "activist_before_target",
        1,
        "years",
        "经过一年以上培养教育和考察的入党积极分子，方可列为发展对象",
        50,
    ),
    ("introducers", 2, "people", "发展对象应当有两名正式党员作入党介绍人", 60),
    ("training_hours", 24, "hours", "发展对象须经过集中培训，时间一般不少于三天或不少于24个学时", 70),
    ("notice_days", 5, "working_days", "发展对象须经公示，公示时间不少于5个工作日", 80),
    ("approval_within", 3, "months", "上级党委应当在接到支部大会决议后三个月内审批", 90),
    ("reminder_days", 7, "days", "提醒在应办日期前7天发出（本系统设置）", 100),
]


def seed(apps, schema_editor):
    RecruitmentRule = apps.get_model("recruitment", "RecruitmentRule")
    for code, value, unit, text, order in RULES:
        RecruitmentRule.objects.get_or_create(
            code=code, defaults={"value": value, "unit": unit, "text": text, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0001_candidates_steps_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
