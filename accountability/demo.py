"""Demo data for targets and the three officers: this year's indicator library (copied forward from last
year's), contracts county → townships and township → basic organizations in every state, evaluations with
grades and one veto, duty reports, officer assignments with visit logs and follow-ups. Bulk inserts."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from branches.models import FollowUp, OfficerAssignment, Organization, RoleAssignment, VisitLog
from users.models import User

from . import services
from .models import Contract, ContractLine, DutyReport, Indicator, IndicatorGroup, YearDeadlines
from .selectors import grade_bands, grade_for

Kind = Organization.Kind
Sector = Organization.Sector

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

FINDINGS = [
    ("指导召开支部党员大会", "会议程序规范，记录需补充表决情况。", "补充会议记录中的表决情况"),
    ("检查三会一课台账", "党小组会记录缺少两个月。", "补齐党小组会记录"),
    ("宣讲党的创新理论", "党员参学积极，个别流动党员未参加。", "为流动党员安排线上学习"),
    ("督导换届准备", "换届方案已拟定，尚未报批。", "将换届请示报乡镇党委"),
    ("走访困难党员", "两名困难党员生活困难，需协调帮扶。", "协调落实结对帮扶"),
    ("指导党费收缴", "党费收缴基本按时，个别党员拖欠。", "督促补缴党费"),
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

    _officers(rng=rng, as_of=as_of, scale=scale)


def _officers(*, rng: random.Random, as_of: dt.date, scale: str) -> None:
    """Counselors for organ organizations, service officers for public institutions, liaison officers for
    rural ones; about four in five covered, so the coverage page has gaps to show."""
    from demo.services import PASSWORD

    per_officer = 4 if scale == "demo" else 8
    basic = list(
        Organization.objects.filter(
            kind__in=Organization.BASIC_KINDS,
            sector__in=[Sector.ORGAN, Sector.INSTITUTION, Sector.RURAL],
            is_active=True,
        )
        .exclude(officer_assignments__isnull=False)
        .order_by("path")
    )
    kind_for = {s: k for k, s in OfficerAssignment.SECTOR_FOR_KIND.items()}
    targets: dict[str, list[Organization]] = {}
    for org in basic:
        if rng.random() < 0.8:
            targets.setdefault(kind_for[org.sector], []).append(org)
    password = make_password(PASSWORD)
    names = {"counselor": "党建辅导员", "service": "党建服务员", "liaison": "党建联络员"}
    users: list[User] = []
    plan: list[tuple[int, str, Organization]] = []
    for kind, orgs in sorted(targets.items()):
        for start in range(0, len(orgs), per_officer):
            n = len(users) + 1
            users.append(
                User(
                    email=f"{kind}{n}@demo.local",
                    name=f"{names[kind]}{n}",
                    password=password,
                    notification_frequency="weekly",
                )
            )
            plan.extend((len(users) - 1, kind, org) for org in orgs[start : start + per_officer])
    users = User.objects.bulk_create(users, batch_size=1000)
    starts = as_of.replace(month=1, day=1)
    assignments = OfficerAssignment.objects.bulk_create(
        [
            OfficerAssignment(officer=users[i], organization=org, kind=kind, starts_on=starts)
            for i, kind, org in plan
        ],
        batch_size=1000,
    )
    assignments += list(OfficerAssignment.objects.filter(officer__email="officer@demo.local"))
    visits: list[VisitLog] = []
    for a in assignments:
        for _ in range(rng.randint(1, 3)):
            purpose, findings, _fu = rng.choice(FINDINGS)
            visits.append(
                VisitLog(
                    assignment=a,
                    organization_id=a.organization_id,
                    officer_id=a.officer_id,
                    visited_on=as_of - dt.timedelta(days=rng.randint(3, 200)),
                    purpose=purpose,
                    findings=findings,
                )
            )
    visits = VisitLog.objects.bulk_create(visits, batch_size=1000)
    follow_ups = []
    for v in visits:
        if rng.random() < 0.6:
            _p, _f, what = next(f for f in FINDINGS if f[0] == v.purpose)
            due = v.visited_on + dt.timedelta(days=rng.randint(14, 45))
            done = due - dt.timedelta(days=rng.randint(0, 10)) if due < as_of and rng.random() < 0.6 else None
            follow_ups.append(
                FollowUp(
                    visit=v,
                    organization_id=v.organization_id,
                    description=what,
                    due_on=due,
                    done_on=max(done, v.visited_on) if done else None,
                    done_note="已整改" if done else "",
                )
            )
    FollowUp.objects.bulk_create(follow_ups, batch_size=1000)


def reset() -> None:
    """Before `seed_demo --reset`: the indicator libraries and yearly deadlines hang on no organization, so the
    generic erase does not reach them; the contracts go first because they protect their organizations."""
    Contract.objects.all().delete()
    IndicatorGroup.objects.all().delete()
    YearDeadlines.objects.all().delete()
