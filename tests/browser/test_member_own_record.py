"""A plain member signs in and sees only their own record."""

import re

import pytest
from playwright.sync_api import expect

from branches.models import RoleAssignment
from tests.factories import MemberFactory, UserFactory, make_role

pytestmark = pytest.mark.browser


@pytest.fixture
def member_user(branch_a1):
    user = UserFactory(email="member@example.com", name="孙自己")
    make_role(user, branch_a1, RoleAssignment.Role.MEMBER)
    MemberFactory(organization=branch_a1, user=user, name="孙自己")
    return user


def test_member_sees_only_their_own_record(phone, member_user, member_a1, branch_a1):
    page = phone.page
    phone.sign_in("member@example.com")
    main = page.locator("main")
    main.get_by_role("link", name="我的档案").tap()
    expect(page.get_by_role("heading", name=re.compile("孙自己"))).to_be_visible()
    expect(main).not_to_contain_text("张三")

    # The navigation offers nothing about other people.
    phone.open_menu()
    nav = page.locator("#mainnav")
    expect(nav.get_by_role("link", name="党员", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="导入")).to_have_count(0)

    # A fellow member's page is missing, not forbidden.
    phone.expect_missing(f"/members/{member_a1.pk}/")
    phone.goto("/members/")
    expect(main).not_to_contain_text("张三")
    assert phone.horizontal_overflow() <= 0
