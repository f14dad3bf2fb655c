"""Reads for the home page: a fixed number of queries whatever the size of the user's part of the county."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils.translation import get_language

from accountability.selectors import ContractCounts, contract_counts_by, grade_bands
from branches.models import Organization
from branches.paths import ancestor_path, subtree_q
from branches.selectors import organization_ancestors
from care.selectors import (
    RuleCounts,
    RuleInForce,
    eligibility_counts_by,
    rules_in_force,
    visits_overdue_by,
)
from common import periods
from common.table_versions import cached_exactly
from education.compliance import UnitCells
from education.selectors import (
    StudyProgress,
    compliance_cells_of,
    compliance_rate,
    study_hours_of_ids,
    study_progress_by,
    study_rule,
)
from members.models import Member
from members.selectors import (
    PROBATION_NOTICE_DAYS,
    StatusCounts,
    living_in,
    living_on_q,
    member_status_counts,
    probation_due_on_or_before,
)
from officers.selectors import CoverageCounts, coverage_by

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


# -- the county / township dashboard (issue 10) ------------------------------------------------------------
# Every figure comes from the app that owns its rule (members, education, care, accountability, officers):
# each gives a set-based selector grouped by branches.paths.path_at_depth, and this module only adds the
# groups up per child of the organization shown. A fixed number of queries per level, whatever its size.


@dataclass(frozen=True)
class Window:
    """The chosen year, or one quarter of it. The roster's figures are taken as of its last day (or today if
    earlier); 三会一课 is judged today, as report_compliance judges it: a period that ended is missing or ok."""

    year: int
    quarter: int | None
    period: periods.Period
    as_of: dt.date
    today: dt.date

    def holds(self, period: periods.Period) -> bool:
        return self.period.start <= period.start and period.end <= self.period.end

    @property
    def months(self) -> list[int]:
        return list(range(self.period.start.month, self.period.end.month + 1))


def window_for(*, year: int, quarter: int | None, today: dt.date) -> Window:
    period = periods.quarter(year, quarter) if quarter else periods.year(year)
    return Window(year, quarter, period, min(period.end, today), today)


@dataclass
class Compliance:
    ok: int = 0
    missing: int = 0
    due: int = 0

    @property
    def rate(self) -> float | None:
        return compliance_rate(ok=self.ok, missing=self.missing)


@dataclass
class UnitFigures:
    """The figures of one part of the tree: a child of the organization shown, or the whole subtree."""

    org_id: int
    code: str
    name: str
    kind: str
    path: str
    members: StatusCounts = field(default_factory=StatusCounts)
    compliance: Compliance = field(default_factory=Compliance)
    care: dict[str, RuleCounts] = field(default_factory=dict)
    visits_overdue: int = 0
    contracts: ContractCounts = field(default_factory=lambda: ContractCounts({}, {}))
    officers: CoverageCounts = field(default_factory=CoverageCounts)
    study: StudyProgress = field(default_factory=StudyProgress)

    @property
    def care_eligible(self) -> int:
        return sum(c.eligible for c in self.care.values())

    @property
    def care_paid(self) -> int:
        return sum(c.paid for c in self.care.values())

    @property
    def care_rate(self) -> float | None:
        eligible = self.care_eligible
        return round(100 * self.care_paid / eligible, 1) if eligible else None

    @property
    def study_rate(self) -> float | None:
        return round(100 * self.study.reached / self.study.members, 1) if self.study.members else None

    @property
    def study_average(self) -> Decimal | None:
        if not self.study.members:
            return None
        return (self.study.hours / self.study.members).quantize(Decimal("0.1"))

    def absorb(self, other: UnitFigures) -> None:
        """Add another part's figures to these (the subtree's totals from its children)."""
        m, o = self.members, other.members
        self.members = StatusCounts(m.members + o.members, m.full + o.full, m.probation_due + o.probation_due)
        for status in ("ok", "missing", "due"):
            setattr(
                self.compliance, status, getattr(self.compliance, status) + getattr(other.compliance, status)
            )
        for code, c in other.care.items():
            mine = self.care.get(code, RuleCounts())
            self.care[code] = RuleCounts(mine.eligible + c.eligible, mine.paid + c.paid)
        self.visits_overdue += other.visits_overdue
        for status, n in other.contracts.statuses.items():
            self.contracts.statuses[status] = self.contracts.statuses.get(status, 0) + n
        for grade, n in other.contracts.grades.items():
            self.contracts.grades[grade] = self.contracts.grades.get(grade, 0) + n
        self.contracts.evaluated_scores += other.contracts.evaluated_scores
        self.contracts.vetoed += other.contracts.vetoed
        a, b = self.officers, other.officers
        self.officers = CoverageCounts(
            a.organizations + b.organizations, a.covered + b.covered, a.visits + b.visits
        )
        s, t = self.study, other.study
        self.study = StudyProgress(s.members + t.members, s.reached + t.reached, s.hours + t.hours)


@dataclass
class HeatRow:
    org_id: int
    code: str
    name: str
    compliance: Compliance
    cells: dict[int, Compliance]  # month -> the cells judged at that month's end (months with any only)


@dataclass
class Dashboard:
    org: Organization
    window: Window
    total: UnitFigures
    children: list[UnitFigures]  # worst compliance first
    own: UnitFigures | None  # the organization's own members and cells, when it has any
    by_kind: list[tuple[str, int]]
    by_sector: list[tuple[str, int]]
    rules: list[RuleInForce]
    grades: list[tuple[str, int]]  # the grade bands, best first, with the evaluated contracts in each
    study_target: Decimal
    study_channels: list[str]
    heat: list[HeatRow]  # compliance units, worst first

    @property
    def heat_months(self) -> list[int]:
        return self.window.months

    @property
    def care_rows(self) -> list[tuple[str, RuleCounts]]:
        """(the benefit's name, its counts over the subtree) for each rule in force."""
        return [(r.rule.name, self.total.care.get(r.code, RuleCounts())) for r in self.rules]


def _worst_first(rate: float | None, missing: int, code: str) -> tuple:
    return (rate is None, rate if rate is not None else 0.0, -missing, code)


# Every table the figures are read from (the organizations, each app's grouped selector, the rules they apply,
# the compliance cells): a write to any of them computes the figures again on the next request.
TABLES = (
    "accountability_contract",
    "accountability_gradeband",
    "branches_officerassignment",
    "branches_organization",
    "branches_partygroup",
    "care_benefitrule",
    "care_grant",
    "care_rulecondition",
    "care_ruleversion",
    "care_visit",
    "education_attendance",
    "education_meeting",
    "education_meeting_kinds",
    "education_meetingkind",
    "education_meetingrequirement",
    "education_studyrecord",
    "education_studytarget",
    "members_member",
    "members_transfer",
    "officers_visitlog",
)


def dashboard_key(*, org: Organization, scope, window: Window) -> str:
    """Everything the dashboard's figures depend on besides the versions of TABLES: the organization, the
    window and its day, the paths the scope reads, the language of the names and labels."""
    return (
        f"dashboard:{org.pk}:{window.year}:{window.quarter or 0}:{window.today.isoformat()}"
        f":{scope.read_key}:{get_language()}"
    )


def dashboard(*, org: Organization, scope, window: Window) -> Dashboard:
    """The dashboard of `org`'s subtree for the window, kept in the cache under the versions of TABLES
    (common.table_versions: exact, one query when nothing changed) and dashboard_key."""
    d = cached_exactly(
        dashboard_key(org=org, scope=scope, window=window),
        tables=TABLES,
        compute=lambda: dashboard_figures(org=org, scope=scope, window=window),
    )
    return replace(d, org=org)


def dashboard_figures(*, org: Organization, scope, window: Window) -> Dashboard:
    """The dashboard computed: about twenty queries whatever the subtree's size (the organizations, then one
    grouped selector of each app, the compliance grid's seven)."""
    as_of, year = window.as_of, window.year
    depth = org.depth + 1
    orgs = list(
        Organization.objects.filter(subtree_q(org, ""))
        .order_by("path")
        .values("pk", "code", "name", "kind", "sector", "path", "parent_id", "is_active")
    )

    def unit_of(path: str) -> str:
        return ancestor_path(path, depth=depth) or org.path

    units: dict[str, UnitFigures] = {}
    for o in orgs:
        if o["path"] == org.path or o["parent_id"] == org.pk:
            units[o["path"]] = UnitFigures(o["pk"], o["code"], o["name"], o["kind"], o["path"])

    def unit(path: str) -> UnitFigures | None:
        return units.get(path)

    for path, counts in member_status_counts(on=as_of, org=org, depth=depth).items():
        if u := unit(path):
            u.members = counts
    heat = _compliance_heat(org=org, window=window, units=units, unit_of=unit_of)
    rules = rules_in_force(as_of=as_of)
    for path, by_rule in eligibility_counts_by(org=org, scope=scope, rules=rules, depth=depth).items():
        if u := unit(path):
            u.care = by_rule
    for path, n in visits_overdue_by(org=org, scope=scope, as_of=as_of, depth=depth).items():
        if u := unit(path):
            u.visits_overdue = n
    for path, contracts in contract_counts_by(year=year, org=org, depth=depth).items():
        if u := unit(path):
            u.contracts = contracts
    for path, cover in coverage_by(
        scope=scope, org=org, on=as_of, start=window.period.start, end=as_of, depth=depth
    ).items():
        if u := unit(path):
            u.officers = cover
    rule = study_rule(year=year)
    for path, progress in study_progress_by(org=org, year=year, as_of=as_of, depth=depth, rule=rule).items():
        if u := unit(path):
            u.study = progress

    total = UnitFigures(org.pk, org.code, org.name, org.kind, org.path)
    for u in units.values():
        total.absorb(u)
    own = units.pop(org.path)
    children = sorted(
        units.values(), key=lambda u: _worst_first(u.compliance.rate, u.compliance.missing, u.code)
    )
    below = [o for o in orgs if o["path"] != org.path and o["is_active"]]
    kinds = Counter(o["kind"] for o in below)
    sectors = Counter(o["sector"] for o in below if o["kind"] in Organization.BASIC_KINDS)
    bands = [b.label for b in grade_bands()]
    return Dashboard(
        org=org,
        window=window,
        total=total,
        children=children,
        own=own
        if (own.members.members or own.compliance.ok + own.compliance.missing + own.compliance.due)
        else None,
        by_kind=[(str(label), kinds[value]) for value, label in Organization.Kind.choices if kinds[value]],
        by_sector=[
            (str(label), sectors[value]) for value, label in Organization.Sector.choices if sectors[value]
        ],
        rules=rules,
        grades=[(label, total.contracts.grades.get(label, 0)) for label in bands],
        study_target=rule.hours,
        study_channels=rule.channels,
        heat=sorted(heat, key=lambda h: _worst_first(h.compliance.rate, h.compliance.missing, h.code)),
    )


def _compliance_heat(
    *, org: Organization, window: Window, units: dict[str, UnitFigures], unit_of: Callable[[str], str]
) -> list[HeatRow]:
    """Each compliance unit's 三会一课 cells in the window, added to its part of the tree (`units`), and its
    heat-map row (its cells per month). Counted from education's masks (compliance_cells_of):
    a few integer operations per unit, not a row per cell; the cells judged today, as report_compliance."""
    cells = compliance_cells_of(org=org, year=window.year, as_of=window.today)
    if cells is None:
        return []
    within = cells.mask(window.holds)

    def ends_in(month: int) -> Callable[[periods.Period], bool]:
        return lambda p: p.end.month == month

    months = [(m, within & cells.mask(ends_in(m))) for m in window.months]

    def count_months(unit: UnitCells) -> dict[int, Compliance]:
        out = {}
        for month, mask in months:
            ok, missing, due = cells.counts(unit, mask)
            if ok or missing or due:
                out[month] = Compliance(ok, missing, due)
        return out

    heat = []
    for unit in cells.units:
        ok, missing, due = cells.counts(unit, within)
        if not (ok or missing or due):
            continue
        if u := units.get(unit_of(unit.path)):
            u.compliance.ok += ok
            u.compliance.missing += missing
            u.compliance.due += due
        heat.append(
            HeatRow(
                unit.organization_id,
                unit.code,
                unit.name,
                Compliance(ok, missing, due),
                count_months(unit),
            )
        )
    return heat


def breadcrumbs(*, org: Organization, scope) -> list[Organization]:
    """The organization's ancestors that the user reads, from the highest down, and itself (one query)."""
    return [a for a in organization_ancestors(org) if scope.covers(a)] + [org]


def dashboard_members(*, d: Dashboard, scope):
    """The members level of the drill-down: the organization's subtree's members on the window's day
    (members.selectors.living_on, as living_in reads it), by organization and name, as the values the page
    shows (pk, name, full_member_on, org_name). Paginate it, then give the page's rows their study hours of the
    year (dashboard_member_rows)."""
    w = d.window
    members = scope.filter(living_in(on=w.as_of, org=d.org), "organization")
    return members.order_by("organization__path", "name", "pk").values(
        "pk", "name", "full_member_on", org_name=F("organization__name")
    )


def dashboard_member_rows(*, d: Dashboard, members: list[dict]) -> list[dict]:
    """A page of dashboard_members as the table's rows: the study hours of the window's year
    (education.selectors.study_hours_of_ids, as with_study_hours counts them: one query for the page), whether
    they fall short of the year's target, and whether the member was a full member on the window's day."""
    hours = study_hours_of_ids(ids=[m["pk"] for m in members], year=d.window.year, channels=d.study_channels)
    target, as_of = d.study_target, d.window.as_of
    rows = []
    for m in members:
        h = hours.get(m["pk"], Decimal("0.0"))
        full_on = m["full_member_on"]
        rows.append(
            {
                **m,
                "study_hours": h,
                "short": h < target,
                "full": full_on is not None and full_on <= as_of,
            }
        )
    return rows
