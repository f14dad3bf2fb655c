"""Pages for a signed-in user are never stored by a browser or a proxy (issue 13, Low 18); a NUL character in a
query string or a form is refused before any view sees it."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers


class PrivatePagesMiddleware:
    """Every response to a signed-in user (rosters, care files, exports, previews of imports) gets
    `Cache-Control: no-store, private, …` unless the view chose its own caching: such pages carry ID numbers,
    health and hardship, and a shared computer's back button or a caching proxy must not keep them. Public
    pages (sign-in, the calendar feeds by secret address) and static files are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class RejectNulMiddleware:
    """A NUL character (\\x00) in a query parameter or a form field is a 400, not a 500: PostgreSQL refuses it in
    any text it is asked to compare or store, and no view has a use for it (found by the fuzzer on
    /education/?kind=%00). Forms already refuse it field by field; this covers the parameters views read
    themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return HttpResponseBadRequest("NUL character in the request")
        return self.get_response(request)


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in value for value in params.getlist(key)) for key in params)
