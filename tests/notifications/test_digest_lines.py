"""digest_lines writes the digest's item lines as the template's loop did, character for character."""

from types import SimpleNamespace

import pytest
from django.template import Context, engines

HTML_LOOP = (
    "{% for item in org_items %}\n"
    '  <li style="margin-bottom:6px">{% if item.url %}<a href="{{ site_url }}{{ item.url }}" '
    'style="color:#b71c1c">{{ item.subject }}</a>{% else %}{{ item.subject }}{% endif %} '
    '<span style="color:#6c757d;font-size:12px">{{ item.created_on }}</span></li>{% endfor %}'
)
TEXT_LOOP = (
    "{% for item in org_items %}\n- {{ item.subject }}{% if item.url %}\n  {{ site_url }}{{ item.url }}{% endif %}"
    "{% endfor %}"
)
ITEMS = [
    SimpleNamespace(
        subject="O'Neil & <Sons>: 三会一课", url="/members/1/?a=1&b=<2>", created_on="2026-12-02"
    ),
    SimpleNamespace(subject="No link", url="", created_on="2026-12-01"),
    SimpleNamespace(subject='"quoted"', url="/x/", created_on="2026-11-30"),
]


@pytest.mark.parametrize(("loop", "autoescape"), [(HTML_LOOP, True), (TEXT_LOOP, False)])
@pytest.mark.parametrize("items", [ITEMS, ITEMS[:1], []])
def test_digest_lines_is_the_loop(loop, autoescape, items):
    engine = engines["django"].engine
    values = {"org_items": items, "site_url": "https://example.org&co"}
    tag = engine.from_string("{% load digest_tags %}{% digest_lines org_items %}")
    assert tag.render(Context(values, autoescape=autoescape)) == engine.from_string(loop).render(
        Context(values, autoescape=autoescape)
    )
