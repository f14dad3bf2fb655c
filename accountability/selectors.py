"""Reads for targets and evaluations, always through the scope (branches.selectors.scope_for)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections, router
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Rank
from django.urls import reverse

from branches.models import Organization, RoleAssignment
from branches.paths import is_within, path_at_depth, subtree_q
from branches.selectors import Scope
from common.params import id_param
from common.table_versions import cached_exactly
from members.models import CommitteeTerm
from notifications.services import recipients_for

from .models import (
    Contract,
    ContractLine,
    DutyReport,
    DutyReportAttachment,
    GradeBand,
    Indicator,
    IndicatorGroup,
    YearDeadlines,
)

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


ISSUING_KINDS = (Organization.Kind.COUNTY, Organization.Kind.TOWNSHIP)


def organizations_issuing(*, user) -> QuerySet[Organization]:
    """The county and townships the user answers for: they issue contracts to the level below."""
    return organizations_acted_for(user=user).filter(kind__in=ISSUING_KINDS)


def organizations_contracting(*, user) -> QuerySet[Organization]:
    """The organizations the user answers for that may be a contract's issuing side."""
    return organizations_acted_for(user=user).filter(kind__in=[*ISSUING_KINDS, *Organization.BASIC_KINDS])


def organizations_reporting_duty(*, user) -> QuerySet[Organization]:
    """The organizations the user answers for whose secretary gives a 述职 report."""
    return organizations_acted_for(user=user).filter(kind__in=DUTY_LEVELS)


def contract_partners(*, scope: Scope) -> QuerySet[Organization]:
    """Every organization the user may change except the county (a contract's receiving side), by path."""
    return scope.organizations(write=True).exclude(kind=Organization.Kind.COUNTY).order_by("path")


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


def indicator_get(*, year: int, pk: int) -> Indicator | None:
    return Indicator.objects.filter(pk=pk, group__year=year).first()


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


def contracts_listed(*, scope: Scope, year: int, status: str = "") -> QuerySet[Contract]:
    """The year's contracts the scope reads (of one status if given), with their line counts, by issuer and
    partner. The count is a subquery per row that the database runs after ORDER BY … LIMIT, for the rows of
    the page only (a join to every line of the year grouped them all first); the pager's COUNT leaves it out."""
    lines = (
        ContractLine.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = contracts_visible(scope=scope, year=year).annotate(
        lines_n=Coalesce(Subquery(lines, output_field=IntegerField()), Value(0))
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("parent__path", "organization__code")


def contract_status_counts(*, scope: Scope, year: int) -> dict[str, int]:
    """How many of the year's contracts the scope reads are in each status."""
    return dict(
        contracts_visible(scope=scope, year=year).order_by().values_list("status").annotate(n=Count("pk"))
    )


def contract_lines_of(*, contract: Contract) -> QuerySet[ContractLine]:
    return ContractLine.objects.filter(contract=contract)


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


# report_evaluations' rows, one statement written out: the ORM took 1.5 ms to build the query that runs in 4 (a
# Case over a Window, three joins) and then converted every row, a county's report costing three times its SQL
# (issue 14). The rank is _with_ranks' RANK_ORDER (not vetoed first, then the score, highest first, none last)
# among the parent's evaluated contracts (partitioned by parent and status, so drafts never push a rank down);
# tests/accountability/test_report_evaluations.py holds it equal to that window built by the ORM.
_EVALUATION_SQL = (
    "SELECT o.code, p.code, c.year, c.status, c.self_score, c.score, CASE WHEN c.vetoed THEN 'yes' ELSE 'no' END, "
    "COALESCE(g.label, ''), CASE WHEN c.status = %s THEN RANK() OVER (PARTITION BY c.parent_id, c.status "
    "ORDER BY c.vetoed, c.score DESC NULLS LAST) END{path} "
    "FROM {contract} c JOIN {organization} o ON o.id = c.organization_id "
    "JOIN {organization} p ON p.id = c.parent_id LEFT JOIN {grade} g ON g.id = c.grade_id "
    "WHERE c.year = %s ORDER BY p.path, o.code"
)
_TENTH = Decimal("0.1")


def evaluation_report_rows(*, year: int, organization: Organization | None = None) -> list[tuple]:
    """Every contract of the year (any state) as `report_evaluations` writes it: org_code, parent_code, year,
    status, self_score, score, vetoed (yes / no), grade (its label, "" for none), rank (within the parent, among
    its evaluated contracts; none for an unevaluated contract), by the parent's place in the tree and the
    organization's code. One query. `organization` keeps the contracts of its subtree (its own contract and
    every one below it), the ranks still computed over the whole year."""
    sql = _EVALUATION_SQL.format(
        path=", o.path" if organization is not None else "",
        contract=Contract._meta.db_table,
        organization=Organization._meta.db_table,
        grade=GradeBand._meta.db_table,
    )
    db = router.db_for_read(Contract)  # the replica inside reads_from_replica
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [Contract.Status.EVALUATED.value, year])
        rows = cursor.fetchall()
    if organization is not None:
        rows = [row[:-1] for row in rows if is_within(row[-1], organization)]
    if connections[db].vendor != "postgresql":  # SQLite: a score comes back a float (95.0 as the integer 95)
        rows = [(*row[:4], *(_score(v) for v in row[4:6]), *row[6:]) for row in rows]
    return rows


def _score(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(_TENTH)


@dataclass
class ContractCounts:
    """The year's contracts of a part of the tree: how many in each status, the grades of the evaluated ones
    (by GradeBand label, "" for none) and the sum of their scores."""

    statuses: dict[str, int]
    grades: dict[str, int]
    evaluated_scores: Decimal = Decimal("0")
    vetoed: int = 0

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def signed(self) -> int:
        """Signed by both sides: signed, and evaluated (an evaluated contract was signed first)."""
        return self.statuses.get(Contract.Status.SIGNED, 0) + self.evaluated

    @property
    def evaluated(self) -> int:
        return self.statuses.get(Contract.Status.EVALUATED, 0)

    @property
    def average_score(self) -> Decimal | None:
        return (self.evaluated_scores / self.evaluated).quantize(Decimal("0.1")) if self.evaluated else None


def contract_counts_by(*, year: int, org: Organization, depth: int) -> dict[str, ContractCounts]:
    """The year's contracts (evaluation_report_rows' contracts: every state) whose organization is in `org`'s
    subtree, by status and grade, per the path of the ancestor at `depth` of that organization
    (branches.paths.path_at_depth). One grouped query."""
    out: dict[str, ContractCounts] = {}
    for unit, status, grade, n, scores, vetoed_n in (
        Contract.objects.filter(subtree_q(org), year=year)
        .annotate(unit=path_at_depth("organization__path", depth=depth))
        .order_by()
        .values_list("unit", "status", "grade__label")
        .annotate(
            n=Count("pk"),
            scores=Sum("score", filter=Q(status=Contract.Status.EVALUATED)),
            vetoed_n=Count("pk", filter=Q(vetoed=True, status=Contract.Status.EVALUATED)),
        )
    ):
        counts = out.setdefault(unit, ContractCounts({}, {}))
        counts.statuses[status] = counts.statuses.get(status, 0) + n
        if status == Contract.Status.EVALUATED:
            label = grade or ""
            counts.grades[label] = counts.grades.get(label, 0) + n
            counts.evaluated_scores += scores or Decimal("0")
            counts.vetoed += vetoed_n
    return out


def signing_issuer(*, scope: Scope, issuer_id: str | None = None) -> Organization | None:
    """The county or township whose signing the page shows: `issuer_id` if the scope reads it, else the
    highest one the scope reads."""
    issuers = scope.organizations().filter(kind__in=ISSUING_KINDS)
    if issuer_id and (pk := id_param(issuer_id)) is not None:
        return issuers.filter(pk=pk).first()
    return issuers.order_by("depth", "path").first()


def signing_overview(
    *, scope: Scope, issuer: Organization, year: int, unsigned_only: bool = False
) -> QuerySet[Organization]:
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
        .filter(**({"signed_first": 0} if unsigned_only else {}))
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


def duty_report_attachments(*, report: DutyReport) -> list[DutyReportAttachment]:
    return list(report.attachments.all())


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


# -- reminders (the deadline and term jobs: who is told what) -------------------------------------
EARLY_DAYS = 14  # first reminder two weeks before a deadline
LAST_DAYS = 3  # and again three days before
OVERDUE_DAYS = 30  # an "overdue" notice once, within a month after it
TERM_EARLY = 183  # 换届: six months before the term ends
TERM_LAST = 31  # and again one month before


def deadline_stage(deadline: dt.date, as_of: dt.date) -> str | None:
    """Which reminder is due on `as_of`: "early", "last" (the last three days), "overdue" (the month
    after), or None."""
    days = (deadline - as_of).days
    if LAST_DAYS < days <= EARLY_DAYS:
        return "early"
    if 0 <= days <= LAST_DAYS:
        return "last"
    if -OVERDUE_DAYS <= days < 0:
        return "overdue"
    return None


def missing_duty_reports(year: int) -> QuerySet[Organization]:
    """Organizations whose secretary owes a 述职 report for `year` and has not submitted it."""
    submitted = DutyReport.objects.filter(year=year, organization=OuterRef("pk"), submitted_at__isnull=False)
    return Organization.objects.filter(kind__in=DUTY_LEVELS, is_active=True, depth__lte=2).filter(
        ~Exists(submitted)
    )


def _link(name: str, *args) -> str:
    """A path on this site: the outbox stores it as it is and the e-mail renderer puts SITE_URL in front."""
    return reverse(name, args=args)


def _years(as_of: dt.date) -> list[int]:
    return [as_of.year - 1, as_of.year]


@dataclass
class DeadlineNotice:
    """What one organization's secretaries are told before (or just after) a deadline: `kind` is the
    delivery kind, `obj` the object part of its key "<kind>:<obj>:<user>:<stage>"."""

    kind: str
    obj: object
    organization: Organization
    url: str
    deadline: dt.date
    year: int
    stage: str
    recipients: list


def _deadline_notices(*, kind: str, items: list[tuple], deadline: dt.date, as_of: dt.date, year: int):
    """items: (object key, organization answering, link). One notice per item, to its secretaries."""
    stage = deadline_stage(deadline, as_of)
    if stage is None or not items:
        return []
    people = recipients_for(org_ids={org.pk for _key, org, _url in items}, roles=SECRETARY_ROLES)
    return [
        DeadlineNotice(kind, key, org, url, deadline, year, stage, people.get(org.pk, []))
        for key, org, url in items
    ]


def contract_signing_notices(*, as_of: dt.date) -> list[DeadlineNotice]:
    """Before the signing deadline: the receiving organization signs an issued contract
    (`contract_sign`); the issuer issues a draft (`contract_issue`)."""
    notices: list[DeadlineNotice] = []
    for year in _years(as_of):
        deadline = deadlines_get(year=year).signing_deadline
        if deadline_stage(deadline, as_of) is None:
            continue
        contracts = list(
            Contract.objects.filter(year=year, status__in=[Contract.Status.DRAFT, Contract.Status.ISSUED])
            .select_related("parent", "organization")
            .order_by("pk")
        )
        to_sign = [
            (c.pk, c.organization, _link("accountability:contract_detail", c.pk))
            for c in contracts
            if c.status == Contract.Status.ISSUED
        ]
        to_issue = [
            (c.pk, c.parent, _link("accountability:contract_detail", c.pk))
            for c in contracts
            if c.status == Contract.Status.DRAFT
        ]
        for kind, items in (("contract_sign", to_sign), ("contract_issue", to_issue)):
            notices += _deadline_notices(kind=kind, items=items, deadline=deadline, as_of=as_of, year=year)
    return notices


def evaluation_notices(*, as_of: dt.date) -> list[DeadlineNotice]:
    """Before the self-evaluation deadline to the receiving organization (`contract_self_evaluation`);
    before the evaluation deadline to the issuing organization (`contract_evaluation`, 评议)."""
    notices: list[DeadlineNotice] = []
    for year in _years(as_of):
        d = deadlines_get(year=year)
        signed = Contract.objects.filter(year=year, status=Contract.Status.SIGNED).select_related(
            "parent", "organization"
        )
        if deadline_stage(d.self_evaluation_deadline, as_of):
            notices += _deadline_notices(
                kind="contract_self_evaluation",
                items=[
                    (c.pk, c.organization, _link("accountability:contract_self_evaluation", c.pk))
                    for c in signed.filter(self_evaluated_on__isnull=True).order_by("pk")
                ],
                deadline=d.self_evaluation_deadline,
                as_of=as_of,
                year=year,
            )
        if deadline_stage(d.evaluation_deadline, as_of):
            notices += _deadline_notices(
                kind="contract_evaluation",
                items=[
                    (c.pk, c.parent, _link("accountability:contract_evaluation", c.pk))
                    for c in signed.order_by("pk")
                ],
                deadline=d.evaluation_deadline,
                as_of=as_of,
                year=year,
            )
    return notices


def duty_report_notices(*, as_of: dt.date) -> list[DeadlineNotice]:
    """Before the 述职 deadline, to the secretaries whose report is not submitted (`duty_report`)."""
    notices: list[DeadlineNotice] = []
    for year in _years(as_of):
        deadline = deadlines_get(year=year).duty_report_deadline
        if deadline_stage(deadline, as_of) is None:
            continue
        url = _link("accountability:duty_reports") + f"?year={year}"
        notices += _deadline_notices(
            kind="duty_report",
            items=[(f"{year}-{org.pk}", org, url) for org in missing_duty_reports(year).order_by("pk")],
            deadline=deadline,
            as_of=as_of,
            year=year,
        )
    return notices


@dataclass
class TermNotice:
    """换届: a committee term ending soon (stage "6m" or "1m"), for the organization's secretaries and
    those of the level above."""

    term: CommitteeTerm
    stage: str
    url: str
    recipients: list


def term_ending_notices(*, as_of: dt.date) -> list[TermNotice]:
    """Committees whose current term ends within TERM_EARLY days, and again within TERM_LAST days."""
    later = CommitteeTerm.objects.filter(
        organization=OuterRef("organization"), elected_on__gt=OuterRef("elected_on")
    )
    terms = list(
        CommitteeTerm.objects.filter(ends_on__gte=as_of, ends_on__lte=as_of + dt.timedelta(days=TERM_EARLY))
        .filter(~Exists(later))
        .select_related("organization")
        .order_by("pk")
    )
    if not terms:
        return []
    org_ids = {t.organization_id for t in terms}
    org_ids |= {t.organization.parent_id for t in terms if t.organization.parent_id is not None}
    people = recipients_for(org_ids=org_ids, roles=SECRETARY_ROLES)
    notices = []
    for term in terms:
        org = term.organization
        above = people.get(org.parent_id, []) if org.parent_id is not None else []
        recipients = {u.pk: u for u in people.get(org.pk, []) + above}
        notices.append(
            TermNotice(
                term=term,
                stage="1m" if (term.ends_on - as_of).days <= TERM_LAST else "6m",
                url=_link("branches:detail", org.pk),
                recipients=list(recipients.values()),
            )
        )
    return notices


# Everything contract_panel_figures reads (the contracts, their grades, the issuing organization's name).
CONTRACT_PANEL_TABLES = ("accountability_contract", "accountability_gradeband", "branches_organization")


def contract_panel_figures(*, org: Organization, year: int) -> tuple[Contract | None, dict[str, int]]:
    """The organization's own contract of `year` (with its issuer and grade) and how many of the contracts it
    issued that year are in each status. From the cache while none of CONTRACT_PANEL_TABLES has been written
    (common.table_versions; one query, where they are two), as the organization page shows them on every
    visit."""

    def compute() -> tuple[Contract | None, dict[str, int]]:
        own = Contract.objects.filter(year=year, organization=org).select_related("parent", "grade").first()
        issued = dict(
            Contract.objects.filter(year=year, parent=org)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        return own, issued

    return cached_exactly(
        f"accountability:contract_panel:{org.pk}:{year}", tables=CONTRACT_PANEL_TABLES, compute=compute
    )
