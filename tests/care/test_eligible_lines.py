"""care_tags.eligible_lines writes the eligible list's rows as the template loop wrote them (the same HTML,
every text escaped)."""

from types import SimpleNamespace

from django.template import Context, Template
from django.utils.safestring import mark_safe

from care.templatetags.care_tags import eligible_lines

LOOP = Template(
    """{% for row, url, cells in lines %}<tr>
    <td><a href="{{ url }}">{{ row.member.name }}</a></td>
    <td class="font-monospace small">{{ row.member.masked_id_number }}</td>
    <td class="small">{{ row.member.organization.name }}</td>
    <td>{% for name, badge in cells %}<span class="me-2 text-nowrap">{{ name }} {{ badge }}</span>{% endfor %}</td>
  </tr>{% endfor %}"""
)


def line(name, org, cells):
    member = SimpleNamespace(
        name=name, masked_id_number="1403**********001X", organization=SimpleNamespace(name=org)
    )
    return (SimpleNamespace(member=member), "/care/member/7/?a=1&b=<2>", cells)


def test_the_rows_are_the_template_loops():
    badge = mark_safe('<span class="badge text-bg-success">已发放</span>')
    lines = [
        line("张<三>", "一村 & 二村", [('高龄补贴 "80"', badge), ("困难'补助'", badge)]),
        line("李四", "三村", []),
    ]
    assert eligible_lines(lines) == LOOP.render(Context({"lines": lines}))
    assert eligible_lines([]) == ""
