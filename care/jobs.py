"""Periodic care job: plan the visits the policies call for, remind before due, escalate when overdue."""

from __future__ import annotations

import datetime as dt
import logging

from members.models import Member
from notifications.jobs import periodic_job
from users.services import system_user

from .services import member_died, visits_plan, visits_remind

logger = logging.getLogger(__name__)


@periodic_job("care_visits")
def care_visits(as_of: dt.date) -> int:
    """Idempotent for a day: planned visits have a unique key per member, policy and period; reminders a
    unique delivery key per visit, step and person. Returns the deliveries created."""
    condolences_start_missing(as_of=as_of)
    planned = visits_plan(as_of=as_of)
    sent = visits_remind(as_of=as_of)
    logger.info("care_visits %s: %s visits planned, %s messages", as_of, planned, sent)
    return sent


# A death recorded outside the care pages (the roster form, an import) is picked up by the next daily run.
CONDOLENCE_LOOKBACK_DAYS = 90


def condolences_start_missing(*, as_of: dt.date) -> int:
    """Start the condolence process for members who died in the last CONDOLENCE_LOOKBACK_DAYS days and have
    none yet (a death is rare: one service call each). Returns how many were started."""
    recent = Member.objects.filter(
        died_on__isnull=False,
        died_on__lte=as_of,
        died_on__gte=as_of - dt.timedelta(days=CONDOLENCE_LOOKBACK_DAYS),
        condolence__isnull=True,
    ).select_related("organization")
    started = 0
    for member in recent:
        member_died(member=member, died_on=member.died_on, by=system_user())
        started += 1
    return started
