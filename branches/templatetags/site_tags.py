"""The site's template tags: the navigation (every app's nav.py through common.navigation, by the user's
scope), Bootstrap form rendering, and the scope filters that show an action only to those who may take it.
In branches because the scope is branches'; every app's templates may `{% load site_tags %}`."""

from django import template

from branches.selectors import scope_for
from common.navigation import nav_items
from common.pagination import querystring_without_page

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return nav_items(scope_for(request.user))


_BS_CLASS = {
    "select": "form-select",
    "quickselect": "form-select",  # common.forms.QuickSelect: a select written in Python
    "selectmultiple": "form-select",
    "checkbox": "form-check-input",
    "radioselect": "",
    "checkboxselectmultiple": "",
}


@register.filter
def bs(field):
    """Render a bound field's widget with Bootstrap's class (and is-invalid when it has errors)."""
    css = _BS_CLASS.get(field.widget_type, "form-control")
    existing = field.field.widget.attrs.get("class", "")
    classes = " ".join(c for c in (existing, css, "is-invalid" if field.errors else "") if c)
    return field.as_widget(attrs={"class": classes} if classes else None)


@register.simple_tag(takes_context=True)
def page_query(context) -> str:
    """The current query string without `page`, for pagination links."""
    request = context.get("request")
    return querystring_without_page(request) if request is not None else ""


@register.filter
def can_write(scope, org) -> bool:
    """`{% if scope|can_write:org %}`: show an action only to those who may take it (the view checks again)."""
    return bool(org) and scope.can_write(org)


@register.filter
def can_read(scope, org) -> bool:
    """`{% if scope|can_read:org %}`: link to an organization only if the user may open it."""
    return bool(org) and scope.covers(org)
