"""The cells of a year strip (education/_strip.html)."""

import functools

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from common.templatetags.text_tags import colon

register = template.Library()

_COLSPAN = {"year": 12, "quarter": 3}
_MARK = {"ok": "✓", "missing": "✗"}
_CELL = (
    '\n        <td colspan="{}"\n            class="text-center strip-{}" title="{}{}{}">'
    "\n          {}\n          {}\n        </td>\n      "
)
_SPAN = '<span class="d-none d-md-inline">{} {}</span>'


@functools.lru_cache(maxsize=4096)
def _shown(period, language: str | None) -> str:
    """A period's display, escaped, in `language` (the active one, which display's gettext reads): a strip's
    hundred cells name the same few periods, row after row and page after page."""
    return escape(period.display)


@functools.lru_cache(maxsize=64)
def _escaped(status: str) -> str:
    return escape(status)


@register.simple_tag
def strip_cells(row) -> SafeString:
    """A strip row's cells, one `<td>` per period: a branch's strip has about a hundred, and the template
    language's nodes cost some 0.1 ms a cell (issue 14: a tenth of the organization page); here the same HTML
    in a few microseconds each. Month cells show their mark; quarter and year cells their figures too."""
    colspan = _COLSPAN.get(row.period_type, 1)
    separator = escape(colon())
    with_figures = row.period_type != "month"
    language = get_language()
    cells = []
    for cell in row.cells:
        display = _shown(cell.period, language)
        figure = f"{int(cell.held)}/{int(cell.required)}"
        span = _SPAN.format(display, figure) if with_figures else ""
        mark = _MARK.get(cell.status, "·")
        cells.append(_CELL.format(colspan, _escaped(cell.status), display, separator, figure, mark, span))
    return mark_safe("".join(cells))  # every text escaped above; the figures are integers
