"""What is overdue at organizations, contributed by the apps that remind about it, for the weekly digests of
the people above (an officer's organizations, the county office's escalation).

An app's `jobs.py` may define

    def overdue_items(*, as_of: date, org_ids: set[int] | None, grace: int) -> dict[int, list]

returning, per organization (all of them when org_ids is None), what is overdue by more than `grace` days,
as lazy texts (each recipient reads them in their own language). A fixed number of queries per app.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from common.discovery import app_modules


def collect(*, as_of: dt.date, org_ids: set[int] | None, grace: int) -> dict[int, list]:
    """Every app's overdue items per organization, in INSTALLED_APPS order; organizations with none are left out."""
    items: dict[int, list] = defaultdict(list)
    for _app, module in app_modules("jobs"):
        if hasattr(module, "overdue_items"):
            for org_id, found in module.overdue_items(as_of=as_of, org_ids=org_ids, grace=grace).items():
                items[org_id].extend(found)
    return {org_id: found for org_id, found in items.items() if found}
