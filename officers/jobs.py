"""Periodic jobs for the three officers (三员). Idempotent for a day: deliveries go through
`notifications.services.notify_many` with a unique key, so a second run sends nothing. An officer hears of a
follow-up they raised once it is overdue, and on Mondays of everything overdue at their organizations (every
app's `overdue_items`, read through common.overdue); the county office's escalation after four weeks reads the
follow-ups from `overdue_items` here. An officer with no visit at an organization in the last quarter reaches
the county office's digest once per assignment and quarter (officer_county_escalation)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from branches.selectors import officer_assignments_active
from common import overdue
from notifications.jobs import periodic_job
from notifications.services import Message, county_escalate, notify_many

from .models import FollowUp
from .selectors import county_escalations

# The digest's headings (notifications.jobs.topic_labels)
TOPICS = {
    "follow_up_overdue": _("Follow-ups overdue"),
    "officer_weekly": _("Overdue at your organizations"),
}


def _link(name: str, *args) -> str:
    """A path on this site: the outbox stores it as it is and the e-mail renderer puts SITE_URL in front."""
    return reverse(name, args=args)


def _week(as_of: dt.date) -> str:
    iso = as_of.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


@periodic_job("follow_up_overdue")
def follow_up_overdue(as_of: dt.date) -> int:
    """A follow-up past its due date, once, to the officer who raised it."""
    follow_ups = (
        FollowUp.objects.filter(done_on__isnull=True, due_on__lt=as_of)
        .select_related("visit__officer", "organization")
        .order_by("pk")
    )
    return notify_many(
        messages=(
            Message(
                user=fu.visit.officer,
                key=f"follow_up_overdue:{fu.pk}:{fu.visit.officer_id}",
                kind="follow_up_overdue",
                template="officers/email/follow_up_overdue",
                context={"follow_up": fu, "organization": fu.organization.name, "link": url},
                url=url,
                organization_id=fu.organization_id,
            )
            for fu in follow_ups
            for url in [_link("officers:visit_detail", fu.visit_id)]
        )
    )


def overdue_items(*, as_of: dt.date, org_ids: set[int] | None, grace: int) -> dict[int, list]:
    """Open follow-ups due more than `grace` days ago, per organization (common.overdue). One query."""
    items: dict[int, list] = defaultdict(list)
    follow_ups = FollowUp.objects.filter(done_on__isnull=True, due_on__lt=as_of - dt.timedelta(days=grace))
    if org_ids is not None:
        follow_ups = follow_ups.filter(organization_id__in=org_ids)
    for oid, description, due_on in follow_ups.values_list("organization_id", "description", "due_on"):
        items[oid].append(
            format_lazy(_("Follow-up overdue since {due}: {what}"), due=due_on, what=description)
        )
    return items


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
    items = overdue.collect(as_of=as_of, org_ids={a.organization_id for a in assignments}, grace=0)
    per_officer: dict[int, tuple] = {}
    for a in assignments:
        if items.get(a.organization_id):
            user, rows = per_officer.setdefault(a.officer_id, (a.officer, []))
            rows.append((a.organization.name, items[a.organization_id]))
    return notify_many(
        messages=(
            Message(
                user=user,
                key=f"officer_weekly:{user.pk}:{_week(as_of)}",
                kind="officer_weekly",
                template="officers/email/officer_weekly",
                context={"rows": rows, "as_of": as_of, "link": url},
                url=url,
            )
            for user, rows in per_officer.values()
            for url in [_link("officers:officer", user.pk)]
        )
    )


@periodic_job("officer_county_escalation")
def officer_county_escalation(as_of: dt.date) -> int:
    """No visit in the last quarter at an organization assigned all quarter: once per assignment and quarter."""
    return county_escalate(items=county_escalations(as_of=as_of))
