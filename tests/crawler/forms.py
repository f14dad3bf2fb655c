"""Read the POST forms of a page: what a browser would submit if the user pressed the form's first button
without typing (blank text, date and number fields get a plausible value, so the form has a chance to be
valid and the replay has teeth)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.utils import timezone


@dataclass
class Form:
    action: str
    data: dict[str, list[str]] = field(default_factory=dict)
    has_file: bool = False
    method: str = "post"
    unchecked: dict[str, list[str]] = field(default_factory=dict)  # checkboxes and radios left unticked


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._select_multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._option_value: str | None = None
        self._option_selected = False

    def _add(self, name: str, value: str) -> None:
        assert self._form is not None
        self._form.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            value = a.get("value", "")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, value or "on")
                else:
                    self._form.unchecked.setdefault(name, []).append(value or "on")
            elif kind == "file":
                self._form.has_file = True
            elif kind in ("submit", "button", "image", "reset"):
                pass
            else:
                self._add(name, value or _blank_value(kind, name))
        elif tag == "select" and name:
            self._select, self._select_options = name, []
            self._select_multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._text = []
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None or self._option_value is not None or self._select is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else "".join(self._text).strip()
            self._select_options.append((value, self._option_selected))
            self._option_value = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [v for v, selected in self._select_options if selected]
            if not chosen and not self._select_multiple:
                non_empty = [v for v, _s in self._select_options if v]
                chosen = non_empty[:1]
            for value in chosen:
                self._add(self._select, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._add(self._textarea, "".join(self._text).strip() or "crawler")
            self._textarea = None


def _blank_value(kind: str, name: str) -> str:
    if kind == "date" or name.endswith(("_on", "date")):
        return timezone.localdate().isoformat()
    if kind == "number":
        return "1"
    if kind == "hidden":
        return ""
    if kind == "email":
        return "crawler@example.com"
    return "crawler"


def page_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def post_forms(html: str) -> list[Form]:
    return [f for f in page_forms(html) if f.method == "post"]


def get_forms(html: str) -> list[Form]:
    """The filter forms of a list page (method GET): their field names are the page's query parameters."""
    return [f for f in page_forms(html) if f.method == "get"]
