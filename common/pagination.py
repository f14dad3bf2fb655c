"""One way to cut a list page into pages."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request, items, *, per_page: int | None = None, count: int | None = None) -> Page:
    """The page `?page=` asks for, `per_page` rows (default settings.PAGE_SIZE). A page number that is not a
    number gives the first page, one past the end the last (Paginator.get_page), so a stale link still
    shows something. `count`: the number of items when the caller knows it (a cached count), instead of
    counting them."""
    paginator = Paginator(items, per_page or settings.PAGE_SIZE)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property: this is the value it would cache
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    """The current query string minus `page`, for the pager's links (`?{{ querystring }}&page=2`)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
