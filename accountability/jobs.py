"""Periodic jobs for targets. Each one is idempotent for a day: deliveries go through
`notifications.services.notify_many` with a unique key (what:object:whom:stage/period), so a second run sends
nothing. Escalation of what is overdue: the secretary is reminded before and at the deadline, the officer
of the organization sees it in their weekly digest (officers/jobs.py), and after four weeks the county
office in its own; both read every app's `overdue_items` through common.overdue. The deadline and term
reminders are "who gets what, keyed how": their selection is in accountability.selectors."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from branches.models import Organization, RoleAssignment
from common import overdue, periods
from members.models import CommitteeTerm
from notifications.jobs import periodic_job
from notifications.services import Message, delivery_key, notify_many

from . import selectors
from .models import Contract
from .selectors import deadlines_get, missing_duty_reports

ESCALATE_AFTER = 28  # then the county office's weekly summary

# What each deadline reminder asks the secretaries to do.
# The digest's headings (notifications.jobs.topic_labels)
TOPICS = {
    "contract_sign": _("Contracts to sign"),
    "contract_issue": _("Contracts to issue"),
    "contract_self_evaluation": _("Self-evaluations due"),
    "contract_evaluation": _("Evaluations due"),
    "duty_report": _("Duty reports due"),
    "county_escalation": _("Overdue for four weeks"),
    "term_ending": _("Committee terms ending"),
}

ACTIONS = {
    "contract_sign": _("sign the party-building responsibility contract"),
    "contract_issue": _("issue the draft responsibility contract"),
    "contract_self_evaluation": _("score your responsibility contract (self-evaluation)"),
    "contract_evaluation": _("evaluate the responsibility contract"),
    "duty_report": _("submit your annual duty report"),
}


def _link(name: str, *args) -> str:
    """A path on this site: the outbox stores it as it is and the e-mail renderer puts SITE_URL in front."""
    return reverse(name, args=args)


def _deadline_reminders(notices: list[selectors.DeadlineNotice], as_of: dt.date) -> int:
    """One delivery per secretary per object and stage: key "<kind>:<object>:<user>:<stage>"."""
    return notify_many(
        messages=(
            Message(
                user=user,
                key=delivery_key(n.kind, n.obj, user.pk, n.stage),
                kind=n.kind,
                template="accountability/email/deadline",
                context={
                    "action": ACTIONS[n.kind],
                    "organization": n.organization.name,
                    "year": n.year,
                    "deadline": n.deadline,
                    "days_left": (n.deadline - as_of).days,
                    "overdue": n.stage == "overdue",
                    "link": n.url,
                },
                url=n.url,
                organization_id=n.organization.pk,
            )
            for n in notices
            for user in n.recipients
        )
    )


def _years(as_of: dt.date) -> list[int]:
    return [as_of.year - 1, as_of.year]


@periodic_job("contract_signing_reminders")
def contract_signing_reminders(as_of: dt.date) -> int:
    """Before the signing deadline: the receiving organization signs an issued contract; the issuer
    issues a draft."""
    return _deadline_reminders(selectors.contract_signing_notices(as_of=as_of), as_of)


@periodic_job("evaluation_reminders")
def evaluation_reminders(as_of: dt.date) -> int:
    """Before the self-evaluation deadline to the receiving organization; before the evaluation
    deadline to the issuing organization (评议)."""
    return _deadline_reminders(selectors.evaluation_notices(as_of=as_of), as_of)


@periodic_job("duty_report_reminders")
def duty_report_reminders(as_of: dt.date) -> int:
    """Before the 述职 deadline, to the secretaries whose report is not submitted."""
    return _deadline_reminders(selectors.duty_report_notices(as_of=as_of), as_of)


def overdue_items(*, as_of: dt.date, org_ids: set[int] | None, grace: int) -> dict[int, list]:
    """What is overdue by more than `grace` days, per organization (common.overdue): unsigned contracts,
    missing self-evaluations, missing duty reports (for three months after their deadline).
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
            for oid in limit(missing_duty_reports(year), "pk").values_list("pk", flat=True):
                items[oid].append(format_lazy(_("{year} duty report not submitted"), year=year))
    return items


def _week(as_of: dt.date) -> str:
    return periods.week(as_of).label


@periodic_job("county_escalation_weekly")
def county_escalation_weekly(as_of: dt.date) -> int:
    """Mondays: to the county office, what is still overdue four weeks after the deadline."""
    if as_of.weekday() != 0:
        return 0
    items = overdue.collect(as_of=as_of, org_ids=None, grace=ESCALATE_AFTER)
    if not items:
        return 0
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=list(items)).order_by("path")}
    rows = [(orgs[oid].name, items[oid]) for oid in sorted(items, key=lambda i: orgs[i].path)]
    county_users = {
        ra.user
        for ra in RoleAssignment.objects.filter(role=RoleAssignment.Role.COUNTY_ADMIN).select_related("user")
    }
    url = _link("accountability:signing")
    return notify_many(
        messages=(
            Message(
                user=user,
                key=f"county_escalation:{user.pk}:{_week(as_of)}",
                kind="county_escalation",
                template="accountability/email/county_escalation",
                context={"rows": rows[:100], "more": max(0, len(rows) - 100), "as_of": as_of, "link": url},
                url=url,
            )
            for user in sorted(county_users, key=lambda u: u.pk)
        )
    )


@periodic_job("committee_term_reminders")
def committee_term_reminders(as_of: dt.date) -> int:
    """换届: a committee whose current term ends within six months, and again within one month, to the
    organization's secretary and the level above. Key "term_ending:<term>:<user>:<stage>"."""
    return notify_many(
        messages=(
            Message(
                user=user,
                key=delivery_key("term_ending", n.term.pk, user.pk, n.stage),
                kind="term_ending",
                template="accountability/email/term_ending",
                context={
                    "organization": n.term.organization.name,
                    "ends_on": n.term.ends_on,
                    "years": CommitteeTerm.term_years(n.term.organization),
                    "link": n.url,
                },
                url=n.url,
                organization_id=n.term.organization_id,
            )
            for n in selectors.term_ending_notices(as_of=as_of)
            for user in n.recipients
        )
    )
