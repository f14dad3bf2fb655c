"""notifications.layout: a mail body put together from its layout (rendered once per language) and its content
block (rendered per message) is the very string the whole template renders, for every mail template."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from notifications import layout
from notifications.services import _layout_context

ROOT = Path(settings.BASE_DIR)


class Anything(int):
    """Stands for any value a template reads: each key or attribute is another one, it iterates as two of them,
    counts as the number 2 and prints with characters that HTML escapes."""

    def __new__(cls, path: str = "x"):
        value = super().__new__(cls, 2)
        value.path = path
        return value

    def __getitem__(self, key):
        return Anything(f"{self.path}.{key}")

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return Anything(f"{self.path}.{name}")

    def __iter__(self):
        return iter([Anything(f"{self.path}[0]"), Anything(f"{self.path}[1]")])

    def __len__(self) -> int:
        return 2

    def __str__(self) -> str:
        return f"<{self.path}> & O'Neil"


def _bodies() -> list[str]:
    return sorted(
        str(p.relative_to(p.parents[2]))
        for p in ROOT.glob("*/templates/*/email/*")
        if p.suffix in (".txt", ".html")
        and not p.name.endswith("_subject.txt")
        and not p.name.startswith("base.")
    )


def test_the_mail_templates_are_found():
    names = _bodies()
    assert len(names) >= 60, names
    # nearly all are put together from the layout; one whose other blocks read the message is rendered whole
    split = [n for n in names if layout._content_block(get_template(n).template) is not None]
    assert len(split) >= len(names) - 8, sorted(set(names) - set(split))


@pytest.mark.parametrize("name", _bodies())
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_body_is_the_string_the_whole_template_renders(name, language, rf):
    template = get_template(name).template
    autoescape = name.endswith(".html")
    user = Anything("user")
    values = {**_layout_context(), **{k: Anything(k) for k in _names()}}
    contexts = [
        {**values, "user": user, "link": "https://example.org/a?b=1&c=<2>"},
        {**values, "user": user},
        {**values, "link": "/x/"},
        {**values, "user": user, "link": "https://example.org/", "overdue": True, "own": True},
    ]
    with translation.override(language):
        for values in contexts:
            whole = template.render(Context(dict(values), autoescape=autoescape))
            assert layout.render_body(template, dict(values), autoescape=autoescape) == whole


def _names() -> list[str]:
    """Names mail templates read, as Anything (a template reading a name not here sees it empty on both sides)."""
    return ["member", "organization", "row", "meeting", "visit", "contract", "report", "notice", "suggestion",
            "officer", "assignment", "candidate", "items", "groups", "count", "months", "who", "text", "days_left",
            "due", "term", "period", "plan", "item", "follow_up", "stage", "kind", "org", "group", "days_left",
            "year", "action", "deadline", "timeout_days", "frequency", "week", "as_of", "name", "title"]  # fmt: skip


def test_a_changed_language_gets_its_own_layout():
    template = get_template("dues/email/arrears3.txt").template
    values = {**_layout_context(), "user": Anything("user"), "count": 3, "months": "m", "own": True}
    with translation.override("en"):
        english = layout.render_body(template, dict(values), autoescape=False)
    with translation.override("zh-hans"):
        chinese = layout.render_body(template, dict(values), autoescape=False)
    assert "Dear <user> & O'Neil," in english
    assert english != chinese
    assert chinese == template.render(Context(dict(values), autoescape=False)) != ""
