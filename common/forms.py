"""Form helpers shared by the apps: Bootstrap classes on every widget, a service's ValidationError shown on
the form, and the browser's date input."""

from __future__ import annotations

import html

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

# Django's blank choice of a drop-down: "---------" tells a new user nothing.
DASHES = "---------"
CHOOSE_LABEL = _("Choose…")
NONE_LABEL = _("(none)")


def _bootstrap_class(widget: forms.Widget) -> str:
    # CheckboxSelectMultiple is a RadioSelect; both render one input per choice. The checkboxes sit inside
    # button-like labels in the education templates, which style them by this class.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "btn-check-inline"
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):  # SelectMultiple too
        return "form-select"
    return "form-control"


def _with_class(classes: str, *more: str) -> str:
    names = classes.split()
    names += [name for name in more if name not in names]
    return " ".join(names)


def _label_blank_choice(field: forms.Field) -> None:
    """A single-choice drop-down's blank choice "---------" says what it means: "Choose…" when a choice is
    required, "(none)" when none may be; a required drop-down with one real choice has no blank at all (the
    browser shows that choice). A blank the form labelled itself is kept. The choices are read once here and
    handed to the widget, so a model choice costs the one query its rendering cost before."""
    widget = field.widget
    if not isinstance(widget, forms.Select) or isinstance(widget, forms.SelectMultiple):
        return
    # not list(): it would ask a model choice for its len, a COUNT query more
    choices = [c for c in widget.choices]
    blank = [i for i, (value, label) in enumerate(choices) if value in ("", None) and str(label) == DASHES]
    if not blank:
        return
    real = sum(len(label) if isinstance(label, list | tuple) else 1 for value, label in choices) - len(blank)
    out = []
    for i, (value, label) in enumerate(choices):
        if i in blank:
            if field.required and real == 1:
                continue
            label = CHOOSE_LABEL if field.required else NONE_LABEL
        out.append((value, label))
    widget.choices = out


class BootstrapBoundField(BoundField):
    """Adds Bootstrap's class for the widget (after any class the form set) and `is-invalid` when the field
    has errors. Worked out when the field is rendered, so it also covers fields a form adds in __init__
    and errors a view adds after validation (add_service_errors). A drop-down's blank choice gets a label
    that means something (_label_blank_choice)."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        _label_blank_choice(self.field)  # when rendered: validating a POST reads no choices
        return super().as_widget(widget, attrs, only_initial)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if widget.is_hidden:
            return attrs
        classes = attrs.get("class") or widget.attrs.get("class") or ""
        base = _bootstrap_class(widget)
        classes = _with_class(base, *classes.split()) if base not in classes.split() else classes
        if self.form.is_bound and self.errors:
            classes = _with_class(classes, "is-invalid")
        attrs["class"] = classes
        return attrs


class BootstrapFormMixin:
    """Bootstrap 5 classes on every visible widget: form-check-input for a checkbox or radio, form-select for
    a select, form-control for the rest; a class the form set itself is kept. A bound field with errors
    also gets `is-invalid`. Put it first: `class MyForm(BootstrapFormMixin, forms.Form)`."""

    bound_field_class = BootstrapBoundField


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on each field it names that the form has, the rest
    (and an error that names no field) at the top of the form. Call it after form.is_valid()."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO format, which is what the picker reads."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


def _escape(value) -> str:
    """conditional_escape without its lazy-string wrapper, which cost as much as the escaping (an option's
    value and label are escaped by the thousand on a list page's filters)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))  # what django.utils.html.escape does


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python."""
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {name}")
        elif value is not False:
            out.append(f' {name}="{_escape(str(value))}"')
    return "".join(out)


class QuickSelect(forms.Select):
    """A drop-down written in Python: the same HTML as Django's select and option templates, without a
    template per option (a list page's filters, with an option per organization, spent more time there than
    on its rows: issue 14)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        esc = _escape
        parts = [f'<select name="{esc(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{esc(group_name)}">')
            parts.extend(
                f'\n  <option value="{esc(str(option["value"]))}"{_attrs_html(option["attrs"])}>'
                f"{esc(option['label'])}</option>\n"  # the option template's own newline
                for option in group_choices
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value above is escaped


def quick_selects(form: forms.BaseForm) -> None:
    """Every plain drop-down of `form` written by QuickSelect (same HTML, a fraction of the time)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.__class__ = QuickSelect
