"""Top-bar links for targets (目标责任); the three officers' links are in officers/nav.py."""

from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem


def items(scope):
    out = []
    if scope.has_role(*RoleAssignment.WRITE_ROLES):
        out.append(NavItem(_("Targets"), "accountability:contracts", "bullseye", order=40))
        out.append(NavItem(_("Duty reports"), "accountability:duty_reports", "file-earmark-text", order=41))
    return out
