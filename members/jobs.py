"""Periodic jobs on the roster: who gets what, keyed how (the selection is in members.selectors).

probation_due (预备期满转正表决): a probationary member's year ends on `Member.probation_due_on` (one year
after admission, or the extended date). Within PROBATION_NOTICE_DAYS before it, the branch secretary of the
member's organization is reminded to hold the confirmation vote; from the due day on, while the member is
still probationary, the branch secretary and the township above (secretaries and staff) are told it is
overdue. Each message once per (member, recipient, due date, stage): key "<stage>:<member>:<user>:<due date>".
A month after the due date, still unconfirmed: the county office's digest (probation_county_escalation, key
"county_probation:<member>:<user>:<due date>").
"""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from notifications.jobs import periodic_job
from notifications.services import Message, county_escalate, delivery_key, notify_many

from .selectors import probation_county_escalations, probation_notices

# The digest's headings (notifications.jobs.topic_labels)
TOPICS = {
    "probation_due": _("Confirmation votes due"),
    "probation_overdue": _("Confirmations overdue"),
}


def _member_url(member_id: int) -> str:
    try:
        return reverse("members:detail", args=[member_id])
    except NoReverseMatch:  # the roster pages are not installed
        return ""


@periodic_job("probation_due")
def probation_due(as_of: dt.date) -> int:
    """Remind branch secretaries before the probation year ends; tell the township once it is overdue.
    Four queries on a day with nothing new: the notices (three) and the keys already delivered."""
    return notify_many(
        messages=(
            Message(
                user=user,
                key=delivery_key(n.kind, n.member.pk, user.pk, n.due_on.isoformat()),
                kind=n.kind,
                template=f"members/email/{n.kind}",
                context={
                    "member": n.member,
                    "organization": n.member.organization,
                    "due_on": n.due_on,
                    "days_left": (n.due_on - as_of).days,
                    "days_overdue": (as_of - n.due_on).days,
                    "township": n.township,
                    "link": _member_url(n.member.pk),
                },
                url=_member_url(n.member.pk),
                organization_id=n.member.organization_id,
            )
            for n in probation_notices(as_of=as_of)
            for user in n.recipients
        )
    )


@periodic_job("probation_county_escalation")
def probation_county_escalation(as_of: dt.date) -> int:
    """Still unconfirmed a month after the probation year ended: once per member and due date."""
    return county_escalate(items=probation_county_escalations(as_of=as_of))
