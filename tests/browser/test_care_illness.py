"""A branch secretary records a member's illness and finds the illness visit planned."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_secretary_records_an_illness_and_finds_the_visit_planned(phone, alice, member_a1, branch_a1):
    page = phone.page
    phone.sign_in("alice@example.com")
    phone.nav("党员")
    page.locator("main").get_by_role("link", name="张三").first.click()
    page.get_by_role("link", name=re.compile("关怀页面")).click()
    page.get_by_role("link", name=re.compile("登记患病")).tap()

    page.get_by_label("病情").fill("脑梗，住院治疗")
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"已登记患病，已安排.+前患病探望"))
    visit = page.locator("main .list-group-item", has_text="患病探望")
    expect(visit).to_contain_text("计划中")

    # The branch's visit list shows it too.
    phone.nav("党内关怀")
    page.locator("main").get_by_role("link", name="走访").first.tap()
    row = page.locator("main table tbody tr", has_text="张三")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("患病探望")
    expect(row).to_contain_text("计划中")
    assert phone.horizontal_overflow() <= 0
