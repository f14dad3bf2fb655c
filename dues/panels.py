"""The dues panel on a member's page (common.panels): category, this month's dues, "paid up to", the months
unpaid. Three queries."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common.panels import Panel

from . import rates, selectors


def member_panels(*, member, scope, as_of) -> list[Panel]:
    if not (scope.covers(member.organization) or (scope.user_id and member.user_id == scope.user_id)):
        return []
    current = rates.month_of(as_of)
    dues = selectors.member_dues(member=member)
    return [
        Panel(
            title=_("Party dues"),
            template="dues/panels/member.html",
            context={
                "member": member,
                "record": dues.record_on(current),
                "amount": dues.due(current),
                "paid_through": dues.paid_through(current),
                "unpaid": dues.unpaid(current),
            },
            order=25,
        )
    ]
