from django.utils.translation import gettext_lazy as _

from common.navigation import NavItem
from common.spreadsheets.registry import importers_for


def items(scope):
    if not scope.sees_anything or not importers_for(scope):
        return []
    return [NavItem(_("Imports"), "spreadsheets:index", "upload", order=90)]
