"""The dashboard's charts (common.charts), built from a `selectors.Dashboard`; each is drawn beside its table."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from common import charts

from .selectors import Dashboard


def dashboard_charts(
    d: Dashboard, *, child_url: Callable[[int], str], cell_url: Callable[[int, int], str], heat_rows: int
) -> dict:
    """Charts by name: `members` (by status), `sectors` (organizations by sector), `grades`, the league
    charts `compliance`, `care`, `evaluation` (a bar opens the child's level) and the `heat` map (a cell opens
    the branch's missing meetings of that month)."""
    t = d.total
    out: dict[str, charts.Chart] = {
        "members": charts.pie(
            id="chart-members",
            label=_("Members by status"),
            items=[(_("Full members"), t.members.full), (_("Probationary members"), t.members.probationary)],
        ),
        "sectors": charts.bar(
            id="chart-sectors",
            label=_("Basic organizations by sector"),
            categories=[label for label, _n in d.by_sector],
            series={_("Organizations"): [n for _label, n in d.by_sector]},
        ),
    }
    if any(n for _label, n in d.grades):
        out["grades"] = charts.bar(
            id="chart-grades",
            label=_("Evaluated contracts by grade"),
            categories=[label for label, _n in d.grades],
            series={_("Contracts"): [n for _label, n in d.grades]},
        )
    names = [c.name for c in d.children]
    urls: list[str | None] = [child_url(c.org_id) for c in d.children]
    if d.children:
        out["compliance"] = charts.bar(
            id="chart-compliance",
            label=_("三会一课 compliance rate by organization"),
            categories=names,
            series={_("Compliance %"): [c.compliance.rate for c in d.children]},
            urls=urls,
            horizontal=True,
            percent=True,
        )
    if any(c.care_rate is not None for c in d.children):
        out["care"] = charts.bar(
            id="chart-care",
            label=_("Care benefits paid of eligible, by organization"),
            categories=names,
            series={_("Served %"): [c.care_rate for c in d.children]},
            urls=urls,
            horizontal=True,
            percent=True,
        )
    if any(c.contracts.average_score is not None for c in d.children):
        out["evaluation"] = charts.bar(
            id="chart-evaluation",
            label=_("Average evaluation score by organization"),
            categories=names,
            series={
                _("Average score"): [
                    float(c.contracts.average_score) if c.contracts.average_score is not None else None
                    for c in d.children
                ]
            },
            urls=urls,
            horizontal=True,
        )
    heat = d.heat[:heat_rows]
    if heat:
        months = d.heat_months
        out["heat"] = charts.heatmap(
            id="chart-heat",
            label=_("三会一课 compliance by organization and month, worst first"),
            columns=[_("%(month)d月") % {"month": m} for m in months],
            rows=[h.name for h in heat],
            cells=[
                (
                    x,
                    y,
                    h.cells[m].rate if m in h.cells else None,
                    cell_url(h.org_id, m) if m in h.cells else None,
                )
                for y, h in enumerate(heat)
                for x, m in enumerate(months)
            ],
            low_label=_("0%"),
            high_label=_("100%"),
        )
    return out
