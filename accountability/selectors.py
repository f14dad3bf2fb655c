"""Reads for targets and evaluations, always through the scope (branches.selectors.scope_for)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Rank

from branches.models import Organization, RoleAssignment
from branches.selectors import Scope

from .models import Contract, DutyReport, GradeBand, Indicator, IndicatorGroup, YearDeadlines

Role = RoleAssignment.Role
# Who answers for an organization (述职, signing, evaluating) and who is reminded: its secretaries.
SECRETARY_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_SECRETARY, Role.BRANCH_SECRETARY)


# -- deadlines and grades -------------------------------------------------------------------------
def deadlines_get(*, year: int) -> YearDeadlines:
    """The year's deadlines; the defaults (unsaved) until the county sets them."""
    found = YearDeadlines.objects.filter(year=year).first()
    return found or YearDeadlines(year=year, **YearDeadlines.defaults_for(year))


def grade_bands() -> list[GradeBand]:
    return list(GradeBand.objects.order_by("-min_score"))


def grade_for(*, total: Decimal, vetoed: bool, bands: list[GradeBand] | None = None) -> GradeBand | None:
    """The highest band whose minimum the total reaches; a one-vote veto (一票否决) gives the lowest band."""
    bands = bands if bands is not None else grade_bands()
    if not bands:
        return None
    if vetoed:
        return bands[-1]
    for band in bands:
        if total >= band.min_score:
            return band
    return bands[-1]


# -- who acts for an organization -----------------------------------------------------------------
def user_acts_for(*, user, organization: Organization) -> bool:
    """Signing and evaluating are done by the organization's own office (a write role AT it), not by
    anyone above who can merely see it: a township secretary does not sign the village's side."""
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(
        user=user, organization=organization, role__in=RoleAssignment.WRITE_ROLES
    ).exists()


def organizations_acted_for(*, user) -> QuerySet[Organization]:
    """The organizations the user answers for directly (where they hold a write role)."""
    if user.is_superuser:
        return Organization.objects.filter(kind__in=[Organization.Kind.COUNTY, Organization.Kind.TOWNSHIP])
    return Organization.objects.filter(
        roles__user=user, roles__role__in=RoleAssignment.WRITE_ROLES
    ).distinct()


def contract_children(*, parent: Organization) -> QuerySet[Organization]:
    """Who receives a contract from `parent` (县与乡、乡与村层层签订): the county signs with its townships,
    a township with its basic organizations."""
    qs = Organization.objects.filter(parent=parent, is_active=True)
    if parent.kind == Organization.Kind.COUNTY:
        return qs.filter(kind=Organization.Kind.TOWNSHIP)
    return qs.filter(kind__in=Organization.BASIC_KINDS)


# -- indicator library ----------------------------------------------------------------------------
@dataclass
class Library:
    year: int
    groups: list[IndicatorGroup]
    total: Decimal

    @property
    def is_complete(self) -> bool:
        return self.total == Decimal("100")


def library_get(*, year: int) -> Library:
    """The year's groups with their indicators (two queries) and the total weight (from the same rows)."""
    groups = list(
        IndicatorGroup.objects.filter(year=year).prefetch_related("indicators").order_by("position", "pk")
    )
    total = sum((i.weight for g in groups for i in g.indicators.all()), Decimal("0"))
    return Library(year=year, groups=groups, total=total)


def library_indicators(*, year: int) -> QuerySet[Indicator]:
    return Indicator.objects.filter(group__year=year).select_related("group")


def library_total(*, year: int) -> Decimal:
    return Indicator.objects.filter(group__year=year).aggregate(t=Coalesce(Sum("weight"), Decimal("0")))["t"]


# -- contracts ------------------------------------------------------------------------------------
def contracts_visible(*, scope: Scope, year: int | None = None) -> QuerySet[Contract]:
    qs = scope.filter(Contract.objects.all(), "organization").select_related(
        "parent", "organization", "grade"
    )
    if year is not None:
        qs = qs.filter(year=year)
    return qs


RANK_ORDER = [F("vetoed").asc(), F("score").desc(nulls_last=True)]


def _with_ranks(qs: QuerySet[Contract]) -> QuerySet[Contract]:
    """Ranks computed by the database: within the issuing organization (a township's villages), and
    across the county among contracts of the same level (all villages, or all townships). A vetoed
    contract ranks after every contract that was not vetoed."""
    return qs.annotate(
        rank_in_parent=Window(Rank(), partition_by=[F("parent_id")], order_by=RANK_ORDER),
        rank_in_county=Window(Rank(), partition_by=[F("parent__kind")], order_by=RANK_ORDER),
    )


def _visible_after_ranking(qs: QuerySet[Contract], scope: Scope) -> QuerySet[Contract]:
    """Keep only what the scope may see WITHOUT changing the ranks: a plain filter would run before the
    window functions and rank a township's villages among themselves only. Expressed as a window over
    each row, the condition goes to the outer query that Django wraps around the ranking (QUALIFY)."""
    if scope.is_superuser:
        return qs
    visible = Window(
        Max(
            Case(When(scope.q("organization"), then=Value(1)), default=Value(0), output_field=IntegerField())
        ),
        partition_by=[F("pk")],
    )
    return qs.annotate(visible=visible).filter(visible=1)


def contracts_ranked(*, scope: Scope, year: int, parent_id: int | None = None) -> QuerySet[Contract]:
    """Evaluated contracts of the year with both ranks, ordered by level, issuer and rank; one query."""
    qs = _with_ranks(Contract.objects.filter(year=year, status=Contract.Status.EVALUATED))
    qs = _visible_after_ranking(qs, scope)
    if parent_id is not None:
        qs = qs.annotate(
            of_parent=Window(
                Max(Case(When(parent_id=parent_id, then=Value(1)), default=Value(0))),
                partition_by=[F("pk")],
            )
        ).filter(of_parent=1)
    # rank_in_parent is annotated by _with_ranks: django-stubs does not follow annotations across functions.
    return qs.select_related("parent", "organization", "grade").order_by(  # type: ignore[misc]
        "parent__depth", "parent__path", "rank_in_parent", "organization__code"
    )


def evaluation_rows(*, year: int, organization: Organization | None = None) -> QuerySet[Contract]:
    """Every contract of the year (any state) for `report_evaluations`. The rank is within the parent,
    among its evaluated contracts (partitioned by parent and status, so drafts never push a rank down);
    an unevaluated contract has none. `organization` keeps the contracts of its subtree (its own contract
    and every one below it), the ranks still computed over the whole year."""
    qs = Contract.objects.filter(year=year).annotate(
        rank_in_parent=Case(
            When(
                status=Contract.Status.EVALUATED,
                then=Window(Rank(), partition_by=[F("parent_id"), F("status")], order_by=RANK_ORDER),
            ),
            default=None,
            output_field=IntegerField(),
        )
    )
    if organization is not None:
        qs = qs.annotate(
            in_subtree=Window(
                Max(
                    Case(
                        When(organization__path__startswith=organization.path, then=Value(1)),
                        default=Value(0),
                        output_field=IntegerField(),
                    )
                ),
                partition_by=[F("pk")],
            )
        ).filter(in_subtree=1)
    return qs.select_related("parent", "organization", "grade").order_by("parent__path", "organization__code")


@dataclass
class SigningRow:
    organization: Organization
    contract_id: int | None
    status: str | None
    signed_on: dt.date | None
    children: int
    children_signed: int

    @property
    def is_signed(self) -> bool:
        return self.status in (Contract.Status.SIGNED, Contract.Status.EVALUATED)


def signing_overview(*, scope: Scope, issuer: Organization, year: int) -> QuerySet[Organization]:
    """Who has not signed (谁还没签): the issuer's contract partners, each with its contract state for the
    year and, for a township, how many of its own basic organizations have signed. Subqueries, one query."""
    mine = Contract.objects.filter(year=year, parent=issuer, organization=OuterRef("pk"))
    below = Contract.objects.filter(year=year, parent=OuterRef("pk"))
    signed = (Contract.Status.SIGNED, Contract.Status.EVALUATED)
    return (
        scope.filter(contract_children(parent=issuer), "")
        .annotate(
            contract_id=Subquery(mine.values("pk")[:1]),
            contract_status=Subquery(mine.values("status")[:1]),
            contract_signed_on=Subquery(mine.values("signed_on")[:1]),
            partners=Subquery(
                Organization.objects.filter(
                    parent=OuterRef("pk"), is_active=True, kind__in=Organization.BASIC_KINDS
                )
                .values("parent")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            partners_signed=Subquery(
                below.filter(status__in=signed).values("parent").annotate(n=Count("pk")).values("n")[:1],
                output_field=IntegerField(),
            ),
        )
        .annotate(
            signed_first=Case(
                When(contract_status__in=signed, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("signed_first", "code")
    )


# -- duty reports ---------------------------------------------------------------------------------
DUTY_LEVELS = (Organization.Kind.COUNTY, Organization.Kind.TOWNSHIP, *Organization.BASIC_KINDS)


def duty_report_overview(*, scope: Scope, year: int, state: str = "") -> QuerySet[Organization]:
    """Organizations whose secretary gives a 述职 report, with the state of this year's report:
    missing / draft / submitted / late."""
    report = DutyReport.objects.filter(year=year, organization=OuterRef("pk"))
    qs = (
        scope.organizations()
        .filter(kind__in=DUTY_LEVELS, is_active=True, depth__lte=2)
        .annotate(
            report_id=Subquery(report.values("pk")[:1]),
            report_submitted_at=Subquery(report.values("submitted_at")[:1]),
            report_late=Subquery(report.values("late")[:1]),
        )
        .order_by("path")
    )
    if state == "missing":
        qs = qs.filter(~Exists(report.filter(submitted_at__isnull=False)))
    elif state == "submitted":
        qs = qs.filter(Exists(report.filter(submitted_at__isnull=False)))
    elif state == "late":
        qs = qs.filter(Exists(report.filter(late=True)))
    return qs


def duty_reports_visible(*, scope: Scope) -> QuerySet[DutyReport]:
    return scope.filter(DutyReport.objects.all(), "organization").select_related("organization", "author")


# -- 实绩考核 export --------------------------------------------------------------------------------
@dataclass
class PerformanceRow:
    secretary: str
    email: str
    role: str
    organization: Organization
    contract: Contract | None
    duty_report: str


def performance_rows(*, scope: Scope, year: int) -> list[PerformanceRow]:
    """One row per secretary of an organization that holds a contract this year, with the organization's
    evaluation (the party-building part of the leadership's 实绩考核). Three queries whatever the size."""
    ranked = {c.organization_id: c for c in contracts_ranked(scope=scope, year=year)}
    states = {
        d["organization_id"]: d
        for d in DutyReport.objects.filter(year=year, organization_id__in=list(ranked)).values(
            "organization_id", "submitted_at", "late"
        )
    }
    rows: list[PerformanceRow] = []
    roles = (
        RoleAssignment.objects.filter(organization_id__in=list(ranked), role__in=SECRETARY_ROLES)
        .select_related("user")
        .order_by("organization__path", "user__name")
    )
    for ra in roles:
        state = states.get(ra.organization_id)
        if state is None or state["submitted_at"] is None:
            duty = "missing"
        else:
            duty = "late" if state["late"] else "submitted"
        rows.append(
            PerformanceRow(
                secretary=ra.user.name or ra.user.email,
                email=ra.user.email,
                role=ra.get_role_display(),
                organization=ranked[ra.organization_id].organization,
                contract=ranked[ra.organization_id],
                duty_report=duty,
            )
        )
    return rows
