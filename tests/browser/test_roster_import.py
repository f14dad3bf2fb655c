"""A branch secretary imports a roster XLSX with one bad row, reads the row-numbered error, fixes the file and
finds the members."""

import re

import pytest
from playwright.sync_api import expect

from tests.members.test_import_members import HEADER, row
from tests.spreadsheets.files import xlsx_bytes

pytestmark = pytest.mark.browser


def test_branch_secretary_imports_a_roster_fixes_a_bad_row_and_finds_the_members(desktop, alice, tmp_path):
    page = desktop.page
    bad = tmp_path / "名册.xlsx"
    # Row 3 of the sheet (the second member): the birth date contradicts the ID number.
    bad.write_bytes(xlsx_bytes([HEADER, row(1), row(2, birth_date="1970-01-01"), row(3)]))
    good = tmp_path / "名册-改.xlsx"
    good.write_bytes(xlsx_bytes([HEADER, row(1), row(2), row(3)]))

    desktop.sign_in("alice@example.com")
    desktop.nav("导入")
    page.locator(".card", has_text=re.compile("党员")).first.get_by_role("link", name="上传").click()
    page.get_by_label("表格文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()

    errors = page.locator("#import-errors li")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text(re.compile(r"^第 3 行："))
    expect(errors.first).to_contain_text("1970-01-01")
    expect(page.get_by_role("button", name=re.compile("导入"))).to_have_count(0)  # nothing to confirm

    page.get_by_role("link", name="上传修改后的文件").click()
    page.get_by_label("表格文件").set_input_files(str(good))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#import-errors")).to_have_count(0)
    page.get_by_role("button", name=re.compile(r"导入\s*3")).click()
    page.wait_for_load_state("load")

    desktop.nav("党员")
    for name in ["党员1", "党员2", "党员3"]:
        expect(page.locator("main").get_by_text(name, exact=True).first).to_be_visible()
