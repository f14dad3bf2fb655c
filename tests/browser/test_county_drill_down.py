"""The county office goes from its home page (the dashboard) to the county's organization page, drills down
to a branch and exports the branch's roster as XLSX. The dashboard's own drill-down: test_county_dashboard.py.
"""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import MemberFactory

pytestmark = pytest.mark.browser


def test_county_office_drills_down_to_a_branch_and_exports_xlsx(
    desktop, dora, branch_a1, branch_a2, branch_b1
):
    for name in ["李一", "李二"]:
        MemberFactory(organization=branch_a1, name=name)
    MemberFactory(organization=branch_a2, name="赵一")
    MemberFactory(organization=branch_b1, name="钱一")
    page = desktop.page

    desktop.sign_in("dora@example.com")
    main = page.locator("main")
    main.get_by_role("link", name="党组织页面").click()
    expect(page.get_by_role("heading", name="示范县委")).to_be_visible()
    main.locator(".list-group-item", has_text="甲镇").click()
    expect(page.get_by_role("heading", name="甲镇")).to_be_visible()
    main.locator(".list-group-item", has_text="甲一村党支部").click()
    expect(page.get_by_role("heading", name="甲一村党支部")).to_be_visible()

    # The member count leads to the branch's roster.
    main.locator(f"a[href*='organization={branch_a1.pk}']").first.click()
    expect(main.get_by_text("李一", exact=True)).to_be_visible()
    expect(main.get_by_text("钱一", exact=True)).to_have_count(0)
    with page.expect_download() as download:
        main.get_by_role("link", name="XLSX").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert "姓名" in header
    name_col = header.index("姓名")
    names = {row[name_col] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"李一", "李二"}
    assert download.value.suggested_filename.endswith(".xlsx")
