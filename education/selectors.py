"""Reads for 三会一课 and study. Every read that starts from a user goes through `scope_for`."""

from __future__ import annotations

import datetime as dt

from branches.models import Organization

from .compliance import compliance_grid, status_counts


def compliance_counts(*, organization_ids: list[int], year: int, as_of: dt.date) -> dict[int, dict[str, int]]:
    """Per organization: how many (kind, period[, group]) cells of `year` are ok / missing / due on `as_of`.

    Organizations that are not measured (townships, the county, a 党委 without direct members) get zeros.
    A fixed number of queries for any number of organizations.
    """
    rows = compliance_grid(Organization.objects.filter(pk__in=organization_ids), year=year, as_of=as_of)
    counts = status_counts(rows)
    return {oid: counts.get(oid, {"ok": 0, "missing": 0, "due": 0}) for oid in organization_ids}
