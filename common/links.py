"""Addresses of many objects on one page, reversed once: `reverse()` per row was a large part of the list
pages of a county (issue 14)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

ID_PLACEHOLDER = 987654321  # an id no object has; its place in the reversed address takes each object's id


def id_url(viewname: str) -> Callable[[int], str]:
    """`reverse(viewname, args=[pk])` as a function of pk, the address reversed once. For addresses whose one
    argument is an integer id (an `<int:pk>` converter accepts any id, so the result is the same)."""
    head, tail = reverse(viewname, args=[ID_PLACEHOLDER]).split(str(ID_PLACEHOLDER), 1)
    return lambda pk: f"{head}{pk}{tail}"
