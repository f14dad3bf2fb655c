"""The rows of the eligible list (care/eligible_list.html) and of the grant list (care/grant_list.html)."""

from django import template
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


_GRANT = (
    "<tr>\n    {}\n"
    '    <td><a href="{}">{}</a><div class="small text-muted">{}</div></td>\n'
    "    <td>{}{}{}</td>\n"
    '    <td class="text-nowrap">{}</td>\n'
    '    <td class="text-end text-nowrap">{}</td>\n'
    "    <td>{}{}</td>\n"
    '    <td class="text-end text-nowrap">{}</td>\n  </tr>'
)
_CHECKBOX = '<td><input class="form-check-input" type="checkbox" name="grant" value="{}" aria-label="{}" checked></td>'


@register.simple_tag
def grant_lines(rows, selectable, can_write) -> SafeString:
    """The grant list's rows from the view's `rows` ((grant, the member's address, the pay form's address, its
    status badge, its period)), as the template loop wrote them (issue 14: the loop's nodes were a third of the
    page); every text escaped as the template escaped it."""
    select, in_kind = escape(gettext("Select")), escape(gettext("in kind"))
    outside, mark_paid = escape(gettext("outside the rule")), escape(gettext("Mark paid"))
    out = []
    for g, member_url, pay_url, badge, period in rows:
        check = ""
        if selectable:
            check = _CHECKBOX.format(g.pk, select) if g.status == "planned" else "<td></td>"
        what = ""
        if g.amount is None and g.in_kind and g.in_kind != g.rule.name:
            what = '<div class="small text-muted">{}</div>'.format(
                gettext("In kind: %(what)s") % {"what": escape(g.in_kind)}
            )
        override = ""
        if g.override_reason:
            override = (
                f' <span class="badge text-bg-warning" title="{escape(g.override_reason)}">{outside}</span>'
            )
        if g.amount is not None:
            amount = conditional_escape(localize(g.amount))
        else:
            amount = f'<span class="badge text-bg-light">{in_kind}</span>'
        paid = ""
        if g.paid_on:
            paid = '<div class="small text-muted">{} {}</div>'.format(
                escape(date_format(g.paid_on, "Y-m-d")), escape(g.handed_over_by)
            )
        pay = ""
        if can_write and g.status == "approved":
            pay = f'<a class="btn btn-sm btn-success" href="{escape(pay_url)}">{mark_paid}</a>'
        out.append(
            _GRANT.format(
                check,
                escape(member_url),
                escape(g.member.name),
                escape(g.organization.name),
                escape(g.rule.name),
                what,
                override,
                conditional_escape(period),
                amount,
                conditional_escape(badge),
                paid,
                pay,
            )
        )
    return mark_safe("".join(out))  # every text escaped above, the badges and periods are rendered HTML
