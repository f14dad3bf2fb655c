"""The rows of the eligible list (care/eligible_list.html)."""

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_LINE = (
    '<tr>\n    <td><a href="{}">{}</a></td>\n    <td class="font-monospace small">{}</td>\n'
    '    <td class="small">{}</td>\n    <td>{}</td>\n  </tr>'
)
_BENEFIT = '<span class="me-2 text-nowrap">{} {}</span>'


@register.simple_tag
def eligible_lines(lines) -> SafeString:
    """The list's rows from the view's `lines` ((row, the member's address, [(benefit, its status badge)])): a
    page has fifty, and the template language's nodes cost some microseconds a value (issue 14: a quarter of
    the page); here the same HTML, every text escaped as the template escaped it."""
    out = []
    for row, url, cells in lines:
        member = row.member
        benefits = "".join(_BENEFIT.format(escape(name), conditional_escape(badge)) for name, badge in cells)
        out.append(
            _LINE.format(
                escape(url),
                escape(member.name),
                escape(member.masked_id_number),
                escape(member.organization.name),
                benefits,
            )
        )
    return mark_safe("".join(out))  # every text escaped above, the badges are the view's rendered HTML
