"""dues_tags.sheet_cells writes a sheet line's month cells as the template loop wrote them (the same HTML)."""

from decimal import Decimal

from django.template import Context, Template

from dues.templatetags.dues_tags import sheet_cells

LOOP = Template(
    """{% load i18n %}{% translate "paid" as paid %}{% translate "exempt" as exempt %}{% for state, due, url, title in cells %}<td class="text-center p-1">{% if state == "paid" %}<i class="bi bi-check-lg text-success" title="{{ paid }}"></i>{% elif state == "exempt" %}<span class="badge text-bg-info">{{ exempt }}</span>{% elif state == "none" %}<span class="text-muted">·</span>{% elif url %}<a class="btn btn-sm {% if state == 'unpaid' %}btn-outline-danger{% else %}btn-outline-secondary{% endif %} tap-target px-1 py-0" href="{{ url }}" hx-get="{{ url }}" hx-target="#pay-panel" title="{{ title }}">{{ due }}</a>{% else %}<span class="{% if state == 'unpaid' %}text-danger{% else %}text-muted{% endif %}">{{ due }}</span>{% endif %}</td>{% endfor %}"""
)


def test_the_cells_are_the_template_loops():
    cells = [
        ("paid", Decimal("12.00"), "", ""),
        ("exempt", Decimal("0"), "", ""),
        ("none", None, "", ""),
        ("unpaid", Decimal("1234.50"), "/dues/members/7/payments/new/?month=2026-03&x=<1>", "缴到 <2026-03>"),
        ("ahead", Decimal("12.00"), "/dues/members/7/payments/new/?month=2026-11", "缴到 2026-11"),
        ("unpaid", Decimal("12.00"), "", ""),
        ("ahead", Decimal("0.50"), "", ""),
    ]
    assert sheet_cells(cells) == LOOP.render(Context({"cells": cells}))
    assert sheet_cells([]) == ""
