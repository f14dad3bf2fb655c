from django.utils.translation import gettext_lazy as _

from common.navigation import NavItem


def items(scope):
    return [NavItem(_("Home"), "dashboard:home", "house", order=0)]
