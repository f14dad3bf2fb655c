"""Reads of the recruitment pipeline, always through the scope (or, for jobs and commands, the whole
county). Stage counts are conditional counts over the candidates' stage dates: a fixed number of queries
however many people and organizations there are."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import ExtractYear

from branches.models import Organization, RoleAssignment
from branches.paths import ancestor_path, depth, subtree_q
from branches.selectors import Scope
from common.table_versions import cached_exactly
from members.models import Member
from members.selectors import on_roll_q
from notifications.services import recipients_above, recipients_for
from users.models import User

from . import procedure
from .models import Candidate, RecruitmentRule, Stage, Step

Role = RoleAssignment.Role
TOWNSHIP_ROLES = (Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF)


def rules_get() -> dict[str, RecruitmentRule]:
    """The rules table by code (one query)."""
    return {r.code: r for r in RecruitmentRule.objects.all()}


def rules_list() -> QuerySet[RecruitmentRule]:
    return RecruitmentRule.objects.order_by("order", "code")


def _stage_q(stage: str, on: dt.date, prefix: str = "") -> Q:
    """The candidates in `stage` on `on`, by their stage dates."""
    p = prefix
    full = Q(**{f"{p}member__full_member_on__lte": on})
    admitted = Q(**{f"{p}admitted_on__lte": on})
    target = Q(**{f"{p}target_on__lte": on})
    activist = Q(**{f"{p}activist_on__lte": on})
    applied = Q(**{f"{p}applied_on__lte": on})
    if stage == Stage.FULL:
        return full
    if stage == Stage.PROBATIONARY:
        return admitted & ~full
    if stage == Stage.TARGET:
        return target & ~admitted
    if stage == Stage.ACTIVIST:
        return activist & ~target
    return applied & ~activist


def organizations_for_application(*, scope: Scope) -> QuerySet[Organization]:
    """The basic organizations the user may record an application at."""
    return scope.organizations(write=True).filter(kind__in=Organization.BASIC_KINDS).order_by("path")


def candidates_visible(*, scope: Scope, write: bool = False) -> QuerySet[Candidate]:
    return scope.filter(Candidate.objects.all(), "organization", write=write)


def candidate_steps(*, candidate: Candidate) -> list[Step]:
    """The steps in the order they were taken, with the people named in them (two queries)."""
    return list(candidate.steps.select_related("recorded_by").prefetch_related("people").order_by("on", "pk"))


@dataclass
class Row:
    candidate: Candidate
    progress: procedure.Progress


def pipeline_people(*, scope: Scope, org: Organization, on: dt.date) -> dict[str, list[Row]]:
    """The people of `org`'s subtree in the pipeline by stage on `on` (full members left out), each with
    their next step and its due date. Three queries: the candidates with their members, their steps, the
    rules."""
    candidates = (
        candidates_visible(scope=scope)
        .filter(subtree_q(org))
        .exclude(_stage_q(Stage.FULL, on))
        .filter(applied_on__lte=on)
        .select_related("member", "organization")
        .prefetch_related(Prefetch("steps", queryset=Step.objects.order_by("on", "pk")))
        .order_by("applied_on", "pk")
    )
    rules = rules_get()
    by_stage: dict[str, list[Row]] = {s: [] for s in Stage.values if s != Stage.FULL}
    for c in candidates:
        p = procedure.progress(candidate=c, steps=c.steps.all(), rules=rules, on=on)
        if p.stage in by_stage:
            by_stage[p.stage].append(Row(c, p))
    for rows in by_stage.values():
        rows.sort(key=lambda r: (r.progress.due or dt.date.max, r.candidate.name))
    return by_stage


STAGES: tuple[str, ...] = tuple(Stage.values)  # Stage.values builds its list anew on every call


def _stage_counts(on: dt.date, prefix: str = "") -> dict[str, Count]:
    return {s: Count("pk", filter=_stage_q(s, on, prefix)) for s in STAGES}


# Everything stage_counts reads (the candidates, their members' full membership, the organizations' paths).
STAGE_COUNTS_TABLES = ("recruitment_candidate", "members_member", "branches_organization")


def _stage_counts_of(*, scope: Scope, org: Organization, on: dt.date) -> dict[str, int]:
    return candidates_visible(scope=scope).filter(subtree_q(org)).aggregate(**_stage_counts(on))


def stage_counts(*, scope: Scope, org: Organization, on: dt.date) -> dict[str, int]:
    """How many people of the subtree are in each stage on `on` (one query): from the cache while none of
    STAGE_COUNTS_TABLES has been written (common.table_versions; one query), as the organization page shows them
    on every visit."""
    return cached_exactly(
        f"recruitment:stage_counts:{org.pk}:{org.path}:{scope.read_key}:{on.isoformat()}",
        tables=STAGE_COUNTS_TABLES,
        compute=lambda: _stage_counts_of(scope=scope, org=org, on=on),
    )


class OrgCounts(NamedTuple):
    """A child organization's line of the pipeline: plain values, not the Organization, so that the cached
    summary unpickles cheaply."""

    pk: int
    code: str
    name: str
    cells: tuple[int, ...]  # the people in each stage, in STAGES order

    @property
    def counts(self) -> dict[str, int]:
        return dict(zip(STAGES, self.cells, strict=True))

    @property
    def total(self) -> int:
        return sum(self.cells)


def stage_counts_by_child(*, scope: Scope, org: Organization, on: dt.date) -> list[OrgCounts]:
    """Per child organization of `org` that the user reads, the people of its subtree in each stage on
    `on` (two queries: the children, the counts per organization rolled up to them)."""
    children = (
        scope.organizations()
        .filter(subtree_q(org, "", include_self=False), depth=org.depth + 1)
        .order_by("path")
        .values_list("path", "pk", "code", "name")
    )
    rows = {path: (pk, code, name, dict.fromkeys(STAGES, 0)) for path, pk, code, name in children}
    level = depth(org.path) + 1
    per_org = (
        candidates_visible(scope=scope)
        .filter(subtree_q(org, include_self=False))
        .values("organization__path")
        .annotate(**_stage_counts(on))
        .order_by()
    )
    for values in per_org:
        # values() with annotations: django-stubs types the row by the values() field only.
        row: dict = dict(values)
        child = ancestor_path(row["organization__path"], depth=level)
        if child in rows:
            counts = rows[child][3]
            for s in STAGES:
                counts[s] += row[s]
    return [
        OrgCounts(pk, code, name, tuple(counts[s] for s in STAGES))
        for pk, code, name, counts in rows.values()
    ]


# The figures of the annual statistics (发展党员): how many people reached each step in a year.
YEAR_FIELDS = (
    ("applied_on", Stage.APPLICANT),
    ("activist_on", Stage.ACTIVIST),
    ("target_on", Stage.TARGET),
    ("admitted_on", Stage.PROBATIONARY),
    ("member__full_member_on", Stage.FULL),
)


def stage_counts_by_year(*, scope: Scope, org: Organization) -> list[tuple[int, list[int]]]:
    """Per year (newest first), how many people of the subtree entered each stage (one query: a count per
    year of each stage date, the five joined by UNION ALL)."""
    years: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    base = candidates_visible(scope=scope).filter(subtree_q(org))
    per_field = [
        base.filter(**{f"{date_field}__isnull": False})
        .annotate(stage=Value(str(stage)), year=ExtractYear(date_field))
        .values_list("stage", "year")
        .annotate(n=Count("pk"))
        .order_by()
        for date_field, stage in YEAR_FIELDS
    ]
    for stage, year, n in per_field[0].union(*per_field[1:], all=True):
        years[year][stage] = n
    return [(year, [counts[s] for s in STAGES]) for year, counts in sorted(years.items(), reverse=True)]


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    children: list[OrgCounts] | None  # None at a basic organization
    years: list[tuple[int, list[int]]]


def pipeline_summary(*, scope: Scope, org: Organization, on: dt.date) -> Summary:
    """What the pipeline page counts of `org`'s subtree on `on`: the people in each stage (stage_counts), the
    same per child organization (stage_counts_by_child; not at a basic organization) and per year
    (stage_counts_by_year). From the cache while none of STAGE_COUNTS_TABLES has been written
    (common.table_versions: one query, where they are four), so that the county's page costs the same however
    many organizations and people it counts (issue 14)."""

    def compute() -> Summary:
        return Summary(
            counts=_stage_counts_of(scope=scope, org=org, on=on),
            children=None if org.is_basic else stage_counts_by_child(scope=scope, org=org, on=on),
            years=stage_counts_by_year(scope=scope, org=org),
        )

    return cached_exactly(
        f"recruitment:pipeline_summary:{org.pk}:{org.path}:{org.kind}:{scope.read_key}:{on.isoformat()}",
        tables=STAGE_COUNTS_TABLES,
        compute=compute,
    )


def full_members_for(*, organization: Organization) -> QuerySet[Member]:
    """Full members on the roll now (cultivating contacts and introducers are chosen among them): the
    organization's own, then the rest of its township."""
    township = ancestor_path(organization.path, depth=1) or organization.path
    return (
        Member.objects.filter(on_roll_q(), subtree_q(township), full_member_on__isnull=False)
        .select_related("organization")
        .order_by("organization__path", "name", "pk")
    )


# -- reminders ----------------------------------------------------------------------------------------


@dataclass
class Notice:
    kind: str  # "recruitment_talk", "recruitment_check", "recruitment_approval"
    candidate: Candidate
    due_on: dt.date
    recipients: list[User]


def recruitment_notices(*, as_of: dt.date) -> list[Notice]:
    """The reminders due on `as_of`, each from `reminder_days` before its date on: the talk owed within a
    month of the application (to the branch secretaries), the activist's periodic check (to the branch
    secretaries), the approval above owed within three months of the admission (to the branch secretaries
    and the township's secretaries and staff). Five queries at most."""
    rules = rules_get()
    if not rules:
        return []
    lead = dt.timedelta(days=rules[procedure.REMIND_BEFORE].value)
    horizon = as_of + lead
    found: list[tuple[str, Candidate, dt.date]] = []
    # Widest windows first; each candidate's exact due date is worked out in Python by the rule.
    talk_rule, check_rule, approval_rule = (
        rules[procedure.TALK_WITHIN],
        rules[procedure.CHECK_INTERVAL],
        rules[procedure.APPROVAL_WITHIN],
    )
    pending = (
        Candidate.objects.filter(
            Q(talked_on__isnull=True, activist_on__isnull=True)
            | Q(activist_on__isnull=False, target_on__isnull=True)
            | Q(admitted_on__isnull=False, approved_on__isnull=True)
        )
        .select_related("organization")
        .order_by("pk")
    )
    for c in pending:
        if c.admitted_on and not c.approved_on:
            found.append(("recruitment_approval", c, procedure.after(c.admitted_on, approval_rule)))
        elif c.activist_on and not c.target_on:
            last = max(d for d in (c.activist_on, c.last_checked_on) if d)
            found.append(("recruitment_check", c, procedure.after(last, check_rule)))
        elif not c.talked_on and not c.activist_on:
            found.append(("recruitment_talk", c, procedure.after(c.applied_on, talk_rule)))
    found = [(k, c, due) for k, c, due in found if due <= horizon]
    if not found:
        return []
    secretaries = recipients_for(
        org_ids={c.organization_id for _k, c, _d in found}, roles=[Role.BRANCH_SECRETARY]
    )
    approvals = [c for k, c, _d in found if k == "recruitment_approval"]
    above = (
        recipients_above(
            paths={c.organization.path for c in approvals},
            roles=TOWNSHIP_ROLES,
            kind=Organization.Kind.TOWNSHIP,
        )
        if approvals
        else {}
    )
    notices = []
    for kind, c, due in found:
        users = list(secretaries.get(c.organization_id, []))
        if kind == "recruitment_approval":
            users += [u for u in above.get(c.organization.path, []) if all(u.pk != r.pk for r in users)]
        if users:
            notices.append(Notice(kind, c, due, users))
    return notices


# -- report_recruitment ---------------------------------------------------------------------------------


def report_rows(*, as_of: dt.date, org: Organization | None = None) -> list[tuple]:
    """One row per person who had applied by `as_of` (the county's, or `org`'s subtree): id_number, name,
    org_code, stage, stage_since, next_step, due, all as on `as_of` (three queries)."""
    candidates = (
        Candidate.objects.filter(applied_on__lte=as_of)
        .select_related("organization", "member")
        .prefetch_related(Prefetch("steps", queryset=Step.objects.order_by("on", "pk")))
        .order_by("organization__path", "applied_on", "pk")
    )
    if org is not None:
        candidates = candidates.filter(subtree_q(org))
    rules = rules_get()
    rows = []
    for c in candidates:
        p = procedure.progress(candidate=c, steps=c.steps.all(), rules=rules, on=as_of)
        rows.append(
            (
                c.id_number,
                c.name,
                c.organization.code,
                p.stage or "",
                p.since.isoformat() if p.since else "",
                p.next_step,
                p.due.isoformat() if p.due else "",
            )
        )
    return rows
