"""Periodic jobs of members' standing.

suggestion_escalate: a suggestion, question or report not answered by its due date goes one level up, once
(services.suggestion_escalate); the office above and the sender are told, keyed
"suggestion_escalated:<suggestion>:<user>" (sent once whatever the number of runs). The overdue items of this
app (common.overdue) are 不合格 follow-ups past their deadline and escalated suggestions still unanswered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from notifications.jobs import periodic_job
from users.services import system_user

from . import selectors, services


@periodic_job("suggestion_escalate")
def suggestion_escalate(as_of: dt.date) -> int:
    """Escalate what was not answered in time; returns how many suggestions went up a level."""
    by = system_user()
    escalated = 0
    for suggestion in selectors.suggestions_overdue(as_of=as_of):
        escalated += services.suggestion_escalate(suggestion=suggestion, as_of=as_of, by=by)
    return escalated


def overdue_items(*, as_of: dt.date, org_ids: set[int] | None, grace: int) -> dict[int, list]:
    """Per organization: 不合格 follow-ups past their deadline, and escalated suggestions still unanswered
    after their second time limit (more than `grace` days late). Two queries."""
    items: dict[int, list] = defaultdict(list)
    before = as_of - dt.timedelta(days=grace)
    for entry in selectors.follow_ups_overdue(as_of=before, org_ids=org_ids):
        items[entry.review.organization_id].append(
            format_lazy(
                _("Democratic review follow-up overdue since {due}: {name}"),
                due=entry.follow_up_due_on,
                name=entry.member.name,
            )
        )
    late = selectors.suggestions_late_after_escalation(as_of=before, org_ids=org_ids)
    for oid, subject, due_on in late.values_list("organization_id", "subject", "due_on"):
        items[oid].append(
            format_lazy(_("Member's message unanswered since {due}: {what}"), due=due_on, what=subject)
        )
    return items
