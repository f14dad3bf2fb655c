"""The organization page's recruitment panel: how many people of its subtree are in each stage."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.panels import Panel

from .models import Stage
from .selectors import stage_counts


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """One query: the stage counts of the subtree on `as_of`."""
    if not scope.covers(org):
        return []
    counts = stage_counts(scope=scope, org=org, on=as_of)
    return [
        Panel(
            title=_("Recruitment"),
            template="recruitment/panels/organization.html",
            context={"org": org, "counts": [(label, counts[code]) for code, label in Stage.choices]},
            order=35,
        )
    ]
