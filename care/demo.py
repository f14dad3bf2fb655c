"""Care demo data, called by `seed_demo` after organizations, roster and accounts exist: a service point for
every county/township/village-level organization, this year's grants in every state, a budget per township,
pairings for members in hardship, done and planned visits (some overdue), and condolences for the recently
deceased. Bulk inserts; eligibility comes from the same database evaluation as everywhere else."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from branches.models import Organization, RoleAssignment
from common import periods
from members.models import Member

from . import selectors, services
from .models import Condolence, Grant, Pairing, ServicePoint, TownshipBudget, Visit

Role = RoleAssignment.Role
HOURS = ["周一至周五 8:30-12:00, 14:30-17:30", "每周一、三、五上午", "工作日全天，节假日值班", "每月逢五开放"]
VISITORS = ["支部书记", "支部书记、组织委员", "党员志愿者", "乡镇党委委员、村支部书记", "结对帮扶党员"]
NOTES = ["了解生活和身体情况，送去慰问品", "谈心谈话，听取对村里工作的意见", "帮助联系就医", "讲解惠民政策"]


def seed(*, rng: random.Random, as_of: dt.date, scale: str) -> None:
    _service_points(rng)
    _grants_and_budgets(rng, as_of)
    _pairings(rng, as_of)
    _visits(rng, as_of)
    _condolences(rng, as_of)


def _service_points(rng: random.Random) -> None:
    existing = set(ServicePoint.objects.values_list("organization_id", flat=True))
    points = []
    for org in Organization.objects.exclude(pk__in=existing).filter(is_active=True).order_by("path"):
        level = ServicePoint.level_for(org)
        if level == ServicePoint.Level.POINT and org.sector not in (
            Organization.Sector.RURAL,
            Organization.Sector.COMMUNITY,
        ):
            continue  # points are in villages and communities; organs and enterprises use the township station
        suffix = {"center": "党员服务中心", "station": "党员服务站", "point": "党员服务点"}[level]
        base = org.name.removesuffix("党委").removesuffix("党总支").removesuffix("党支部").removesuffix("委")
        points.append(
            ServicePoint(
                organization=org,
                level=level,
                name=f"{base}{suffix}",
                address=org.address or f"{base}{'村委会' if level == 'point' else '政府院内'}",
                contact_person=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["主任", "书记", "干事"]),
                phone=f"0350-{rng.randint(2000000, 8999999)}",
                opening_hours=rng.choice(HOURS),
            )
        )
    ServicePoint.objects.bulk_create(points, batch_size=1000)


def _approvers() -> tuple[dict[str, int], int | None]:
    """Township path → a township secretary's user id, and a county office user id."""
    township = {}
    county = None
    for role, path, user_id in RoleAssignment.objects.filter(
        role__in=[Role.TOWNSHIP_SECRETARY, Role.COUNTY_ADMIN]
    ).values_list("role", "organization__path", "user_id"):
        if role == Role.COUNTY_ADMIN:
            county = county or user_id
        else:
            township.setdefault(path, user_id)
    return township, county


def _grants_and_budgets(rng: random.Random, as_of: dt.date) -> None:
    granted_on = max(dt.date(as_of.year, 1, 10), min(as_of, dt.date(as_of.year, 3, 1)))
    if granted_on > as_of:
        granted_on = as_of
    index = services.township_index()
    townships = {pk: path for path, pk in index}
    township_user, county_user = _approvers()
    grants: list[Grant] = []
    now = dt.datetime.combine(granted_on, dt.time(10), tzinfo=dt.UTC)
    for r in selectors.rules_in_force(as_of=granted_on):
        rows = Member.objects.filter(
            selectors.alive_member_q(as_of=granted_on) & selectors.rule_q(r)
        ).values_list("pk", "organization_id", "organization__path")
        for pk, org_id, path in rows:
            if rng.random() < 0.15:
                continue  # not yet granted: shows up as "not served"
            township_id = services.township_for_path(path, index)
            approver = township_user.get(townships.get(township_id, ""), county_user)
            state = rng.choices(["paid", "approved", "planned"], [0.55, 0.2, 0.25])[0]
            paid = state == "paid"
            grants.append(
                Grant(
                    rule=r.rule,
                    member_id=pk,
                    organization_id=org_id,
                    township_id=township_id,
                    period_key=r.period_key,
                    year=granted_on.year,
                    granted_on=granted_on,
                    status=state,
                    amount=r.version.amount,
                    in_kind=r.version.in_kind,
                    created_by_id=approver,
                    approved_by_id=approver if state != "planned" else None,
                    approved_at=now if state != "planned" else None,
                    paid_on=granted_on + dt.timedelta(days=rng.randint(3, 20)) if paid else None,
                    method=(
                        Grant.Method.IN_KIND if r.version.amount is None else rng.choice(["cash", "bank"])
                    )
                    if paid
                    else "",
                    handed_over_by=rng.choice(VISITORS) if paid else "",
                )
            )
    for g in grants:
        if g.paid_on and g.paid_on > as_of:
            g.paid_on = as_of
    Grant.objects.bulk_create(grants, batch_size=1000, ignore_conflicts=True)
    committed: dict[int, Decimal] = {}
    for g in grants:
        if g.township_id and g.amount and g.status in Grant.COMMITTED:
            committed[g.township_id] = committed.get(g.township_id, Decimal("0")) + g.amount
    budgets = []
    for township_id in townships:
        base = committed.get(township_id, Decimal("0")) * Decimal(str(round(rng.uniform(1.3, 1.8), 2)))
        amount = max(Decimal("20000"), (base / 1000).quantize(Decimal("1")) * 1000)
        budgets.append(
            TownshipBudget(township_id=township_id, year=as_of.year, amount=amount, note="县委组织部下达")
        )
    TownshipBudget.objects.bulk_create(budgets, ignore_conflicts=True)


def _pairings(rng: random.Random, as_of: dt.date) -> None:
    alive = selectors.alive_member_q(as_of=as_of)
    helped = list(Member.objects.filter(alive, hardship=True).values_list("pk", "organization_id"))
    helpers: dict[int, list[int]] = {}
    for pk, org_id in Member.objects.filter(
        alive, hardship=False, birth_date__gt=dt.date(as_of.year - 60, 1, 1)
    ).values_list("pk", "organization_id"):
        helpers.setdefault(org_id, []).append(pk)
    pairings = []
    for pk, org_id in helped:
        pool = helpers.get(org_id)
        if not pool or rng.random() < 0.35:
            continue
        starts = as_of - dt.timedelta(days=rng.randint(30, 700))
        pairings.append(
            Pairing(
                helper_id=rng.choice(pool),
                helped_id=pk,
                organization_id=org_id,
                starts_on=starts,
                note=rng.choice(["帮助发展养殖", "联系就医、代办医保", "日常照料和谈心", "帮助子女就业"]),
            )
        )
    Pairing.objects.bulk_create(pairings, batch_size=1000)


def _visits(rng: random.Random, as_of: dt.date) -> None:
    # what the scheduler plans today (hardship this quarter, festivals, cup ceremonies, recent illness)
    services.visits_plan(as_of=as_of)
    alive = selectors.alive_member_q(as_of=as_of)
    start = periods.period_containing(as_of, periods.QUARTER).start
    prev_end = start - dt.timedelta(days=1)
    previous = periods.period_containing(prev_end, periods.QUARTER)
    prev_start, prev_period = previous.start, previous.label
    rows = list(Member.objects.filter(alive, hardship=True).values_list("pk", "organization_id"))
    assigned = services.responsible_users(members=rows, on=as_of)
    visits = []
    for pk, org_id in rows:
        # last quarter's hardship visit: mostly done, a few never made (overdue, escalated by the job)
        done = rng.random() < 0.85
        done_on = prev_start + dt.timedelta(days=rng.randint(0, (prev_end - prev_start).days))
        visits.append(
            Visit(
                member_id=pk,
                organization_id=org_id,
                kind=Visit.Kind.HOME,
                status=Visit.Status.DONE if done else Visit.Status.PLANNED,
                planned_on=prev_start,
                due_on=prev_end,
                done_on=min(done_on, as_of) if done else None,
                assigned_to_id=assigned.get(pk),
                visitors=rng.choice(VISITORS) if done else "",
                notes=rng.choice(NOTES) if done else "",
                follow_up="下次带去药品" if done and rng.random() < 0.2 else "",
                period_key=prev_period,
                schedule_key=f"demo-hardship:{pk}:{prev_period}",
            )
        )
    Visit.objects.bulk_create(visits, batch_size=1000, ignore_conflicts=True)


def _condolences(rng: random.Random, as_of: dt.date) -> None:
    recent = list(
        Member.objects.filter(died_on__isnull=False, died_on__gte=as_of - dt.timedelta(days=400))
        .exclude(condolence__isnull=False)
        .values_list("pk", "organization_id", "died_on")
    )
    condolences, visits = [], []
    for pk, org_id, died_on in recent:
        complete = (as_of - died_on).days > 10 and rng.random() < 0.9
        memorial = min(as_of, died_on + dt.timedelta(days=3))
        condolences.append(
            Condolence(
                member_id=pk,
                organization_id=org_id,
                died_on=died_on,
                memorial_on=memorial,
                attendees="支部书记、组织委员" if complete else "",
                wreath_confirmed_on=memorial if complete else None,
                attendance_confirmed_on=memorial if complete else None,
            )
        )
        visits.append(
            Visit(
                member_id=pk,
                organization_id=org_id,
                kind=Visit.Kind.CONDOLENCE,
                status=Visit.Status.DONE if complete else Visit.Status.PLANNED,
                planned_on=died_on,
                due_on=died_on + dt.timedelta(days=services.CONDOLENCE_DAYS),
                done_on=memorial if complete else None,
                visitors="支部书记、组织委员" if complete else "",
                period_key=died_on.isoformat(),
                schedule_key=f"condolence:{pk}",
            )
        )
    Condolence.objects.bulk_create(condolences, batch_size=1000, ignore_conflicts=True)
    Visit.objects.bulk_create(visits, batch_size=1000, ignore_conflicts=True)
