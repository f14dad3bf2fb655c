"""Periodic jobs on the roster.

probation_due (预备期满转正表决): a probationary member's year ends on `Member.probation_due_on` (one year
after admission, or the extended date). Within PROBATION_NOTICE_DAYS before it, the branch secretary of the
member's organization is reminded to hold the confirmation vote; from the due day on, while the member is
still probationary, the branch secretary and the township above (secretaries and staff) are told it is
overdue. Each message once per (member, recipient, due date, stage).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from branches.models import Organization, RoleAssignment
from branches.paths import ancestor_path
from notifications.jobs import periodic_job
from notifications.models import Delivery
from notifications.services import notify

from .ages import years_before
from .models import Member

PROBATION_NOTICE_DAYS = 30
Role = RoleAssignment.Role


def probation_due_on_or_before(day: dt.date) -> Q:
    """Members whose probation ends on or before `day`, as a database filter (exact, including 29 Feb):
    the extended date when there is one, otherwise one year after admission (`Member.probation_due_on`)."""
    return Q(probation_ends_on__isnull=False, probation_ends_on__lte=day) | Q(
        probation_ends_on__isnull=True, admitted_on__lte=years_before(day, 1)
    )


def probationers_due(*, as_of: dt.date, within_days: int = PROBATION_NOTICE_DAYS):
    """Living probationary members whose probation ends within `within_days` after `as_of` or has ended."""
    return Member.objects.filter(
        probation_due_on_or_before(as_of + dt.timedelta(days=within_days)),
        full_member_on__isnull=True,
        died_on__isnull=True,
    )


def township_path(org_path: str) -> str | None:
    """The path of the depth-1 ancestor (county.township.), computed from the materialized path."""
    return ancestor_path(org_path, depth=1)


def _member_url(member_id: int) -> str:
    try:
        return reverse("members:detail", args=[member_id])
    except NoReverseMatch:  # the roster pages are not installed
        return ""


@periodic_job("probation_due")
def probation_due(as_of: dt.date) -> int:
    """Remind branch secretaries before the probation year ends; tell the township once it is overdue.

    Three queries whatever the county's size: the candidates, the branch secretaries of their
    organizations, the township secretaries and staff above them; plus one for keys already delivered.
    """
    candidates = list(
        probationers_due(as_of=as_of)
        .select_related("organization")
        .only("pk", "name", "admitted_on", "probation_ends_on", "organization__name", "organization__path")
    )
    if not candidates:
        return 0
    org_ids = {m.organization_id for m in candidates}
    secretaries: dict[int, list] = defaultdict(list)
    for ra in RoleAssignment.objects.filter(
        organization_id__in=org_ids, role=Role.BRANCH_SECRETARY, user__is_active=True
    ).select_related("user"):
        secretaries[ra.organization_id].append(ra.user)

    overdue_paths = {township_path(m.organization.path) for m in candidates if m.probation_due_on <= as_of}
    overdue_paths.discard(None)
    township_staff: dict[str, list] = defaultdict(list)
    township_names: dict[str, str] = {}
    if overdue_paths:
        for ra in RoleAssignment.objects.filter(
            organization__path__in=overdue_paths,
            organization__kind=Organization.Kind.TOWNSHIP,
            role__in=[Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF],
            user__is_active=True,
        ).select_related("user", "organization"):
            township_staff[ra.organization.path].append(ra.user)
            township_names[ra.organization.path] = ra.organization.name

    planned = []  # (key, kind, template, user, context)
    for member in candidates:
        due = member.probation_due_on
        overdue = due <= as_of
        kind = "probation_overdue" if overdue else "probation_due"
        recipients = list(secretaries.get(member.organization_id, []))
        tpath = township_path(member.organization.path)
        if overdue and tpath:
            recipients += township_staff.get(tpath, [])
        seen: set[int] = set()
        for user in recipients:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            context = {
                "member": member,
                "organization": member.organization,
                "due_on": due,
                "days_left": (due - as_of).days,
                "days_overdue": (as_of - due).days,
                "township": township_names.get(tpath or ""),
                "link": "",
            }
            planned.append((f"{kind}:{member.pk}:{user.pk}:{due.isoformat()}", kind, user, context))

    # Skip what went out on an earlier run without rendering it again.
    done = set(Delivery.objects.filter(key__in=[p[0] for p in planned]).values_list("key", flat=True))
    created = 0
    for key, kind, user, context in planned:
        if key in done:
            continue
        url = _member_url(context["member"].pk)
        context["link"] = url
        if notify(user=user, key=key, kind=kind, template=f"members/email/{kind}", context=context, url=url):
            created += 1
    return created
