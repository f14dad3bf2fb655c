"""Role-based navigation: each app may have a `nav.py` with `items(scope) -> list[NavItem]`.

Apps contribute their own entries so that no app edits the base layout to add a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.urls import reverse


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
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.nav")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.nav":
                raise
            continue
        items.extend(module.items(scope))
    return sorted(items, key=lambda i: (i.order, i.label))
