"""Periodic care jobs: plan the visits the policies call for, remind before due, escalate to the township when
overdue; a month overdue, to the county office's digest (care_county_escalation). The selection (who is due,
which period) and the outbox calls live in care.services (scheduling, life_events) and care.selectors."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.translation import gettext_lazy as _

from notifications.jobs import periodic_job
from notifications.services import county_escalate
from users.services import system_user

from .selectors import county_escalations
from .services import condolences_start_missing, visits_plan, visits_remind

logger = logging.getLogger(__name__)

# The digest's headings (notifications.jobs.topic_labels) for what care sends (care.services.notices)
TOPICS = {
    "care_visit_planned": _("Visits planned"),
    "care_visit_due": _("Visits due"),
    "care_visit_overdue": _("Visits overdue"),
    "care_visit_escalated": _("Visits still not made"),
    "care_condolence": _("Condolences"),
}


@periodic_job("care_visits")
def care_visits(as_of: dt.date) -> int:
    """Idempotent for a day: planned visits have a unique key per member, policy and period; reminders a
    unique delivery key per visit, step and person. Returns the deliveries created."""
    condolences_start_missing(as_of=as_of, by=system_user())
    planned = visits_plan(as_of=as_of)
    sent = visits_remind(as_of=as_of)
    logger.info("care_visits %s: %s visits planned, %s messages", as_of, planned, sent)
    return sent


@periodic_job("care_county_escalation")
def care_county_escalation(as_of: dt.date) -> int:
    """A visit still not made a month after it was due: once per visit (care.selectors.county_escalations)."""
    return county_escalate(items=county_escalations(as_of=as_of))
