"""Addresses of many objects of one view, reversed once (issue 14): `reverse()` per row was a large part of a
county's list pages, and the jobs of a county's day make thousands of links (one per reminder)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

ID_PLACEHOLDER = 987654321987654321  # stands for the id while the view is reversed once


class IdUrl:
    """`reverse(viewname, args=[pk])` as a function of pk: the view is reversed once with a placeholder where the
    id goes, then each id is put in its place (reverse() costs some 50 µs a call). The first id is reversed for
    real and must give the same link, else (a route whose pattern does not take any number as it is) every id is
    reversed. Make one per page or run of links: the URL configuration and the script prefix are read when it
    is first called."""

    def __init__(self, viewname: str):
        self.viewname = viewname
        self._parts: tuple[str, str] | None = None
        self._checked = False

    def __call__(self, pk: int) -> str:
        if self._parts is not None and type(pk) is int and pk >= 0:
            return f"{self._parts[0]}{pk}{self._parts[1]}"
        url = reverse(self.viewname, args=[pk])
        if not self._checked:
            self._checked = True
            self._parts = self._split(pk, url)
        return url

    def _split(self, pk: int, url: str) -> tuple[str, str] | None:
        if type(pk) is not int or pk < 0:
            return None
        try:
            marked = reverse(self.viewname, args=[ID_PLACEHOLDER])
        except NoReverseMatch:
            return None
        if marked.count(str(ID_PLACEHOLDER)) != 1:
            return None
        prefix, suffix = marked.split(str(ID_PLACEHOLDER))
        return (prefix, suffix) if f"{prefix}{pk}{suffix}" == url else None


def id_url(viewname: str) -> IdUrl:
    """The links of `viewname`'s objects by id (IdUrl)."""
    return IdUrl(viewname)
