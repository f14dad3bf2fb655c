from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem


def items(scope):
    if scope.sees_anything:
        out = [NavItem(_("Members"), "members:list", "people", order=20)]
        if scope.is_township_or_above:
            out.append(NavItem(_("Party statistics"), "members:statistics", "bar-chart", order=21))
        return out
    if scope.has_role(RoleAssignment.Role.MEMBER):
        return [NavItem(_("My record"), "members:me", "person", order=20)]
    return []
