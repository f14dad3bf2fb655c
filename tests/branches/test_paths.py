"""branches.paths: the materialized path taken apart and queried in one place."""

import pytest

from branches import paths
from branches.models import Organization
from members.models import Member
from tests.factories import MemberFactory

COUNTY, TOWNSHIP, BRANCH = "0000001.", "0000001.0000004.", "0000001.0000004.0000009."


def test_segment_ids_depth_and_ancestors():
    assert paths.segment(9) == "0000009."
    assert paths.ids(BRANCH) == [1, 4, 9]
    assert paths.ancestor_ids(BRANCH) == [1, 4]
    assert paths.ancestor_ids(BRANCH, include_self=True) == [1, 4, 9]
    assert paths.ancestor_ids(COUNTY) == []
    assert [paths.depth(p) for p in (COUNTY, TOWNSHIP, BRANCH)] == [0, 1, 2]
    assert [paths.parent_path(p) for p in (COUNTY, TOWNSHIP, BRANCH)] == ["", COUNTY, TOWNSHIP]


def test_ancestor_path_at_a_depth():
    assert paths.ancestor_path(BRANCH, depth=1) == TOWNSHIP
    assert paths.ancestor_path(TOWNSHIP, depth=1) == TOWNSHIP
    assert paths.ancestor_path(COUNTY, depth=1) is None


def test_is_within():
    assert paths.is_within(BRANCH, TOWNSHIP) and paths.is_within(TOWNSHIP, TOWNSHIP)
    assert not paths.is_within(TOWNSHIP, BRANCH)
    assert not paths.is_within("0000001.0000040.", TOWNSHIP)  # a sibling whose id starts alike


@pytest.mark.django_db
def test_subtree_q(county, township_a, branch_a1, branch_a2, branch_b1):
    assert set(Organization.objects.filter(paths.subtree_q(township_a, ""))) == {
        township_a,
        branch_a1,
        branch_a2,
    }
    below = Organization.objects.filter(paths.subtree_q(township_a.path, "", include_self=False))
    assert set(below) == {branch_a1, branch_a2}
    inside, outside = MemberFactory(organization=branch_a1), MemberFactory(organization=branch_b1)
    assert list(Member.objects.filter(paths.subtree_q(township_a))) == [inside]
    assert outside not in Member.objects.filter(paths.subtree_q(branch_a1))
