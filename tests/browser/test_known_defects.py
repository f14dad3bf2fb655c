"""Issue-15 defects seen in the browser that are not a finding of the page walk: our own 404 page, one password
reset link, a favicon, and the compliance strip's colours (each was a strict xfail until it was fixed)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_page_walk import walk_county  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_a_missing_page_is_ours_and_in_chinese(desktop, alice):
    desktop.sign_in("alice@example.com")
    desktop.expect_missing("/orgs/999999/")
    assert "Not Found" not in desktop.page.content()
    expect(desktop.page.locator("nav.navbar")).to_be_visible(timeout=1000)


def test_sign_in_page_offers_password_reset_once(phone):
    phone.goto("/accounts/login/")
    expect(phone.page.get_by_role("link", name="忘记密码")).to_have_count(1, timeout=1000)


def test_there_is_a_favicon(desktop):
    desktop.goto("/accounts/login/")
    icon = desktop.page.locator("link[rel~='icon']")
    expect(icon).to_have_count(1, timeout=1000)


@pytest.mark.parametrize("page", ["compliance", "organization"])
def test_compliance_strip_turns_green(desktop, walk_county, page):  # noqa: F811
    desktop.sign_in(walk_county.users["branch"].email)
    pk = walk_county.branch.pk
    desktop.goto(f"/education/compliance/{pk}/" if page == "compliance" else f"/orgs/{pk}/")
    ok = desktop.page.locator(".compliance-strip td.strip-ok").first
    assert ok.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(209, 231, 221)"
