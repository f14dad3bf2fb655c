"""Top-bar links: the offices reach notices, suggestions and reviews; a member their own notices, messages and
reviews."""

from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem


def items(scope):
    if scope.sees_anything:
        return [NavItem(_("Notices and reviews"), "standing:notices", "megaphone", order=55)]
    if scope.has_role(RoleAssignment.Role.MEMBER):
        return [NavItem(_("Notices and my voice"), "standing:me", "megaphone", order=25)]
    return []
