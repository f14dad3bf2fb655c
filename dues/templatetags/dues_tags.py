"""The month cells of the dues sheet (dues/_sheet_row.html)."""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()

_NONE = '<td class="text-center p-1"><span class="text-muted">·</span></td>'
_PAID = '<td class="text-center p-1"><i class="bi bi-check-lg text-success" title="{}"></i></td>'
_EXEMPT = '<td class="text-center p-1"><span class="badge text-bg-info">{}</span></td>'
_TAP = (
    '<td class="text-center p-1"><a class="btn btn-sm {} tap-target px-1 py-0" href="{}" hx-get="{}"'
    ' hx-target="#pay-panel" title="{}">{}</a></td>'
)
_DUE = '<td class="text-center p-1"><span class="{}">{}</span></td>'


@register.simple_tag
def sheet_cells(cells) -> SafeString:
    """A sheet line's twelve month cells from the view's (state, due, the payment form's address, its title): a
    page has 360, and the template language's nodes per cell were most of the page (issue 14); here the same
    HTML, every text escaped as the template escaped it (escape and str.format, not format_html per cell: measured a
    third slower over a page's 360 cells)."""
    paid, exempt = escape(gettext("paid")), escape(gettext("exempt"))
    out = []
    for state, due, url, title in cells:
        if state == "paid":
            out.append(_PAID.format(paid))
        elif state == "exempt":
            out.append(_EXEMPT.format(exempt))
        elif state == "none":
            out.append(_NONE)
        elif url:
            kind = "btn-outline-danger" if state == "unpaid" else "btn-outline-secondary"
            url = escape(url)
            out.append(_TAP.format(kind, url, url, escape(title), conditional_escape(localize(due))))
        else:
            kind = "text-danger" if state == "unpaid" else "text-muted"
            out.append(_DUE.format(kind, conditional_escape(localize(due))))
    return mark_safe("".join(out))  # every text escaped above
