"""Panels on the organization page: this year's contract, and the organization's officers."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from branches.models import FollowUp
from branches.selectors import officer_assignments_active
from common.panels import Panel

from .models import Contract


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """Three queries: the organization's own contract, the contracts it issued (grouped), officers and
    follow-ups (one each)."""
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
    panels = [
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
    officers = list(
        officer_assignments_active(on=as_of)
        .filter(organization=org)
        .select_related("officer")
        .order_by("kind")
    )
    follow_ups = FollowUp.objects.filter(organization=org, done_on__isnull=True).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=as_of))
    )
    if officers or follow_ups["open"]:
        panels.append(
            Panel(
                title=_("Party-building officers"),
                template="accountability/panels/officers.html",
                context={"assignments": officers, "follow_ups": follow_ups, "org": org},
                order=61,
            )
        )
    return panels
