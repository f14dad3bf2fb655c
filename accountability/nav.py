"""Top-bar links for targets (目标责任) and the three officers (三员)."""

from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem

Role = RoleAssignment.Role


def items(scope):
    out = []
    if scope.has_role(*RoleAssignment.WRITE_ROLES):
        out.append(NavItem(_("Targets"), "accountability:contracts", "bullseye", order=40))
        out.append(NavItem(_("Duty reports"), "accountability:duty_reports", "file-earmark-text", order=41))
        out.append(NavItem(_("Officers"), "officers:index", "person-badge", order=45))
    elif scope.has_role(Role.OFFICER):
        out.append(NavItem(_("My organizations"), "officers:index", "person-badge", order=45))
    return out
