"""The year strip's cells (education/compliance_tags.strip_cells) are the HTML the template language wrote
before: the same markup, marks, titles and figures for month, quarter and year cells, in both languages."""

import pytest
from django.template import Context, Template
from django.utils import translation

from common import periods
from education.compliance import DUE, MISSING, OK, ComplianceRow
from education.selectors import StripRow
from education.templatetags.compliance_tags import strip_cells

# the loop the tag replaced in education/_strip.html, kept here as the reference
BEFORE = Template(
    "{% load text_tags %}"
    """{% for cell in row.cells %}
        <td colspan="{% if row.period_type == 'year' %}12{% elif row.period_type == 'quarter' %}3{% else %}1{% endif %}"
            class="text-center strip-{{ cell.status }}" title="{{ cell.period.display }}{% colon %}{{ cell.held }}/{{ cell.required }}">
          {% if cell.status == "ok" %}✓{% elif cell.status == "missing" %}✗{% else %}·{% endif %}
          {% if row.period_type != "month" %}<span class="d-none d-md-inline">{{ cell.period.display }} {{ cell.held }}/{{ cell.required }}</span>{% endif %}
        </td>
      {% endfor %}"""
)


def _row(period_type: str, cells: list[tuple[periods.Period, int, int, str]]) -> StripRow:
    return StripRow(
        "themed_day",
        "主题党日",
        "",
        period_type,
        [
            ComplianceRow(1, "B1", "支部", "themed_day", "主题党日", None, "", p, r, h, s)
            for p, r, h, s in cells
        ],
    )


ROWS = [
    _row("month", [(periods.month(2026, m), 1, m % 3, (OK, MISSING, DUE)[m % 3]) for m in range(1, 13)]),
    _row("quarter", [(periods.quarter(2026, q), 2, q - 1, (OK, MISSING, DUE)[q % 3]) for q in range(1, 5)]),
    _row("year", [(periods.year(2026), 1, 0, DUE)]),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.period_type)
def test_the_cells_are_the_html_the_template_wrote(language, row):
    with translation.override(language):
        assert strip_cells(row) == BEFORE.render(Context({"row": row}))


def test_a_period_is_shown_in_the_pages_language():
    with translation.override("en"):
        assert "2026 Q1" in strip_cells(ROWS[1])
