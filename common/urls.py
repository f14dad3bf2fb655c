"""Links to many objects of one view, as a day's jobs make them (thousands: one per reminder)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

_MARK = 987654321987654321  # stands for the id while the view is reversed once


class UrlsById:
    """`reverse(viewname, args=[pk])` for many ids: the view is reversed once with a mark where the id goes,
    then each id is put in the mark's place (reverse() costs some 50 µs a call, the jobs of a county's day
    make thousands of links). The first id is reversed for real and must give the same link, else (a route
    whose pattern does not take any number as it is) every id is reversed. Make one per run of links: the
    URL configuration and the script prefix are read when it is first called."""

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
            marked = reverse(self.viewname, args=[_MARK])
        except NoReverseMatch:
            return None
        if marked.count(str(_MARK)) != 1:
            return None
        prefix, suffix = marked.split(str(_MARK))
        return (prefix, suffix) if f"{prefix}{pk}{suffix}" == url else None
