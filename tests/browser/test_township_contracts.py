"""A township secretary signs the county's responsibility contract and scores a village's contract."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accountability import services
from accountability.models import Contract

pytestmark = pytest.mark.browser


@pytest.fixture
def contracts(county, township_a, branch_a1, alice, bob, dora):
    """This year's library; the county issued township_a's contract; township_a's village has signed its own."""
    today = timezone.localdate()
    year = today.year
    group = services.indicator_group_create(year=year, name="组织建设", position=1)
    services.indicator_save(
        group=group, name="三会一课", check_standard="每季度支部党员大会不少于1次", weight=Decimal("60")
    )
    services.indicator_save(group=group, name="党费收缴", check_standard="按月足额收缴", weight=Decimal("40"))
    township = services.contract_create(parent=county, organization=township_a, year=year, by=dora)
    services.contract_issue(contract=township, by=dora, on=today)
    village = services.contract_create(parent=township_a, organization=branch_a1, year=year, by=bob)
    services.contract_issue(contract=village, by=bob, on=today)
    services.contract_sign(contract=village, by=alice, on=today)
    return township, village


def test_township_secretary_signs_and_scores_a_village(desktop, contracts):
    township, village = contracts
    page = desktop.page
    desktop.sign_in("bob@example.com")
    desktop.nav("目标责任")

    rows = page.locator("main table tbody tr")
    rows.filter(has_text="甲镇").first.get_by_role("link", name="甲镇").click()
    page.get_by_role("button", name="签订").click()
    expect(page.get_by_role("alert")).to_contain_text("责任书已签订")

    desktop.nav("目标责任")
    rows.filter(has_text="甲一村党支部").get_by_role("link", name="甲一村党支部").click()
    page.get_by_role("link", name="考核评议").click()
    scores = page.get_by_label("得分")
    expect(scores).to_have_count(2)
    scores.nth(0).fill("55")
    page.get_by_label(re.compile("原因|理由")).first.fill("第二季度党员大会未按期召开")
    scores.nth(1).fill("40")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")

    expect(page.locator("main")).to_contain_text("95")
    township.refresh_from_db()
    village.refresh_from_db()
    assert township.status == Contract.Status.SIGNED
    assert village.status == Contract.Status.EVALUATED and village.score == Decimal("95")
