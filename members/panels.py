"""Members' parts of the organization page (common.panels): the member counts and the committee rule, the
committee term, the party groups with their members; and the members / full members figures beside each
organization on the tree (branches.tree). A bounded number of queries each."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.tree import TreeFigures, organization_children
from common.panels import Panel

from . import selectors

# Everything the tree's figures read: the organizations, their members, and the transfers a past day undoes.
TREE_FIGURES_TABLES = ("branches_organization", "members_member", "members_transfer")


def tree_figures(*, as_of) -> TreeFigures:
    return TreeFigures(
        annotate=lambda queryset: selectors.organizations_with_counts(queryset, as_of=as_of),
        totals={"member_count": "total_members", "full_count": "total_full"},
        template="members/_tree_figures.html",
        cells=_tree_cells,
        legend=_("Numbers: members / full members, including the organizations below."),
        tables=TREE_FIGURES_TABLES,
        # a past day needs the transfers since undone: then the tree sums the loaded subtree instead
        subtree_totals=(
            (lambda orgs: selectors.subtree_member_totals(orgs, as_of=as_of))
            if as_of >= timezone.localdate()
            else None
        ),
    )


def _tree_cells():
    """members/_tree_figures.html as a function, its words translated once per page (the tree writes it for
    every organization it shows)."""
    no_committee = format_html(
        '<span class="badge text-bg-light border d-none d-md-inline">{}</span>', gettext("no committee")
    )
    counts = format_html(
        '<span class="badge text-bg-light border" title="{}">', gettext("members / full members")
    )

    def cell(org, in_tree: bool) -> str:
        mark = no_committee if in_tree and org.is_branch and not org.has_committee else ""
        return f"{mark}{counts}{int(org.total_members)} / {int(org.total_full)}</span>"

    return cell


def organization_panels(*, org, scope, as_of) -> list[Panel]:
    """Members (1 query, none on the organization page, which has counted them with its children), and for
    a basic organization the committee and the party groups (3 queries, or 1 from the cache)."""
    if not scope.covers(org):
        return []
    if not hasattr(org, "total_members"):
        organization_children(org=org, as_of=as_of)  # sets the organization's own figures
    can_write = scope.can_write(org)
    panels = [
        Panel(
            title=_("Members"),
            template="members/panels/organization.html",
            context={"org": org, "can_write": can_write, "min_full": selectors.COMMITTEE_MIN_FULL_MEMBERS},
            order=5,
        )
    ]
    if org.is_basic:
        term, party_groups = selectors.basic_organization_figures(org=org, as_of=as_of)
        panels.append(
            Panel(
                title=_("Committee"),
                template="members/panels/committee.html",
                context={
                    "org": org,
                    "term": term,
                    "term_expired": term is not None and term.ends_on < as_of,
                    "can_write": can_write,
                },
                order=6,
            )
        )
        panels.append(
            Panel(
                title=_("Party groups"),
                template="members/panels/party_groups.html",
                context={
                    "org": org,
                    "party_groups": party_groups,
                    "can_write": can_write,
                },
                order=7,
            )
        )
    return panels
