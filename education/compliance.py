"""三会一课 compliance, computed in the database for any number of organizations at once.

The grid is (organization, kind, period[, party group]). A handful of queries build it whatever the number
of organizations: the organizations, their full-member counts at each month end (one aggregate), their party
groups, the rules, and the held meetings counted per (organization, group, kind, month) (one aggregate).

Decisions (documented in README of the app, tested):
- Compliance units: every active 党支部; a 党总支 or 党委 only when members belong to it directly (then it runs
  organizational life for them). Townships and the county are not measured themselves.
- A period is measured against the rule version in force on the period's first day.
- A meeting is held in the period that contains its date; only `held` meetings count; a meeting of two kinds
  counts for each kind.
- The committee meeting applies where the branch had a committee, i.e. 7 or more full living members, on the
  period's last day, or on `as_of` for a period not yet over (the branch's state when the period is judged).
- The group meeting is required once per party group of the branch (groups as they are now); a branch
  without party groups has no group-meeting requirement.
- Periods that ended before the organization was established are not required.
- Status: `ok` when held >= required; otherwise `missing` if the period ended before `as_of`, else `due`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth

from branches.models import Organization, PartyGroup
from members.models import Member
from members.selectors import living_on_q

from .models import AppliesTo, Meeting, MeetingKind, MeetingRequirement, Period

COMMITTEE_THRESHOLD = 7  # DOMAIN.md: a branch with 7 or more full members has a committee

OK = "ok"
MISSING = "missing"
DUE = "due"
STATUSES = (OK, MISSING, DUE)


@dataclass(frozen=True)
class PeriodSpan:
    type: str  # Period.MONTH / QUARTER / YEAR
    start: dt.date
    end: dt.date
    label: str  # 2026-03, 2026-Q1, 2026

    @property
    def months(self) -> range:
        return range(self.start.month, self.end.month + 1)


def month_span(year: int, month: int) -> PeriodSpan:
    last = calendar.monthrange(year, month)[1]
    return PeriodSpan(
        Period.MONTH, dt.date(year, month, 1), dt.date(year, month, last), f"{year}-{month:02d}"
    )


def quarter_span(year: int, quarter: int) -> PeriodSpan:
    first = 3 * (quarter - 1) + 1
    end = month_span(year, first + 2).end
    return PeriodSpan(Period.QUARTER, dt.date(year, first, 1), end, f"{year}-Q{quarter}")


def year_span(year: int) -> PeriodSpan:
    return PeriodSpan(Period.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}")


def periods_of_year(year: int) -> list[PeriodSpan]:
    return (
        [year_span(year)]
        + [quarter_span(year, q) for q in range(1, 5)]
        + [month_span(year, m) for m in range(1, 13)]
    )


def period_containing(day: dt.date, period_type: str) -> PeriodSpan:
    if period_type == Period.MONTH:
        return month_span(day.year, day.month)
    if period_type == Period.QUARTER:
        return quarter_span(day.year, (day.month - 1) // 3 + 1)
    return year_span(day.year)


@dataclass(frozen=True)
class Rule:
    effective_from: dt.date
    period: str
    minimum: int
    applies_to: str


@dataclass(frozen=True)
class KindRules:
    code: str
    label: str
    order: int
    remind_days_before: int
    versions: tuple[Rule, ...]  # ascending by effective_from

    def in_force(self, day: dt.date) -> Rule | None:
        current = None
        for rule in self.versions:
            if rule.effective_from <= day:
                current = rule
            else:
                break
        return current


def load_rules() -> list[KindRules]:
    """All kinds with their requirement versions (two queries)."""
    versions: dict[int, list[Rule]] = defaultdict(list)
    for r in MeetingRequirement.objects.order_by("effective_from").values(
        "kind_id", "effective_from", "period", "minimum", "applies_to"
    ):
        versions[r["kind_id"]].append(Rule(r["effective_from"], r["period"], r["minimum"], r["applies_to"]))
    return [
        KindRules(k.code, k.label, k.order, k.remind_days_before, tuple(versions.get(k.pk, ())))
        for k in MeetingKind.objects.all()
    ]


@dataclass(frozen=True)
class ComplianceRow:
    organization_id: int
    org_code: str
    org_name: str
    kind: str
    kind_label: str
    party_group_id: int | None
    party_group: str
    period: PeriodSpan
    required: int
    held: int
    status: str


def living_on(day: dt.date, prefix: str = "") -> Q:
    """Members on `day`: members.selectors.living_on_q, the one definition (admitted by then, not dead)."""
    return living_on_q(day, prefix)


def compliance_units(organizations: QuerySet[Organization], *, as_of: dt.date) -> QuerySet[Organization]:
    """The organizations measured: active branches, and general branches / party committees with direct
    living members (they hold organizational life for those members)."""
    direct = Member.objects.filter(organization=OuterRef("pk")).filter(living_on(as_of))
    return (
        organizations.filter(kind__in=Organization.BASIC_KINDS, is_active=True)
        .annotate(_direct=Exists(direct))
        .filter(Q(kind=Organization.Kind.BRANCH) | Q(_direct=True))
    )


def compliance_grid(
    organizations: QuerySet[Organization],
    *,
    year: int,
    as_of: dt.date,
    kinds: Iterable[str] | None = None,
    rules: list[KindRules] | None = None,
) -> list[ComplianceRow]:
    """Every (organization, kind, period, group) row for `year`, for all compliance units among
    `organizations` (any queryset: a subtree, a list of ids). Six queries, whatever the number of rows."""
    units_qs = compliance_units(organizations, as_of=as_of)
    units = list(units_qs.order_by("path").values("pk", "code", "name", "established_on"))
    if not units:
        return []
    # the ids themselves (a few hundred in a county): a plain IN list plans better than a subquery
    unit_ids = [u["pk"] for u in units]
    rules = rules if rules is not None else load_rules()
    if kinds is not None:
        wanted = set(kinds)
        rules = [r for r in rules if r.code in wanted]
    periods = periods_of_year(year)

    # Which periods each kind is measured in, with the rule in force on the period's first day.
    measured: list[tuple[KindRules, PeriodSpan, Rule]] = []
    for kind in rules:
        for p in periods:
            rule = kind.in_force(p.start)
            if rule and rule.period == p.type and rule.minimum > 0:
                measured.append((kind, p, rule))
    if not measured:
        return []

    # Full living members per organization at each evaluation date (one aggregate query).
    eval_dates = sorted({min(p.end, as_of) for _k, p, r in measured if r.applies_to == AppliesTo.COMMITTEE})
    full_counts: dict[int, dict[dt.date, int]] = defaultdict(dict)
    if eval_dates:
        annotations = {
            f"d{i}": Count("pk", filter=Q(full_member_on__lte=d) & living_on(d))
            for i, d in enumerate(eval_dates)
        }
        for row in (
            Member.objects.filter(organization__in=unit_ids)
            .order_by()
            .values("organization_id")
            .annotate(**annotations)
        ):
            for i, d in enumerate(eval_dates):
                full_counts[row["organization_id"]][d] = row[f"d{i}"]

    groups: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if any(r.applies_to == AppliesTo.GROUP for _k, _p, r in measured):
        for g in (
            PartyGroup.objects.filter(organization__in=unit_ids)
            .order_by("name", "pk")
            .values("pk", "organization_id", "name")
        ):
            groups[g["organization_id"]].append((g["pk"], g["name"]))

    # Held meetings per (org, kind, group): a list indexed by month (one aggregate query).
    held: dict[tuple[int, str, int | None], list[int]] = {}
    group_kinds = {k.code for k, _p, r in measured if r.applies_to == AppliesTo.GROUP}
    for org_id, group_id, code, month, n in (
        Meeting.objects.filter(
            organization__in=unit_ids,
            status=Meeting.Status.HELD,
            date__gte=dt.date(year, 1, 1),
            date__lte=dt.date(year, 12, 31),
        )
        .order_by()
        .annotate(month=ExtractMonth("date"))
        .values("organization_id", "party_group_id", "kinds__code", "month")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "party_group_id", "kinds__code", "month", "n")
    ):
        if code in group_kinds:
            if group_id is None:
                continue
        else:
            group_id = None
        by_month = held.get((org_id, code, group_id))
        if by_month is None:
            by_month = held[(org_id, code, group_id)] = [0] * 13
        by_month[month] += n
    no_meetings = [0] * 13

    out: list[ComplianceRow] = []
    for unit in units:
        oid = unit["pk"]
        established = unit["established_on"]
        for kind, p, rule in measured:
            if established and p.end < established:
                continue
            if rule.applies_to == AppliesTo.COMMITTEE:
                if full_counts.get(oid, {}).get(min(p.end, as_of), 0) < COMMITTEE_THRESHOLD:
                    continue
                targets = [(None, "")]
            elif rule.applies_to == AppliesTo.GROUP:
                targets = groups.get(oid, [])
            else:
                targets = [(None, "")]
            for group_id, group_name in targets:
                n = sum(held.get((oid, kind.code, group_id), no_meetings)[p.start.month : p.end.month + 1])
                if n >= rule.minimum:
                    status = OK
                elif p.end < as_of:
                    status = MISSING
                else:
                    status = DUE
                out.append(
                    ComplianceRow(
                        organization_id=oid,
                        org_code=unit["code"],
                        org_name=unit["name"],
                        kind=kind.code,
                        kind_label=kind.label,
                        party_group_id=group_id,
                        party_group=group_name,
                        period=p,
                        required=rule.minimum,
                        held=n,
                        status=status,
                    )
                )
    order = {k.code: k.order for k in rules}
    type_order = {Period.YEAR: 2, Period.QUARTER: 1, Period.MONTH: 0}
    out.sort(
        key=lambda r: (
            r.org_code,
            order[r.kind],
            r.party_group,
            r.period.start,
            type_order[r.period.type],
        )
    )
    return out


def status_counts(rows: Iterable[ComplianceRow]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for r in rows:
        counts[r.organization_id][r.status] += 1
    return dict(counts)
