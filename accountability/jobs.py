"""Periodic jobs for targets and the three officers. Each one is idempotent for a day: deliveries go through
`notifications.services.notify` with a unique key (what:object:whom:stage/period), so a second run sends
nothing. Escalation of what is overdue: the secretary is reminded before and at the deadline, the officer
of the organization sees it in their weekly digest, and after four weeks the county office in its own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from branches.models import FollowUp, Organization, RoleAssignment
from branches.selectors import officer_assignments_active
from common import periods
from members.models import CommitteeTerm
from notifications.jobs import periodic_job
from notifications.services import notify

from .models import Contract, DutyReport
from .selectors import DUTY_LEVELS, SECRETARY_ROLES, deadlines_get

EARLY_DAYS = 14  # first reminder two weeks before a deadline
LAST_DAYS = 3  # and again three days before
OVERDUE_DAYS = 30  # an "overdue" notice once, within a month after it
ESCALATE_AFTER = 28  # then the county office's weekly summary
TERM_EARLY = 183  # 换届: six months before the term ends
TERM_LAST = 31  # and again one month before


def _stage(deadline: dt.date, as_of: dt.date) -> str | None:
    days = (deadline - as_of).days
    if LAST_DAYS < days <= EARLY_DAYS:
        return "early"
    if 0 <= days <= LAST_DAYS:
        return "last"
    if -OVERDUE_DAYS <= days < 0:
        return "overdue"
    return None


def _secretaries(org_ids) -> dict[int, list]:
    """The secretaries of each organization (one query)."""
    out: dict[int, list] = defaultdict(list)
    for ra in RoleAssignment.objects.filter(
        organization_id__in=set(org_ids), role__in=SECRETARY_ROLES
    ).select_related("user"):
        out[ra.organization_id].append(ra.user)
    return out


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _deadline_notices(
    *, kind: str, action, items: list[tuple], deadline: dt.date, as_of: dt.date, year: int
) -> int:
    """items: (object key, organization answering, link). One delivery per secretary per stage."""
    stage = _stage(deadline, as_of)
    if stage is None or not items:
        return 0
    people = _secretaries(org.pk for _key, org, _url in items)
    created = 0
    for key, org, url in items:
        for user in people.get(org.pk, []):
            delivery = notify(
                user=user,
                key=f"{kind}:{key}:{user.pk}:{stage}",
                kind=kind,
                template="accountability/email/deadline",
                context={
                    "action": action,
                    "organization": org.name,
                    "year": year,
                    "deadline": deadline,
                    "days_left": (deadline - as_of).days,
                    "overdue": stage == "overdue",
                    "link": url,
                },
                url=url,
            )
            created += delivery is not None
    return created


def _years(as_of: dt.date) -> list[int]:
    return [as_of.year - 1, as_of.year]


@periodic_job("contract_signing_reminders")
def contract_signing_reminders(as_of: dt.date) -> int:
    """Before the signing deadline: the receiving organization signs an issued contract; the issuer
    issues a draft."""
    created = 0
    for year in _years(as_of):
        deadline = deadlines_get(year=year).signing_deadline
        if _stage(deadline, as_of) is None:
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
        created += _deadline_notices(
            kind="contract_sign",
            action=_("sign the party-building responsibility contract"),
            items=to_sign,
            deadline=deadline,
            as_of=as_of,
            year=year,
        )
        created += _deadline_notices(
            kind="contract_issue",
            action=_("issue the draft responsibility contract"),
            items=to_issue,
            deadline=deadline,
            as_of=as_of,
            year=year,
        )
    return created


@periodic_job("evaluation_reminders")
def evaluation_reminders(as_of: dt.date) -> int:
    """Before the self-evaluation deadline to the receiving organization; before the evaluation
    deadline to the issuing organization (评议)."""
    created = 0
    for year in _years(as_of):
        d = deadlines_get(year=year)
        signed = Contract.objects.filter(year=year, status=Contract.Status.SIGNED).select_related(
            "parent", "organization"
        )
        if _stage(d.self_evaluation_deadline, as_of):
            created += _deadline_notices(
                kind="contract_self_evaluation",
                action=_("score your responsibility contract (self-evaluation)"),
                items=[
                    (c.pk, c.organization, _link("accountability:contract_self_evaluation", c.pk))
                    for c in signed.filter(self_evaluated_on__isnull=True).order_by("pk")
                ],
                deadline=d.self_evaluation_deadline,
                as_of=as_of,
                year=year,
            )
        if _stage(d.evaluation_deadline, as_of):
            created += _deadline_notices(
                kind="contract_evaluation",
                action=_("evaluate the responsibility contract"),
                items=[
                    (c.pk, c.parent, _link("accountability:contract_evaluation", c.pk))
                    for c in signed.order_by("pk")
                ],
                deadline=d.evaluation_deadline,
                as_of=as_of,
                year=year,
            )
    return created


def _missing_duty_reports(year: int):
    submitted = DutyReport.objects.filter(year=year, organization=OuterRef("pk"), submitted_at__isnull=False)
    return Organization.objects.filter(kind__in=DUTY_LEVELS, is_active=True, depth__lte=2).filter(
        ~Exists(submitted)
    )


@periodic_job("duty_report_reminders")
def duty_report_reminders(as_of: dt.date) -> int:
    """Before the 述职 deadline, to the secretaries whose report is not submitted."""
    created = 0
    for year in _years(as_of):
        deadline = deadlines_get(year=year).duty_report_deadline
        if _stage(deadline, as_of) is None:
            continue
        url = _link("accountability:duty_reports") + f"?year={year}"
        created += _deadline_notices(
            kind="duty_report",
            action=_("submit your annual duty report"),
            items=[(f"{year}-{org.pk}", org, url) for org in _missing_duty_reports(year).order_by("pk")],
            deadline=deadline,
            as_of=as_of,
            year=year,
        )
    return created


@periodic_job("follow_up_overdue")
def follow_up_overdue(as_of: dt.date) -> int:
    """A follow-up past its due date, once, to the officer who raised it."""
    created = 0
    for fu in (
        FollowUp.objects.filter(done_on__isnull=True, due_on__lt=as_of)
        .select_related("visit__officer", "organization")
        .order_by("pk")
    ):
        url = _link("officers:visit_detail", fu.visit_id)
        delivery = notify(
            user=fu.visit.officer,
            key=f"follow_up_overdue:{fu.pk}:{fu.visit.officer_id}",
            kind="follow_up_overdue",
            template="accountability/email/follow_up_overdue",
            context={"follow_up": fu, "organization": fu.organization.name, "link": url},
            url=url,
        )
        created += delivery is not None
    return created


def _overdue_items(*, as_of: dt.date, org_ids: set[int] | None, grace: int) -> dict[int, list]:
    """What is overdue by more than `grace` days, per organization: unsigned contracts, missing
    self-evaluations, missing duty reports (for three months after their deadline), open follow-ups.
    A fixed number of queries. The texts are lazy: each recipient reads them in their own language."""
    items: dict[int, list] = defaultdict(list)

    def limit(qs, field="organization_id"):
        return qs.filter(**{f"{field}__in": org_ids}) if org_ids is not None else qs

    for year in _years(as_of):
        d = deadlines_get(year=year)
        if (as_of - d.signing_deadline).days > grace:
            for oid in limit(Contract.objects.filter(year=year, status=Contract.Status.ISSUED)).values_list(
                "organization_id", flat=True
            ):
                items[oid].append(format_lazy(_("{year} responsibility contract not signed"), year=year))
        if (as_of - d.self_evaluation_deadline).days > grace:
            for oid in limit(
                Contract.objects.filter(
                    year=year, status=Contract.Status.SIGNED, self_evaluated_on__isnull=True
                )
            ).values_list("organization_id", flat=True):
                items[oid].append(format_lazy(_("{year} self-evaluation not done"), year=year))
        if grace < (as_of - d.duty_report_deadline).days <= grace + 90:
            for oid in limit(_missing_duty_reports(year), "pk").values_list("pk", flat=True):
                items[oid].append(format_lazy(_("{year} duty report not submitted"), year=year))
    for oid, description, due_on in limit(
        FollowUp.objects.filter(done_on__isnull=True, due_on__lt=as_of - dt.timedelta(days=grace))
    ).values_list("organization_id", "description", "due_on"):
        items[oid].append(
            format_lazy(_("Follow-up overdue since {due}: {what}"), due=due_on, what=description)
        )
    return items


def _week(as_of: dt.date) -> str:
    return periods.week(as_of).label


@periodic_job("officer_weekly_digest")
def officer_weekly_digest(as_of: dt.date) -> int:
    """Mondays: to each officer, their organizations' overdue items (after the secretary's reminders)."""
    if as_of.weekday() != 0:
        return 0
    assignments = list(
        officer_assignments_active(on=as_of)
        .select_related("officer", "organization")
        .order_by("organization__path")
    )
    if not assignments:
        return 0
    items = _overdue_items(as_of=as_of, org_ids={a.organization_id for a in assignments}, grace=0)
    per_officer: dict[int, tuple] = {}
    for a in assignments:
        if items.get(a.organization_id):
            user, rows = per_officer.setdefault(a.officer_id, (a.officer, []))
            rows.append((a.organization.name, items[a.organization_id]))
    created = 0
    for user, rows in per_officer.values():
        url = _link("officers:officer", user.pk)
        delivery = notify(
            user=user,
            key=f"officer_weekly:{user.pk}:{_week(as_of)}",
            kind="officer_weekly",
            template="accountability/email/officer_weekly",
            context={"rows": rows, "as_of": as_of, "link": url},
            url=url,
        )
        created += delivery is not None
    return created


@periodic_job("county_escalation_weekly")
def county_escalation_weekly(as_of: dt.date) -> int:
    """Mondays: to the county office, what is still overdue four weeks after the deadline."""
    if as_of.weekday() != 0:
        return 0
    items = _overdue_items(as_of=as_of, org_ids=None, grace=ESCALATE_AFTER)
    if not items:
        return 0
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=list(items)).order_by("path")}
    rows = [(orgs[oid].name, items[oid]) for oid in sorted(items, key=lambda i: orgs[i].path)]
    created = 0
    county_users = {
        ra.user
        for ra in RoleAssignment.objects.filter(role=RoleAssignment.Role.COUNTY_ADMIN).select_related("user")
    }
    url = _link("accountability:signing")
    for user in sorted(county_users, key=lambda u: u.pk):
        delivery = notify(
            user=user,
            key=f"county_escalation:{user.pk}:{_week(as_of)}",
            kind="county_escalation",
            template="accountability/email/county_escalation",
            context={"rows": rows[:100], "more": max(0, len(rows) - 100), "as_of": as_of, "link": url},
            url=url,
        )
        created += delivery is not None
    return created


@periodic_job("committee_term_reminders")
def committee_term_reminders(as_of: dt.date) -> int:
    """换届: a committee whose current term ends within six months, and again within one month, to the
    organization's secretary and the level above."""
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
        return 0
    people = _secretaries(
        {t.organization_id for t in terms} | {t.organization.parent_id for t in terms} - {None}
    )
    created = 0
    for term in terms:
        stage = "1m" if (term.ends_on - as_of).days <= TERM_LAST else "6m"
        org = term.organization
        url = settings.SITE_URL + reverse("branches:detail", args=[org.pk])
        recipients = {u.pk: u for u in people.get(org.pk, []) + people.get(org.parent_id, [])}
        for user in recipients.values():
            delivery = notify(
                user=user,
                key=f"term_ending:{term.pk}:{user.pk}:{stage}",
                kind="term_ending",
                template="accountability/email/term_ending",
                context={
                    "organization": org.name,
                    "ends_on": term.ends_on,
                    "years": CommitteeTerm.term_years(org),
                    "link": url,
                },
                url=url,
            )
            created += delivery is not None
    return created
