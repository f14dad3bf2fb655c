"""Role-based navigation: each app may have a `nav.py` with `items(scope) -> list[NavItem]`.

Apps contribute their own entries so that no app edits the base layout to add a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from common.discovery import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str = "circle"
    order: int = 50

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def nav_items(scope) -> list[NavItem]:
    items: list[NavItem] = []
    for _app, module in app_modules("nav"):
        items.extend(module.items(scope))
    return sorted(items, key=lambda i: (i.order, i.label))
