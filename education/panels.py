"""Panels on the organization and member pages (common.panels): a bounded number of queries each."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.panels import Panel

from . import selectors
from .compliance import compliance_units

MONTH_LABELS = [str(m) for m in range(1, 13)]


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """A measured branch: its year strip. A township or the county: how many branches are behind."""
    if not scope.covers(org):
        return []
    strip = None
    if org.is_branch:
        # A branch is nearly always measured: its strip (the cached grid) first. A strip with cells is a
        # unit's (the grid has only units' cells); an empty one asks whether the branch is a unit measured in
        # no period of the year (it shows its empty strip) or not one at all (a closed branch).
        strip = selectors.organization_strip(organization=org, year=as_of.year, as_of=as_of)
        if not strip and not compliance_units(type(org).objects.filter(pk=org.pk), as_of=as_of).exists():
            strip = None
    elif compliance_units(type(org).objects.filter(pk=org.pk), as_of=as_of).exists():
        strip = selectors.organization_strip(organization=org, year=as_of.year, as_of=as_of)
    if strip is not None:
        context = {"org": org, "strip": strip, "month_labels": MONTH_LABELS}
    elif org.is_basic or org.kind in ("township", "county"):
        summary = selectors.branches_summary(root=org, year=as_of.year, as_of=as_of)
        behind = [u for u in summary if u.missing]
        context = {
            "org": org,
            "strip": None,
            "units": len(summary),
            "behind": len(behind),
            "worst": behind[:5],
        }
    else:
        return []
    return [
        Panel(
            title=_("三会一课 this year"),
            template="education/_panel_compliance.html",
            context=context,
            order=20,
        )
    ]


def member_panels(*, member, scope, as_of) -> list[Panel]:
    if not (scope.covers(member.organization) or (scope.user_id and member.user_id == scope.user_id)):
        return []
    rule = selectors.study_rule(year=as_of.year)
    figures, history = selectors.member_summary(
        member=member, year=as_of.year, as_of=as_of, channels=rule.channels, limit=12
    )
    context = {
        "member": member,
        "stats": figures,
        "no_life": figures.no_life_6m,
        "target": rule.hours,
        "history": history,
    }
    return [
        Panel(
            title=_("Organizational life and study"),
            template="education/_panel_member.html",
            context=context,
            order=20,
        )
    ]
