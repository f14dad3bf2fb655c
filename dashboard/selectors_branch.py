"""The branch secretary's part of the home page: what is still open at each branch they lead, with the
page to act on it. Kept apart from the county/township dashboard (dashboard.selectors) on purpose.

- Meetings still owed this period (三会一课): the compliance rows of the periods that contain today, not met yet.
- Visits due: planned care visits due within VISIT_AHEAD_DAYS, or overdue.
- Reports due: this and last year's 述职 report and responsibility contract (to sign, to self-evaluate), shown
  from REPORT_AHEAD_DAYS before their deadline until OVERDUE_SHOWN_DAYS after it.

A fixed number of queries whatever the number of branches (at most MAX_BRANCHES are shown)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from accountability.models import Contract, DutyReport
from accountability.selectors import DUTY_LEVELS, deadlines_get
from branches.models import Organization, RoleAssignment
from care.models import Visit
from common.periods import Period
from education.compliance import DUE
from education.compliance_cache import units_grid

MAX_BRANCHES = 5
MAX_VISITS = 8
VISIT_AHEAD_DAYS = 14
REPORT_AHEAD_DAYS = 45
OVERDUE_SHOWN_DAYS = 60


@dataclass
class MeetingOwed:
    kind_label: str
    party_group: str
    period: Period
    held: int
    required: int


@dataclass
class ReportDue:
    what: str  # "duty_report", "contract_sign" or "contract_self_evaluation"
    year: int
    deadline: dt.date
    url: str
    overdue: bool


@dataclass
class BranchHome:
    organization: Organization
    meetings: list[MeetingOwed] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    reports: list[ReportDue] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.meetings) + len(self.visits) + len(self.reports)


def branches_led(*, user) -> list[Organization]:
    """The organizations where the user is the branch secretary (one query)."""
    return list(
        Organization.objects.filter(
            roles__user=user, roles__role=RoleAssignment.Role.BRANCH_SECRETARY, is_active=True
        )
        .distinct()
        .order_by("path")[:MAX_BRANCHES]
    )


def branch_homes(*, user, as_of: dt.date) -> list[BranchHome]:
    """Each branch the user leads with its open items. Nothing (one query) for anyone who leads none."""
    orgs = branches_led(user=user)
    if not orgs:
        return []
    homes = {o.pk: BranchHome(o) for o in orgs}
    _meetings(homes, as_of)
    _visits(homes, as_of)
    _reports(homes, as_of)
    return list(homes.values())


def _meetings(homes: dict[int, BranchHome], as_of: dt.date) -> None:
    rows = units_grid(list(homes), year=as_of.year, as_of=as_of)
    for r in rows:
        if r.status == DUE and r.period.start <= as_of <= r.period.end:
            homes[r.organization_id].meetings.append(
                MeetingOwed(r.kind_label, r.party_group, r.period, r.held, r.required)
            )


def _visits(homes: dict[int, BranchHome], as_of: dt.date) -> None:
    """Planned visits of the branches' own members (the branch's open visits), soonest first."""
    visits = (
        Visit.objects.filter(
            status=Visit.Status.PLANNED,
            member__organization_id__in=list(homes),
            due_on__lte=as_of + dt.timedelta(days=VISIT_AHEAD_DAYS),
        )
        .select_related("member", "assigned_to")
        .order_by("due_on", "pk")
    )
    for v in visits[: MAX_VISITS * len(homes)]:
        home = homes[v.member.organization_id]
        if len(home.visits) < MAX_VISITS:
            home.visits.append(v)


def _shown(deadline: dt.date, as_of: dt.date) -> bool:
    return -OVERDUE_SHOWN_DAYS <= (deadline - as_of).days <= REPORT_AHEAD_DAYS


def _reports(homes: dict[int, BranchHome], as_of: dt.date) -> None:
    years = [as_of.year - 1, as_of.year]
    deadlines = {y: deadlines_get(year=y) for y in years}
    contracts = (
        Contract.objects.filter(organization_id__in=list(homes), year__in=years)
        .filter(
            Q(status=Contract.Status.ISSUED)
            | Q(status=Contract.Status.SIGNED, self_evaluated_on__isnull=True)
        )
        .order_by("year", "pk")
    )
    for c in contracts:
        d = deadlines[c.year]
        if c.status == Contract.Status.ISSUED:
            what, deadline, name = "contract_sign", d.signing_deadline, "accountability:contract_detail"
        else:
            what, deadline = "contract_self_evaluation", d.self_evaluation_deadline
            name = "accountability:contract_self_evaluation"
        if _shown(deadline, as_of):
            homes[c.organization_id].reports.append(
                ReportDue(what, c.year, deadline, reverse(name, args=[c.pk]), deadline < as_of)
            )
    reporting = [pk for pk, h in homes.items() if h.organization.kind in DUTY_LEVELS]
    done = set(
        DutyReport.objects.filter(
            organization_id__in=reporting, year__in=years, submitted_at__isnull=False
        ).values_list("organization_id", "year")
    )
    for year in years:
        deadline = deadlines[year].duty_report_deadline
        if not _shown(deadline, as_of):
            continue
        for pk in reporting:
            if (pk, year) not in done:
                homes[pk].reports.append(
                    ReportDue(
                        "duty_report",
                        year,
                        deadline,
                        reverse("accountability:duty_reports") + f"?year={year}",
                        deadline < as_of,
                    )
                )
