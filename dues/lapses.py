"""Six months without paying dues (Party Constitution art. 9), for common.lapses: education's six-month
warning reads it without importing this app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from common.lapses import Lapse
from common.links import id_url

from . import rates, selectors


def members_six_months(*, member_ids: Iterable[int] | None, as_of: dt.date) -> dict[int, Lapse]:
    """Four queries."""
    member_url = id_url("dues:member")
    return {
        member_id: Lapse(
            reason="dues",
            since=since,
            text=format_lazy(_("No dues paid since {month}"), month=rates.month_label(since)),
            url=member_url(member_id),
        )
        for member_id, since in selectors.members_six_months_unpaid(
            member_ids=member_ids, as_of=as_of
        ).items()
    }
