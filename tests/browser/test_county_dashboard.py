"""The county dashboard in a real browser (issue 10, "Done when"): the county office signs in, sees charts
and its townships, clicks the worst township, then a red heat-map cell, and lands on the branch's missing
meetings; on a phone the page fits the screen."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.education.conftest import full_members, held

pytestmark = pytest.mark.browser


@pytest.fixture
def last_year():
    return timezone.localdate().year - 1


@pytest.fixture
def meetings(branch_a1, branch_a2, branch_b1, last_year):
    """branch_a1 and branch_b1 hold the quarters' general meetings and lectures, branch_a2 nothing."""
    for org in (branch_a1, branch_a2, branch_b1):
        full_members(org, 3)
    for org in (branch_a1, branch_b1):
        for q in range(4):
            held(org, dt.date(last_year, 3 * q + 1, 10), "general_meeting", "party_lecture")


def test_county_office_clicks_to_a_branchs_missing_meetings(desktop, dora, meetings, last_year):
    page = desktop.page
    desktop.sign_in("dora@example.com", next_path=f"/home/?year={last_year}")
    main = page.locator("main")
    for chart in ("chart-compliance", "chart-heat", "chart-members", "chart-sectors"):
        expect(main.locator(f"[data-chart={chart}] canvas").first).to_be_visible()
    league = main.locator("#league tbody tr")
    expect(league).to_have_count(2)
    expect(league.first).to_contain_text("甲镇")  # the worst township first
    expect(main).to_contain_text("乙镇")

    league.first.get_by_role("link", name="甲镇").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="甲镇")).to_be_visible()
    expect(main.locator("#heat tbody tr").first).to_contain_text("甲二村党支部")

    march = (
        main.locator("#heat tbody tr").first.locator("td").nth(2)
    )  # the month's and the quarter's meetings
    expect(march).to_have_class("table-danger")
    march.get_by_role("link").click()
    page.wait_for_load_state("load")
    assert "/education/compliance/" in desktop.path and "month=" in desktop.path
    expect(page.get_by_role("heading", name="甲二村党支部")).to_be_visible()
    expect(main.locator("tr.table-danger").first).to_be_visible()
    expect(main).to_contain_text("支部党员大会")


def test_the_dashboard_fits_a_phone(phone, dora, meetings, last_year):
    phone.sign_in("dora@example.com", next_path=f"/home/?year={last_year}")
    main = phone.page.locator("main")
    expect(main.locator("[data-chart=chart-heat] canvas").first).to_be_visible()
    expect(main.locator("#league")).to_contain_text("甲镇")
    assert phone.horizontal_overflow() <= 0
    box = main.locator("[data-chart=chart-compliance]").bounding_box()
    assert box and box["width"] <= 390
