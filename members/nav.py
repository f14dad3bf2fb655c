from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem


def items(scope):
    if scope.sees_anything:
        return [NavItem(_("Members"), "members:list", "people", order=20)]
    if scope.has_role(RoleAssignment.Role.MEMBER):
        return [NavItem(_("My record"), "members:me", "person", order=20)]
    return []
