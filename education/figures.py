"""Education's figures for other apps' pages (common.figures): this year's 三会一课 cells per organization,
ok / missing / due on the day (the officer page shows them for the officer's organizations)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import pgettext_lazy

from common.figures import Figure

from .selectors import compliance_counts


def organization_figures(*, org_ids: list[int], as_of: dt.date) -> dict[int, list[Figure]]:
    """Three figures per organization from one compliance_counts call (a fixed number of queries)."""
    counts = compliance_counts(organization_ids=org_ids, year=as_of.year, as_of=as_of)
    return {
        org_id: [
            Figure(label=pgettext_lazy("compliance status", "ok"), value=c["ok"], ok=True),
            Figure(label=pgettext_lazy("compliance status", "missing"), value=c["missing"], ok=False),
            Figure(label=pgettext_lazy("compliance status", "due"), value=c["due"]),
        ]
        for org_id, c in counts.items()
    }
