"""党内统计 in the browser: the county office opens it from the navigation, sees the charts drawn beside their
tables, drills down to a township and downloads the figures as XLSX; on a phone the page fits the screen."""

import io
import os

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import MemberFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def roster(branch_a1, branch_a2, branch_b1):
    MemberFactory(organization=branch_a1, education_level="undergraduate", occupation="farmer")
    MemberFactory(organization=branch_a1, gender="female", probationary=True, occupation="worker")
    MemberFactory(organization=branch_a2, ethnicity="回族", education_level="secondary")
    MemberFactory(organization=branch_b1, occupation="retired")


def _shot(browse, name: str) -> None:
    if os.environ.get("STATISTICS_SCREENSHOTS"):
        browse.page.screenshot(path=f"var/{name}.png", full_page=True)


def test_county_office_reads_the_statistics_and_downloads_them(desktop, dora, roster):
    page = desktop.page
    desktop.sign_in("dora@example.com")
    desktop.nav("党内统计")
    main = page.locator("main")
    expect(page.get_by_role("heading", name="党内统计 · 示范县委")).to_be_visible()
    expect(main.locator("#stat-total")).to_have_text("4")
    # Every chart is drawn (ECharts puts a canvas in it), and its table is there too.
    charts = main.locator("[data-chart]")
    expect(charts).to_have_count(8)
    for i in range(8):
        expect(charts.nth(i).locator("canvas")).to_have_count(1)
    expect(main.get_by_role("cell", name="农牧渔民")).to_be_visible()
    expect(main.get_by_role("cell", name="少数民族")).to_be_visible()
    _shot(desktop, "statistics-desktop")

    main.locator(".list-group-item", has_text="甲镇").click()
    expect(page.get_by_role("heading", name="党内统计 · 甲镇")).to_be_visible()
    expect(main.locator("#stat-total")).to_have_text("3")
    with page.expect_download() as download:
        main.get_by_role("link", name="XLSX").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("org_code", "measure", "category", "count")
    assert ("T-A", "total", "all", 3) in rows
    # Back up through the breadcrumbs.
    page.locator(".breadcrumb").get_by_role("link", name="示范县委").click()
    expect(main.locator("#stat-total")).to_have_text("4")


def test_township_secretary_on_a_phone(phone, bob, roster):
    page = phone.page
    phone.sign_in("bob@example.com")
    phone.nav("党内统计")
    expect(page.get_by_role("heading", name="党内统计 · 甲镇")).to_be_visible()
    expect(page.locator("main [data-chart] canvas").first).to_be_visible()
    assert phone.horizontal_overflow() <= 0
    _shot(phone, "statistics-phone")
