"""The members' figures on the organization tree: `cells` (written once per organization by the tree page)
gives exactly what members/_tree_figures.html renders, in both languages."""

import pytest
from django.template.loader import get_template
from django.utils import timezone, translation

from branches.models import Organization
from members import panels as member_panels
from members.selectors import organizations_with_counts
from tests.factories import MemberFactory, make_branch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_tree_cells_write_what_the_template_renders(language, county, township_a, branch_a1):
    small = make_branch(township_a)  # no committee: fewer full members than the rule asks
    MemberFactory.create_batch(7, organization=branch_a1)  # a committee
    MemberFactory(organization=small)
    MemberFactory(organization=small, probationary=True)
    today = timezone.localdate()
    orgs = list(organizations_with_counts(Organization.objects.all(), as_of=today))
    for org in orgs:
        org.total_members, org.total_full = org.member_count + 1000, org.full_count + 2000
    figure = member_panels.tree_figures(as_of=today)
    template = get_template(figure.template)
    with translation.override(language):
        cell = figure.cells()
        for org in orgs:
            for in_tree in (False, True):
                assert cell(org, in_tree) == template.render({"org": org, "in_tree": in_tree})
    marked = [o for o in orgs if "d-md-inline" in cell(o, True)]
    assert marked == [small]
