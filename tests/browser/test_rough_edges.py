"""Issue 15, the rough edges a new user meets, each seen in the browser: the branch secretary's open items and
its 记录会议 button, the 42-person attendance list on a phone (party-group headings, a name filter), the
accountability tabs and rankings on a phone, the top bar's contrast, drop-downs without "---------", and a
confirmation before a duty report is submitted."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accountability import services as accountability
from accountability.models import DutyReport
from branches.models import PartyGroup
from education import services as education
from education.models import MeetingKind
from tests.browser.test_page_walk import walk_county  # noqa: F401 (the fixture)
from tests.factories import MemberFactory

pytestmark = pytest.mark.browser


def test_branch_home_lists_what_is_open_and_records_a_meeting(phone, alice, branch_a1):
    MemberFactory.create_batch(3, organization=branch_a1)
    phone.sign_in("alice@example.com")
    phone.goto("/home/")
    home = phone.page.locator("section.branch-home")
    expect(home).to_contain_text("本期尚未召开的会议")
    expect(home).to_contain_text("主题党日")
    home.get_by_role("link", name="记录会议").tap()
    phone.page.wait_for_url(re.compile(rf"/education/meetings/new/\?org={branch_a1.pk}$"))
    expect(phone.page.get_by_label("主题", exact=True)).to_be_visible()


def _long_branch(branch):
    groups = [PartyGroup.objects.create(organization=branch, name=n) for n in ("第一党小组", "第二党小组")]
    for i in range(42):
        MemberFactory(organization=branch, name=f"党员{i:02d}", party_group=groups[i % 2] if i < 40 else None)
    return groups


def test_a_42_person_attendance_list_on_a_phone(phone, alice, branch_a1):
    _long_branch(branch_a1)
    meeting = education.meeting_create(
        organization=branch_a1,
        kinds=MeetingKind.objects.filter(code="general_meeting"),
        date=timezone.localdate(),
        topic="学习党章",
        by=alice,
    )
    phone.sign_in("alice@example.com")
    phone.goto(f"/education/meetings/{meeting.pk}/attendance/")
    page = phone.page
    headings = page.locator(".attendance-sheet .att-group")
    expect(headings).to_have_text(["未编入党小组", "第一党小组", "第二党小组"])
    rows = page.locator(".attendance-sheet li[data-name]")
    expect(rows).to_have_count(42)
    page.get_by_label("查找姓名").fill("党员0")
    expect(page.locator(".attendance-sheet li[data-name]:visible")).to_have_count(10)
    expect(page.locator(".attendance-sheet .att-group:visible")).to_have_text(["第一党小组", "第二党小组"])
    page.get_by_label("查找姓名").fill("无此人")
    expect(page.get_by_text("应到人员中没有这个名字。")).to_be_visible()
    page.get_by_label("查找姓名").fill("党员41")
    expect(page.locator(".attendance-sheet li[data-name]:visible")).to_have_count(1)
    expect(page.locator(".attendance-sheet .att-group:visible")).to_have_text(["未编入党小组"])
    # a tap still marks the one found
    row = page.locator(".attendance-sheet li", has_text="党员41")
    row.get_by_role("button").first.tap()
    expect(row.locator(".badge")).to_have_text("缺席")
    assert phone.horizontal_overflow() <= 0


def test_accountability_tabs_and_rankings_fit_a_phone(phone, walk_county):  # noqa: F811
    phone.sign_in(walk_county.users["township"].email)
    year = timezone.localdate().year
    phone.goto(f"/accountability/rankings/?year={year}")
    width = phone.page.viewport_size["width"]
    tabs = phone.page.locator(".accountability-tabs .nav-link")
    assert tabs.count() == 6
    for i in range(tabs.count()):
        box = tabs.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (tabs.nth(i).inner_text(), box)
    table = phone.page.locator(".table-responsive:has(table.rankings)")
    assert table.evaluate("e => e.scrollWidth - e.clientWidth") <= 0  # every column in view, no hidden ones
    expect(phone.page.locator("table.rankings tbody")).to_contain_text("甲一村党支部")
    assert phone.horizontal_overflow() <= 0


def _luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_top_bar_links_have_enough_contrast(desktop, alice):
    desktop.sign_in("alice@example.com")
    link = desktop.page.locator("#mainnav .nav-link").first
    color = link.evaluate("e => getComputedStyle(e).color")
    r, g, b, *alpha = (float(x) for x in re.findall(r"[\d.]+", color))
    a = alpha[0] if alpha else 1.0
    red = (0xB7, 0x1C, 0x1C)
    shown = tuple(a * c + (1 - a) * bg for c, bg in zip((r, g, b), red, strict=True))
    ratio = (_luminance(shown) + 0.05) / (_luminance(red) + 0.05)
    assert ratio >= 4.5, (color, ratio)


def test_drop_downs_say_what_to_choose(desktop, alice, branch_a1):
    member = MemberFactory(organization=branch_a1, name="王一")
    desktop.sign_in("alice@example.com")
    for path in (f"/care/member/{member.pk}/grant/", f"/education/meetings/new/?org={branch_a1.pk}"):
        desktop.goto(path)
        options = desktop.page.locator("main select option").all_inner_texts()
        assert options, path
        assert not [o for o in options if "---" in o], (path, options)
    desktop.goto(f"/care/member/{member.pk}/grant/")
    expect(desktop.page.locator("select[name=rule] option").first).to_have_text("请选择…")


def test_a_duty_report_is_submitted_only_after_confirming(desktop, alice, branch_a1):
    report = accountability.duty_report_save(
        organization=branch_a1, year=timezone.localdate().year, by=alice, title="述职报告", text="履职情况"
    )
    desktop.sign_in("alice@example.com")
    desktop.goto(f"/accountability/duty-reports/{report.pk}/")
    desktop.page.get_by_role("link", name="提交…").click()
    expect(desktop.page.get_by_role("alert")).to_contain_text("报告提交后不能修改或撤回")
    assert not DutyReport.objects.get(pk=report.pk).is_submitted
    desktop.page.get_by_role("link", name="返回报告").click()
    desktop.page.wait_for_url(re.compile(rf"/accountability/duty-reports/{report.pk}/$"))
    desktop.page.get_by_role("link", name="提交…").click()
    desktop.page.get_by_role("button", name="确认提交").click()
    desktop.page.wait_for_url(re.compile(rf"/accountability/duty-reports/{report.pk}/$"))
    assert DutyReport.objects.get(pk=report.pk).is_submitted
    expect(desktop.page.get_by_role("link", name="提交…")).to_have_count(0)
