"""care_tags.grant_lines writes the grant list's rows as the template loop wrote them (the same HTML, every text
escaped)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from care.templatetags.care_tags import grant_lines

LOOP = Template(
    """{% load i18n %}{% for g, member_url, pay_url, badge, period in rows %}<tr>
    {% if selectable %}<td>{% if g.status == "planned" %}<input class="form-check-input" type="checkbox" name="grant" value="{{ g.pk }}" aria-label="{% translate 'Select' %}" checked>{% endif %}</td>{% endif %}
    <td><a href="{{ member_url }}">{{ g.member.name }}</a><div class="small text-muted">{{ g.organization.name }}</div></td>
    <td>{{ g.rule.name }}{% if g.amount is None and g.in_kind and g.in_kind != g.rule.name %}<div class="small text-muted">{% blocktranslate with what=g.in_kind %}In kind: {{ what }}{% endblocktranslate %}</div>{% endif %}{% if g.override_reason %} <span class="badge text-bg-warning" title="{{ g.override_reason }}">{% translate "outside the rule" %}</span>{% endif %}</td>
    <td class="text-nowrap">{{ period }}</td>
    <td class="text-end text-nowrap">{% if g.amount is not None %}{{ g.amount }}{% else %}<span class="badge text-bg-light">{% translate "in kind" %}</span>{% endif %}</td>
    <td>{{ badge }}{% if g.paid_on %}<div class="small text-muted">{{ g.paid_on|date:"Y-m-d" }} {{ g.handed_over_by }}</div>{% endif %}</td>
    <td class="text-end text-nowrap">{% if can_write and g.status == "approved" %}<a class="btn btn-sm btn-success" href="{{ pay_url }}">{% translate "Mark paid" %}</a>{% endif %}</td>
  </tr>{% endfor %}"""
)


def grant(pk, status, *, amount=None, in_kind="", override_reason="", paid_on=None, handed_over_by=""):
    return SimpleNamespace(
        pk=pk,
        status=status,
        amount=amount,
        in_kind=in_kind,
        override_reason=override_reason,
        paid_on=paid_on,
        handed_over_by=handed_over_by,
        member=SimpleNamespace(name="张<三>"),
        organization=SimpleNamespace(name="一村 & 二村"),
        rule=SimpleNamespace(name='高龄补贴 "80"'),
    )


@pytest.mark.parametrize("selectable", [True, False])
@pytest.mark.parametrize("can_write", [True, False])
def test_the_rows_are_the_template_loops(selectable, can_write):
    badge = mark_safe('<span class="badge text-bg-success">已发放</span>')
    grants = [
        grant(1, "planned", amount=Decimal("1200.50"), override_reason="特殊 <情况>"),
        grant(2, "approved", in_kind="米面 & 油"),
        grant(3, "paid", in_kind='高龄补贴 "80"', paid_on=dt.date(2026, 3, 4), handed_over_by="王<五>"),
        grant(4, "approved", amount=Decimal("0")),
    ]
    rows = [
        (g, f"/care/member/{g.pk}/?a=1&b=<2>", f"/care/grants/{g.pk}/pay/", badge, "2026 & 上半年")
        for g in grants
    ]
    context = {"rows": rows, "selectable": selectable, "can_write": can_write}
    assert grant_lines(rows, selectable, can_write) == LOOP.render(Context(context))
    assert grant_lines([], selectable, can_write) == ""
