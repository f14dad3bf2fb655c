"""Demo data for the three officers (三员): counselors, service officers and liaison officers assigned to about
four in five organ, institution and rural organizations, with visit logs and follow-ups. Bulk inserts."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password

from branches.models import OfficerAssignment, Organization
from users.models import User

from .models import FollowUp, VisitLog

Sector = Organization.Sector

FINDINGS = [
    ("指导召开支部党员大会", "会议程序规范，记录需补充表决情况。", "补充会议记录中的表决情况"),
    ("检查三会一课台账", "党小组会记录缺少两个月。", "补齐党小组会记录"),
    ("宣讲党的创新理论", "党员参学积极，个别流动党员未参加。", "为流动党员安排线上学习"),
    ("督导换届准备", "换届方案已拟定，尚未报批。", "将换届请示报乡镇党委"),
    ("走访困难党员", "两名困难党员生活困难，需协调帮扶。", "协调落实结对帮扶"),
    ("指导党费收缴", "党费收缴基本按时，个别党员拖欠。", "督促补缴党费"),
]


def seed(*, rng: random.Random, as_of: dt.date, scale: str) -> None:
    """Counselors for organ organizations, service officers for public institutions, liaison officers for
    rural ones; about four in five covered, so the coverage page has gaps to show."""
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
    password = _demo_password()
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


def _demo_password() -> str:
    """The hashed password of the demo accounts that `seed_demo` created before the apps seed (they all share
    one), so that the officers sign in like them; unusable when there is no demo account."""
    stored = (
        User.objects.filter(email__endswith="@demo.local")
        .order_by("pk")
        .values_list("password", flat=True)
        .first()
    )
    return stored or make_password(None)
