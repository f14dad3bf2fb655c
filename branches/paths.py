"""The materialized path of an organization, in one place.

`Organization.path` is the chain of zero-padded ids from the county down to the organization itself, each
followed by a dot: "0000001.0000004.0000009.". A subtree is then one indexed prefix query (`subtree_q`), and
the ancestors are read from the path without a query (`ancestor_ids`). Nothing else should take a path apart
or build a `path__startswith` by hand.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import Q
from django.db.models.functions import Left

SEPARATOR = "."
SEGMENT_WIDTH = 7  # digits per id; with the separator a segment is 8 characters (see organization_move)


class HasPath(Protocol):
    @property
    def path(self) -> str: ...


def segment(pk: int) -> str:
    """One organization's part of a path: "0000009."."""
    return f"{pk:0{SEGMENT_WIDTH}d}{SEPARATOR}"


def _path(org_or_path: HasPath | str) -> str:
    return org_or_path if isinstance(org_or_path, str) else org_or_path.path


def ids(path: str) -> list[int]:
    """The ids on the path, from the county down to the organization itself."""
    return [int(s) for s in path.split(SEPARATOR) if s]


def ancestor_ids(path: str, *, include_self: bool = False) -> list[int]:
    """The ids of the organization's ancestors, from the county down (itself last with include_self)."""
    chain = ids(path)
    return chain if include_self else chain[:-1]


def depth(path: str) -> int:
    """0 for the county, 1 for a township, and so on."""
    return len(ids(path)) - 1


def parent_path(path: str) -> str:
    """The parent's path ("" for the county)."""
    return SEPARATOR.join(path.split(SEPARATOR)[:-2]) + SEPARATOR if depth(path) > 0 else ""


def ancestor_path(path: str, *, depth: int) -> str | None:
    """The path of the ancestor (or the organization itself) at `depth` (1 = its township), None when the
    organization stands higher than that."""
    chain = [s for s in path.split(SEPARATOR) if s]
    if len(chain) <= depth:
        return None
    return SEPARATOR.join(chain[: depth + 1]) + SEPARATOR


def is_within(path: str, ancestor: HasPath | str) -> bool:
    """Whether `path` is `ancestor` itself or lies below it."""
    return path.startswith(_path(ancestor))


def minimal_prefixes(paths: set[str]) -> tuple[str, ...]:
    """The paths without those that lie within another of them (sorted): the subtrees they cover, each once,
    so that an OR of subtree_q stays small."""
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(is_within(p, k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def subtree_q(org_or_path: HasPath | str, field: str = "organization", *, include_self: bool = True) -> Q:
    """A Q on any model that reaches Organization through `field` ("" for Organization itself): the rows
    of the organization's subtree (without the organization itself when include_self is False)."""
    prefix = f"{field}__" if field else ""
    q = Q(**{f"{prefix}path__startswith": _path(org_or_path)})
    if not include_self:
        q &= ~Q(**{f"{prefix}path": _path(org_or_path)})
    return q


def path_at_depth(path: str | Any, *, depth: int) -> Left:
    """A database expression: the path of the ancestor at `depth` of the organization whose path is `path` (a
    field name such as "organization__path", or an expression), or that path itself when the organization
    stands at `depth` or higher. Grouping rows by it counts them per child of an organization (depth = the
    organization's depth + 1) in one GROUP BY; the organization's own rows fall under its own path."""
    return Left(path, (depth + 1) * (SEGMENT_WIDTH + 1))
