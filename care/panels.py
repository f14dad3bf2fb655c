"""Care panels on the organization and member pages (a bounded number of queries each)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.panels import Panel

from . import selectors


def member_panels(*, member, scope, as_of) -> list[Panel]:
    """What the member is eligible for on `as_of` and why (which alternative held), in words. 3 queries."""
    if not scope.covers(member.organization) and getattr(scope, "user_id", None) != member.user_id:
        return []
    return [
        Panel(
            title=_("Benefits and care"),
            template="care/panels/member.html",
            context={
                "member": member,
                "benefits": selectors.member_eligibility(member=member, as_of=as_of),
                "as_of": as_of,
                "can_write": scope.can_write(member.organization),
            },
            order=40,
        )
    ]


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """Per benefit: eligible, granted and paid this period, for the organization's subtree. 3 queries."""
    if not scope.covers(org):
        return []
    rules = selectors.rules_in_force(as_of=as_of)
    return [
        Panel(
            title=_("Benefits this period"),
            template="care/panels/organization.html",
            context={"org": org, "counts": selectors.eligibility_counts(org=org, scope=scope, rules=rules)},
            order=40,
        )
    ]
