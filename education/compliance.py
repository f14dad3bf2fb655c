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

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast, ExtractMonth

from branches.models import Organization, PartyGroup
from common import periods
from members.models import Member, Transfer
from members.selectors import full_members_on, living_on_q

from .models import AppliesTo, Meeting, MeetingKind, MeetingRequirement, Period

COMMITTEE_THRESHOLD = 7  # DOMAIN.md: a branch with 7 or more full members has a committee

OK = "ok"
MISSING = "missing"
DUE = "due"
STATUSES = (OK, MISSING, DUE)


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
    period: periods.Period
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
    keep: Callable[[str, periods.Period, str], bool] | None = None,
) -> list[ComplianceRow]:
    """Every (organization, kind, period, group) row for `year`, for all compliance units among
    `organizations` (any queryset: a subtree, a list of ids). Seven queries, whatever the number of rows.
    `keep(kind, period, status)`, when given, chooses the rows to build (the reminders want a few of a
    county's tens of thousands).

    Three steps: load (the units, the rules), measure (which periods each kind is measured in, the counts
    the rules need: full members, party groups, held meetings), build the rows."""
    loaded = _load_and_measure(organizations, year=year, as_of=as_of, kinds=kinds, rules=rules)
    if loaded is None:
        return []
    units, measured, counts, rules = loaded
    out = [row for unit in units for row in _unit_rows(unit, measured, counts, as_of=as_of, keep=keep)]
    order = {k.code: k.order for k in rules}
    out.sort(
        key=lambda r: (r.org_code, order[r.kind], r.party_group, r.period.start, _TYPE_ORDER[r.period.type])
    )
    return out


def compliance_records(
    organizations: QuerySet[Organization], *, year: int, as_of: dt.date
) -> list[tuple[str, str, str, str, int, int, str]]:
    """compliance_grid as plain tuples in the grid's order, (org code, kind, party group, period label,
    required, held, status): what `report_compliance` writes, without a row object per cell."""
    loaded = _load_and_measure(organizations, year=year, as_of=as_of, kinds=None, rules=None)
    if loaded is None:
        return []
    units, measured, counts, rules = loaded
    order = {k.code: k.order for k in rules}
    keyed = [
        (
            unit["code"],
            order[kind.code],
            group_name,
            p.start,
            _TYPE_ORDER[p.type],
            (unit["code"], kind.code, group_name, p.label, required, n, status),
        )
        for unit in units
        for kind, _group_id, group_name, p, required, n, status in _unit_cells(
            unit, measured, counts, as_of=as_of
        )
    ]
    keyed.sort(key=lambda k: k[:5])
    return [k[5] for k in keyed]


class Cell(NamedTuple):
    """A ComplianceRow as a named tuple: the same fields, a fraction of the cost to make, for passes over a
    county's cells of several years (the county escalation reads ~50,000 of them each run)."""

    organization_id: int
    org_code: str
    org_name: str
    kind: str
    kind_label: str
    party_group_id: int | None
    party_group: str
    period: periods.Period
    required: int
    held: int
    status: str


def compliance_cell_list(
    organizations: QuerySet[Organization],
    *,
    year: int,
    as_of: dt.date,
    kinds: Iterable[str] | None = None,
    rules: list[KindRules] | None = None,
) -> list[Cell]:
    """compliance_grid's cells as named tuples, in the order they are measured (the units by path, each
    unit's cells kind by kind), not sorted: `grid_order` is the grid's order, for a caller that needs it.
    Seven queries."""
    loaded = _load_and_measure(organizations, year=year, as_of=as_of, kinds=kinds, rules=rules)
    if loaded is None:
        return []
    units, measured, counts, _rules = loaded
    return [
        Cell(
            unit["pk"],
            unit["code"],
            unit["name"],
            kind.code,
            kind.label,
            group_id,
            group_name,
            p,
            required,
            n,
            status,
        )
        for unit in units
        for kind, group_id, group_name, p, required, n, status in _unit_cells(
            unit, measured, counts, as_of=as_of
        )
    ]


def grid_order(rules: list[KindRules]) -> Callable[[Cell | ComplianceRow], tuple]:
    """compliance_grid's order as a sort key: organization code, kind, party group, period start, and a month
    before its quarter before its year."""
    order = {k.code: k.order for k in rules}
    return lambda r: (r.org_code, order[r.kind], r.party_group, r.period.start, _TYPE_ORDER[r.period.type])


@dataclass
class UnitTally:
    """One compliance unit's cells of a year counted by status, and the kinds it has a missing cell of (in the
    kinds' order): what the county's and a township's pages show, without the cells themselves."""

    organization_id: int
    code: str
    name: str
    path: str
    ok: int = 0
    missing: int = 0
    due: int = 0
    missing_kinds: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.ok + self.missing + self.due


def compliance_tally(
    organizations: QuerySet[Organization],
    *,
    year: int,
    as_of: dt.date,
    rules: list[KindRules] | None = None,
) -> list[UnitTally]:
    """compliance_grid counted per unit (the same queries and the same cells, by status), in tree order. For a
    county's pages: no row objects, no sort of tens of thousands of cells (issue 14)."""
    loaded = _load_and_measure(organizations, year=year, as_of=as_of, kinds=None, rules=rules)
    if loaded is None:
        return []
    units, measured, counts, _rules = loaded
    out = []
    for unit in units:
        tally = UnitTally(unit["pk"], unit["code"], unit["name"], unit["path"])
        for kind, _group_id, _group_name, _period, _required, _held, status in _unit_cells(
            unit, measured, counts, as_of=as_of
        ):
            if status == OK:
                tally.ok += 1
            elif status == DUE:
                tally.due += 1
            else:
                tally.missing += 1
                if kind.label not in tally.missing_kinds:
                    tally.missing_kinds.append(kind.label)
        out.append(tally)
    return out


def _load_and_measure(
    organizations: QuerySet[Organization],
    *,
    year: int,
    as_of: dt.date,
    kinds: Iterable[str] | None,
    rules: list[KindRules] | None,
) -> tuple[list[dict[str, Any]], list[Measured], Counts, list[KindRules]] | None:
    """The units (in path order), the measured periods and the counts they need; None when nothing is
    measured."""
    units = list(
        compliance_units(organizations, as_of=as_of)
        .order_by("path")
        .values("pk", "code", "name", "path", "established_on")
    )
    if not units:
        return None
    # the ids themselves (a few hundred in a county): a plain IN list plans better than a subquery
    unit_ids = [u["pk"] for u in units]
    rules = rules if rules is not None else load_rules()
    if kinds is not None:
        wanted = set(kinds)
        rules = [r for r in rules if r.code in wanted]
    measured = measured_periods(rules, year=year)
    if not measured:
        return None
    eval_dates = sorted({min(p.end, as_of) for _k, p, r in measured if r.applies_to == AppliesTo.COMMITTEE})
    group_kinds = {k.code for k, _p, r in measured if r.applies_to == AppliesTo.GROUP}
    counts = Counts(
        full_members=_full_member_counts(unit_ids, eval_dates),
        groups=_party_groups(unit_ids) if group_kinds else {},
        held=_held_by_month(unit_ids, year=year, group_kinds=group_kinds),
    )
    return units, measured, counts, rules


Measured = tuple[KindRules, periods.Period, Rule]
# a month before its quarter before its year
_TYPE_ORDER: dict[str, int] = {Period.YEAR: 2, Period.QUARTER: 1, Period.MONTH: 0}
_NO_MEETINGS = [0] * 13


@dataclass(frozen=True)
class Counts:
    full_members: dict[int, dict[dt.date, int]]  # organization -> evaluation date -> full living members
    groups: dict[int, list[tuple[int, str]]]  # organization -> [(party group id, name)]
    held: dict[tuple[int, str, int | None], list[int]]  # (organization, kind, group) -> held per month (1-12)


def measured_periods(rules: list[KindRules], *, year: int) -> list[Measured]:
    """Which periods of `year` each kind is measured in, with the rule in force on the period's first day."""
    measured: list[Measured] = []
    for kind in rules:
        for p in periods.periods_of_year(year):
            rule = kind.in_force(p.start)
            if rule and rule.period == p.type and rule.minimum > 0:
                measured.append((kind, p, rule))
    return measured


def _full_member_counts(unit_ids: list[int], eval_dates: list[dt.date]) -> dict[int, dict[dt.date, int]]:
    """Full living members per organization at each evaluation date (one aggregate query, none without dates)."""
    full_counts: dict[int, dict[dt.date, int]] = defaultdict(dict)
    if not eval_dates:
        return full_counts
    annotations = {
        f"d{i}": Count("pk", filter=Q(full_member_on__lte=d) & living_on(d)) for i, d in enumerate(eval_dates)
    }
    for organization_id, *numbers in (
        Member.objects.filter(organization__in=unit_ids)
        .order_by()
        .values("organization_id")
        .annotate(**annotations)
        .values_list("organization_id", *annotations)
    ):
        full_counts[organization_id] = dict(zip(eval_dates, numbers, strict=True))
    _undo_later_transfers(full_counts, unit_ids, eval_dates)
    return full_counts


def _undo_later_transfers(
    full_counts: dict[int, dict[dt.date, int]], unit_ids: list[int], eval_dates: list[dt.date]
) -> None:
    """Count each member where they were on each evaluation date: a transfer dated after the date is undone,
    so that last year's figures do not move with this year's transfers (issue 9). One query: the transfers
    after the first date of every member who came into or left a unit, each with whether its member was a
    full member on each date (members.selectors.full_members_on, the one definition)."""
    first = min(eval_dates)
    units = set(unit_ids)
    touched = Transfer.objects.filter(transferred_on__gt=first).filter(
        Q(member__organization__in=unit_ids) | Q(from_organization__in=unit_ids)
    )
    flags = {
        f"d{i}": Case(When(full_members_on(d, "member__"), then=Value(1)), default=Value(0))
        for i, d in enumerate(eval_dates)
    }
    moves: dict[int, list[tuple[int, int, dt.date, tuple[int, ...]]]] = defaultdict(list)
    for member_id, current, from_org, on, *full in (
        Transfer.objects.filter(transferred_on__gt=first, member__in=touched.values("member"))
        .annotate(**flags)
        .order_by("member_id", "transferred_on", "pk")
        .values_list("member_id", "member__organization_id", "from_organization_id", "transferred_on", *flags)
    ):
        moves[member_id].append((current, from_org, on, tuple(full)))
    for rows in moves.values():
        current, full = rows[0][0], rows[0][3]
        for i, day in enumerate(eval_dates):
            if not full[i]:
                continue
            then = next((from_org for _current, from_org, on, _full in rows if on > day), current)
            if then == current:
                continue
            if current in units:
                full_counts[current][day] -= 1
            if then in units:
                counts = full_counts.setdefault(then, {})
                counts[day] = counts.get(day, 0) + 1


def _party_groups(unit_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """The party groups of each organization, by name (one query)."""
    groups: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for g in (
        PartyGroup.objects.filter(organization__in=unit_ids)
        .order_by("name", "pk")
        .values("pk", "organization_id", "name")
    ):
        groups[g["organization_id"]].append((g["pk"], g["name"]))
    return groups


def _held_by_month(
    unit_ids: list[int], *, year: int, group_kinds: set[str]
) -> dict[tuple[int, str, int | None], list[int]]:
    """Held meetings per (organization, kind, group): a list indexed by month (one aggregate query). Only the
    group-meeting kinds keep the group; their meetings without a group count for nothing."""
    held: dict[tuple[int, str, int | None], list[int]] = {}
    query = (
        Meeting.objects.filter(
            organization__in=unit_ids,
            status=Meeting.Status.HELD,
            date__gte=dt.date(year, 1, 1),
            date__lte=dt.date(year, 12, 31),
        )
        .order_by()
        .annotate(month=Cast(ExtractMonth("date"), IntegerField()))
        .values("organization_id", "party_group_id", "kinds__code", "month")
        .annotate(n=Count("pk"))
        .values_list("organization_id", "party_group_id", "kinds__code", "month", "n")
    )
    # Plain tuples from the cursor: a county's year is tens of thousands of these rows, and they need no
    # conversion (integers and a code); the ORM's per-row converters cost more than the query.
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for org_id, group_id, code, month, n in rows:
        if code in group_kinds and group_id is None:
            continue
        key = (org_id, code, group_id if code in group_kinds else None)
        by_month = held.get(key)
        if by_month is None:
            by_month = held[key] = [0] * 13
        by_month[month] += n
    return held


def _unit_cells(unit: Mapping[str, Any], measured: list[Measured], counts: Counts, *, as_of: dt.date):
    """The cells of one compliance unit, one per measured period that applies to it (and per party group):
    (kind, group id, group name, period, required, held, status) tuples. Run for every unit of a county
    (tens of thousands of cells): kept to dictionary lookups and slices."""
    oid = unit["pk"]
    established = unit["established_on"]
    full_members = counts.full_members.get(oid, {})
    groups = counts.groups.get(oid, [])
    held = counts.held
    no_group: list[tuple[int | None, str]] = [(None, "")]
    for kind, p, rule in measured:
        if established and p.end < established:
            continue
        targets: list[tuple[int | None, str]]
        if rule.applies_to == AppliesTo.COMMITTEE:
            if full_members.get(min(p.end, as_of), 0) < COMMITTEE_THRESHOLD:
                continue
            targets = no_group
        elif rule.applies_to == AppliesTo.GROUP:
            targets = groups
        else:
            targets = no_group
        first, last = p.start.month, p.end.month + 1
        for group_id, group_name in targets:
            by_month = held.get((oid, kind.code, group_id))
            n = sum(by_month[first:last]) if by_month else 0
            status = _status(held=n, required=rule.minimum, period=p, as_of=as_of)
            yield kind, group_id, group_name, p, rule.minimum, n, status


def _unit_rows(
    unit: Mapping[str, Any],
    measured: list[Measured],
    counts: Counts,
    *,
    as_of: dt.date,
    keep: Callable[[str, periods.Period, str], bool] | None = None,
) -> list[ComplianceRow]:
    """The rows of one compliance unit: one per measured period that applies to it (and per party group)."""
    return [
        ComplianceRow(
            organization_id=unit["pk"],
            org_code=unit["code"],
            org_name=unit["name"],
            kind=kind.code,
            kind_label=kind.label,
            party_group_id=group_id,
            party_group=group_name,
            period=p,
            required=required,
            held=n,
            status=status,
        )
        for kind, group_id, group_name, p, required, n, status in _unit_cells(
            unit, measured, counts, as_of=as_of
        )
        if keep is None or keep(kind.code, p, status)
    ]


def _status(*, held: int, required: int, period: periods.Period, as_of: dt.date) -> str:
    if held >= required:
        return OK
    return MISSING if period.end < as_of else DUE


def status_counts(rows: Iterable[ComplianceRow]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for r in rows:
        counts[r.organization_id][r.status] += 1
    return dict(counts)
