"""Periodic jobs for 三会一课, all idempotent through the outbox's unique keys.

- education_plans: planned meetings of the coming months from each branch's regular schedule.
- education_period_reminders: `remind_days_before` (per kind, data) days before a period ends with a required
  meeting still missing → the branch secretary (stage `due`); after the period → the secretary (stage
  `missed`) and the township secretaries and staff (stage `township`, which their digest collects).
  Key: edu_<stage>:<branch>:<kind>:<group or 0>:<period>:<user> — once per (branch, kind, period, stage).
- education_minutes_missing: a meeting whose date is 3+ days past and has no minutes → the secretary.
- education_absence_alerts: a member with 3 unexcused absences in a row (stage `streak3`), and six months
  without any organizational life (stage `six_months`, Party Constitution art. 9) → the secretary; keyed by the
  member's last attended date so a new streak after attending again alerts again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from branches.models import Organization, RoleAssignment
from branches.paths import ancestor_path
from members.models import Member
from notifications.jobs import periodic_job
from notifications.models import Delivery
from notifications.services import notify

from . import selectors
from .compliance import DUE, MISSING, compliance_grid, living_on, load_rules
from .models import Attendance, Meeting, MeetingPlan
from .services import plans_generate

Role = RoleAssignment.Role
MISSED_LOOKBACK_DAYS = 31  # a period that ended longer ago than this is not reported again
MINUTES_AFTER_DAYS = 3
MINUTES_LOOKBACK_DAYS = 60
ABSENCE_STREAK_ALERT = 3


def township_path(org_path: str) -> str | None:
    return ancestor_path(org_path, depth=1)


def _secretaries(org_ids) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for ra in RoleAssignment.objects.filter(
        organization_id__in=list(org_ids), role=Role.BRANCH_SECRETARY, user__is_active=True
    ).select_related("user"):
        out[ra.organization_id].append(ra.user)
    return out


def _township_staff(paths) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for ra in RoleAssignment.objects.filter(
        organization__path__in=list(paths),
        organization__kind=Organization.Kind.TOWNSHIP,
        role__in=[Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF],
        user__is_active=True,
    ).select_related("user", "organization"):
        if all(u.pk != ra.user_id for u in out[ra.organization.path]):
            out[ra.organization.path].append(ra.user)
    return out


# The township hears of each missed meeting in its digest, not one e-mail per meeting.
DIGEST_ONLY_KINDS = {"period_township"}


def _send(planned: list[tuple[str, str, object, dict, str]]) -> int:
    """planned: (key, kind, user, context, url). Keys already delivered are skipped without rendering."""
    done = set(Delivery.objects.filter(key__in=[p[0] for p in planned]).values_list("key", flat=True))
    created = 0
    for key, kind, user, context, url in planned:
        if key in done:
            continue
        done.add(key)
        if notify(
            user=user,
            key=key,
            kind=kind,
            template=f"education/email/{kind}",
            context=context,
            url=url,
            digest_only=kind in DIGEST_ONLY_KINDS,
        ):
            created += 1
    return created


@periodic_job("education_plans")
def generate_planned_meetings(as_of: dt.date) -> int:
    """Returns the number of planned meetings created (no messages)."""
    return plans_generate(plans=MeetingPlan.objects.all(), as_of=as_of)


@periodic_job("education_period_reminders")
def period_reminders(as_of: dt.date) -> int:
    rules = load_rules()
    remind = {r.code: r.remind_days_before for r in rules}
    years = {as_of.year}
    if (as_of - dt.timedelta(days=MISSED_LOOKBACK_DAYS)).year != as_of.year:
        years.add(as_of.year - 1)
    rows = []
    for year in sorted(years):
        rows += compliance_grid(Organization.objects.all(), year=year, as_of=as_of, rules=rules)
    due = [
        r
        for r in rows
        if r.status == DUE and r.period.start <= as_of and 0 <= (r.period.end - as_of).days <= remind[r.kind]
    ]
    missed = [
        r for r in rows if r.status == MISSING and 0 < (as_of - r.period.end).days <= MISSED_LOOKBACK_DAYS
    ]
    if not due and not missed:
        return 0
    org_ids = {r.organization_id for r in due + missed}
    secretaries = _secretaries(org_ids)
    paths = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "path"))
    township_staff = _township_staff({township_path(paths[r.organization_id]) for r in missed} - {None})

    planned = []
    for stage, items in (("period_due", due), ("period_missed", missed)):
        for r in items:
            url = (
                reverse("education:compliance_org", args=[r.organization_id]) + f"?year={r.period.start.year}"
            )
            context = {
                "row": r,
                "days_left": (r.period.end - as_of).days,
                "link": url,
            }
            base = f"{r.organization_id}:{r.kind}:{r.party_group_id or 0}:{r.period.label}"
            for user in secretaries.get(r.organization_id, []):
                planned.append((f"edu_{stage}:{base}:{user.pk}", stage, user, context, url))
            if stage == "period_missed":
                for user in township_staff.get(township_path(paths[r.organization_id]) or "", []):
                    planned.append(
                        (f"edu_period_township:{base}:{user.pk}", "period_township", user, context, url)
                    )
    return _send(planned)


@periodic_job("education_minutes_missing")
def minutes_missing(as_of: dt.date) -> int:
    meetings = list(
        Meeting.objects.filter(
            status=Meeting.Status.PLANNED,
            minutes="",
            date__lte=as_of - dt.timedelta(days=MINUTES_AFTER_DAYS),
            date__gte=as_of - dt.timedelta(days=MINUTES_LOOKBACK_DAYS),
        )
        .select_related("organization", "party_group")
        .prefetch_related("kinds")
    )
    secretaries = _secretaries({m.organization_id for m in meetings})
    planned = []
    for m in meetings:
        url = reverse("education:meeting_detail", args=[m.pk])
        context = {"meeting": m, "kinds": "、".join(k.name_zh for k in m.kinds.all()), "link": url}
        for user in secretaries.get(m.organization_id, []):
            planned.append((f"edu_minutes_missing:{m.pk}:{user.pk}", "minutes_missing", user, context, url))
    return _send(planned)


@periodic_job("education_absence_alerts")
def absence_alerts(as_of: dt.date) -> int:
    """One query for every living member of the county with attendance, then one per recipients lookup."""
    members = list(
        selectors.with_absence(
            Member.objects.filter(living_on(as_of), Exists(Attendance.objects.filter(member=OuterRef("pk")))),
            as_of=as_of,
        )
        .filter(Q(absence_streak__gte=ABSENCE_STREAK_ALERT) | Q(absent_6m__gt=0, present_6m=0))
        .select_related("organization")
    )
    secretaries = _secretaries({m.organization_id for m in members})
    planned = []
    for m in members:
        since = m.last_present.isoformat() if m.last_present else "never"
        url = reverse("education:member_record", args=[m.pk])
        context = {"member": m, "organization": m.organization, "link": url}
        stages = []
        if m.absence_streak >= ABSENCE_STREAK_ALERT:
            stages.append("absence_streak")
        if selectors.no_organizational_life(m):
            stages.append("absence_six_months")
        for stage in stages:
            for user in secretaries.get(m.organization_id, []):
                planned.append((f"edu_{stage}:{m.pk}:{since}:{user.pk}", stage, user, context, url))
    return _send(planned)
