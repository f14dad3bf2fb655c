"""Art. 9 of the Party Constitution: a member who, without good reason, for six months in a row attends no
organizational life, pays no dues or does no assigned work is regarded as having left the party. The
education app warns of the six months without organizational life; the other reasons come from the apps that
know them (dues: six months unpaid), collected here so that education need not import them.

An app may have a `lapses.py` with

    def members_six_months(*, member_ids: set[int] | None, as_of: date) -> dict[int, Lapse]

returning, for the members on the roll on `as_of` (among `member_ids` when given), those who have lapsed by
the app's reason: since when, and what it is, as a lazy text. A fixed number of queries per app.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from common.discovery import app_modules


@dataclass(frozen=True)
class Lapse:
    reason: str  # a code, part of the outbox key ("dues"): never change it
    since: dt.date  # the first day (month) of the six; a new run after it ended alerts again
    text: Any  # what it is, a lazy text in the reader's language
    url: str = ""  # where the reader sees the details (a path on this site)


def collect(*, member_ids: Iterable[int] | None, as_of: dt.date) -> dict[int, list[Lapse]]:
    """Every app's six-month lapses per member, in INSTALLED_APPS order; members with none are left out."""
    ids = set(member_ids) if member_ids is not None else None
    found: dict[int, list[Lapse]] = defaultdict(list)
    for _app, module in app_modules("lapses"):
        if module.__name__ == __name__:  # this module is the registry, not a contributor
            continue
        for member_id, lapse in module.members_six_months(member_ids=ids, as_of=as_of).items():
            found[member_id].append(lapse)
    return dict(found)
