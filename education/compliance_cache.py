"""A county's compliance cells, cached exactly under the versions of the tables they are computed from
(common.table_versions, issue 14).

The county's compliance overview, its organization page and its dashboard count the same cells
(compliance_cells of the county's subtree): tens of thousands of meetings read and counted on every request,
a cost that grows with the county. They are kept in the cache (Redis in production) under the root, the
year, the day they are judged on, the language of the kinds' names and the versions of TABLES.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import get_language

from branches.models import Organization
from branches.paths import subtree_q
from common.table_versions import cached_exactly

from .compliance import TABLES, YearCells, compliance_cells


def subtree_cells(root: Organization, *, year: int, as_of: dt.date) -> YearCells | None:
    """compliance_cells of `root`'s subtree for `year` judged on `as_of`: from the cache while nothing they
    are computed from has changed (one query), else computed and kept."""
    return cached_exactly(
        f"education:compliance_cells:{root.pk}:{year}:{as_of.isoformat()}:{get_language()}",
        tables=TABLES,  # everything compliance_cells reads
        compute=lambda: compliance_cells(
            Organization.objects.filter(subtree_q(root, "")), year=year, as_of=as_of
        ),
    )
