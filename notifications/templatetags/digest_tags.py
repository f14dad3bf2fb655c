"""The digest's item lines, written in Python: a day's digests list thousands of items, and the template's loop
cost more per item than the rest of a digest. The output is the loop's, character for character
(tests/notifications/test_digest_lines.py holds them equal)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_LI = '\n  <li style="margin-bottom:6px">'
_DAY = ' <span style="color:#6c757d;font-size:12px">'


@register.simple_tag(takes_context=True)
def digest_lines(context, items) -> str:
    """One organization's items: `<li>`s in HTML (the subject linked to its page), "- subject" lines and the
    link under each in text (autoescape off)."""
    site = str(context.get("site_url", ""))
    if context.autoescape:
        site = escape(site)
        return mark_safe(
            "".join(
                _LI
                + (
                    f'<a href="{site}{escape(i.url)}" style="color:#b71c1c">{escape(i.subject)}</a>'
                    if i.url
                    else escape(i.subject)
                )
                + f"{_DAY}{escape(i.created_on)}</span></li>"
                for i in items
            )
        )
    return mark_safe("".join(f"\n- {i.subject}" + (f"\n  {site}{i.url}" if i.url else "") for i in items))
