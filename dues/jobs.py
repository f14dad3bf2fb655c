"""Dues reminders through the outbox: `dues_arrears_reminders` tells the member (if they have an account) and
the branch secretary when a member is three months in arrears (`dues_arrears3`), and more strongly at five
(`dues_arrears5`), before the six months of art. 9 (which education's six-month warning reports, through
common.lapses). The selection is dues.selectors.arrears_notices; the key is
"dues_<stage>:<member>:<user>:<first unpaid month>", so each member hears of each stage once per run of
arrears, and a run that starts after they paid up alerts again."""

from __future__ import annotations

import datetime as dt

from notifications.jobs import periodic_job
from notifications.services import Message, delivery_key, notify_many

from . import rates, selectors


@periodic_job("dues_arrears_reminders")
def arrears_reminders(as_of: dt.date) -> int:
    return notify_many(
        messages=(
            Message(
                user=user,
                key=delivery_key(f"dues_{n.stage}", n.member.pk, user.pk, rates.month_label(n.months[0])),
                kind=f"dues_{n.stage}",
                template=f"dues/email/{n.stage}",
                context={
                    "member": n.member,
                    "organization": n.member.organization,
                    "count": len(n.months),
                    "months": ", ".join(rates.month_label(m) for m in n.months),
                    "own": user.pk == n.member.user_id,
                    "link": n.url,
                },
                url=n.url,
            )
            for n in selectors.arrears_notices(as_of=as_of)
            for user in n.recipients
        )
    )
