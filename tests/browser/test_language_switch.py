"""Switching to English and back, from the top bar, on a page that stays the same page."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_switch_to_english_and_back(new_browse, alice, branch_a1, viewport):
    browse = new_browse(viewport)
    page = browse.page
    browse.sign_in("alice@example.com")
    browse.nav("三会一课")
    path = browse.path
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    browse.open_menu()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert browse.path == path
    browse.open_menu()
    members_link = page.locator('#mainnav a.nav-link[href="/members/"]')  # not 发展党员 (/recruitment/)
    expect(members_link).to_be_visible()
    expect(members_link).to_have_text("Members")

    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert browse.path == path
    browse.open_menu()
    expect(members_link).to_be_visible()
    expect(members_link).to_have_text("党员")
