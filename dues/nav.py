"""Top-bar link to party dues: the offices and officers open the sheet or the totals, a member their own dues."""

from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem


def items(scope) -> list[NavItem]:
    if scope.sees_anything:
        return [NavItem(_("Dues"), "dues:index", "cash-coin", order=36)]
    if scope.has_role(RoleAssignment.Role.MEMBER):
        return [NavItem(_("My dues"), "dues:me", "cash-coin", order=36)]
    return []
