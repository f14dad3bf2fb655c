"""Reads for the three officers (三员), through the scope: coverage, an officer's organizations, visits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Exists, Max, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from branches.models import OfficerAssignment, Organization, RoleAssignment
from branches.paths import path_at_depth, subtree_q
from branches.selectors import Scope, officer_assignments_active
from common import periods
from common.figures import Figure, organization_figures
from notifications.services import Escalation

from .models import FollowUp, VisitLog

Kind = OfficerAssignment.Kind
Sector = Organization.Sector
KIND_FOR_SECTOR = {sector: kind for kind, sector in OfficerAssignment.SECTOR_FOR_KIND.items()}
OFFICER_SECTORS = tuple(KIND_FOR_SECTOR)


def coverage(
    *, scope: Scope, on: dt.date, sector: str = "", uncovered_only: bool = False
) -> QuerySet[Organization]:
    """Basic organizations of the organ, institution and rural sectors, each marked `covered` when an
    officer of the matching kind is assigned to it on `on`; uncovered first. One query."""
    expected = Case(
        *(When(sector=s, then=Value(k)) for s, k in KIND_FOR_SECTOR.items()),
        default=Value(""),
    )
    active = officer_assignments_active(on=on).filter(
        organization=OuterRef("pk"), kind=OuterRef("expected_kind")
    )
    qs = (
        scope.organizations()
        .filter(
            kind__in=Organization.BASIC_KINDS,
            sector__in=[sector] if sector else OFFICER_SECTORS,
            is_active=True,
        )
        .annotate(expected_kind=expected)
        .annotate(covered=Exists(active))
        .order_by("covered", "sector", "path")
    )
    return qs.filter(covered=False) if uncovered_only else qs


def coverage_summary(*, scope: Scope, on: dt.date) -> list[dict]:
    """Per sector: organizations, how many covered and how many not (one grouped query)."""
    rows = (
        coverage(scope=scope, on=on)
        .order_by()
        .values("sector")
        .annotate(total=Count("pk"), covered_n=Count("pk", filter=Q(covered=True)))
    )
    by_sector = {r["sector"]: r for r in rows}
    out = []
    for sector in OFFICER_SECTORS:
        r = by_sector.get(sector, {"total": 0, "covered_n": 0})
        out.append(
            {
                "sector": sector,
                "label": Sector(sector).label,
                "kind_label": Kind(KIND_FOR_SECTOR[sector]).label,
                "total": r["total"],
                "covered": r["covered_n"],
                "uncovered": r["total"] - r["covered_n"],
            }
        )
    return out


@dataclass(frozen=True)
class CoverageCounts:
    organizations: int = 0  # basic organizations of the officers' sectors (coverage)
    covered: int = 0
    visits: int = 0  # officers' visit logs in the period


def coverage_by(
    *, scope: Scope, org: Organization, on: dt.date, start: dt.date, end: dt.date, depth: int
) -> dict[str, CoverageCounts]:
    """coverage() on `on` and the visit logs from `start` to `end` in `org`'s subtree, per the path of the
    ancestor at `depth` (branches.paths.path_at_depth). Two grouped queries."""
    covered = (
        coverage(scope=scope, on=on)
        .filter(subtree_q(org, ""))
        .annotate(unit=path_at_depth("path", depth=depth))
        .order_by()
        .values("unit")
        .annotate(total=Count("pk"), covered_n=Count("pk", filter=Q(covered=True)))
    )
    visits = dict(
        scope.filter(VisitLog.objects.filter(subtree_q(org), visited_on__gte=start, visited_on__lte=end))
        .annotate(unit=path_at_depth("organization__path", depth=depth))
        .order_by()
        .values_list("unit")
        .annotate(n=Count("pk"))
    )
    out = {r["unit"]: CoverageCounts(r["total"], r["covered_n"], visits.get(r["unit"], 0)) for r in covered}
    for unit, n in visits.items():
        out.setdefault(unit, CoverageCounts(visits=n))
    return out


def assignments_visible(*, scope: Scope, active_on: dt.date | None = None) -> QuerySet[OfficerAssignment]:
    """The assignments the scope reads (only those active on `active_on` when given), by organization."""
    qs = scope.filter(OfficerAssignment.objects.all(), "organization")
    if active_on is not None:
        qs = qs.filter(pk__in=officer_assignments_active(on=active_on).values("pk"))
    return qs.select_related("officer", "organization").order_by("organization__path", "-starts_on")


@dataclass
class OfficerOrgRow:
    assignment: OfficerAssignment
    organization: Organization
    open_follow_ups: int
    overdue_follow_ups: int
    last_visit: dt.date | None
    figures: list[Figure]


def officer_page(*, scope: Scope, officer, on: dt.date) -> list[OfficerOrgRow]:
    """The officer's organizations (active assignments the viewer may see) with the figures other apps give
    for them (common.figures: education's 三会一课 this year), open and overdue follow-ups and the last visit. A fixed number of queries; 404 when the
    viewer sees none of this officer's assignments (outsiders learn nothing)."""
    assignments = list(
        scope.filter(officer_assignments_active(on=on).filter(officer=officer), "organization")
        .select_related("organization")
        .annotate(
            open_n=Count(
                "organization__follow_ups",
                filter=Q(organization__follow_ups__done_on__isnull=True),
                distinct=True,
            ),
            overdue_n=Count(
                "organization__follow_ups",
                filter=Q(
                    organization__follow_ups__done_on__isnull=True, organization__follow_ups__due_on__lt=on
                ),
                distinct=True,
            ),
            last_visit=Max("organization__officer_visits__visited_on"),
        )
        .order_by("organization__path")
    )
    if not assignments:
        raise Http404
    figures = organization_figures(org_ids=[a.organization_id for a in assignments], as_of=on)
    return [
        OfficerOrgRow(
            assignment=a,
            organization=a.organization,
            open_follow_ups=a.open_n,
            overdue_follow_ups=a.overdue_n,
            last_visit=a.last_visit,
            figures=figures.get(a.organization_id, []),
        )
        for a in assignments
    ]


def officer_get(*, pk: int):
    """The account whose officer page is asked for (what it shows is still scoped by officer_page)."""
    return get_user_model().objects.filter(pk=pk).first()


def officer_open_follow_ups(*, scope: Scope, officer) -> QuerySet[FollowUp]:
    return (
        scope.filter(FollowUp.objects.filter(visit__officer=officer, done_on__isnull=True), "organization")
        .select_related("organization", "visit")
        .order_by("due_on", "pk")
    )


def visits_visible(
    *, scope: Scope, organization: Organization | None = None, officer=None
) -> QuerySet[VisitLog]:
    """The visit logs the scope reads, newest first; of one organization and/or one officer when given."""
    qs = scope.filter(VisitLog.objects.all(), "organization")
    if organization is not None:
        qs = qs.filter(organization=organization)
    if officer is not None:
        qs = qs.filter(officer=officer)
    return (
        qs.order_by("-visited_on", "-pk")
        .select_related("organization", "officer")
        .annotate(
            open_n=Count("follow_ups", filter=Q(follow_ups__done_on__isnull=True)),
            follow_ups_n=Count("follow_ups"),
        )
    )


def organizations_for_assignment(*, scope: Scope) -> QuerySet[Organization]:
    """The basic organizations of the officers' sectors that the scope may write: where an officer can be assigned."""
    return (
        scope.organizations(write=True)
        .filter(kind__in=Organization.BASIC_KINDS, sector__in=OFFICER_SECTORS)
        .order_by("path")
    )


def organizations_for_visit(*, officer, on: dt.date) -> QuerySet[Organization]:
    """Where the officer may log a visit today: organizations assigned to them now."""
    return Organization.objects.filter(
        pk__in=officer_assignments_active(on=on).filter(officer=officer).values("organization_id")
    ).order_by("path")


def officer_candidates(*, scope: Scope):
    """Whom an assignment may name: the county office picks any active account; a township picks among the
    people who already serve as officers within its own organizations (an assignment or the officer role
    there). Accounts are created by the county, and another township's officers are not named to it (issue 13,
    17): the county office assigns across townships."""
    users = get_user_model().objects.filter(is_active=True)
    if not scope.is_county:
        mine = scope.organizations()
        users = users.filter(
            Q(officer_assignments__organization__in=mine)
            | Q(roles__role=RoleAssignment.Role.OFFICER, roles__organization__in=mine)
        ).distinct()
    return users.order_by("name", "email")


# -- escalation to the county (officer_county_escalation) ----------------------------------------------------


def county_escalations(*, as_of: dt.date) -> list[Escalation]:
    """An officer assigned to an organization for the whole of the last ended quarter who logged no visit
    there in it: once per assignment and quarter, key "county_officer_visits:<assignment>:<user>:<quarter>"
    (e.g. "2026-Q1"). A visit logged in the quarter, even late, leaves the assignment out. One query."""
    quarter = periods.period_containing(
        periods.period_containing(as_of, periods.QUARTER).start - dt.timedelta(days=1), periods.QUARTER
    )
    visited = VisitLog.objects.filter(
        organization=OuterRef("organization"),
        officer=OuterRef("officer"),
        visited_on__range=(quarter.start, quarter.end),
    )
    assignments = (
        officer_assignments_active(on=quarter.end)
        .filter(starts_on__lte=quarter.start)
        .filter(~Exists(visited))
        .select_related("officer", "organization")
        .order_by("organization__path", "pk")
    )
    return [
        Escalation(
            what="county_officer_visits",
            obj=a.pk,
            period=quarter.label,
            org_path=a.organization.path,
            organization=a.organization.name,
            text=format_lazy(
                _("{kind} {officer} made no visit in {quarter}"),
                kind=Kind(a.kind).label,
                officer=a.officer.name or a.officer.email,
                quarter=quarter.label,
            ),
            url=reverse("officers:officer", args=[a.officer_id]),
        )
        for a in assignments
    ]
