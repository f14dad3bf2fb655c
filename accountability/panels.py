"""Panels on the organization page: this year's contract (the officers' panel is in officers/panels.py)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from common.panels import Panel

from .models import Contract


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """Two queries: the organization's own contract and the contracts it issued (grouped)."""
    if not scope.covers(org):
        return []
    year = as_of.year
    own = Contract.objects.filter(year=year, organization=org).select_related("parent", "grade").first()
    issued = dict(
        Contract.objects.filter(year=year, parent=org)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return [
        Panel(
            title=_("Responsibility contract %(year)s") % {"year": year},
            template="accountability/panels/contract.html",
            context={
                "contract": own,
                "issued": [(s, label, issued.get(s, 0)) for s, label in Contract.Status.choices],
                "issued_total": sum(issued.values()),
                "year": year,
                "org": org,
            },
            order=60,
        )
    ]
