from django.utils.translation import gettext_lazy as _

from common.navigation import NavItem


def items(scope):
    if scope.sees_anything:
        return [NavItem(_("Care"), "care:home", "heart", order=40)]
    if scope.user_id:
        return [NavItem(_("My care"), "care:mine", "heart", order=40)]
    return []
