"""Panels that other apps contribute to the organization and member pages.

Each app may have a `panels.py` with either or both of:

    def organization_panels(*, org, scope, as_of) -> list[Panel]
    def member_panels(*, member, scope, as_of) -> list[Panel]

A panel is rendered with `{% include panel.template with panel=panel %}`; its data is in `panel.context`.
Keep each panel to a bounded number of queries (set-based), since the page's query count is tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from common.discovery import app_modules


@dataclass
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


def _modules():
    for _app, module in app_modules("panels"):
        if module.__name__ != __name__:  # this module is the registry, not a contributor
            yield module


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    panels: list[Panel] = []
    for module in _modules():
        if hasattr(module, "organization_panels"):
            panels.extend(module.organization_panels(org=org, scope=scope, as_of=as_of))
    return sorted(panels, key=lambda p: p.order)


def member_panels(*, member, scope, as_of) -> list[Panel]:
    panels: list[Panel] = []
    for module in _modules():
        if hasattr(module, "member_panels"):
            panels.extend(module.member_panels(member=member, scope=scope, as_of=as_of))
    return sorted(panels, key=lambda p: p.order)
