"""Reads for care. Eligibility is evaluated IN THE DATABASE: each condition becomes a Q on Member (age and
party age become date comparisons via members.ages.years_before), groups are ANDed, alternatives ORed,
and every rule in force becomes one boolean annotation of a single query over the whole county."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import BaseExpression, Combinable
from django.db.models.functions import Coalesce, Concat, Substr
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from branches.models import Organization
from branches.paths import ancestor_ids, path_at_depth, subtree_q
from branches.selectors import Scope
from common import statements
from common.table_versions import cached_exactly
from members.ages import years_before
from members.models import Member
from members.selectors import living_on_q, on_roll_q, organization_on
from notifications.services import Escalation

from .models import (
    BenefitRule,
    Condolence,
    Grant,
    Pairing,
    RuleCondition,
    RuleVersion,
    ServicePoint,
    TownshipBudget,
    Visit,
)

NEVER = Q(pk__in=[])


@dataclass(frozen=True)
class RuleInForce:
    """A benefit rule as it stands on one date: the version in force and its condition groups."""

    rule: BenefitRule
    version: RuleVersion
    groups: tuple[tuple[RuleCondition, ...], ...]
    as_of: dt.date

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def period_key(self) -> str:
        return self.rule.period_key(self.as_of)

    @property
    def flag(self) -> str:
        return f"elig_{self.rule.code}"

    def group_flag(self, index: int) -> str:
        return f"why_{self.rule.code}_{index}"


RULES_TABLES = ("care_benefitrule", "care_ruleversion", "care_rulecondition")


def rules_in_force(*, as_of: dt.date, codes: list[str] | None = None) -> list[RuleInForce]:
    """The rules valid on `as_of`, each with the version in force then: from the cache while none of
    RULES_TABLES has been written (common.table_versions; one query), else two queries. Nearly every care figure,
    the member page and the organization page start from them."""
    key = ",".join(sorted(codes)) if codes is not None else "*"
    return cached_exactly(
        f"care:rules_in_force:{as_of.isoformat()}:{key}",
        tables=RULES_TABLES,
        compute=lambda: _rules_in_force(as_of=as_of, codes=codes),
    )


def _rules_in_force(*, as_of: dt.date, codes: list[str] | None) -> list[RuleInForce]:
    versions = (
        RuleVersion.objects.filter(effective_from__lte=as_of, rule__valid_from__lte=as_of)
        .filter(Q(rule__valid_to__isnull=True) | Q(rule__valid_to__gte=as_of))
        .select_related("rule")
        .order_by("rule__code", "-effective_from")
    )
    if codes is not None:
        versions = versions.filter(rule__code__in=codes)
    current: dict[int, RuleVersion] = {}
    for v in versions:
        current.setdefault(v.rule_id, v)
    groups: dict[int, dict[int, list[RuleCondition]]] = {v.pk: {} for v in current.values()}
    for c in RuleCondition.objects.filter(version__in=[v.pk for v in current.values()]).order_by(
        "group", "pk"
    ):
        groups[c.version_id].setdefault(c.group, []).append(c)
    result = []
    for v in sorted(current.values(), key=lambda v: v.rule.code):
        by_group = groups[v.pk]
        result.append(
            RuleInForce(
                rule=v.rule,
                version=v,
                groups=tuple(tuple(by_group[g]) for g in sorted(by_group)),
                as_of=as_of,
            )
        )
    return result


def benefit_rules() -> QuerySet[BenefitRule]:
    return BenefitRule.objects.order_by("code")


def benefit_rule_get(*, code: str) -> BenefitRule | None:
    return BenefitRule.objects.filter(code=code).first()


def rule_versions() -> QuerySet[RuleVersion]:
    """Every version of every rule, by rule, newest first."""
    return RuleVersion.objects.select_related("rule", "recorded_by").order_by("rule__code", "-effective_from")


def _years(condition: RuleCondition) -> int:
    if condition.number is None:  # rule_version_create refuses an age condition without its number
        raise ValueError(f"condition {condition.pk} ({condition.kind}) has no number of years")
    return condition.number


def condition_q(condition: RuleCondition, *, as_of: dt.date) -> Q:
    """One condition as a Q on Member. "以上" includes the number: born ON the threshold date qualifies."""
    kind = condition.kind
    K = RuleCondition.Kind
    if kind == K.MIN_AGE:
        return Q(birth_date__lte=years_before(as_of, _years(condition)))
    if kind == K.MIN_PARTY_AGE:  # 党龄 from full membership (转正); a probationary member has none
        return Q(full_member_on__isnull=False, full_member_on__lte=years_before(as_of, _years(condition)))
    if kind == K.VETERAN_CADRE:
        return Q(veteran_cadre=True)
    if kind == K.HARDSHIP:
        return Q(hardship=True)
    if kind == K.RURAL:
        return Q(organization__sector=Organization.Sector.RURAL)
    if kind == K.ADMITTED_BEFORE:
        return Q(admitted_on__lt=condition.date)
    raise ValueError(f"unknown condition kind {kind!r}")


def group_q(group: tuple[RuleCondition, ...], *, as_of: dt.date) -> Q:
    """All conditions of a group; an empty group never holds (it must not mean "everyone")."""
    if not group:
        return NEVER
    return reduce(and_, (condition_q(c, as_of=as_of) for c in group))


def rule_q(rule: RuleInForce) -> Q:
    """Any of the rule's groups; a rule without conditions never holds."""
    if not rule.groups:
        return NEVER
    return reduce(or_, (group_q(g, as_of=rule.as_of) for g in rule.groups))


def alive_member_q(*, as_of: dt.date) -> Q:
    """A member on `as_of`: admitted by then and not dead. A member who died ON `as_of` counts as deceased
    that day (no benefit is granted on the day of death; the condolence process starts instead)."""
    return living_on_q(as_of)


def _bool(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def annotate_eligibility(
    members: QuerySet[Member],
    *,
    rules: list[RuleInForce],
    with_groups: bool = False,
    only_eligible: bool = True,
) -> QuerySet[Member]:
    """One query: each member annotated `elig_<code>` (and `why_<code>_<n>` per group); filtered to living
    members eligible for at least one rule unless `only_eligible` is False."""
    annotations: dict[str, BaseExpression] = {}
    for r in rules:
        annotations[r.flag] = _bool(rule_q(r))
        if with_groups:
            for i, g in enumerate(r.groups, start=1):
                annotations[r.group_flag(i)] = _bool(group_q(g, as_of=r.as_of))
    qs = members.annotate(**annotations)
    if only_eligible:
        if not rules:
            return qs.none()
        qs = qs.filter(alive_member_q(as_of=rules[0].as_of) & reduce(or_, (rule_q(r) for r in rules)))
    return qs


def members_in(org: Organization) -> QuerySet[Member]:
    return Member.objects.filter(subtree_q(org))


@dataclass
class EligibleRow:
    member: Member
    benefits: list[str]  # codes, sorted
    grants: dict[str, str | None] = field(default_factory=dict)  # code -> grant status this period
    names: dict[str, str] = field(default_factory=dict)  # code -> the rule's name, as the page shows it

    @property
    def benefit_cells(self) -> list[tuple[str, str | None]]:
        """(the benefit's name, this period's grant status) for each benefit the member is eligible for."""
        return [(self.names.get(code, code), self.grants.get(code)) for code in self.benefits]


def eligible_rows(members, *, rules: list[RuleInForce]) -> list[EligibleRow]:
    """Turn annotated members (a page) into rows, each with the status of the member's live grant of each rule
    for its current period: one query for the grants of the members shown (a subquery per rule in the list's
    query cost more to build than the page's rows)."""
    members = list(members)
    statuses: dict[tuple[int, int], str] = {}
    if members and rules:
        this_period = reduce(or_, (Q(rule_id=r.rule.pk, period_key=r.period_key) for r in rules))
        live = Grant.objects.filter(this_period, member_id__in=[m.pk for m in members]).exclude(
            status=Grant.Status.CANCELLED
        )  # at most one a member, rule and period (uniq_live_grant_per_period)
        statuses = {(m, r): st for m, r, st in live.order_by().values_list("member_id", "rule_id", "status")}
    rows = []
    names = {r.code: r.rule.name for r in rules}
    for m in members:
        codes = sorted(r.code for r in rules if getattr(m, r.flag, False))
        rows.append(
            EligibleRow(
                member=m,
                benefits=codes,
                grants={r.code: statuses.get((m.pk, r.rule.pk)) for r in rules},
                names=names,
            )
        )
    return rows


def eligible_members(
    *,
    org: Organization,
    scope,
    as_of: dt.date,
    rules: list[RuleInForce],
    rule_code: str = "",
    served: str = "",
    query: str = "",
) -> QuerySet[Member]:
    """The eligibility list of an organization's subtree, within the user's scope: of each member only what the
    list shows (eligible_rows adds the grants of a page). `served`: "yes" (paid this period for the rule, or for any
    eligible rule), "no" (some eligible benefit not yet paid), "" (all)."""
    base = (
        scope.filter(members_in(org), "organization")
        .select_related("organization")
        .only("name", "id_number", "organization__name")
    )
    if query:
        base = base.filter(name__icontains=query)
    selected = [r for r in rules if r.code == rule_code] if rule_code else rules
    qs = annotate_eligibility(base, rules=rules, only_eligible=False)
    if not selected:
        return qs.none()
    qs = qs.filter(alive_member_q(as_of=as_of) & reduce(or_, (rule_q(r) for r in selected)))
    if served == "yes":
        qs = qs.filter(reduce(or_, (rule_q(r) & has_grant_q(r, paid=True, org=org) for r in selected)))
    elif served == "no":
        qs = qs.filter(reduce(or_, (rule_q(r) & ~has_grant_q(r, paid=True, org=org) for r in selected)))
    return qs.order_by("organization__path", "name", "pk")


def eligible_count(
    *,
    org: Organization,
    scope,
    as_of: dt.date,
    rules: list[RuleInForce],
    rule_code: str = "",
    served: str = "",
    query: str = "",
) -> int:
    """How many members eligible_members lists (its pager's count): from the cache while none of
    COUNTS_TABLES has been written (common.table_versions), since a county's are thousands of members to
    check against every rule on each page of the list."""
    chosen = hashlib.sha1(f"{_rules_key(rules)}|{rule_code}|{served}|{query}".encode()).hexdigest()
    return cached_exactly(
        f"care:eligible_count:{org.pk}:{org.path}:{scope.read_key}:{as_of.isoformat()}:{chosen}",
        tables=COUNTS_TABLES,
        compute=lambda: eligible_members(
            org=org, scope=scope, as_of=as_of, rules=rules, rule_code=rule_code, served=served, query=query
        ).count(),
    )


def eligible_page(
    *,
    org: Organization,
    scope,
    as_of: dt.date,
    rules: list[RuleInForce],
    number: int,
    per_page: int,
    rule_code: str = "",
    served: str = "",
    query: str = "",
) -> list[EligibleRow]:
    """The rows of page `number` of eligible_members, with their grants (eligible_rows): from the cache while
    none of COUNTS_TABLES has been written (common.table_versions; one query, where building and compiling the
    list's query, every rule a condition in it, cost more than the page's rows)."""

    def compute() -> list[EligibleRow]:
        members = eligible_members(
            org=org, scope=scope, as_of=as_of, rules=rules, rule_code=rule_code, served=served, query=query
        )
        start = (number - 1) * per_page
        return eligible_rows(members[start : start + per_page], rules=rules)

    chosen = hashlib.sha1(f"{_rules_key(rules)}|{rule_code}|{served}|{query}".encode()).hexdigest()
    return cached_exactly(
        f"care:eligible_page:{org.pk}:{org.path}:{scope.read_key}:{as_of.isoformat()}:{chosen}"
        f":{number}:{per_page}",
        tables=COUNTS_TABLES,
        compute=compute,
    )


def _live_grants(rule: RuleInForce, *, paid: bool) -> QuerySet[Grant]:
    qs = Grant.objects.filter(rule_id=rule.rule.pk, period_key=rule.period_key).exclude(
        status=Grant.Status.CANCELLED
    )
    return qs.filter(status=Grant.Status.PAID) if paid else qs


def granted_member_ids(rule: RuleInForce, *, paid: bool) -> QuerySet:
    """Ids of members with a live (or paid) grant of the rule for its current period, as a subquery."""
    return _live_grants(rule, paid=paid).values("member_id")


def has_grant_q(rule: RuleInForce, *, paid: bool, org: Organization) -> Q:
    """A Q on Member, for a query over `org`'s subtree: the member has a live (or paid) grant of the rule for
    its current period. For the county, "pk IN" the set of such members, which the database builds once per
    query (hashed); below it, a lookup per member of the subtree on the grant's index, so that a branch's
    figures neither read nor hash the county's grants (measured on pb_bench_large: a branch's counts 1.3 ms of
    database CPU instead of 5.7, a township's 2.8 instead of 6.0)."""
    if org.parent_id is None:
        return Q(pk__in=granted_member_ids(rule, paid=paid))
    return Q(Exists(_live_grants(rule, paid=paid).filter(member=OuterRef("pk"))))


# Everything eligibility_counts reads: its counts are cached exactly under these tables' versions (the rules
# are its argument, named in the key by their versions; their tables are here so that an edited condition
# is never read under an old key).
COUNTS_TABLES = (
    "branches_organization",
    "members_member",
    "care_grant",
    "care_benefitrule",
    "care_ruleversion",
    "care_rulecondition",
)


def _rules_key(rules: list[RuleInForce]) -> str:
    """The rules in a cache key: each by its version and its current period."""
    return ",".join(f"{r.code}:{r.version.pk}:{r.period_key}" for r in rules)


def eligibility_counts(*, org: Organization, scope, rules: list[RuleInForce]) -> list[dict]:
    """Per rule: how many are eligible, have a live grant this period, and have been paid (one query). From
    the cache while none of COUNTS_TABLES has been written (common.table_versions): a county's are tens of
    thousands of members."""
    if not rules:
        return []
    as_of = rules[0].as_of
    totals = cached_exactly(
        f"care:eligibility_counts:{org.pk}:{org.path}:{scope.read_key}:{as_of.isoformat()}:{_rules_key(rules)}",
        tables=COUNTS_TABLES,
        compute=lambda: _eligibility_totals(org=org, scope=scope, rules=rules, as_of=as_of),
    )
    return [
        {
            "rule": r,
            "eligible": totals[f"e_{r.code}"],
            "granted": totals[f"gr_{r.code}"],
            "paid": totals[f"pa_{r.code}"],
            "unserved": totals[f"e_{r.code}"] - totals[f"pa_{r.code}"],
        }
        for r in rules
    ]


def _eligibility_totals(*, org: Organization, scope, rules: list[RuleInForce], as_of: dt.date) -> dict:
    base = scope.filter(members_in(org), "organization").filter(alive_member_q(as_of=as_of))
    aggregates = {}
    for r in rules:
        q = rule_q(r)
        aggregates[f"e_{r.code}"] = Count("pk", filter=q)
        aggregates[f"gr_{r.code}"] = Count("pk", filter=q & has_grant_q(r, paid=False, org=org))
        aggregates[f"pa_{r.code}"] = Count("pk", filter=q & has_grant_q(r, paid=True, org=org))
    return base.aggregate(**aggregates)


@dataclass(frozen=True)
class RuleCounts:
    eligible: int = 0
    paid: int = 0  # eligible and paid for the rule's current period


def eligibility_counts_by(
    *, org: Organization, scope, rules: list[RuleInForce], depth: int
) -> dict[str, dict[str, RuleCounts]]:
    """eligibility_counts per the path of the ancestor at `depth` of the members' organization
    (branches.paths.path_at_depth): {unit path: {rule code: RuleCounts}}. One grouped query."""
    if not rules:
        return {}
    as_of = rules[0].as_of
    base = scope.filter(members_in(org), "organization").filter(alive_member_q(as_of=as_of))
    aggregates = {}
    for r in rules:
        q = rule_q(r)
        aggregates[f"e_{r.code}"] = Count("pk", filter=q)
        aggregates[f"pa_{r.code}"] = Count("pk", filter=q & has_grant_q(r, paid=True, org=org))
    rows = (
        base.annotate(unit=path_at_depth("organization__path", depth=depth))
        .order_by()
        .values("unit")
        .annotate(**aggregates)
    )
    return {
        row["unit"]: {r.code: RuleCounts(row[f"e_{r.code}"], row[f"pa_{r.code}"]) for r in rules}
        for row in rows
    }


@dataclass
class MemberBenefit:
    rule: RuleInForce
    reasons: list[str]  # the condition group(s) that held, in words


def member_eligibility(
    *, member: Member, as_of: dt.date, rules: list[RuleInForce] | None = None
) -> list[MemberBenefit]:
    """What one member is eligible for on `as_of`, and why (which alternative held). One query after the rules."""
    rules = rules if rules is not None else rules_in_force(as_of=as_of)
    if not rules:
        return []
    # Only the groups' flags and whether the member is alive: a rule holds when any of its groups does (rule_q),
    # so annotate_eligibility's flag per rule would be the same Q built and compiled twice (most of the cost of
    # the member page's care panel, issue 14).
    alive = alive_member_q(as_of=as_of)
    flags = {
        r.group_flag(i): group_q(g, as_of=r.as_of) for r in rules for i, g in enumerate(r.groups, start=1)
    }
    # Its statement compiled once per process for each set of conditions (common.statements): keyed by the Q
    # objects as text (each condition's lookups and values, the day included), the member its one parameter.
    found = statements.by_id(
        Member,
        ("care.member_eligibility", str(alive), *((name, str(q)) for name, q in flags.items())),
        lambda pk: (
            Member.objects.filter(pk=pk)
            .annotate(alive=_bool(alive), **{name: _bool(q) for name, q in flags.items()})
            .values_list("alive", *flags)
        ),
        member.pk,
    )
    row: Mapping[str, Any] | None = dict(zip(["alive", *flags], found[0], strict=True)) if found else None
    if not row or not row["alive"]:
        return []
    result = []
    for r in rules:
        reasons = [
            "，".join(c.describe() for c in g)
            for i, g in enumerate(r.groups, start=1)
            if row[r.group_flag(i)]
        ]
        if reasons:
            result.append(MemberBenefit(rule=r, reasons=reasons))
    return result


def member_is_eligible(*, member: Member, rule: RuleInForce) -> bool:
    return (
        Member.objects.filter(pk=member.pk).filter(alive_member_q(as_of=rule.as_of) & rule_q(rule)).exists()
    )


def benefit_codes(rules: list[RuleInForce]) -> BaseExpression:
    """The codes of the rules a member is eligible for, sorted and joined by ";", as a database expression
    (the report's `benefits` column without a Python pass over the rows)."""
    parts: list[Combinable] = [
        Case(When(rule_q(r), then=Value(f";{r.code}")), default=Value(""), output_field=CharField())
        for r in sorted(rules, key=lambda r: r.code)
    ]
    joined: Combinable = parts[0] if len(parts) == 1 else Concat(*parts, output_field=CharField())
    return Substr(joined, 2)  # without the leading ";"


def report_rows(*, members: QuerySet[Member], as_of: dt.date) -> list[tuple[str, str, str, str]]:
    """`report_benefits`: (id_number, name, org_code, "code;code") for every living eligible member. One
    query; the rows come from the database as written."""
    rules = rules_in_force(as_of=as_of)
    if not rules:
        return []
    # The organization the member belonged to on `as_of`: a later transfer does not change the report.
    qs = (
        members.filter(alive_member_q(as_of=as_of) & reduce(or_, (rule_q(r) for r in rules)))
        .annotate(org_code_on=organization_on(as_of, "code"), benefits=benefit_codes(rules))
        .order_by("org_code_on", "id_number")
    )
    return list(qs.values_list("id_number", "name", "org_code_on", "benefits"))


# -- grants and budgets ------------------------------------------------------------------------------


def grant_ids_for(*, org: Organization, scope, status: str = "", year: int | None = None) -> QuerySet:
    """The ids of the grants of the organization's subtree that the scope reads, in the list's order (by
    status, organization, member). Only the ids: sorting a county's grants stays narrow, and the rows of
    the one page shown are loaded by `grants_by_ids`."""
    qs = scope.filter(Grant.objects.filter(subtree_q(org)), "organization")
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("status", "organization__path", "member__name", "pk").values_list("pk", flat=True)


# What the list's order reads: the grants, their organizations' paths and their members' names
GRANT_IDS_TABLES = ("care_grant", "branches_organization", "members_member")


def grant_ids_ordered(*, org: Organization, scope, status: str = "", year: int | None = None) -> list[int]:
    """grant_ids_for as a list, kept exactly under GRANT_IDS_TABLES and the statement's SQL (the scope's paths,
    the filters and the order are in it): sorting a county's grants joined to every member's name grew with the
    county on every page of the list (issue 14); a page then reads only its own rows (grants_by_ids)."""
    ids = grant_ids_for(org=org, scope=scope, status=status, year=year)
    sql, params = ids.query.sql_with_params()
    key = hashlib.sha1(f"{ids.db}:{sql}:{params!r}".encode()).hexdigest()
    return cached_exactly(f"care:grant_ids:{key}", tables=GRANT_IDS_TABLES, compute=lambda: list(ids))


def grants_by_ids(*, ids: list[int]) -> list[Grant]:
    """The grants `ids` (one page of `grant_ids_for`) with what the list shows, in the order of `ids`."""
    grants = (
        Grant.objects.filter(pk__in=ids)
        .select_related("rule", "member", "organization", "approved_by")
        .order_by()  # the order is that of `ids`
    )
    by_id = {g.pk: g for g in grants}
    return [by_id[i] for i in ids if i in by_id]


def grants_writable(*, scope: Scope, ids: list[int]) -> list[Grant]:
    """The grants among `ids` that the scope may change (the others are left out silently)."""
    return list(
        scope.filter(Grant.objects.filter(pk__in=ids), "organization", write=True).select_related("township")
    )


def member_grants(*, member: Member, limit: int = 50) -> list[Grant]:
    return list(member.grants.select_related("rule").order_by("-granted_on", "-pk")[:limit])


@dataclass
class BudgetLine:
    township: Organization
    budget: Decimal | None
    committed: Decimal

    @property
    def left(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed


def budget_lines(*, townships: QuerySet[Organization], year: int) -> list[BudgetLine]:
    """Each township's budget for `year`, what approved and paid grants commit, and what is left (one query)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    committed = (
        Grant.objects.filter(township=OuterRef("pk"), year=year, status__in=Grant.COMMITTED)
        .order_by()
        .values("township")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    budget = TownshipBudget.objects.filter(township=OuterRef("pk"), year=year).values("amount")[:1]
    qs = townships.filter(kind=Organization.Kind.TOWNSHIP).annotate(
        budget_amount=Subquery(budget, output_field=money),
        committed_amount=Coalesce(
            Subquery(committed, output_field=money), Value(Decimal("0")), output_field=money
        ),
    )
    return [
        BudgetLine(township=t, budget=t.budget_amount, committed=t.committed_amount)
        for t in qs.order_by("path")
    ]


def budget_line(*, township: Organization, year: int) -> BudgetLine:
    return budget_lines(townships=Organization.objects.filter(pk=township.pk), year=year)[0]


# -- service network, calendar -----------------------------------------------------------------------


def service_point_of(*, org: Organization) -> ServicePoint | None:
    return ServicePoint.objects.filter(organization=org).first()


def service_points_visible(*, scope: Scope) -> QuerySet[ServicePoint]:
    return scope.filter(ServicePoint.objects.select_related("organization"), "organization").order_by(
        "organization__path"
    )


def service_points_for_member(*, member: Member) -> list[ServicePoint]:
    """The member's own village point, township station and county center (one query)."""
    ids = ancestor_ids(member.organization.path, include_self=True)
    return list(
        ServicePoint.objects.filter(organization_id__in=ids, is_active=True)
        .select_related("organization")
        .order_by("-organization__depth")
    )


# -- visits, pairings, condolences ---------------------------------------------------------------------------

VISIT_VIEWS = ("open", "overdue", "done", "all")


def visit_counts(*, org: Organization, scope: Scope, as_of: dt.date) -> dict[str, int]:
    """Visits in the organization's subtree that the scope reads: planned (not yet due), overdue, and done
    this year (one aggregate query)."""
    return scope.filter(
        Visit.objects.filter(subtree_q(org, "member__organization")), "member__organization"
    ).aggregate(
        planned=Count("pk", filter=Q(status=Visit.Status.PLANNED, due_on__gte=as_of)),
        overdue=Count("pk", filter=Q(status=Visit.Status.PLANNED, due_on__lt=as_of)),
        done=Count("pk", filter=Q(status=Visit.Status.DONE, done_on__year=as_of.year)),
    )


def visits_overdue_by(*, org: Organization, scope: Scope, as_of: dt.date, depth: int) -> dict[str, int]:
    """visits_for(show="overdue") counted per the path of the ancestor at `depth` of the member's organization
    (branches.paths.path_at_depth). One grouped query."""
    rows = (
        visits_for(org=org, scope=scope, show="overdue", as_of=as_of)
        .annotate(unit=path_at_depth("member__organization__path", depth=depth))
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
    )
    return {r["unit"]: r["n"] for r in rows}


def visits_for(*, org: Organization, scope: Scope, show: str = "open", as_of: dt.date) -> QuerySet[Visit]:
    """Visits in the organization's subtree that the scope reads: `open` (planned), `overdue`, `done`
    (latest first) or `all`."""
    qs = scope.filter(
        Visit.objects.filter(subtree_q(org, "member__organization")), "member__organization"
    ).select_related("member", "member__organization", "assigned_to")
    if show == "overdue":
        return qs.filter(status=Visit.Status.PLANNED, due_on__lt=as_of)
    if show == "done":
        return qs.filter(status=Visit.Status.DONE).order_by("-done_on", "-pk")
    if show == "all":
        return qs.order_by("-due_on", "-pk")
    return qs.filter(status=Visit.Status.PLANNED)


def member_visits(*, member: Member, limit: int = 50) -> list[Visit]:
    return list(member.care_visits.select_related("assigned_to").order_by("-due_on", "-pk")[:limit])


def pairings_current(*, org: Organization, scope: Scope, as_of: dt.date) -> QuerySet[Pairing]:
    """Pairings of helped members in the organization's subtree that the scope reads, not ended by `as_of`."""
    return (
        scope.filter(Pairing.objects.filter(subtree_q(org, "helped__organization")), "helped__organization")
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=as_of))
        .select_related("helper", "helped", "helped__organization")
        .order_by("helped__organization__path", "helped__name", "pk")
    )


def member_pairings(*, member: Member, limit: int = 20) -> list[Pairing]:
    """The member's pairings as helper or helped, latest first."""
    return list(
        Pairing.objects.filter(Q(helped=member) | Q(helper=member))
        .select_related("helper", "helped")
        .order_by("-starts_on")[:limit]
    )


def pairing_helpers(*, scope: Scope, helped: Member) -> QuerySet[Member]:
    """Who may help `helped`: the living members of the same organization that the scope reads."""
    return (
        scope.filter(Member.objects.filter(on_roll_q(), organization=helped.organization), "organization")
        .exclude(pk=helped.pk)
        .order_by("name")
    )


def member_condolence(*, member: Member) -> Condolence | None:
    return Condolence.objects.filter(member=member).first()


# -- escalation to the county (care_county_escalation) -------------------------------------------------------

COUNTY_AFTER_DAYS = 30  # a visit still not made a month after it was due reaches the county office


def visit_worth_reminding_q() -> Q:
    """Open visits still worth a reminder: the member is on the roll (a condolence follows a death)."""
    return on_roll_q("member__") | Q(kind=Visit.Kind.CONDOLENCE)


def county_escalations(*, as_of: dt.date) -> list[Escalation]:
    """Visits still planned COUNTY_AFTER_DAYS or more after they were due (the township was told at
    `escalate_days_after`, care_visit_escalated): once per visit and due date, key
    "county_care_visit:<visit>:<user>:<due date>". A visit made or cancelled is no longer open. One query."""
    visits = (
        Visit.objects.filter(
            status=Visit.Status.PLANNED, due_on__lte=as_of - dt.timedelta(days=COUNTY_AFTER_DAYS)
        )
        .filter(visit_worth_reminding_q())
        .select_related("member", "organization")
        .order_by("due_on", "pk")
    )
    return [
        Escalation(
            what="county_care_visit",
            obj=v.pk,
            period=v.due_on.isoformat(),
            org_path=v.organization.path,
            organization=v.organization.name,
            text=format_lazy(
                _("{kind} to {name} due by {due}, still not made"),
                kind=Visit.Kind(v.kind).label,
                name=v.member.name,
                due=v.due_on.isoformat(),
            ),
            url=reverse("care:member", args=[v.member_id]),
        )
        for v in visits
    ]
