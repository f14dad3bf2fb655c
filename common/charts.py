"""Apache ECharts options built on the server, drawn by static/js/charts.js (no inline script: CSP).

A page passes a `Chart` to `{% include "includes/chart.html" with chart=... %}`; the include writes the options
with json_script and a <div> that charts.js fills. A data point that carries a `url` opens it when clicked (the
heat map's cells, a league table's bars). Every chart is drawn beside the table it comes from: the chart is an
aid, the table is the record (and what a screen reader reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Chart:
    id: str
    options: dict[str, Any]
    height: int = 320  # px; a heat map grows with its rows
    label: str = ""  # what the chart shows, for aria-label
    extra: dict[str, Any] = field(default_factory=dict)


def _grid(**kw: Any) -> dict[str, Any]:
    return {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True, **kw}


def bar(
    *,
    id: str,
    label: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float | int | None]],
    urls: Sequence[str | None] | None = None,
    horizontal: bool = False,
    stacked: bool = False,
    percent: bool = False,
    height: int | None = None,
) -> Chart:
    """Bars per category; several series side by side (or stacked). `urls[i]` opens category i on click."""
    value_axis: dict[str, Any] = {"type": "value"}
    if percent:
        value_axis.update(max=100, axisLabel={"formatter": "{value}%"})
    category_axis: dict[str, Any] = {
        "type": "category",
        "data": list(categories),
        "axisLabel": {"hideOverlap": True},
    }
    if horizontal:
        category_axis["inverse"] = True
    data_series = []
    for name, values in series.items():
        points = [
            {"value": v, **({"url": urls[i]} if urls and urls[i] else {})} for i, v in enumerate(values)
        ]
        data_series.append(
            {"name": name, "type": "bar", "data": points, **({"stack": "all"} if stacked else {})}
        )
    options = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"show": len(series) > 1, "top": 0},
        "grid": _grid(),
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": data_series,
    }
    if height is None:
        height = max(240, 28 * len(categories) + 60) if horizontal else 320
    return Chart(id=id, options=options, height=height, label=label)


def pie(*, id: str, label: str, items: Sequence[tuple[str, int | float]], height: int = 280) -> Chart:
    options = {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"type": "scroll", "bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "data": [{"name": name, "value": value} for name, value in items],
                "label": {"formatter": "{b}\n{c}"},
            }
        ],
    }
    return Chart(id=id, options=options, height=height, label=label)


def heatmap(
    *,
    id: str,
    label: str,
    columns: Sequence[str],
    rows: Sequence[str],
    cells: Sequence[tuple[int, int, float | None, str | None]],
    low: float = 0,
    high: float = 100,
    low_label: str = "",
    high_label: str = "",
) -> Chart:
    """cells: (column index, row index, value or None for "nothing required", url or None). Red is low."""
    data = [
        {"value": [x, y, value if value is not None else "-"], **({"url": url} if url else {})}
        for x, y, value, url in cells
    ]
    options = {
        "tooltip": {"position": "top"},
        "grid": _grid(top=8, bottom=56),
        "xAxis": {"type": "category", "data": list(columns), "splitArea": {"show": True}},
        "yAxis": {"type": "category", "data": list(rows), "inverse": True, "splitArea": {"show": True}},
        "visualMap": {
            "min": low,
            "max": high,
            "calculable": False,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "text": [high_label, low_label],
            "inRange": {"color": ["#dc3545", "#ffc107", "#198754"]},
        },
        "series": [{"type": "heatmap", "data": data, "label": {"show": False}}],
    }
    return Chart(id=id, options=options, height=max(240, 22 * len(rows) + 100), label=label)
