"""A branch secretary records a 三会一课 meeting with two absences on a phone and sees compliance turn green."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import MemberFactory

pytestmark = pytest.mark.browser


def test_branch_secretary_records_a_general_meeting_on_a_phone(phone, alice, branch_a1):
    for name in ["王一", "王二", "王三", "王四", "王五"]:
        MemberFactory(organization=branch_a1, name=name)
    page = phone.page

    phone.sign_in("alice@example.com")
    # Before: this quarter's general meeting is still owed.
    phone.goto(f"/education/compliance/{branch_a1.pk}/")
    general = page.locator(".compliance-strip tr", has_text="支部党员大会")
    expect(general.locator("td.strip-ok")).to_have_count(0)

    phone.nav("三会一课")
    page.get_by_role("link", name="记录会议").click()
    page.get_by_text("支部党员大会", exact=True).click()  # a toggle button: the checkbox behind it is hidden
    page.get_by_label("主题", exact=True).fill("学习党章")
    page.get_by_label("会议记录", exact=True).fill("传达学习了党章，讨论了本季度工作。")
    page.get_by_role("button", name="保存").click()

    # Attendance: everyone present unless tapped; one tap is absent.
    expect(page.get_by_role("heading", name=re.compile("出勤"))).to_be_visible()
    for name in ["王二", "王四"]:
        row = page.locator(".attendance-sheet li", has_text=name)
        row.get_by_role("button").first.tap()
        expect(row.locator(".badge")).to_have_text("缺席")
    # Not held yet: the sheet shows who is expected and the exceptions marked, nobody as present (issue 9).
    expect(page.locator("main")).to_contain_text("应到 5 人（尚未召开）：已标记请假 0 人，缺席 2 人")
    page.get_by_role("button", name=re.compile("确认：会议已召开")).tap()
    page.wait_for_url(re.compile(r"/education/meetings/\d+/$"))

    phone.goto(f"/education/compliance/{branch_a1.pk}/")
    expect(general.locator("td.strip-ok")).to_have_count(1)
    assert phone.horizontal_overflow() <= 0
