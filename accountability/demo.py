"""Demo data for targets: this year's indicator library (copied forward from last year's), contracts county →
townships and township → basic organizations in every state, evaluations with grades and one veto, duty
reports. Bulk inserts. (The officers' assignments and visit logs are seeded by officers/demo.py.)"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from branches.models import Organization, RoleAssignment
from users.models import User

from . import services
from .models import Contract, ContractLine, DutyReport, Indicator, IndicatorGroup, YearDeadlines
from .selectors import grade_bands, grade_for

Kind = Organization.Kind

# 组 → [(指标, 硬性检查标准, 佐证材料, 权重)]; weights add up to 100.
LIBRARY = [
    (
        "组织建设",
        [
            (
                "三会一课落实",
                "支部党员大会每季度至少1次、支委会每月1次、党小组会每月1次、党课每季度1次，记录完整",
                "会议记录、签到表",
                15,
            ),
            ("主题党日", "每月固定一天开展主题党日活动，有主题、有记录", "活动记录、照片", 5),
            (
                "组织生活会和民主评议党员",
                "每年召开1次组织生活会，开展民主评议党员，等次评定符合比例",
                "会议记录、评议结果",
                10,
            ),
            ("按期换届", "支委会任期届满按期换届，无超期未换届情况", "换届请示和批复", 5),
            ("发展党员", "严格执行发展党员工作程序，档案材料齐全", "发展党员档案", 5),
        ],
    ),
    (
        "教育管理",
        [
            ("党员集中学习", "每名党员每年集中学习不少于32学时", "学习台账", 10),
            ("党费收缴", "按月足额收缴党费，按时上缴，无拖欠", "党费收缴台账", 5),
            ("流动党员管理", "流动党员底数清楚，保持经常联系", "流动党员台账", 5),
            ("远程教育", "远程教育站点正常运行，每月组织收看不少于1次", "收看记录", 5),
        ],
    ),
    (
        "作用发挥",
        [
            ("联系服务群众", "党员联系户全覆盖，群众反映问题及时办理", "联系服务台账", 10),
            ("党内关怀帮扶", "老党员、困难党员走访慰问全覆盖，结对帮扶落实", "走访记录", 10),
        ],
    ),
    (
        "责任落实",
        [
            ("书记抓党建述职", "书记按时述职，问题清单和整改措施具体", "述职报告", 5),
            ("基础台账", "党建工作台账规范完整，数据一次录入、不重复报送", "系统数据", 5),
            ("问题整改", "上年度考核和巡察发现的问题按期整改到位", "整改报告", 5),
        ],
    ),
]


def _library(year: int) -> None:
    for gpos, (group, indicators) in enumerate(LIBRARY, start=1):
        g = IndicatorGroup.objects.create(year=year, name=group, position=gpos)
        Indicator.objects.bulk_create(
            [
                Indicator(group=g, name=n, check_standard=s, evidence=e, weight=Decimal(w), position=i)
                for i, (n, s, e, w) in enumerate(indicators)
            ]
        )


def seed(*, rng: random.Random, as_of: dt.date, scale: str) -> None:
    year = as_of.year
    _library(year - 1)
    services.library_copy_forward(to_year=year)
    YearDeadlines.objects.get_or_create(year=year, defaults=YearDeadlines.defaults_for(year))
    YearDeadlines.objects.get_or_create(year=year - 1, defaults=YearDeadlines.defaults_for(year - 1))

    county = Organization.objects.filter(kind=Kind.COUNTY).first()
    if county is None:
        return
    offices: dict[int, User] = {}
    for ra in (
        RoleAssignment.objects.filter(role__in=RoleAssignment.WRITE_ROLES)
        .select_related("user")
        .order_by("pk")
    ):
        offices.setdefault(ra.organization_id, ra.user)
    county_user = offices.get(county.pk)
    if county_user is None:
        return

    # Contracts: the county with every township, every township with its basic organizations.
    signing_day = dt.date(year, 3, 1) if as_of >= dt.date(year, 3, 1) else as_of
    services.contracts_issue_to_children(parent=county, year=year, by=county_user, on=signing_day)
    townships = list(Organization.objects.filter(parent=county, kind=Kind.TOWNSHIP).order_by("path"))
    for township in townships:
        by = offices.get(township.pk)
        if by is not None:
            services.contracts_issue_to_children(parent=township, year=year, by=by, on=signing_day)

    bands = grade_bands()
    contracts = list(Contract.objects.filter(year=year).select_related("parent").order_by("pk"))
    lines_by_contract: dict[int, list[ContractLine]] = {}
    for line in ContractLine.objects.filter(contract__year=year).order_by("contract_id", "position"):
        lines_by_contract.setdefault(line.contract_id, []).append(line)
    first_township = townships[0].pk if townships else None
    vetoed_one = False
    changed_lines: list[ContractLine] = []
    for c in contracts:
        roll = rng.random()
        # The first township keeps some work to do for the demo account: a few unsigned, a few to evaluate.
        unsigned_share = 0.25 if c.parent_id == first_township else 0.1
        if roll < unsigned_share:
            continue  # issued, not signed
        c.status = Contract.Status.SIGNED
        c.signer = offices.get(c.organization_id)
        c.signed_on = signing_day + dt.timedelta(days=rng.randint(1, 25))
        if c.parent.kind == Kind.COUNTY or roll > 0.55:
            lines = lines_by_contract.get(c.pk, [])
            for line in lines:
                self_score = line.weight - Decimal(rng.choice([0, 0, 0, 0.5, 1]))
                score = max(Decimal("0"), self_score - Decimal(rng.choice([0, 0, 0.5, 1, 2, 3])))
                line.self_score = self_score
                line.self_evidence = line.evidence
                line.score = score
                line.reason = (
                    ""
                    if score == line.weight
                    else "检查发现："
                    + rng.choice(["记录不完整", "未按期完成", "台账不规范", "部分党员未参加"])
                )
                changed_lines.append(line)
            c.self_score = sum((line.self_score for line in lines), Decimal("0"))
            c.self_evaluated_on = as_of - dt.timedelta(days=rng.randint(10, 30))
            if c.parent.kind != Kind.COUNTY and rng.random() < 0.3:
                # A weak branch: deductions across the board.
                for line in lines:
                    line.score = (line.score * Decimal("0.7")).quantize(Decimal("0.5"))
                    line.reason = line.reason or "落实不到位"
            c.score = sum((line.score for line in lines), Decimal("0"))
            if not vetoed_one and c.parent.kind != Kind.COUNTY and c.parent_id != first_township:
                c.vetoed, c.veto_reason, vetoed_one = True, "班子成员发生严重违纪问题，一票否决", True
            c.grade = grade_for(total=c.score, vetoed=c.vetoed, bands=bands)
            c.status = Contract.Status.EVALUATED
            c.evaluated_on = as_of - dt.timedelta(days=rng.randint(1, 9))
            c.evaluated_by = offices.get(c.parent_id)
    ContractLine.objects.bulk_update(
        changed_lines, ["self_score", "self_evidence", "score", "reason"], batch_size=1000
    )
    Contract.objects.bulk_update(
        contracts,
        [
            "status",
            "signer",
            "signed_on",
            "self_score",
            "self_evaluated_on",
            "score",
            "vetoed",
            "veto_reason",
            "grade",
            "evaluated_on",
            "evaluated_by",
        ],
        batch_size=1000,
    )

    # Duty reports: last year's submitted (a few late), this year's drafts for some.
    deadline = YearDeadlines.defaults_for(year - 1)["duty_report_deadline"]
    reporters = list(Organization.objects.filter(depth__lte=2, is_active=True).order_by("path"))
    reports = []
    for org in reporters:
        author = offices.get(org.pk)
        if author is None:
            continue
        if rng.random() < 0.9:
            late = rng.random() < 0.1
            day = (
                deadline + dt.timedelta(days=rng.randint(1, 10))
                if late
                else deadline - dt.timedelta(days=rng.randint(1, 14))
            )
            reports.append(
                DutyReport(
                    year=year - 1,
                    organization=org,
                    author=author,
                    title=f"{org.name}书记{year - 1}年度抓基层党建工作述职报告",
                    text="一、履行职责情况\n二、存在的问题\n三、下一步打算",
                    submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))),
                    late=late,
                )
            )
        if rng.random() < 0.3:
            reports.append(
                DutyReport(
                    year=year,
                    organization=org,
                    author=author,
                    title=f"{org.name}书记{year}年度抓基层党建工作述职报告",
                    text="一、履行职责情况（草稿）",
                )
            )
    DutyReport.objects.bulk_create(reports, batch_size=1000)


def reset() -> None:
    """Before `seed_demo --reset`: the indicator libraries and yearly deadlines hang on no organization, so the
    generic erase does not reach them; the contracts go first because they protect their organizations."""
    Contract.objects.all().delete()
    IndicatorGroup.objects.all().delete()
    YearDeadlines.objects.all().delete()
