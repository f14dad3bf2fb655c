"""Organization pages. Every object is loaded through the scope (404 for outsiders); writes go through
branches.services. Branches knows no member: the figures beside each organization on the tree come from the
apps above through branches.tree, and the organization page's member counts, committee and party groups are
members' panels (common.panels), like every other app's."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common import panels as panel_registry
from common.forms import add_service_errors
from common.links import id_url

from . import services, tree
from .forms import OrganizationForm, OrganizationSearchForm, PartyGroupForm
from .models import Organization, PartyGroup
from .selectors import (
    organization_ancestors,
    organization_get_stored,
    organization_writable_get,
    scope_for,
)


@dataclass(frozen=True)
class TreeRow:
    """One line of the tree as the template writes it: an organization (a collapsible one opens a
    `<details>`, closed by a later row with `end`), everything per organization computed beforehand so that
    the page's cost barely grows with the number of organizations it shows (issue 14: an {% include %}, two
    {% url %}s and the figures' template per organization were most of the county's tree)."""

    org: Organization | None = None
    level: int = 0
    url: str = ""
    kind: str = ""
    figures: SafeString = SafeString()
    expandable: bool = False
    open: bool = False  # its children follow (levels 0), else fetched when opened from `children_url`
    children_url: str = ""
    end: bool = False  # closes the last open organization


class _TreeWriter:
    """Turns nodes into rows: the addresses reversed once, the kinds' names translated once, each figure
    written by its `cells` function (else its template, loaded once)."""

    def __init__(self, figures: list[tree.TreeFigures]):
        self.detail_url = id_url("branches:detail")
        self.children_url = id_url("branches:tree_children")
        self.kinds = {value: str(label) for value, label in Organization.Kind.choices}
        self.cells = [
            figure.cells() if figure.cells else self._template_cell(figure.template)
            for figure in figures
            if figure.cells or figure.template
        ]

    @staticmethod
    def _template_cell(name: str):
        template = get_template(name)
        return lambda org, in_tree: template.render({"org": org, "in_tree": in_tree})

    def figures(self, org: Organization, *, in_tree: bool) -> SafeString:
        # each cell escapes what it writes (format_html, or a template)
        return mark_safe("".join(cell(org, in_tree) for cell in self.cells))

    def row(self, org: Organization, **kwargs) -> TreeRow:
        return TreeRow(
            org=org, url=self.detail_url(org.pk), kind=self.kinds.get(org.kind, org.kind), **kwargs
        )

    def rows(self, nodes: list[tree.TreeNode], *, level: int) -> list[TreeRow]:
        """Levels 0 open with their children below; deeper collapsible ones are fetched when opened; a
        leaf's figures say more ("in_tree": the no-committee mark)."""
        out: list[TreeRow] = []
        for node in nodes:
            org = node.org
            if not node.expandable:
                out.append(self.row(org, level=level, figures=self.figures(org, in_tree=True)))
                continue
            opened = level < 1
            out.append(
                self.row(
                    org,
                    level=level,
                    figures=self.figures(org, in_tree=False),
                    expandable=True,
                    open=opened,
                    children_url="" if opened else self.children_url(org.pk),
                )
            )
            if opened:
                out.extend(self.rows(node.children, level=level + 1))
                out.append(TreeRow(end=True))
        return out


@login_required
def organization_list(request):
    """The tree the user may see, collapsible, with living and full member counts (subtree totals)."""
    scope = scope_for(request.user)
    if not scope.sees_anything:
        raise Http404
    form = OrganizationSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    roots, matches, figures = tree.organization_tree(scope=scope, as_of=timezone.localdate(), search=search)
    writer = _TreeWriter(figures)
    return render(
        request,
        "branches/list.html",
        {
            "roots": roots,
            "rows": writer.rows(roots, level=0),
            "matches": matches,
            "match_rows": [writer.row(o, figures=writer.figures(o, in_tree=False)) for o in matches],
            "figures": figures,
            "search": search,
            "form": form,
            "can_write": bool(scope.write_paths),
        },
    )


@login_required
def organization_tree_children(request, pk: int):
    """The next level of the tree below one organization (htmx, when its branch of the tree is opened)."""
    scope = scope_for(request.user)
    org = scope.get_object_or_404(Organization.objects.all(), "", pk=pk)
    as_of = timezone.localdate()
    node = tree.organization_subtree_node(scope=scope, org=org, as_of=as_of)
    figures = tree.tree_figures(as_of=as_of)
    return render(
        request,
        "branches/_children.html",
        {"node": node, "figures": figures, "rows": _TreeWriter(figures).rows(node.children, level=1)},
    )


@login_required
def organization_detail(request, pk: int):
    scope = scope_for(request.user)
    org = scope.get_object_or_404(Organization.objects.select_related("parent"), "", pk=pk)
    today = timezone.localdate()
    children, figures = tree.organization_children(org=org, as_of=today)
    writer = _TreeWriter(figures)  # as the tree writes its lines: a county's page lists a hundred children
    child_rows = [writer.row(child, figures=writer.figures(child, in_tree=False)) for child in children]
    ancestors = [(a, scope.covers(a)) for a in organization_ancestors(org)]
    return render(
        request,
        "branches/detail.html",
        {
            "org": org,
            "ancestors": ancestors,
            "children": children,
            "child_rows": child_rows,
            "figures": figures,
            "can_write": scope.can_write(org),
            "panels": panel_registry.organization_panels(org=org, scope=scope, as_of=today),
        },
    )


@login_required
def organization_create(request):
    scope = scope_for(request.user)
    if not scope.write_paths and not scope.is_superuser:
        raise Http404
    initial = {}
    if request.GET.get("parent"):
        initial["parent"] = organization_writable_get(scope=scope, pk=request.GET["parent"])
    form = OrganizationForm(request.POST or None, scope=scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.fields}
        try:
            org = services.organization_create(**data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": org.name})
            return redirect("branches:detail", pk=org.pk)
    return render(request, "branches/form.html", {"form": form, "org": None})


@login_required
def organization_edit(request, pk: int):
    scope = scope_for(request.user)
    org = scope.get_object_or_404(Organization.objects.select_related("parent"), "", write=True, pk=pk)
    stored = organization_get_stored(org=org)  # the form edits `org`; the service compares with this
    form = OrganizationForm(request.POST or None, instance=org, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.fields}
        try:
            services.organization_update(org=stored, **data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("branches:detail", pk=org.pk)
    return render(request, "branches/form.html", {"form": form, "org": org})


# -- party groups ----------------------------------------------------------------------------------------


@login_required
def party_group_create(request, pk: int):
    scope = scope_for(request.user)
    org = scope.get_object_or_404(Organization.objects.all(), "", write=True, pk=pk)
    if not org.is_basic:
        raise Http404
    form = PartyGroupForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        group = form.save()
        messages.success(request, _("The party group %(name)s was created.") % {"name": group.name})
        return redirect("branches:detail", pk=org.pk)
    return render(request, "branches/party_group_form.html", {"form": form, "org": org, "group": None})


@login_required
def party_group_edit(request, pk: int):
    scope = scope_for(request.user)
    group = scope.get_object_or_404(
        PartyGroup.objects.select_related("organization"), "organization", write=True, pk=pk
    )
    org = group.organization
    form = PartyGroupForm(request.POST or None, instance=group, organization=org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("branches:detail", pk=org.pk)
    return render(request, "branches/party_group_form.html", {"form": form, "org": org, "group": group})


@login_required
@require_POST
def party_group_delete(request, pk: int):
    scope = scope_for(request.user)
    group = scope.get_object_or_404(
        PartyGroup.objects.select_related("organization"), "organization", write=True, pk=pk
    )
    org_pk = group.organization_id
    group.delete()  # its members stay in the organization, without a group
    messages.success(request, _("The party group %(name)s was deleted.") % {"name": group.name})
    return redirect("branches:detail", pk=org_pk)
