"""One way to cut a list page into pages."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .table_versions import cached_exactly


def paginate(
    request,
    items,
    *,
    per_page: int | None = None,
    count: int | None = None,
    count_tables: Iterable[str] | None = None,
) -> Page:
    """The page `?page=` asks for, `per_page` rows (default settings.PAGE_SIZE). A page number that is not a
    number gives the first page, one past the end the last (Paginator.get_page), so a stale link still
    shows something.

    `count`: the number of items when the caller knows it, instead of counting them. `count_tables`: every
    table the queryset `items` reads (tracked ones, common.table_versions). The count of rows is then kept in
    the cache exactly, under the queryset's SQL: a county's lists counted tens of thousands of rows on every
    request, most of their cost (issue 14); the page's rows are always read."""
    paginator = Paginator(items, per_page or settings.PAGE_SIZE)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached_property: the value it would cache
    elif count_tables is not None and isinstance(items, QuerySet):
        paginator.count = cached_exactly(  # the cached_property, given
            f"page_count:{_sql_digest(items)}", tables=count_tables, compute=items.count
        )
    return paginator.get_page(request.GET.get("page"))


def _sql_digest(queryset: QuerySet) -> str:
    """The rows a queryset counts, as a key: its SQL and parameters (the filters, the joins they need and the
    scope's paths are all in it). Without its order and columns, which do not change the count, unless they may
    (DISTINCT, GROUP BY, a UNION): compiling all the columns of a list's rows cost a millisecond more."""
    query = queryset.query
    if not (query.distinct or query.group_by is not None or query.combinator or query.is_sliced):
        queryset = queryset.order_by().values("pk")
    sql, params = queryset.query.sql_with_params()
    return hashlib.sha1(f"{queryset.db}:{sql}:{params!r}".encode()).hexdigest()


def querystring_without_page(request) -> str:
    """The current query string minus `page`, for the pager's links (`?{{ querystring }}&page=2`)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
