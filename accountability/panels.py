"""Panels on the organization page: this year's contract (the officers' panel is in officers/panels.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.panels import Panel

from .models import Contract
from .selectors import contract_panel_figures


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """The organization's own contract and the contracts it issued (grouped): two queries, or one from the
    cache (contract_panel_figures)."""
    if not scope.covers(org):
        return []
    year = as_of.year
    own, issued = contract_panel_figures(org=org, year=year)
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
