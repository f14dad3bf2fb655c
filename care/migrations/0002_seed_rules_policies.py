"""The paper's five benefit rules (section 2.4) with their exact thresholds, the default visit policies,
and the Spring Festival dates 2020-2035. "以上" includes the number; party age counts from full membership."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

IN_FORCE_FROM = dt.date(1949, 10, 1)

RULES = [
    # code, name, kind, amount, in kind, [groups of (condition kind, number, date)]
    ("cup_50", "授杯纪念（党龄50年以上）", "once", None, "纪念杯", [[("min_party_age", 50, None)]]),
    (
        "taxi_free",
        "城区范围内免费乘出租车",
        "yearly",
        None,
        "城区范围内免费乘出租车",
        [
            [("veteran_cadre", None, None), ("min_age", 65, None)],
            [("min_party_age", 40, None), ("min_age", 60, None)],
        ],
    ),
    (
        "subsidy_pre1949",
        "建国前入党农村党员补助和慰问",
        "yearly",
        Decimal("1000.00"),
        "",
        [[("rural", None, None), ("admitted_before", None, dt.date(1949, 10, 1))]],
    ),
    (
        "subsidy_poor",
        "农村贫困党员补助和慰问",
        "yearly",
        Decimal("500.00"),
        "",
        [[("rural", None, None), ("hardship", None, None)]],
    ),
    (
        "subsidy_80",
        "农村80岁以上党员补助和慰问",
        "yearly",
        Decimal("300.00"),
        "",
        [[("rural", None, None), ("min_age", 80, None)]],
    ),
]

POLICIES = [
    # code, name, target, visit kind, extra
    ("hardship_quarterly", "困难党员每季度走访", "hardship", "home", {"remind_days_before": 7}),
    (
        "elderly_festivals",
        "80岁以上和建国前入党党员春节、七一慰问",
        "elderly",
        "festival",
        {"min_age": 80, "admitted_before": dt.date(1949, 10, 1), "lead_days": 30},
    ),
    ("ill_within_days", "患病党员7日内探望", "ill", "illness", {"within_days": 7, "remind_days_before": 2}),
    ("cup_ceremony", "党龄满50年当月授杯", "party_age", "ceremony", {"party_age_years": 50}),
]

SPRING_FESTIVAL = {
    2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29),
    2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: (1, 23),
    2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8),
}


def seed(apps, schema_editor):
    BenefitRule = apps.get_model("care", "BenefitRule")
    RuleVersion = apps.get_model("care", "RuleVersion")
    RuleCondition = apps.get_model("care", "RuleCondition")
    VisitPolicy = apps.get_model("care", "VisitPolicy")
    LunarNewYear = apps.get_model("care", "LunarNewYear")
    for code, name, kind, amount, in_kind, groups in RULES:
        rule, _ = BenefitRule.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "valid_from": IN_FORCE_FROM}
        )
        if rule.versions.exists():
            continue
        version = RuleVersion.objects.create(
            rule=rule, effective_from=IN_FORCE_FROM, amount=amount, in_kind=in_kind, note="论文第2.4节的标准"
        )
        for g, conditions in enumerate(groups, start=1):
            for ckind, number, date in conditions:
                RuleCondition.objects.create(version=version, group=g, kind=ckind, number=number, date=date)
    for code, name, target, visit_kind, extra in POLICIES:
        VisitPolicy.objects.get_or_create(
            code=code, defaults={"name": name, "target": target, "visit_kind": visit_kind, **extra}
        )
    for year, (month, day) in SPRING_FESTIVAL.items():
        LunarNewYear.objects.get_or_create(year=year, defaults={"date": dt.date(year, month, day)})


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
