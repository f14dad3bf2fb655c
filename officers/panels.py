"""The officers' panel on the organization page: who is assigned to it now, and its open follow-ups."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from branches.selectors import officer_assignments_active
from common.panels import Panel

from .models import FollowUp


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """Two queries: the active assignments, and the open and overdue follow-ups."""
    if not scope.covers(org):
        return []
    officers = list(
        officer_assignments_active(on=as_of)
        .filter(organization=org)
        .select_related("officer")
        .order_by("kind")
    )
    follow_ups = FollowUp.objects.filter(organization=org, done_on__isnull=True).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=as_of))
    )
    if not officers and not follow_ups["open"]:
        return []
    return [
        Panel(
            title=_("Party-building officers"),
            template="officers/panels/officers.html",
            context={"assignments": officers, "follow_ups": follow_ups, "org": org},
            order=61,
        )
    ]
