"""Pages for a signed-in user are never stored by a browser or a proxy (issue 13, Low 18)."""

from __future__ import annotations

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
