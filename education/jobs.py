"""Periodic jobs for 三会一课: who gets what, keyed how. The selection lives in education.selectors
(`period_notices`, `minutes_missing_notices`, `absence_notices`); every message goes through the outbox under
the key "edu_<kind>:<object>:<user>", so a second run sends nothing.

- education_plans: planned meetings of the coming months from each branch's regular schedule.
- education_period_reminders: `remind_days_before` (per kind, data) days before a period ends with a required
  meeting still missing → the branch secretary (stage `due`); after the period → the secretary (stage
  `missed`) and the township secretaries and staff (stage `township`, which their digest collects).
  Key: edu_<stage>:<branch>:<kind>:<group or 0>:<period>:<user> — once per (branch, kind, period, stage).
- education_minutes_missing: a meeting whose date is 3+ days past and has no minutes → the secretary.
- education_absence_alerts: a member with 3 unexcused absences in a row (stage `streak3`), and six months
  without any organizational life (stage `six_months`, Party Constitution art. 9) → the secretary; keyed by the
  member's last attended date so a new streak after attending again alerts again; and the other reasons of
  art. 9 that other apps report through common.lapses (dues: six months unpaid), stage `six_months_lapse`,
  keyed edu_six_months_lapse:<reason>:<member>:<first day of the run>:<user>.
- education_county_escalation: a required meeting missed two periods running reaches the county office's digest
  (selectors.county_escalations), once per run: key county_meetings_missed:<branch>:<kind>:<group or 0>:<user>:
  <the run's second period>. The township still hears of each missed period as before (`period_township`).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from notifications.jobs import periodic_job
from notifications.services import Message, county_escalate, delivery_key, notify_many

from . import selectors
from .models import MeetingPlan
from .services import plans_generate

# The digest's headings (notifications.jobs.topic_labels)
TOPICS = {
    "period_due": _("Meetings due this period"),
    "period_missed": _("Meetings not held"),
    "period_township": _("Meetings not held"),
    "minutes_missing": _("Minutes not entered"),
    "absence_streak": _("Absences in a row"),
    "absence_six_months": _("Six months without organizational life"),
}

# The township hears of each missed meeting in its digest, not one e-mail per meeting.
DIGEST_ONLY_KINDS = {"period_township"}


def _send(notices: list[selectors.Notice]) -> int:
    return notify_many(
        messages=(
            Message(
                user=user,
                key=delivery_key(f"edu_{n.kind}", n.obj, user.pk),
                kind=n.kind,
                template=f"education/email/{n.kind}",
                context=n.context,
                url=n.url,
                digest_only=n.kind in DIGEST_ONLY_KINDS,
                organization_id=n.organization_id,
            )
            for n in notices
            for user in n.recipients
        )
    )


@periodic_job("education_plans")
def generate_planned_meetings(as_of: dt.date) -> int:
    """Returns the number of planned meetings created (no messages)."""
    return plans_generate(plans=MeetingPlan.objects.all(), as_of=as_of)


@periodic_job("education_period_reminders")
def period_reminders(as_of: dt.date) -> int:
    return _send(selectors.period_notices(as_of=as_of))


@periodic_job("education_minutes_missing")
def minutes_missing(as_of: dt.date) -> int:
    return _send(selectors.minutes_missing_notices(as_of=as_of))


@periodic_job("education_absence_alerts")
def absence_alerts(as_of: dt.date) -> int:
    return _send(selectors.absence_notices(as_of=as_of) + selectors.lapse_notices(as_of=as_of))


@periodic_job("education_county_escalation")
def county_escalation(as_of: dt.date) -> int:
    return county_escalate(items=selectors.county_escalations(as_of=as_of))
