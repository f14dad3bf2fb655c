"""Reads for the home page: a fixed number of queries whatever the size of the user's part of the county."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from branches.models import Organization
from branches.paths import subtree_q
from members.models import Member
from members.selectors import PROBATION_NOTICE_DAYS, living_on_q, probation_due_on_or_before

MAX_TOP_ORGANIZATIONS = 20


@dataclass
class OrgSummary:
    organization: Organization
    members: int = 0
    probationary: int = 0
    probation_due: int = 0  # probation ends within PROBATION_NOTICE_DAYS, or has ended without confirmation
    organizations: int = 0  # in the subtree, the organization itself included


def top_organizations(*, scope) -> list[Organization]:
    """The highest organizations the user can see: the roots of their scope (one query)."""
    if scope.is_superuser:
        qs = Organization.objects.filter(parent__isnull=True)
    elif scope.read_paths:
        qs = Organization.objects.filter(path__in=scope.read_paths)
    else:
        return []
    return list(qs.only("pk", "name", "kind", "sector", "path").order_by("path")[:MAX_TOP_ORGANIZATIONS])


def organization_summaries(*, orgs: list[Organization], as_of: dt.date) -> list[OrgSummary]:
    """Living members, probationary members and confirmations due, per organization subtree: one aggregate
    query for the members and one for the organization counts, however many organizations are listed."""
    if not orgs:
        return []
    due = probation_due_on_or_before(as_of + dt.timedelta(days=PROBATION_NOTICE_DAYS))
    probationary = Q(full_member_on__isnull=True) | Q(full_member_on__gt=as_of)
    member_aggs, org_aggs = {}, {}
    for i, org in enumerate(orgs):
        inside = subtree_q(org)
        member_aggs[f"m{i}"] = Count("pk", filter=inside)
        member_aggs[f"p{i}"] = Count("pk", filter=inside & probationary)
        member_aggs[f"d{i}"] = Count("pk", filter=inside & Q(full_member_on__isnull=True) & due)
        org_aggs[f"o{i}"] = Count("pk", filter=subtree_q(org, ""))
    combined = Q()
    for org in orgs:
        combined |= subtree_q(org)
    counts = Member.objects.filter(combined, living_on_q(as_of)).aggregate(**member_aggs)
    org_counts = Organization.objects.aggregate(**org_aggs)
    return [
        OrgSummary(
            organization=org,
            members=counts[f"m{i}"],
            probationary=counts[f"p{i}"],
            probation_due=counts[f"d{i}"],
            organizations=org_counts[f"o{i}"],
        )
        for i, org in enumerate(orgs)
    ]


def own_member_id(*, user) -> int | None:
    return Member.objects.filter(user=user).values_list("pk", flat=True).first()
