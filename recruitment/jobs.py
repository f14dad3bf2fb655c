"""Reminders of the recruitment pipeline, through the outbox, once each (the selection is
recruitment.selectors.recruitment_notices):

- recruitment_talk: the talk owed within a month of the application (to the branch secretaries);
- recruitment_check: the activist's periodic check (to the branch secretaries), once per due date;
- recruitment_approval: the approval above owed within three months of the admission (to the branch
  secretaries and the township's secretaries and staff).
Each from `reminder_days` before the date on; key "<kind>:<candidate>:<user>:<due date>". The end of the
probation is the roster's own reminder (members.jobs.probation_due)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from notifications.jobs import periodic_job
from notifications.services import Message, delivery_key, notify_many

from .selectors import recruitment_notices


@periodic_job("recruitment_reminders")
def recruitment_reminders(as_of: dt.date) -> int:
    messages = []
    for n in recruitment_notices(as_of=as_of):
        url = reverse("recruitment:candidate", args=[n.candidate.pk])
        for user in n.recipients:
            messages.append(
                Message(
                    user=user,
                    key=delivery_key(n.kind, n.candidate.pk, user.pk, n.due_on.isoformat()),
                    kind=n.kind,
                    template=f"recruitment/email/{n.kind}",
                    context={
                        "candidate": n.candidate,
                        "organization": n.candidate.organization,
                        "due_on": n.due_on,
                        "late": n.due_on < as_of,
                        "link": url,
                    },
                    url=url,
                )
            )
    return notify_many(messages=messages)
