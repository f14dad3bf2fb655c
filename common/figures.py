"""Figures that apps contribute about organizations: a few numbers per organization that a page of another app
shows without knowing where they come from (the officer page shows education's 三会一课 counts; the county
dashboard can show the same).

Each app may have a `figures.py` with

    def organization_figures(*, org_ids: list[int], as_of: date) -> dict[int, list[Figure]]

returning, for some or all of `org_ids`, the figures to show. One call is a bounded number of set-based queries
for all the organizations, however many there are. The caller has already limited `org_ids` to what the viewer
may see. Figures are rendered generically: the label, the value (over the target when there is one), green
when ok, red when not ok, amber (pending, not judged yet) when ok is None, a link when there is a url.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from common.discovery import app_modules


@dataclass(frozen=True)
class Figure:
    label: str
    value: Any
    target: Any = None
    ok: bool | None = None
    url: str | None = None


def _modules():
    for _app, module in app_modules("figures"):
        if module.__name__ != __name__:  # this module is the registry, not a contributor
            yield module


def organization_figures(*, org_ids: list[int], as_of: dt.date) -> dict[int, list[Figure]]:
    """Every app's figures for each organization of `org_ids`, in INSTALLED_APPS order; [] for none."""
    out: dict[int, list[Figure]] = defaultdict(list)
    if not org_ids:
        return {}
    for module in _modules():
        if hasattr(module, "organization_figures"):
            for org_id, figures in module.organization_figures(org_ids=org_ids, as_of=as_of).items():
                out[org_id].extend(figures)
    return {org_id: out.get(org_id, []) for org_id in org_ids}
