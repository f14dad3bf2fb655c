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
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, ExtractMonth
from django.utils.translation import get_language

from branches.models import Organization, PartyGroup
from common import periods
from common.table_versions import cached_exactly
from members.models import Member, Transfer
from members.selectors import full_members_on, living_on_q

from .models import AppliesTo, Meeting, MeetingKind, MeetingRequirement, Period

TABLES = (  # everything the cells are computed from (the exact cache's tables: county_measured, compliance_cache)
    "branches_organization",
    "branches_partygroup",
    "members_member",
    "members_transfer",
    "education_meeting",
    "education_meeting_kinds",
    "education_meetingkind",
    "education_meetingrequirement",
)

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
    pk: int

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
        KindRules(k.code, k.label, k.order, k.remind_days_before, tuple(versions.get(k.pk, ())), k.pk)
        for k in MeetingKind.objects.all()
    ]


class ComplianceRow(NamedTuple):
    """One cell of the grid: a unit's kind in one period, its required and held meetings and its status. A
    named tuple: a county's passes make tens of thousands (the county escalation ~50,000 each run)."""

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
    # Only a 党总支 or 党委 needs the check: restricting the subquery to them lets PostgreSQL probe the members
    # of those few organizations by index instead of hashing every living member of the county (20 ms → 1 ms).
    not_branch = [k for k in Organization.BASIC_KINDS if k != Organization.Kind.BRANCH]
    direct = Member.objects.filter(organization=OuterRef("pk"), organization__kind__in=not_branch).filter(
        living_on(as_of)
    )
    return (
        organizations.filter(kind__in=Organization.BASIC_KINDS, is_active=True)
        .annotate(_direct=Exists(direct))
        .filter(Q(kind=Organization.Kind.BRANCH) | Q(_direct=True))
    )


def compliance_grid(
    organizations: QuerySet[Organization] | None,
    *,
    year: int,
    as_of: dt.date,
    kinds: Iterable[str] | None = None,
    rules: list[KindRules] | None = None,
    keep: Callable[[str, periods.Period, str], bool] | None = None,
) -> list[ComplianceRow]:
    """Every (organization, kind, period, group) row for `year`, for all compliance units among
    `organizations` (any queryset: a subtree, a list of ids; None: every organization, its counts read through
    county_measured). Seven queries, whatever the number of rows.
    `keep(kind, period, status)`, when given, chooses the rows to build (the reminders want a few of a
    county's tens of thousands).

    Three steps: load (the units, the rules), measure (which periods each kind is measured in, the counts
    the rules need: full members, party groups, held meetings), build the rows."""
    loaded = _measure(organizations, year=year, as_of=as_of, kinds=kinds, rules=rules)
    if loaded is None:
        return []
    units, measured, counts, rules = loaded
    if keep is not None:  # a period kept in no status is left out before the units' cells are built
        measured = [m for m in measured if any(keep(m[0].code, m[1], status) for status in STATUSES)]
    out = [row for unit in units for row in _unit_rows(unit, measured, counts, as_of=as_of, keep=keep)]
    order = {k.code: k.order for k in rules}
    out.sort(
        key=lambda r: (r.org_code, order[r.kind], r.party_group, r.period.start, _TYPE_ORDER[r.period.type])
    )
    return out


def compliance_records(
    organizations: QuerySet[Organization] | None, *, year: int, as_of: dt.date
) -> list[tuple[str, str, str, str, int, int, str]]:
    """compliance_grid as plain tuples in the grid's order, (org code, kind, party group, period label,
    required, held, status): what `report_compliance` writes, without a row object per cell. `organizations`
    None: every organization, its counts read through county_measured.

    The same cells as _unit_cells, generated in its order and sorted by the grid's key (org code, kind order,
    party group, period start, a month before its quarter before its year), here one integer of ranks per
    cell: a county's tens of thousands of cells sort as integers, ties in generation order as before."""
    loaded = _measure(organizations, year=year, as_of=as_of, kinds=None, rules=None)
    if loaded is None:
        return []
    units, measured, counts, rules = loaded
    kind_rank = {order: rank for rank, order in enumerate(sorted({k.order for k in rules}))}
    period_keys = sorted({(p.start, _TYPE_ORDER[p.type]) for p in periods.periods_of_year(year)})
    period_rank = {key: rank for rank, key in enumerate(period_keys)}
    n_periods = len(period_keys)
    n_names = 1 + max((len(g) for g in counts.groups.values()), default=0)
    n_kinds = len(kind_rank)
    entries = [
        (
            kind.code,
            kind_rank[kind.order] * n_names * n_periods + period_rank[(p.start, _TYPE_ORDER[p.type])],
            p.start.month,
            p.end.month + 1,
            p.end,
            min(p.end, as_of) if rule.applies_to == AppliesTo.COMMITTEE else None,  # the day judged
            rule.applies_to == AppliesTo.GROUP,
            p.label,
            rule.minimum,
            MISSING if p.end < as_of else DUE,
        )
        for kind, p, rule in measured
    ]
    unit_rank = {code: rank for rank, code in enumerate(sorted(u["code"] for u in units))}
    held = counts.held
    keyed: list[tuple[int, tuple[str, str, str, str, int, int, str]]] = []
    append = keyed.append
    for unit in units:
        oid, code, established = unit["pk"], unit["code"], unit["established_on"]
        full_members = counts.full_members.get(oid, {})
        groups = counts.groups.get(oid, [])
        # the rank of each target's name among the unit's names ("" for the organization itself)
        names = sorted({name for _gid, name in groups} | {""})
        name_rank = {name: rank for rank, name in enumerate(names)}
        no_group: list[tuple[int | None, str, int]] = [(None, "", name_rank[""] * n_periods)]
        by_group: list[tuple[int | None, str, int]] = [
            (gid, name, name_rank[name] * n_periods) for gid, name in groups
        ]
        base = unit_rank[code] * n_kinds * n_names * n_periods
        for kind_code, key, first, last, end, judged, grouped, label, required, short in entries:
            if established and end < established:
                continue
            if judged is not None and full_members.get(judged, 0) < COMMITTEE_THRESHOLD:
                continue
            for group_id, group_name, group_key in by_group if grouped else no_group:
                by_month = held.get((oid, kind_code, group_id))
                n = sum(by_month[first:last]) if by_month else 0
                append(
                    (
                        base + key + group_key,
                        (code, kind_code, group_name, label, required, n, OK if n >= required else short),
                    )
                )
    keyed.sort(key=itemgetter(0))
    return [row for _key, row in keyed]


def compliance_cell_list(
    organizations: QuerySet[Organization] | None,
    *,
    year: int,
    as_of: dt.date,
    kinds: Iterable[str] | None = None,
    rules: list[KindRules] | None = None,
) -> list[ComplianceRow]:
    """compliance_grid's cells in the order they are measured (the units by path, each
    unit's cells kind by kind), not sorted: `grid_order` is the grid's order, for a caller that needs it.
    Seven queries; `organizations` None: every organization, its counts read through county_measured."""
    loaded = _measure(organizations, year=year, as_of=as_of, kinds=kinds, rules=rules)
    if loaded is None:
        return []
    units, measured, counts, _rules = loaded
    return [
        compliance_row(unit, cell)
        for unit in units
        for cell in _unit_cells(unit, measured, counts, as_of=as_of)
    ]


def county_cells(
    *, year: int, as_of: dt.date, kinds: Iterable[str] | None = None
) -> Iterator[tuple[dict, tuple]]:
    """Every organization's cells of `year` as compliance_cell_list measures them, in its order, as (unit, cell)
    pairs: the cell as `_unit_cells` yields it, (kind rules, group id, group name, period, required, held,
    status). For a pass over the whole county that keeps a few of them (`compliance_row` makes a kept one a
    row): no row object per cell. Counts read through county_measured."""
    loaded = county_measured(year=year, as_of=as_of, kinds=kinds)
    if loaded is None:
        return
    units, measured, counts, _rules = loaded
    for unit in units:
        for cell in _unit_cells(unit, measured, counts, as_of=as_of):
            yield unit, cell


def compliance_row(unit: Mapping[str, Any], cell: tuple) -> ComplianceRow:
    """The row of a (unit, cell) pair of `county_cells`."""
    kind, group_id, group_name, p, required, n, status = cell
    return ComplianceRow(
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


def grid_order(rules: list[KindRules]) -> Callable[[ComplianceRow], tuple]:
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
    """compliance_grid counted per unit (the same cells, by status), in tree order. For a county's pages: no
    row objects, no sort of tens of thousands of cells, no Python per cell (compliance_cells, issue 14)."""
    return tally_of(compliance_cells(organizations, year=year, as_of=as_of, rules=rules))


def tally_of(cells: YearCells | None) -> list[UnitTally]:
    """Each unit's cells of `cells` counted by status, with the kinds it has a missing cell of."""
    if cells is None:
        return []
    out = []
    for unit in cells.units:
        ok, missing, due = cells.counts(unit)
        tally = UnitTally(unit.organization_id, unit.code, unit.name, unit.path, ok, missing, due)
        if missing:
            tally.missing_kinds = cells.missing_kinds(unit)
        out.append(tally)
    return out


ALL = -1  # every bit: a mask that keeps every cell


@dataclass(frozen=True)
class UnitCells:
    """One compliance unit's cells of a year as bit masks, bit i standing for the period `measured[i]` of
    its YearCells: per target (the unit itself, then each of its party groups) the cells it is required to
    hold and those in which it held enough (held >= required)."""

    organization_id: int
    code: str
    name: str
    path: str
    targets: tuple[tuple[int, int], ...]  # (required, met)


@dataclass(frozen=True)
class YearCells:
    """The cells of compliance_grid for many units, as masks: a county's year (tens of thousands of cells) is
    counted with a few integer operations per unit, by status, by kind, by period (the dashboard's window and
    heat map), without a row per cell. The same cells, the same statuses as the grid (tests say so)."""

    measured: list[Measured]
    rules: list[KindRules]
    ended: int  # the periods over before `as_of`: a cell not met there is missing, elsewhere it is due
    units: list[UnitCells]

    def mask(self, keep: Callable[[periods.Period], bool]) -> int:
        """The bits of the measured periods that `keep` keeps."""
        return sum(1 << i for i, (_kind, p, _rule) in enumerate(self.measured) if keep(p))

    @cached_property
    def kind_masks(self) -> list[tuple[str, int]]:
        """(label, the bits of its periods) per kind, in the kinds' order."""
        masks = [
            (kind.label, sum(1 << i for i, (k, _p, _r) in enumerate(self.measured) if k.code == kind.code))
            for kind in self.rules
        ]
        return [(label, mask) for label, mask in masks if mask]

    def counts(self, unit: UnitCells, within: int = ALL) -> tuple[int, int, int]:
        """(ok, missing, due) among the unit's cells whose periods are in `within`."""
        ok = missing = due = 0
        ended = self.ended
        for required, met in unit.targets:
            required &= within
            ok += (required & met).bit_count()
            short = required & ~met
            missing += (short & ended).bit_count()
            due += (short & ~ended).bit_count()
        return ok, missing, due

    def missing_kinds(self, unit: UnitCells) -> list[str]:
        """The labels of the kinds the unit has a missing cell of, in the kinds' order."""
        missing = 0
        for required, met in unit.targets:
            missing |= required & ~met & self.ended
        labels: list[str] = []
        for label, mask in self.kind_masks:
            if missing & mask and label not in labels:
                labels.append(label)
        return labels


def compliance_cells(
    organizations: QuerySet[Organization],
    *,
    year: int,
    as_of: dt.date,
    rules: list[KindRules] | None = None,
) -> YearCells | None:
    """The compliance cells of `year` for the compliance units among `organizations`, as masks (YearCells);
    None when nothing is measured. Seven queries whatever the number of units, like compliance_grid, whose
    rules it applies: periods before the unit was established are not required, the committee meeting only
    where the unit had 7 full members on the period's last day (or `as_of`), the group meeting once per
    party group."""
    loaded = _load(organizations, year=year, as_of=as_of, kinds=None, rules=rules)
    if loaded is None:
        return None
    units, measured, rules = loaded
    unit_ids = [u["pk"] for u in units]
    committee = [
        (1 << i, min(p.end, as_of))
        for i, (_k, p, r) in enumerate(measured)
        if r.applies_to == AppliesTo.COMMITTEE
    ]
    grouped = sum(1 << i for i, (_k, _p, r) in enumerate(measured) if r.applies_to == AppliesTo.GROUP)
    plain = sum(
        1 << i
        for i, (_k, _p, r) in enumerate(measured)
        if r.applies_to not in (AppliesTo.COMMITTEE, AppliesTo.GROUP)
    )
    group_kinds = {k.code for k, _p, r in measured if r.applies_to == AppliesTo.GROUP}
    full_members = _full_member_counts(unit_ids, sorted({day for _bit, day in committee}))
    groups = _party_groups(unit_ids) if group_kinds else {}
    met = _met_masks(unit_ids, year=year, measured=measured, group_kinds=group_kinds)

    # the periods required of a unit established on a day: those not over before it (every period for the
    # units established before the year's first period ended, nearly all of them)
    first_end = min(p.end for _k, p, _r in measured)
    since: dict[dt.date, int] = {}

    def required_since(established: dt.date | None) -> int:
        if established is None or established <= first_end:
            return ALL
        if established not in since:
            since[established] = sum(1 << i for i, (_k, p, _r) in enumerate(measured) if p.end >= established)
        return since[established]

    out = []
    for u in units:
        oid = u["pk"]
        live = required_since(u["established_on"])
        own = plain
        if committee:
            counts = full_members.get(oid, {})
            for bit, day in committee:
                if counts.get(day, 0) >= COMMITTEE_THRESHOLD:
                    own |= bit
        targets = [(own & live, met.get((oid, None), 0))]
        if grouped & live:
            targets += [(grouped & live, met.get((oid, gid), 0)) for gid, _name in groups.get(oid, ())]
        out.append(UnitCells(oid, u["code"], u["name"], u["path"], tuple(targets)))
    ended = sum(1 << i for i, (_k, p, _r) in enumerate(measured) if p.end < as_of)
    return YearCells(measured, rules, ended, out)


def _load(
    organizations: QuerySet[Organization],
    *,
    year: int,
    as_of: dt.date,
    kinds: Iterable[str] | None,
    rules: list[KindRules] | None,
) -> tuple[list[dict[str, Any]], list[Measured], list[KindRules]] | None:
    """The units (in path order), the measured periods and the rules; None when nothing is measured."""
    units = list(
        compliance_units(organizations, as_of=as_of)
        .order_by("path")
        .values("pk", "code", "name", "path", "established_on")
    )
    if not units:
        return None
    rules = rules if rules is not None else load_rules()
    if kinds is not None:
        wanted = set(kinds)
        rules = [r for r in rules if r.code in wanted]
    measured = measured_periods(rules, year=year)
    if not measured:
        return None
    return units, measured, rules


def _measure(
    organizations: QuerySet[Organization] | None,
    *,
    year: int,
    as_of: dt.date,
    kinds: Iterable[str] | None,
    rules: list[KindRules] | None,
) -> tuple[list[dict[str, Any]], list[Measured], Counts, list[KindRules]] | None:
    """_load_and_measure of `organizations`; None for every organization, read through county_measured."""
    if organizations is None:
        if rules is not None:
            raise ValueError("every organization's counts are measured against the rules as stored")
        return county_measured(year=year, as_of=as_of, kinds=kinds)
    return _load_and_measure(organizations, year=year, as_of=as_of, kinds=kinds, rules=rules)


def county_measured(
    *, year: int, as_of: dt.date, kinds: Iterable[str] | None = None
) -> tuple[list[dict[str, Any]], list[Measured], Counts, list[KindRules]] | None:
    """_load_and_measure of every organization under the rules as stored, cached exactly under the versions of
    TABLES (common.table_versions; nothing is cached inside a transaction): the county-wide jobs (the period
    reminders, the county escalation) and report_compliance read the same year's counts, each run and again in
    the run after, while nothing they are computed from has changed. The key holds the year, the day judged,
    the kinds and the language (the kinds' labels)."""
    wanted = None if kinds is None else sorted(set(kinds))
    named = "*" if wanted is None else ",".join(wanted)
    return cached_exactly(
        f"education:county_measured:{year}:{as_of.isoformat()}:{named}:{get_language()}",
        tables=TABLES,
        compute=lambda: _load_and_measure(
            Organization.objects.all(), year=year, as_of=as_of, kinds=wanted, rules=None
        ),
    )


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
    loaded = _load(organizations, year=year, as_of=as_of, kinds=kinds, rules=rules)
    if loaded is None:
        return None
    units, measured, rules = loaded
    # the ids themselves (a few hundred in a county): a plain IN list plans better than a subquery
    unit_ids = [u["pk"] for u in units]
    eval_dates = sorted({min(p.end, as_of) for _k, p, r in measured if r.applies_to == AppliesTo.COMMITTEE})
    group_kinds = {k.code for k, _p, r in measured if r.applies_to == AppliesTo.GROUP}
    counts = Counts(
        full_members=_full_member_counts(unit_ids, eval_dates),
        groups=_party_groups(unit_ids) if group_kinds else {},
        held=_held_by_month(unit_ids, year=year, measured=measured, group_kinds=group_kinds),
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


def _among(ids: list[int]) -> RawSQL:
    """`ids` as a subquery for `…__in=`: one array parameter instead of a placeholder per id (a county's 635
    units cost the ORM some 3 ms of Python per list, and the lists are in several queries)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))


def _full_member_counts(unit_ids: list[int], eval_dates: list[dt.date]) -> dict[int, dict[dt.date, int]]:
    """Full living members per organization at each evaluation date (one aggregate query, none without dates).

    Most members were full members on the first date and are still members on the last: they count on every
    date in between, and are counted once (full_members_on and living_on, the one definition); only the
    others are tested date by date (a county's 20,000 members: 45 ms → 13 ms on PostgreSQL)."""
    full_counts: dict[int, dict[dt.date, int]] = defaultdict(dict)
    if not eval_dates:
        return full_counts
    names = [f"d{i}" for i in range(len(eval_dates))]
    throughout = full_members_on(eval_dates[0]) & living_on(eval_dates[-1])
    members = Member.objects.filter(organization__in=_among(unit_ids)).order_by().values("organization_id")
    always = (
        members.filter(throughout)
        .annotate(n=Count("pk"), **{name: Value(0) for name in names})
        .values_list("organization_id", "n", *names)
    )
    sometimes = (
        members.exclude(throughout)
        .annotate(
            n=Value(0),
            **{
                name: Count("pk", filter=full_members_on(d))
                for name, d in zip(names, eval_dates, strict=True)
            },
        )
        .values_list("organization_id", "n", *names)
    )
    for organization_id, n, *numbers in always.union(sometimes, all=True):
        counts = full_counts[organization_id]
        for day, number in zip(eval_dates, numbers, strict=True):
            counts[day] = counts.get(day, 0) + n + number
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
        Q(member__organization__in=_among(unit_ids)) | Q(from_organization__in=_among(unit_ids))
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
    for pk, organization_id, name in (
        PartyGroup.objects.filter(organization__in=_among(unit_ids))
        .order_by("name", "pk")
        .values_list("pk", "organization_id", "name")
    ):
        groups[organization_id].append((pk, name))
    return groups


def _held_by_month(
    unit_ids: list[int], *, year: int, measured: list[Measured], group_kinds: set[str]
) -> dict[tuple[int, str, int | None], list[int]]:
    """Held meetings of the measured kinds per (organization, kind, group): a list indexed by month (one
    aggregate query, _held_packed). Only the group-meeting kinds keep the group; their meetings without a
    group count for nothing."""
    packed = _held_packed(unit_ids, year=year, measured=measured, group_kinds=group_kinds)
    if packed is None:
        return _held_month_by_month(unit_ids, year=year, group_kinds=group_kinds)
    unpacked: dict[tuple[int, int], list[int]] = {}  # the same year recurs: unpacked once (lists only read)
    held = {}
    for org_id, target, code, first, second in packed:
        months = unpacked.get((first, second))
        if months is None:
            months = unpacked[(first, second)] = _unpack(first, second)
        held[(org_id, code, target)] = months
    return held


def _met_masks(
    unit_ids: list[int], *, year: int, measured: list[Measured], group_kinds: set[str]
) -> dict[tuple[int, int | None], int]:
    """Per target (organization, party group or None for the organization itself), the measured periods
    (bits of `measured`) in which it held enough meetings: read off _held_packed's packed counts, each
    distinct value once per kind (they recur: a branch that met every month looks like the next)."""
    by_kind = _periods_by_kind(measured)
    met: dict[tuple[int, int | None], int] = {}
    packed = _held_packed(unit_ids, year=year, measured=measured, group_kinds=group_kinds)
    if packed is None:
        for (org_id, code, target), months in _held_month_by_month(
            unit_ids, year=year, group_kinds=group_kinds
        ).items():
            if code in by_kind:
                met[(org_id, target)] = met.get((org_id, target), 0) | _met_bits(months, by_kind[code])
        return met
    seen: dict[str, dict[tuple[int, int], int]] = {code: {} for code in by_kind}
    for org_id, target, code, first, second in packed:
        known = seen[code]
        bits = known.get((first, second))
        if bits is None:
            bits = known[(first, second)] = _met_bits(_unpack(first, second), by_kind[code])
        met[(org_id, target)] = met.get((org_id, target), 0) | bits
    return met


_KindPeriods = list[tuple[int, int, int, int]]  # (bit, first month, last month, minimum)


def _periods_by_kind(measured: list[Measured]) -> dict[str, _KindPeriods]:
    by_kind: dict[str, _KindPeriods] = defaultdict(list)
    for i, (kind, p, rule) in enumerate(measured):
        by_kind[kind.code].append((1 << i, p.start.month, p.end.month, rule.minimum))
    return dict(by_kind)


def _met_bits(months: list[int], kind_periods: _KindPeriods) -> int:
    """The bits of the periods whose meetings (`months[1..12]`, held per month) reach the minimum."""
    bits = 0
    for bit, first, last, minimum in kind_periods:
        if sum(months[first : last + 1]) >= minimum:
            bits |= bit
    return bits


# Held meetings per month packed into two integers, six months of 10 bits each: exact while a target holds at
# most 1,023 meetings of a kind in a year (more than that, and the months are counted one by one instead).
_MONTH_BITS = 10
_MONTH_MAX = (1 << _MONTH_BITS) - 1


def _unpack(first: int, second: int) -> list[int]:
    """[0, January, …, December] from the two packed halves of a year."""
    return [
        0,
        *((first >> (_MONTH_BITS * m)) & _MONTH_MAX for m in range(6)),
        *((second >> (_MONTH_BITS * m)) & _MONTH_MAX for m in range(6)),
    ]


def _held_packed(
    unit_ids: list[int], *, year: int, measured: list[Measured], group_kinds: set[str]
) -> list[tuple[int, int | None, str, int, int]] | None:
    """(organization, party group or None, kind, January–June, July–December): the held meetings of the
    measured kinds per month, packed (_unpack), one row per (organization, target, kind): a county's year
    is a few thousand rows, not a row per month, and no join to the kinds. The group kinds count per party
    group and their meetings without a group count for nothing; the other kinds count for the organization
    itself, whatever group their meetings name. None if a target held more than 1,023 meetings of a kind."""
    kinds = {kind.pk: kind.code for kind, _p, _r in measured}
    grouped = sorted({kind.pk for kind, _p, _r in measured if kind.code in group_kinds})
    qn = connection.ops.quote_name
    meeting, through = qn(Meeting._meta.db_table), qn(Meeting.kinds.through._meta.db_table)
    month_sql, month_params = connection.ops.date_extract_sql("month", "m.date", ())
    month = f"CAST({month_sql} AS INTEGER)"

    def in_list(values) -> str:
        return ", ".join(["%s"] * len(values))

    def half(condition: str, first_month: int) -> str:
        """The months of a half year, packed: a meeting adds 1 to its month's field."""
        field = f"CAST(1 AS BIGINT) << ({_MONTH_BITS} * ({month} - {first_month}))"
        return f"CAST(SUM(CASE WHEN {condition} THEN {field} ELSE 0 END) AS BIGINT)"

    july = dt.date(year, 7, 1)
    target = (
        f"CASE WHEN mk.meetingkind_id IN ({in_list(grouped)}) THEN m.party_group_id END"
        if grouped
        else "NULL"
    )
    sql = (
        f"SELECT m.organization_id, {target}, mk.meetingkind_id, {half('m.date < %s', 1)},"
        f" {half('m.date >= %s', 7)}, COUNT(*) FROM {meeting} m JOIN {through} mk ON mk.meeting_id = m.id"
        f" WHERE m.organization_id IN ({in_list(unit_ids)}) AND m.status = %s AND m.date >= %s"
        f" AND m.date <= %s AND mk.meetingkind_id IN ({in_list(kinds)})"
    )
    params = [*grouped, july, *month_params, july, *month_params]
    params += [*unit_ids, Meeting.Status.HELD, dt.date(year, 1, 1), dt.date(year, 12, 31), *kinds]
    if grouped:
        sql += f" AND (m.party_group_id IS NOT NULL OR mk.meetingkind_id NOT IN ({in_list(grouped)}))"
        params += grouped
    sql += " GROUP BY 1, 2, 3"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if any(total > _MONTH_MAX for *_row, total in rows):
        return None
    return [
        (org_id, target, kinds[kind_id], first, second) for org_id, target, kind_id, first, second, _n in rows
    ]


def _held_month_by_month(
    unit_ids: list[int], *, year: int, group_kinds: set[str]
) -> dict[tuple[int, str, int | None], list[int]]:
    """_held_by_month month by month, a row per (organization, group, kind, month): for a year in which a
    target held more meetings of a kind than the packed counts hold."""
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
    for org_id, group_id, code, month, n in query:
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
