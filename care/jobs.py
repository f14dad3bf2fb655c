"""Periodic care job: plan the visits the policies call for, remind before due, escalate when overdue."""

from __future__ import annotations

import datetime as dt
import logging

from notifications.jobs import periodic_job

from .services import visits_plan, visits_remind

logger = logging.getLogger(__name__)


@periodic_job("care_visits")
def care_visits(as_of: dt.date) -> int:
    """Idempotent for a day: planned visits have a unique key per member, policy and period; reminders a
    unique delivery key per visit, step and person. Returns the deliveries created."""
    planned = visits_plan(as_of=as_of)
    sent = visits_remind(as_of=as_of)
    logger.info("care_visits %s: %s visits planned, %s messages", as_of, planned, sent)
    return sent
