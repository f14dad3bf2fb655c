"""A county's compliance cells, cached under the compliance version (issue 14).

The county's compliance overview, its organization page and its dashboard count the same cells
(compliance_cells of the county's subtree): tens of thousands of meetings read and counted on every request,
a cost that grows with the county. They are kept in the cache (Redis in production) under the root, the
year, the day they are judged on, the language of the kinds' names and the compliance version.

Exact, not a timeout: the version (education.ComplianceVersion) is bumped by database triggers in the very
transaction that writes any table the cells are computed from (migration 0006), so it becomes visible
together with the data; it is read before the cells are computed, so cells stored under a version were
computed from data at least that new, and a version seen after a write can never find cells computed before
it. Inside a transaction (every test, a request that writes first) nothing is read from or stored in the
cache: what it would store might yet be rolled back.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from branches.models import Organization
from branches.paths import subtree_q

from .compliance import YearCells, compliance_cells
from .models import ComplianceVersion

CACHE_SECONDS = 24 * 3600  # the day judged on is part of the key: yesterday's cells are never read again
_ABSENT = object()


def compliance_version() -> str | None:
    """The version of what compliance is computed from ("token:count"), or None inside a transaction."""
    if connection.in_atomic_block:
        return None
    row = ComplianceVersion.objects.order_by("pk").values_list("token", "n").first()
    if row is None:  # the table was emptied (a flush): start again under a token never used before
        created = ComplianceVersion.objects.create(token=uuid.uuid4().hex)
        row = (created.token, created.n)
    return f"{row[0]}:{row[1]}"


def subtree_cells(root: Organization, *, year: int, as_of: dt.date) -> YearCells | None:
    """compliance_cells of `root`'s subtree for `year` judged on `as_of`: from the cache while nothing they
    are computed from has changed (one query), else computed and kept."""
    version = compliance_version()
    if version is None:
        return _compute(root, year=year, as_of=as_of)
    key = f"education:compliance_cells:{root.pk}:{year}:{as_of.isoformat()}:{get_language()}:{version}"
    cells = cache.get(key, _ABSENT)
    if cells is _ABSENT:
        cells = _compute(root, year=year, as_of=as_of)
        cache.set(key, cells, CACHE_SECONDS)
    return cells


def _compute(root: Organization, *, year: int, as_of: dt.date) -> YearCells | None:
    return compliance_cells(Organization.objects.filter(subtree_q(root, "")), year=year, as_of=as_of)
