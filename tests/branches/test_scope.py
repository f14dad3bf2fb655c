import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from branches.models import OfficerAssignment, Organization
from branches.selectors import scope_for
from members.models import Member
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_branch_secretary_sees_only_own_branch(alice, branch_a1, branch_a2, branch_b1):
    scope = scope_for(alice)
    assert set(scope.organizations()) == {branch_a1}
    assert scope.can_write(branch_a1)
    assert not scope.covers(branch_a2)


def test_township_secretary_sees_township_subtree(bob, township_a, branch_a1, branch_a2, branch_b1):
    assert set(scope_for(bob).organizations()) == {township_a, branch_a1, branch_a2}


def test_county_office_sees_everything(dora, branch_a1, branch_b1):
    assert set(scope_for(dora).organizations()) == set(Organization.objects.all())


def test_outsider_gets_404_for_another_branchs_member(charlie, member_a1):
    with pytest.raises(Http404):
        scope_for(charlie).get_object_or_404(Member.objects.all(), pk=member_a1.pk)


def test_scope_filters_members_set_based(bob, branch_a1, branch_b1, django_assert_num_queries):
    MemberFactory.create_batch(3, organization=branch_a1)
    MemberFactory.create_batch(2, organization=branch_b1)
    scope = scope_for(bob)  # two queries: roles and officer assignments
    with django_assert_num_queries(1):
        assert scope.filter(Member.objects.all()).count() == 3


def test_a_dated_scope_does_not_replace_todays(branch_a1, branch_b1):
    today = timezone.localdate()
    officer = UserFactory()
    OfficerAssignment.objects.create(
        officer=officer,
        organization=branch_b1,
        kind=OfficerAssignment.Kind.choices[0][0],
        starts_on=today - dt.timedelta(days=400),
        ends_on=today - dt.timedelta(days=30),
    )
    past = today - dt.timedelta(days=60)
    assert scope_for(officer, on=past).covers(branch_b1)
    assert not scope_for(officer).covers(branch_b1)  # today's, not the cached scope of `past`
    assert scope_for(officer, on=past).covers(branch_b1)  # a dated scope is never served from the cache
