"""The visit scheduler: plan the visits the policies call for, remind before due, escalate when overdue."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q

from common import periods
from members.ages import years_before
from members.models import Member
from notifications.services import (
    notify_many,
)

from .. import selectors
from ..models import (
    LunarNewYear,
    Visit,
    VisitPolicy,
)
from .notices import _township_officials, _visit_messages
from .visits import responsible_users

logger = logging.getLogger(__name__)


def _alive(as_of: dt.date) -> Q:
    return selectors.alive_member_q(as_of=as_of)


def _plan(
    *,
    policy: VisitPolicy,
    candidates,
    period: str,
    planned_on: dt.date,
    due_on: dt.date,
    as_of: dt.date,
    use_helper: bool = True,
) -> int:
    """Insert one planned visit per candidate member that has none for (policy, period). Bulk, idempotent:
    the unique schedule_key makes a rerun (or a concurrent run) insert nothing."""
    already = Visit.objects.filter(policy=policy, period_key=period).values("member_id")
    rows = list(candidates.exclude(pk__in=already).values_list("pk", "organization_id"))
    if not rows:
        return 0
    assigned = responsible_users(members=rows, on=as_of, use_helper=use_helper)
    objs = [
        Visit(
            member_id=pk,
            organization_id=org_id,
            kind=policy.visit_kind,
            planned_on=planned_on,
            due_on=max(due_on, planned_on),
            assigned_to_id=assigned.get(pk),
            policy=policy,
            period_key=period,
            schedule_key=f"{policy.code}:{pk}:{period}",
        )
        for pk, org_id in rows
    ]
    Visit.objects.bulk_create(objs, batch_size=1000, ignore_conflicts=True)
    return len(objs)


def visits_plan(*, as_of: dt.date) -> int:
    """The scheduler: plan the visits every active policy calls for on `as_of` (see VisitPolicy.Target).
    Returns how many visits were planned; running it again for the same day plans nothing."""
    planned = 0
    alive = Member.objects.filter(_alive(as_of))
    for policy in VisitPolicy.objects.filter(is_active=True).order_by("pk"):
        members = alive.filter(organization__sector=policy.sector) if policy.sector else alive
        T = VisitPolicy.Target
        if policy.target == T.HARDSHIP:
            this_quarter = periods.period_containing(as_of, periods.QUARTER)
            end, period = this_quarter.end, this_quarter.label
            planned += _plan(
                policy=policy,
                candidates=members.filter(hardship=True),
                period=period,
                planned_on=as_of,
                due_on=end,
                as_of=as_of,
            )
        elif policy.target == T.ELDERLY:
            spring = dict(
                LunarNewYear.objects.filter(year__in=[as_of.year, as_of.year + 1]).values_list("year", "date")
            )
            occasions = []
            for year in (as_of.year, as_of.year + 1):
                if year in spring:
                    occasions.append((f"{year}-spring", spring[year]))
                else:
                    logger.warning("no Spring Festival date for %s: add it to care.LunarNewYear", year)
                occasions.append((f"{year}-july1", dt.date(year, 7, 1)))
            for period, day in occasions:
                if not (day - dt.timedelta(days=policy.lead_days) <= as_of <= day):
                    continue
                who = Q(pk__in=[])
                if policy.min_age:
                    who |= Q(birth_date__lte=years_before(day, policy.min_age))
                if policy.admitted_before:
                    who |= Q(admitted_on__lt=policy.admitted_before)
                planned += _plan(
                    policy=policy,
                    candidates=members.filter(who),
                    period=period,
                    planned_on=as_of,
                    due_on=day,
                    as_of=as_of,
                )
        elif policy.target == T.ILL:
            since_from = as_of - dt.timedelta(days=max(policy.lead_days, policy.within_days))
            for since in (
                members.filter(ill_since__isnull=False, ill_since__lte=as_of, ill_since__gte=since_from)
                .values_list("ill_since", flat=True)
                .distinct()
            ):
                assert since is not None  # filtered above
                planned += _plan(
                    policy=policy,
                    candidates=members.filter(ill_since=since),
                    period=since.isoformat(),
                    planned_on=since,
                    due_on=since + dt.timedelta(days=policy.within_days),
                    as_of=as_of,
                )
        elif policy.target == T.PARTY_AGE and policy.party_age_years:
            this_month = periods.period_containing(as_of, periods.MONTH)
            first, last = this_month.start, this_month.end
            n = policy.party_age_years
            # the anniversary add_years(full_member_on, n) falls in this month (29 Feb → 1 Mar, like years_between)
            reaching = members.filter(
                full_member_on__gt=years_before(first - dt.timedelta(days=1), n),
                full_member_on__lte=years_before(last, n),
            )
            planned += _plan(
                policy=policy,
                candidates=reaching,
                period=f"{n}y",
                planned_on=as_of,
                due_on=last,
                as_of=as_of,
                use_helper=False,
            )
    return planned


def visits_remind(*, as_of: dt.date) -> int:
    """Remind the responsible person before a planned visit is due, tell them when it is overdue, and escalate
    to the township when it is still not done `escalate_days_after` days later. One delivery per visit, step
    and person (unique key), so a rerun sends nothing; keys already in the outbox are found in one query
    per chunk (notifications.services.notify_many), so a quiet day costs a handful of queries however many
    visits are open."""
    horizon = as_of + dt.timedelta(
        days=max([3, *VisitPolicy.objects.values_list("remind_days_before", flat=True)])
    )
    visits = list(
        Visit.objects.filter(status=Visit.Status.PLANNED, due_on__lte=horizon)
        .filter(selectors.visit_worth_reminding_q())
        .select_related("policy", "member", "member__organization", "assigned_to")
    )
    steps: list[tuple[Visit, str, list]] = []
    to_escalate = []
    for v in visits:
        remind = v.policy.remind_days_before if v.policy else 3
        escalate = v.policy.escalate_days_after if v.policy else 7
        if v.assigned_to_id and v.due_on - dt.timedelta(days=remind) <= as_of <= v.due_on:
            steps.append((v, "care_visit_due", [v.assigned_to]))
        elif v.assigned_to_id and as_of > v.due_on:
            steps.append((v, "care_visit_overdue", [v.assigned_to]))
        if as_of > v.due_on and as_of >= v.due_on + dt.timedelta(days=escalate):
            to_escalate.append(v)
    if to_escalate:
        officials = _township_officials({v.organization_id for v in to_escalate})
        steps.extend((v, "care_visit_escalated", officials.get(v.organization_id, [])) for v in to_escalate)
    templates = {
        "care_visit_due": "care/email/visit_due",
        "care_visit_overdue": "care/email/visit_overdue",
        "care_visit_escalated": "care/email/visit_escalated",
    }
    return notify_many(
        messages=[
            message
            for v, kind, users in steps
            for message in _visit_messages(visit=v, kind=kind, template=templates[kind], users=users)
        ],
        chunk_size=1000,
    )
