from django.utils.translation import gettext_lazy as _

from common.navigation import NavItem


def items(scope):
    if not scope.sees_anything:
        return []
    return [NavItem(_("Organizations"), "branches:list", "diagram-3", order=10)]
