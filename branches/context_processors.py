from django.utils.functional import SimpleLazyObject

from .selectors import scope_for


def scope(request):
    """`scope` in every template, computed only if a template asks (for the role-based navigation)."""
    return {"scope": SimpleLazyObject(lambda: scope_for(getattr(request, "user", None)))}
