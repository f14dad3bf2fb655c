"""The rows of the pipeline's table by organization (recruitment/pipeline.html)."""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_ROW = '\n    <tr><td><a href="{}?org={}">{}</a></td>{}</tr>\n  '
_CELL = '<td class="text-end">{}</td>'


@register.simple_tag
def child_rows(children) -> SafeString:
    """One `<tr>` per child organization (selectors.OrgCounts): the county's page has one for each township and
    each organization directly under the county (87 on the large county), and the template language's nodes
    cost some 0.13 ms a row, most of what the page grew by with the county (issue 14); here the same HTML in a
    few microseconds a row, the name escaped as the template escaped it, the figures integers (str, as the
    template shows them while USE_THOUSAND_SEPARATOR is off)."""
    url = conditional_escape(reverse("recruitment:pipeline"))
    out = []
    for row in children:
        cells = "".join(_CELL.format(int(n)) for n in row.cells)
        out.append(_ROW.format(url, int(row.pk), conditional_escape(row.name), cells))
    return mark_safe("".join(out))  # the name and the address escaped above, the rest integers
