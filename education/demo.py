"""Demo 三会一课 history: the previous year and this year up to as_of (meetings with attendance, study
records and schedules).

Most branches are mostly compliant, some are behind, a few members drift away (absence streaks). Everything
goes in with bulk inserts: attendance is the big table (about 2.5 rows per member per month), inserted in
chunks so that memory stays flat for a large county.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import random
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from branches.models import Organization
from members.models import BranchOfficer, Member

from .compliance import compliance_units
from .models import Attendance, Meeting, MeetingKind, MeetingPlan, StudyRecord
from .services import plans_generate

ATTENDANCE_CHUNK = 20_000
BATCH = 2_000

TOPICS = {
    "themed_day": [
        "学习党章党规",
        "志愿服务进农户",
        "重温入党誓词",
        "学习习近平新时代中国特色社会主义思想",
        "环境整治义务劳动",
    ],
    "general_meeting": ["通报支部工作情况", "讨论发展党员工作", "学习上级会议精神", "研究村级重要事项"],
    "committee_meeting": ["研究本月工作安排", "讨论党员发展计划", "研究困难党员帮扶", "部署主题党日活动"],
    "group_meeting": ["学习传达支部会议精神", "交流思想和工作情况", "收缴党费，讨论村务"],
    "party_lecture": ["书记讲党课：坚定理想信念", "党课：全面从严治党", "党课：乡村振兴与基层党建"],
    "life_meeting": ["年度组织生活会"],
}
MINUTES = (
    "会议由{host}主持。{topic}。与会党员结合实际发言，一致表示要把学习成果转化为工作动力。"
    "会议对下一阶段工作作了安排。"
)


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _months(start: dt.date, end: dt.date):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs for the big tables: the ORM's per-object overhead dominates bulk_create at
    hundreds of thousands of rows. Values are adapted by the driver (dates, decimals, datetimes)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: an order of magnitude faster than multi-row INSERT at this size
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(v) for v in row))
                buffer.write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN", buffer)
        else:
            # adapt only the columns that need it (dates, decimals, datetimes), looked up once
            ops = connection.ops
            adapters = [_sqlite_adapter(ops, v) for v in rows[0]]
            if any(adapters):
                rows = [tuple(a(v) if a else v for a, v in zip(adapters, row, strict=True)) for row in rows]
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _sqlite_adapter(ops, value):
    if isinstance(value, Decimal):
        return str
    if isinstance(value, dt.datetime):
        adapted = ops.adapt_datetimefield_value(value)
        return lambda _v: adapted  # the one timestamp of this seed run
    if isinstance(value, dt.date):
        return dt.date.isoformat
    return None


@transaction.atomic
def seed(*, rng: random.Random, as_of: dt.date, scale: str) -> None:
    kinds = {k.code: k for k in MeetingKind.objects.all()}
    units = list(
        compliance_units(Organization.objects.all(), as_of=as_of).values_list("pk", "established_on")
    )
    if not units:
        return
    unit_ids = [u for u, _e in units]
    members_by_org: dict[int, list[tuple]] = defaultdict(list)
    for row in Member.objects.filter(organization_id__in=unit_ids).values_list(
        "pk", "organization_id", "party_group_id", "admitted_on", "full_member_on", "died_on", "name"
    ):
        members_by_org[row[1]].append(row)
    groups_by_org: dict[int, set[int]] = defaultdict(set)
    for rows in members_by_org.values():
        for r in rows:
            if r[2]:
                groups_by_org[r[1]].add(r[2])
    committee: dict[int, list[tuple[dt.date, dt.date, int]]] = defaultdict(list)
    for org_id, elected, ends, member_id in BranchOfficer.objects.filter(
        term__organization_id__in=unit_ids
    ).values_list("term__organization_id", "term__elected_on", "term__ends_on", "member_id"):
        committee[org_id].append((elected, ends, member_id))

    # Member behaviour: most attend, some are often away (excused), a few drift away (streaks, art. 9).
    drift_from: dict[int, dt.date] = {}
    often_away: set[int] = set()
    for rows in members_by_org.values():
        for r in rows:
            x = rng.random()
            if x < 0.012:
                drift_from[r[0]] = as_of - dt.timedelta(days=rng.randint(60, 260))
            elif x < 0.05:
                often_away.add(r[0])

    start = dt.date(as_of.year - 1, 1, 1)  # the whole previous year, so its report is complete too
    meetings: list[Meeting] = []
    meeting_kinds: list[list[str]] = []
    expected: list[list[int]] = []

    def living(r, day):
        return r[3] <= day and (r[5] is None or r[5] > day)

    def add(org_id, day, codes, rows, group=None, held=True):
        topic = rng.choice(TOPICS[codes[0]] if codes[0] in TOPICS else TOPICS["themed_day"])
        host = rows[0][6] if rows else ""
        m = Meeting(
            organization_id=org_id,
            party_group_id=group,
            date=day,
            start_time=dt.time(rng.choice([9, 14, 15, 19]), rng.choice([0, 30])),
            place=rng.choice(["村党群服务中心", "党员活动室", "会议室", "中心户家中"]),
            topic=topic,
            host=host,
            recorder=rows[1][6] if len(rows) > 1 else host,
            lecturer=host if "party_lecture" in codes else "",
            minutes=MINUTES.format(host=host, topic=topic) if held else "",
            status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
            source=Meeting.Source.RECORDED,
        )
        meetings.append(m)
        meeting_kinds.append(codes)
        expected.append([r[0] for r in rows if living(r, day)] if held else [])

    for org_id, established in units:
        rows = members_by_org.get(org_id, [])
        # 70% diligent, 20% patchy, 10% behind
        x = rng.random()
        p = 0.97 if x < 0.7 else (0.75 if x < 0.9 else 0.4)
        for year, month in _months(start, as_of):
            first = dt.date(year, month, 1)
            if established and first < established:
                continue
            last_day = _month_days(year, month)

            def day_in(lo, hi, _y=year, _m=month, _last=last_day):
                return dt.date(_y, _m, min(rng.randint(lo, hi), _last))

            def maybe(day, codes, who, group=None, _p=p, _org=org_id):
                if day > as_of:
                    return
                # the last few days: some meetings still waiting for minutes
                recent = (as_of - day).days < 6
                if rng.random() < _p:
                    add(_org, day, codes, who, group, held=not (recent and rng.random() < 0.5))

            full = [r for r in rows if r[4] and r[4] <= first and living(r, first)]
            quarter_first = month in (1, 4, 7, 10)
            # themed day on the 1st-5th; in a quarter's first month it is also the general meeting or lecture
            themed = ["themed_day"]
            if quarter_first:
                themed.append(rng.choice(["general_meeting", "party_lecture"]))
            maybe(day_in(1, 5), themed, rows)
            if quarter_first:
                other = "party_lecture" if "general_meeting" in themed else "general_meeting"
                maybe(day_in(10, 25), [other], rows)
            if len(full) >= 7:
                c = [
                    r
                    for r in rows
                    if any(e <= first < end and mid == r[0] for e, end, mid in committee[org_id])
                ]
                maybe(day_in(8, 12), ["committee_meeting"], c or full[:5])
            for g in sorted(groups_by_org.get(org_id, ())):
                maybe(day_in(12, 20), ["group_meeting"], [r for r in rows if r[2] == g], group=g)
            if month == 12 or (year == as_of.year and month == as_of.month and month >= 11):
                maybe(day_in(20, 28), ["life_meeting", "member_review"], rows)

    created = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    _insert_rows(
        Meeting.kinds.through,
        ["meeting_id", "meetingkind_id"],
        [(m.pk, kinds[code].pk) for m, codes in zip(created, meeting_kinds, strict=True) for code in codes],
    )
    chunk: list[tuple] = []
    reasons = ["外出务工", "生病", "家中有事", "在外地学习"]
    for m, people in zip(created, expected, strict=True):
        for pk in people:
            drift = drift_from.get(pk)
            if drift and m.date >= drift:
                status = Attendance.Status.ABSENT
            else:
                r = rng.random()
                away = 0.35 if pk in often_away else 0.07
                status = (
                    Attendance.Status.PRESENT
                    if r > away
                    else (Attendance.Status.EXCUSED if r > away / 3 else Attendance.Status.ABSENT)
                )
            reason = rng.choice(reasons) if status == Attendance.Status.EXCUSED else ""
            chunk.append((m.pk, pk, status, reason))
        if len(chunk) >= ATTENDANCE_CHUNK:
            _insert_rows(Attendance, ["meeting_id", "member_id", "status", "reason"], chunk)
            chunk = []
    _insert_rows(Attendance, ["meeting_id", "member_id", "status", "reason"], chunk)

    # Study: concentrated study through the year, most members near the 32-hour target, some behind.
    channels = [c for c, _l in StudyRecord.Channel.choices]
    contents = [
        "远程教育：党的创新理论",
        "党课学习",
        "自学《习近平谈治国理政》",
        "乡镇集中培训",
        "学习强国专题",
    ]
    study: list[tuple] = []
    now = timezone.now()
    study_columns = ["member_id", "date", "hours", "channel", "content", "created_at"]
    for rows in members_by_org.values():
        for r in rows:
            if r[5] is not None:
                continue
            for year in (as_of.year - 1, as_of.year):
                months = 12 if year < as_of.year else as_of.month
                sessions = (
                    rng.randint(0, 3) if r[0] in often_away or r[0] in drift_from else rng.randint(5, 10)
                )
                sessions = round(sessions * months / 12)
                for _i in range(sessions):
                    day = dt.date(year, rng.randint(1, months), rng.randint(1, 28))
                    if day > as_of or day < r[3]:
                        continue
                    hours = Decimal(rng.choice([2, 2, 3, 4, 4, 6]))
                    study.append((r[0], day, hours, rng.choice(channels), rng.choice(contents), now))
        if len(study) >= ATTENDANCE_CHUNK:
            _insert_rows(StudyRecord, study_columns, study)
            study = []
    _insert_rows(StudyRecord, study_columns, study)

    # Regular schedules for a third of the branches; their coming meetings appear as planned.
    plans = []
    plan_kinds = []
    for org_id, _e in units:
        if rng.random() < 0.33:
            plans.append(
                MeetingPlan(
                    organization_id=org_id,
                    frequency=MeetingPlan.Frequency.MONTHLY,
                    day=rng.choice([1, 5, 10]),
                    start_time=dt.time(9, 0),
                    place="党员活动室",
                    topic="主题党日",
                )
            )
            plan_kinds.append("themed_day")
    plans = MeetingPlan.objects.bulk_create(plans, batch_size=BATCH)
    MeetingPlan.kinds.through.objects.bulk_create(
        [
            MeetingPlan.kinds.through(meetingplan_id=p.pk, meetingkind_id=kinds[code].pk)
            for p, code in zip(plans, plan_kinds, strict=True)
        ],
        batch_size=5_000,
    )
    plans_generate(plans=MeetingPlan.objects.all(), as_of=as_of + dt.timedelta(days=1))
