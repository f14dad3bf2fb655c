"""The organization tree as the pages show it, and the figures that apps above branches show beside each
organization (members contributes "members / full members" and the "no committee" mark).

Branches knows no member. An app contributes figures with, in its `panels.py` (found by
common.discovery, like the organization panels):

    def tree_figures(*, as_of) -> branches.tree.TreeFigures

The figures are annotations added to the ONE query that loads the tree (or a subtree), so the tree page stays
one query however many organizations it shows; `totals` names the annotations that are summed over each
subtree (own count -> attribute holding the subtree total), and `template` is rendered beside each
organization with `org` (and `in_tree` on the collapsible tree); `legend` says what they mean. `cells`, when
given, returns a function that writes the same HTML as `template` for (org, in_tree): the tree page calls it
once per page and the function once per organization (a template per organization was most of the county's
tree, issue 14). A contributor counts through one reverse
relation or a subquery: two apps' Count()s over different joins in one query would multiply each other.

`tables`, when a contributor gives it, names every table its `annotate` and `subtree_totals` read: when every
contributor names them, the organization page's children with their figures are cached exactly under them
(common.table_versions), as the page shows them on every visit.

`subtree_totals(orgs)`, when a contributor gives it, sets the subtree totals on organizations loaded WITHOUT
their subtrees (a few grouped queries, by depth), so that the pages load only the organizations they show: the
tree page its tops and their children, the organization page its children (issue 14: a county of 683
organizations rendered and counted them all). Without it (or for a past day) the whole subtree is loaded and
summed as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from common.discovery import app_modules
from common.table_versions import cached_exactly

from . import paths
from .models import Organization
from .selectors import Scope


@dataclass(frozen=True)
class TreeFigures:
    annotate: Callable[[QuerySet[Organization]], QuerySet[Organization]]
    totals: dict[str, str] = field(default_factory=dict)
    template: str = ""
    legend: str = ""  # what the figures mean, shown above the tree
    subtree_totals: Callable[[list[Organization]], None] | None = None
    cells: Callable[[], Callable[[Organization, bool], str]] | None = None
    tables: tuple[str, ...] | None = None  # what annotate and subtree_totals read (for the exact cache)


@dataclass
class TreeNode:
    org: Organization
    children: list[TreeNode] = field(default_factory=list)
    has_children: bool = False  # children exist below (not loaded: the tree fetches them when opened)

    @property
    def expandable(self) -> bool:
        return bool(self.children) or self.has_children


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


def _load_shown(
    queryset: QuerySet[Organization], figures: list[TreeFigures]
) -> tuple[list[Organization], set[str]] | None:
    """Only the organizations of `queryset` (already narrowed to what the page shows), ordered by path, with
    every figure: the own ones annotated on the one query, the subtree totals from each figure's
    `subtree_totals`; and whether each has children (`has_children`). None when a figure cannot give its
    totals that way (then the caller loads the whole subtree)."""
    if any(figure.totals and figure.subtree_totals is None for figure in figures):
        return None
    for figure in figures:
        queryset = figure.annotate(queryset)
    queryset = queryset.annotate(has_children=Exists(Organization.objects.filter(parent=OuterRef("pk"))))
    orgs = list(queryset.order_by("path"))
    # Only the organizations whose children are not loaded ask the contributors; the others (the tops of the
    # tree, the organization of the organization page) sum their own figures and their loaded children's.
    parents = {o.parent_id for o in orgs}
    frontier = [o for o in orgs if o.has_children and o.pk not in parents]
    for figure in figures:
        if figure.subtree_totals is not None and frontier:
            figure.subtree_totals(frontier)
    children: dict[int, list[Organization]] = {}
    for o in orgs:
        children.setdefault(o.parent_id, []).append(o)  # type: ignore[arg-type]
    totals = {own: total for figure in figures for own, total in figure.totals.items()}
    for o in reversed(orgs):  # deepest first: a child's path sorts after its parent's
        if o.has_children and o.pk not in parents:
            continue  # the frontier: set by subtree_totals
        for own, total in totals.items():
            setattr(o, total, getattr(o, own) + sum(getattr(c, total) for c in children.get(o.pk, [])))
    names = set(queryset.query.annotations) | {t for f in figures for t in f.totals.values()}
    return orgs, names


def _tops_q(scope: Scope) -> tuple[Q, Q]:
    """(the scope's top organizations, their children) as Qs on Organization."""
    if scope.is_superuser:
        return Q(parent__isnull=True), Q(parent__isnull=False, parent__parent__isnull=True)
    return Q(path__in=scope.read_paths), Q(parent__path__in=scope.read_paths)


def organization_tree(
    *, scope: Scope, as_of: dt.date, search: str = ""
) -> tuple[list[TreeNode], list[Organization], list[TreeFigures]]:
    """The organizations the scope sees, as a forest (roots = the tops of the scope) of the tops and their
    children (a deeper level is fetched when opened: `organization_subtree_node`), with every app's figures
    totalled over the subtrees. With `search`, instead the flat list of matches (by name or code) and no
    forest. A bounded number of queries, whatever the size of the county."""
    figures = tree_figures(as_of=as_of)
    visible = scope.organizations()
    if search:
        needle = search.strip()
        found = visible.filter(Q(name__icontains=needle) | Q(code__icontains=needle))
        loaded = _load_shown(found, figures)
        if loaded is None:
            orgs, _names = _load(visible, figures)
            lowered = needle.lower()
            return [], [o for o in orgs if lowered in o.name.lower() or lowered in o.code.lower()], figures
        return [], loaded[0], figures
    tops, children_of_tops = _tops_q(scope)
    loaded = _load_shown(visible.filter(tops | children_of_tops), figures)
    if loaded is None:
        orgs, _names = _load(visible, figures)
        for o in orgs:
            o.has_children = False
    else:
        orgs = loaded[0]
    nodes = {o.path: TreeNode(o, has_children=o.has_children) for o in orgs}
    roots: list[TreeNode] = []
    for o in orgs:
        parent = nodes.get(paths.parent_path(o.path))
        (parent.children if parent else roots).append(nodes[o.path])
    return roots, [], figures


def organization_subtree_node(*, scope: Scope, org: Organization, as_of: dt.date) -> TreeNode:
    """`org` (which the scope reads) as a node with its children below it (each knowing whether it has
    children of its own), every app's figures totalled: the tree page opens one level at a time and asks for
    a node's children when it is expanded. A bounded number of queries."""
    figures = tree_figures(as_of=as_of)
    shown = scope.filter(Organization.objects.filter(Q(pk=org.pk) | Q(parent=org)), "")
    loaded = _load_shown(shown, figures)
    if loaded is None:
        orgs, _names = _load(scope.filter(Organization.objects.filter(paths.subtree_q(org, "")), ""), figures)
    else:
        orgs = loaded[0]
    nodes = {o.path: TreeNode(o, has_children=getattr(o, "has_children", False)) for o in orgs}
    for o in orgs:
        parent = nodes.get(paths.parent_path(o.path))
        if parent is not None:
            parent.children.append(nodes[o.path])
    return nodes[org.path]


def organization_children(
    *, org: Organization, as_of: dt.date
) -> tuple[list[Organization], list[TreeFigures]]:
    """The direct children of `org` with every app's figures totalled over their subtrees; `org` itself
    gets its own figures and totals too (set on the object), so that a panel need not count again. A
    bounded number of queries, whatever the size of the subtree; one (the versions) from the cache while
    none of the tables the figures name has been written."""
    figures = tree_figures(as_of=as_of)

    def compute() -> tuple[list[Organization], set[str]]:
        loaded = _load_shown(Organization.objects.filter(Q(pk=org.pk) | Q(parent=org)), figures)
        if loaded is None:
            return _load(Organization.objects.filter(paths.subtree_q(org, "")), figures)
        return loaded

    if any(figure.tables is None for figure in figures):
        subtree, names = compute()
    else:
        subtree, names = cached_exactly(
            f"branches:organization_children:{org.pk}:{org.path}:{as_of.isoformat()}",
            tables={"branches_organization"}.union(*(figure.tables or () for figure in figures)),
            compute=compute,
        )
    for o in subtree:
        if o.pk == org.pk:
            for name in names:
                setattr(org, name, getattr(o, name))
    return [o for o in subtree if o.parent_id == org.pk], figures
