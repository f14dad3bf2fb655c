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
from functools import cached_property
from typing import Any

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
    cells = compliance_cells(organizations, year=year, as_of=as_of, rules=rules)
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

    since: dict[dt.date | None, int] = {None: ALL}
    out = []
    for u in units:
        oid = u["pk"]
        established = u["established_on"]
        if established not in since:
            since[established] = sum(1 << i for i, (_k, p, _r) in enumerate(measured) if p.end >= established)
        live = since[established]
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


def _met_masks(
    unit_ids: list[int], *, year: int, measured: list[Measured], group_kinds: set[str]
) -> dict[tuple[int, int | None], int]:
    """Per target (organization, party group or None for the organization itself), the measured periods
    (bits of `measured`) in which it held enough meetings. One aggregate query: the held meetings counted per
    (organization, target, kind, month) as _held_by_month counts them, each month's count capped at the
    largest minimum (a period's capped sum reaches a minimum exactly when its real sum does) and packed into
    one integer per (organization, target, kind): a county's year comes back as a few thousand rows, not a
    row per month, and each packed value is read off once per kind (the same values recur)."""
    cap = max(rule.minimum for _k, _p, rule in measured)
    width = cap.bit_length()
    if 12 * width > 62:  # a minimum above 31 a month: no room to pack, count them month by month
        return _met_masks_by_month(unit_ids, year=year, measured=measured, group_kinds=group_kinds)
    by_kind = _periods_by_kind(measured)
    rows = _packed_held(
        unit_ids, year=year, codes=sorted(by_kind), group_kinds=group_kinds, cap=cap, width=width
    )
    met: dict[tuple[int, int | None], int] = {}
    seen: dict[str, dict[int, int]] = {code: {} for code in by_kind}
    field_mask = (1 << width) - 1
    for org_id, group_id, code, packed in rows:
        known = seen[code]
        bits = known.get(packed)
        if bits is None:
            months = [0] + [(packed >> (width * m)) & field_mask for m in range(12)]
            bits = known[packed] = _met_bits(months, by_kind[code])
        key = (org_id, group_id)
        met[key] = met.get(key, 0) | bits
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


def _met_masks_by_month(
    unit_ids: list[int], *, year: int, measured: list[Measured], group_kinds: set[str]
) -> dict[tuple[int, int | None], int]:
    """_met_masks from the month by month counts (rules asking more than 31 meetings a month)."""
    by_kind = _periods_by_kind(measured)
    met: dict[tuple[int, int | None], int] = {}
    for (org_id, code, group_id), months in _held_by_month(
        unit_ids, year=year, group_kinds=group_kinds
    ).items():
        if code in by_kind:
            key = (org_id, group_id)
            met[key] = met.get(key, 0) | _met_bits(months, by_kind[code])
    return met


def _packed_held(
    unit_ids: list[int], *, year: int, codes: list[str], group_kinds: set[str], cap: int, width: int
) -> list[tuple[int, int | None, str, int]]:
    """(organization, party group or None, kind, packed): the held meetings of the kinds `codes` per month,
    each month's count capped at `cap` in `width` bits (January lowest). The group kinds count per party
    group and their meetings without a group count for nothing; the other kinds count for the organization
    itself, whatever group their meetings name (as _held_by_month)."""
    qn = connection.ops.quote_name
    meeting, through = Meeting._meta.db_table, Meeting.kinds.through._meta.db_table
    kind_table = MeetingKind._meta.db_table
    month_sql, month_params = connection.ops.date_extract_sql("month", "m.date", ())
    month = f"(CAST({month_sql} AS INTEGER) - 1)"

    def in_list(values) -> str:
        return ", ".join(["%s"] * len(values))

    grouped = sorted(group_kinds)
    target = f"CASE WHEN k.code IN ({in_list(grouped)}) THEN m.party_group_id END" if grouped else "NULL"
    where = (
        f"m.organization_id IN ({in_list(unit_ids)}) AND m.status = %s AND m.date >= %s AND m.date <= %s"
        f" AND k.code IN ({in_list(codes)})"
    )
    where_params = [*unit_ids, Meeting.Status.HELD, dt.date(year, 1, 1), dt.date(year, 12, 31), *codes]
    if grouped:
        where += f" AND (m.party_group_id IS NOT NULL OR k.code NOT IN ({in_list(grouped)}))"
        where_params += grouped
    joins = (
        f"FROM {qn(meeting)} m JOIN {qn(through)} mk ON mk.meeting_id = m.id"
        f" JOIN {qn(kind_table)} k ON k.id = mk.meetingkind_id WHERE {where}"
    )
    # the months' fields do not overlap, so their sum is their bitwise or: PostgreSQL's bit_or keeps to
    # 64-bit integers (its sum of bigint goes through numeric, several times slower); SQLite's sum is exact
    postgres = connection.vendor == "postgresql"
    if cap == 1:
        # the usual rules (one meeting a period): whether a month had a meeting, straight off the join
        packed = f"BIT_OR(CAST(1 AS BIGINT) << {month})" if postgres else f"SUM(DISTINCT 1 << {month})"
        sql = f"SELECT m.organization_id, {target}, k.code, {packed} {joins} GROUP BY 1, 2, 3"
        params = [*grouped, *month_params, *where_params]
    else:
        field = f"CAST(CASE WHEN COUNT(*) > {int(cap)} THEN {int(cap)} ELSE COUNT(*) END AS BIGINT)"
        sql = (
            f"SELECT org, target, code, {'BIT_OR' if postgres else 'SUM'}(packed) FROM ("
            f"SELECT m.organization_id AS org, {target} AS target, k.code AS code,"
            f" {field} << ({int(width)} * {month}) AS packed {joins} GROUP BY 1, 2, 3, {month}) held"
            " GROUP BY org, target, code"
        )
        params = [*grouped, *month_params, *where_params, *month_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
