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

from .compliance import (
    TABLES,
    ComplianceRow,
    UnitTally,
    YearCells,
    compliance_cells,
    compliance_grid,
    tally_of,
)


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


def units_grid(organization_ids: list[int], *, year: int, as_of: dt.date) -> list[ComplianceRow]:
    """compliance_grid of a few organizations (a branch's year strip, the branches a secretary leads) for
    `year` judged on `as_of`: from the cache while nothing it is computed from has changed (one query), else
    computed (seven) and kept, under the same tables' versions as the county's cells."""
    ids = ",".join(str(pk) for pk in sorted(organization_ids))
    return cached_exactly(
        f"education:compliance_grid:{ids}:{year}:{as_of.isoformat()}:{get_language()}",
        tables=TABLES,
        compute=lambda: compliance_grid(
            Organization.objects.filter(pk__in=organization_ids), year=year, as_of=as_of
        ),
    )


def subtree_tally(root: Organization, *, year: int, as_of: dt.date) -> list[UnitTally]:
    """tally_of(subtree_cells(...)): each unit's cells counted, kept in the cache beside the cells under the
    same key and versions (the county's organization page and overview would otherwise count every unit's
    cells on every request: Python that grows with the county)."""
    return cached_exactly(
        f"education:compliance_tally:{root.pk}:{year}:{as_of.isoformat()}:{get_language()}",
        tables=TABLES,
        compute=lambda: tally_of(subtree_cells(root, year=year, as_of=as_of)),
    )
