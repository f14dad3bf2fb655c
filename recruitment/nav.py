"""Top-bar link to the recruitment pipeline (发展党员)."""

from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem


def items(scope):
    if scope.has_role(*RoleAssignment.WRITE_ROLES, RoleAssignment.Role.OFFICER) and scope.sees_anything:
        return [NavItem(_("Recruitment"), "recruitment:pipeline", "person-up", order=25)]
    return []
