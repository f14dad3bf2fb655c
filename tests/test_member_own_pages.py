"""A member (role `member`) reads their own record on every app's member page, and nobody else's."""

import pytest
from django.urls import reverse

from branches.models import RoleAssignment
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_role

pytestmark = pytest.mark.django_db

PAGES = ["members:detail", "education:member_record", "care:member", "dues:member"]


@pytest.fixture
def member_user(branch_a1):
    user = UserFactory(email="member@example.com")
    make_role(user, branch_a1, RoleAssignment.Role.MEMBER)
    MemberFactory(organization=branch_a1, user=user, name="自己")
    return user


@pytest.mark.parametrize("page", PAGES)
def test_member_sees_own_record(client, member_user, page):
    login(client, member_user)
    assert client.get(reverse(page, args=[member_user.member.pk])).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_member_gets_404_for_a_fellow_member(client, member_user, member_a1, page):
    login(client, member_user)
    assert client.get(reverse(page, args=[member_a1.pk])).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_outsider_secretary_gets_404(client, charlie, member_a1, page):
    login(client, charlie)
    assert client.get(reverse(page, args=[member_a1.pk])).status_code == 404
