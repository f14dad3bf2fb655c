from django.utils.translation import gettext_lazy as _

from branches.models import RoleAssignment
from common.navigation import NavItem

Role = RoleAssignment.Role


def items(scope) -> list[NavItem]:
    out: list[NavItem] = []
    if scope.sees_anything:
        out.append(NavItem(_("三会一课"), "education:meetings", "calendar-check", order=30))
        if scope.has_role(Role.COUNTY_ADMIN, Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_STAFF, Role.OFFICER):
            out.append(NavItem(_("Compliance"), "education:compliance", "clipboard-check", order=31))
        if scope.is_county:
            out.append(NavItem(_("Meeting rules"), "education:rules", "sliders", order=90))
    if scope.has_role(Role.MEMBER) and not scope.is_superuser:
        out.append(NavItem(_("My organizational life"), "education:my_record", "person-check", order=32))
    return out
