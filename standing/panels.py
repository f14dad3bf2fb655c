"""The democratic review's results on the member page (民主评议党员: grade and follow-up per year)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.panels import Panel

from . import selectors


def member_panels(*, member, scope, as_of) -> list[Panel]:
    """One query: the member's entries of every review, newest first (a grade shows once it is given)."""
    if not scope.covers(member.organization) and getattr(scope, "user_id", None) != member.user_id:
        return []
    results = selectors.member_review_results(member=member, limit=10)
    if not results:
        return []
    return [
        Panel(
            title=_("Democratic review"),
            template="standing/panels/member.html",
            context={"results": results, "as_of": as_of, "own": scope.user_id == member.user_id},
            order=45,
        )
    ]


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """The organization's latest democratic review with its grade counts (the branch summary). One query."""
    if not scope.covers(org) or not org.is_basic:
        return []
    latest = selectors.review_latest(org=org)
    if latest is None:
        return []
    return [
        Panel(
            title=_("Democratic review"),
            template="standing/panels/organization.html",
            context={"review": latest},
            order=45,
        )
    ]
