"""A mail's body rendered as its layout once per language, and only the message's own part once per message.

Every mail template extends the one layout (`notifications/email/base.txt` / `base.html`): the greeting, the
site's name, the button to the message's page, the footer. A day's run renders thousands of mails from a few
templates, and most of the time went into walking that layout, the same for every message but for the reader's
name and the link. So a body is put together from two pieces:

- the frame: the template rendered once per (language, layout values) with a marker where its `content` block
  goes, the reader's name and the link as markers too, kept in this process;
- the content: the template's `content` block alone, rendered with the message's context.

The frame's markers are then replaced by the name and the link rendered as a template renders them (escaped in
HTML), and the content goes in its place. The result is the very string the whole template renders
(tests/notifications/test_layout.py compares both for every mail template, in both languages).

This holds while the layout reads nothing of a message but `user` and `link` (and `site_url`,
`preferences_url`, the language), and the template's other blocks (`title`, `action_label`, `footer`) are
fixed text and `{% translate "…" %}`. A template whose other blocks read the message (a title naming the
suggestion, say) is rendered whole, as before.
"""

from __future__ import annotations

from functools import lru_cache

from django.template import Context, NodeList
from django.template.base import Template, TextNode, render_value_in_context
from django.template.loader_tags import ExtendsNode
from django.templatetags.i18n import TranslateNode
from django.utils import translation

LAYOUT_NAMES = ("notifications/email/base.txt", "notifications/email/base.html")
_CONTENT = "\x00content\x00"
_USER = "\x00user\x00"
_LINK = "\x00link\x00"


def render_body(template: Template, context: dict, *, autoescape: bool) -> str:
    """`template` (the Django engine's Template of a mail body) rendered with `context`: the same string as
    `template.render(Context(context, autoescape=autoescape))`, with the layout rendered once per language."""
    content = _content_block(template)
    if content is None:
        return template.render(Context(context, autoescape=autoescape))
    user, link = context.get("user"), context.get("link")
    frame = _frame(
        template,
        translation.get_language(),
        autoescape,
        bool(user),
        bool(link),
        context.get("site_url"),
        context.get("preferences_url"),
    )
    if frame is None:
        return template.render(Context(context, autoescape=autoescape))
    ctx = Context(context, autoescape=autoescape)
    before, after = frame
    if user:
        name = render_value_in_context(user, ctx)
        before, after = before.replace(_USER, name), after.replace(_USER, name)
    if link:
        href = render_value_in_context(link, ctx)
        before, after = before.replace(_LINK, href), after.replace(_LINK, href)
    with ctx.render_context.push_state(template), ctx.bind_template(template):
        ctx.template_name = template.name
        return before + content.render(ctx) + after


@lru_cache(maxsize=512)
def _content_block(template: Template) -> NodeList | None:
    """The nodes of the template's `content` block, when the template extends the layout directly and its
    other blocks are fixed text; None otherwise (rendered whole)."""
    nodes = [n for n in template.nodelist if not isinstance(n, TextNode)]
    if not nodes or not isinstance(nodes[0], ExtendsNode):
        return None
    extends = nodes[0]
    if extends.parent_name.var not in LAYOUT_NAMES:  # a constant name, the layout itself
        return None
    blocks = extends.blocks
    if "content" not in blocks:
        return None
    for name, block in blocks.items():
        if name != "content" and not all(_fixed(node) for node in block.nodelist):
            return None
    return blocks["content"].nodelist


def _fixed(node) -> bool:
    """A node whose output depends on nothing but the language: text, or `{% translate "literal" %}`."""
    if isinstance(node, TextNode):
        return True
    if isinstance(node, TranslateNode):
        var = node.filter_expression.var
        return (
            node.asvar is None
            and not node.filter_expression.filters
            and getattr(var, "literal", None) is not None
        )
    return False


@lru_cache(maxsize=1024)
def _frame(
    template: Template,
    language: str | None,
    autoescape: bool,
    has_user: bool,
    has_link: bool,
    site_url: str | None,
    preferences_url: str | None,
) -> tuple[str, str] | None:
    """The template rendered with markers for its content, the reader's name and the link: the text before the
    content and the text after it (None if the marker does not come out exactly once)."""
    source = '{% extends "' + template.name + '" %}{% block content %}' + _CONTENT + "{% endblock %}"
    outline = template.engine.from_string(source)
    values = {"site_url": site_url, "preferences_url": preferences_url}
    if has_user:
        values["user"] = _USER
    if has_link:
        values["link"] = _LINK
    with translation.override(language):
        text = outline.render(Context(values, autoescape=autoescape))
    parts = text.split(_CONTENT)
    return (parts[0], parts[1]) if len(parts) == 2 else None
