"""The organization tree as the pages show it, and the figures that apps above branches show beside each
organization (members contributes "members / full members" and the "no committee" mark).

Branches knows no member. An app contributes figures with, in its `panels.py` (found by
common.discovery, like the organization panels):

    def tree_figures(*, as_of) -> branches.tree.TreeFigures

The figures are annotations added to the ONE query that loads the tree (or a subtree), so the tree page stays
one query however many organizations it shows; `totals` names the annotations that are summed over each
subtree (own count -> attribute holding the subtree total), and `template` is rendered beside each
organization with `org` (and `in_tree` on the collapsible tree); `legend` says what they mean. A contributor counts through one reverse
relation or a subquery: two apps' Count()s over different joins in one query would multiply each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from common.discovery import app_modules

from . import paths
from .models import Organization
from .selectors import Scope


@dataclass(frozen=True)
class TreeFigures:
    annotate: Callable[[QuerySet[Organization]], QuerySet[Organization]]
    totals: dict[str, str] = field(default_factory=dict)
    template: str = ""
    legend: str = ""  # what the figures mean, shown above the tree


@dataclass
class TreeNode:
    org: Organization
    children: list[TreeNode] = field(default_factory=list)


def tree_figures(*, as_of: dt.date) -> list[TreeFigures]:
    """Every installed app's figures, in INSTALLED_APPS order."""
    return [
        module.tree_figures(as_of=as_of)
        for _app, module in app_modules("panels")
        if hasattr(module, "tree_figures")
    ]


def _load(
    queryset: QuerySet[Organization], figures: list[TreeFigures]
) -> tuple[list[Organization], set[str]]:
    """The organizations with every figure, ordered by path, totals summed over the subtrees present in
    the list (linear in the number of organizations; one query); and the names of the figures set."""
    for figure in figures:
        queryset = figure.annotate(queryset)
    orgs = list(queryset.order_by("path"))
    totals = {own: total for figure in figures for own, total in figure.totals.items()}
    for o in orgs:
        for own, total in totals.items():
            setattr(o, total, getattr(o, own))
    by_path = {o.path: o for o in orgs}
    for o in reversed(orgs):  # deepest first: a child's path sorts after its parent's
        parent = by_path.get(paths.parent_path(o.path))
        if parent is not None:
            for total in totals.values():
                setattr(parent, total, getattr(parent, total) + getattr(o, total))
    return orgs, set(queryset.query.annotations) | set(totals.values())


def organization_tree(
    *, scope: Scope, as_of: dt.date, search: str = ""
) -> tuple[list[TreeNode], list[Organization], list[TreeFigures]]:
    """The organizations the scope sees, as a forest (roots = the tops of the scope), with every app's
    figures; one query. With `search`, also the flat list of matches (by name or code)."""
    figures = tree_figures(as_of=as_of)
    orgs, _names = _load(scope.organizations(), figures)
    nodes = {o.path: TreeNode(o) for o in orgs}
    roots: list[TreeNode] = []
    for o in orgs:
        parent = nodes.get(paths.parent_path(o.path))
        (parent.children if parent else roots).append(nodes[o.path])
    matches: list[Organization] = []
    if search:
        needle = search.strip().lower()
        matches = [o for o in orgs if needle in o.name.lower() or needle in o.code.lower()]
    return roots, matches, figures


def organization_subtree_node(*, scope: Scope, org: Organization, as_of: dt.date) -> TreeNode:
    """`org` (which the scope reads) as a node with its subtree below it, every app's figures totalled: the
    tree page opens one level at a time and asks for a node's children when it is expanded. One query."""
    figures = tree_figures(as_of=as_of)
    orgs, _names = _load(scope.filter(Organization.objects.filter(paths.subtree_q(org, "")), ""), figures)
    nodes = {o.path: TreeNode(o) for o in orgs}
    for o in orgs:
        parent = nodes.get(paths.parent_path(o.path))
        if parent is not None:
            parent.children.append(nodes[o.path])
    return nodes[org.path]


def organization_children(
    *, org: Organization, as_of: dt.date
) -> tuple[list[Organization], list[TreeFigures]]:
    """The direct children of `org` with every app's figures totalled over their subtrees; `org` itself
    gets its own figures and totals too (set on the object), so that a panel need not count again. One
    query."""
    figures = tree_figures(as_of=as_of)
    subtree, names = _load(Organization.objects.filter(paths.subtree_q(org, "")), figures)
    for o in subtree:
        if o.pk == org.pk:
            for name in names:
                setattr(org, name, getattr(o, name))
    return [o for o in subtree if o.parent_id == org.pk], figures
