from django import template

from branches.selectors import scope_for
from dashboard.navigation import nav_items

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return nav_items(scope_for(request.user))


@register.filter
def mask_id(value: str) -> str:
    from members.idnumbers import mask

    return mask(value or "")
