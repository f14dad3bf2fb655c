"""Top-bar link for the three officers (三员): the offices manage them, an officer sees their organizations."""

from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem

Role = RoleAssignment.Role


def items(scope):
    if scope.has_role(*RoleAssignment.WRITE_ROLES):
        return [NavItem(_("Officers"), "officers:index", "person-badge", order=45)]
    if scope.has_role(Role.OFFICER):
        return [NavItem(_("My organizations"), "officers:index", "person-badge", order=45)]
    return []
