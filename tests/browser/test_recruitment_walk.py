"""A branch secretary walks one person through every stage of 发展党员 in the browser: the application, the
talk, activist with two cultivating contacts, a check, development target after a year, introducers,
political review, training, public notice, pre-review, admission (the person joins the roster on
probation), approval above, the oath, and 转正 a year after admission. One early step is refused with the
rule's text on the way."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from members.models import Member
from recruitment.models import Candidate, Step
from tests.recruitment.helpers import APPLIED, full_members, idn

pytestmark = pytest.mark.browser
Kind = Step.Kind

# Each step's button (its label in Chinese) and the dates that keep every rule.
TALK = APPLIED + dt.timedelta(days=14)
ACTIVIST = TALK + dt.timedelta(days=30)
CHECK = ACTIVIST + dt.timedelta(days=150)
TARGET = ACTIVIST.replace(year=ACTIVIST.year + 1)
NOTICE = dt.date(2024, 4, 1)  # a Monday, after the introducers, review and training
ADMISSION = dt.date(2024, 4, 20)
APPROVAL = dt.date(2024, 5, 20)
OATH = dt.date(2024, 5, 25)
FULL = dt.date(2025, 4, 20)


def _open_step(page, label: str, kind: str):
    page.locator("#actions").get_by_role("link", name=label, exact=True).click()
    form = page.locator(f"#step-form-{kind}")
    expect(form).to_be_visible()
    return form


def _record(page, label: str, kind: str, on: dt.date, *, stage: str, fill=None):
    form = _open_step(page, label, kind)
    form.get_by_label(re.compile("^公示开始日期" if kind == "notice" else "^日期")).fill(on.isoformat())
    if fill:
        fill(form)
    form.get_by_role("button", name="记录").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("alert").first).to_contain_text("已记录")
    expect(page.locator("#stage")).to_have_text(stage)


def test_secretary_walks_one_person_through_every_stage(desktop, branch_a1, alice):
    contacts = full_members(branch_a1)
    names = [f"{m.name} · {branch_a1.name}" for m in contacts]
    page = desktop.page
    desktop.sign_in("alice@example.com")
    desktop.nav("发展党员")
    page.get_by_role("link", name="登记入党申请").click()
    page.get_by_label("姓名").fill("李明")
    page.get_by_label("公民身份号码").fill(idn(1))
    page.get_by_label("收到入党申请书日期").fill(APPLIED.isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    expect(page.locator("#stage")).to_have_text("入党申请人")
    expect(page.locator("#next-step")).to_contain_text("派人谈话")

    _record(
        page,
        "派人谈话",
        "talk",
        TALK,
        stage="入党申请人",
        fill=lambda f: f.get_by_label("谈话人").fill("王书记"),
    )
    _record(
        page,
        "确定为入党积极分子",
        "activist",
        ACTIVIST,
        stage="入党积极分子",
        fill=lambda f: f.get_by_label("培养联系人").select_option(label=names),
    )
    _record(page, "培养考察", "check", CHECK, stage="入党积极分子")

    # A day short of one calendar year: refused with the rule's text, nothing recorded.
    form = _open_step(page, "确定为发展对象", "target")
    form.get_by_label(re.compile("^日期")).fill((TARGET - dt.timedelta(days=1)).isoformat())
    form.get_by_role("button", name="记录").click()
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_contain_text("一年以上培养教育和考察")
    expect(page.locator("main")).to_contain_text(TARGET.isoformat())
    page.get_by_label(re.compile("^日期")).fill(TARGET.isoformat())
    page.get_by_role("button", name="记录").click()
    page.wait_for_load_state("load")
    expect(page.locator("#stage")).to_have_text("发展对象")

    _record(
        page,
        "入党介绍人",
        "introducers",
        TARGET + dt.timedelta(days=3),
        stage="发展对象",
        fill=lambda f: f.get_by_label("入党介绍人").select_option(label=names),
    )
    _record(page, "政治审查", "political_review", TARGET + dt.timedelta(days=10), stage="发展对象")
    _record(
        page,
        "集中培训",
        "training",
        TARGET + dt.timedelta(days=20),
        stage="发展对象",
        fill=lambda f: f.get_by_label("培训学时").fill("24"),
    )
    _record(
        page,
        "公示",
        "notice",
        NOTICE,
        stage="发展对象",
        fill=lambda f: f.get_by_label("公示截止日期").fill((NOTICE + dt.timedelta(days=4)).isoformat()),
    )
    _record(page, "上级党委预审", "pre_review", NOTICE + dt.timedelta(days=7), stage="发展对象")
    _record(page, "支部大会讨论接收", "admission", ADMISSION, stage="预备党员")
    member = Member.objects.get(id_number=idn(1))
    assert member.admitted_on == ADMISSION and member.full_member_on is None
    _record(page, "上级党委审批", "approval", APPROVAL, stage="预备党员")
    _record(page, "入党宣誓", "oath", OATH, stage="预备党员")
    expect(page.locator("#next-step")).to_contain_text("转正")

    page.locator("#actions").get_by_role("link", name="转正", exact=True).click()
    page.get_by_label("转正日期").fill(FULL.isoformat())
    page.get_by_label("讨论决定的支部党员大会").fill("2025年4月支部党员大会")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    expect(page.locator("#stage")).to_have_text("正式党员")
    member.refresh_from_db()
    assert member.full_member_on == FULL
    assert Candidate.objects.get().steps.count() == 13

    desktop.nav("发展党员")
    expect(page.locator('[data-stage="full"]')).to_have_text("1")
