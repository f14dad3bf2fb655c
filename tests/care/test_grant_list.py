"""The grants list (/care/org/<id>/grants/): the 金额 column holds money only, an in-kind benefit says what is
handed over under its name; checkboxes only where their action (approve) is offered."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from care import services
from care.models import BenefitRule, Grant
from members.models import Member
from tests.care.factories import make_member
from tests.conftest import login

TODAY = timezone.localdate()


@pytest.fixture
def grants(branch_a1, alice, dora):
    poor = make_member(branch_a1, born=dt.date(1960, 1, 1), hardship=True, name="困难甲")
    old = make_member(branch_a1, born=dt.date(1940, 1, 1), name="老党员")
    money = services.grant_create(
        member=poor, rule=BenefitRule.objects.get(code="subsidy_poor"), granted_on=TODAY, by=alice
    )
    taxi = BenefitRule.objects.get(code="taxi_free")
    kind = services.grant_create(member=old, rule=taxi, granted_on=TODAY, by=dora, override_reason="测试")
    return money, kind


def _cells(html: str, grant) -> str:
    return html.split(f'href="/care/member/{grant.member_id}/"', 1)[1].split("</tr>", 1)[0]


def test_amount_column_holds_no_in_kind_text(client, township_a, bob, grants, django_assert_max_num_queries):
    money, kind = grants
    assert kind.amount is None and kind.in_kind
    login(client, bob)
    with django_assert_max_num_queries(20):
        r = client.get(reverse("care:grants", args=[township_a.pk]))
    html = r.content.decode()
    cells = _cells(html, kind).split("<td")
    benefit, amount = cells[1], cells[3]
    assert kind.in_kind in benefit
    assert kind.in_kind not in amount and "实物" in amount
    assert "500" in _cells(html, money).split("<td")[3]


def test_all_tab_has_no_checkboxes_the_planned_tab_has(client, township_a, bob, grants):
    login(client, bob)
    everything = client.get(reverse("care:grants", args=[township_a.pk])).content.decode()
    assert 'type="checkbox"' not in everything and '<form method="post">' not in everything
    planned = client.get(reverse("care:grants", args=[township_a.pk]) + "?status=planned").content.decode()
    assert planned.count('type="checkbox"') == 2
    assert "审批选中的发放" in planned


def test_outsider_gets_404(client, charlie, branch_a1, grants):
    login(client, charlie)
    assert client.get(reverse("care:grants", args=[branch_a1.pk])).status_code == 404


def test_pages_follow_status_organization_and_name(client, township_a, branch_a1, branch_a2, bob, settings):
    """The list sorts only the ids (grant_ids_for) and loads each page by id: page after page, the grants come
    by status, then organization, then member name, whatever order they were created in."""
    settings.PAGE_SIZE = 3
    rule = BenefitRule.objects.get(code="subsidy_poor")
    for org, names in ((branch_a2, ["乙", "甲"]), (branch_a1, ["丁", "丙", "甲"])):
        for name in names:
            member = make_member(org, born=dt.date(1960, 1, 1), hardship=True, name=name)
            services.grant_create(member=member, rule=rule, granted_on=TODAY, by=bob)
    first = Grant.objects.filter(member__organization=branch_a2).order_by("pk").first()
    services.grants_approve(grants=[first], by=bob)
    expected = [
        (g.status, g.organization.path, g.member.name, g.pk)
        for g in Grant.objects.select_related("organization", "member")
    ]
    expected.sort()
    login(client, bob)
    url = reverse("care:grants", args=[township_a.pk])
    shown = []
    for number in (1, 2):
        page = client.get(url, {"page": number}).context["page"]
        assert page.paginator.count == 5
        shown += [(g.status, g.organization.path, g.member.name, g.pk) for g in page]
    assert shown == expected
    assert shown[0][0] == "approved"


def test_the_kept_order_follows_a_renamed_member_and_a_new_grant(
    client, township_a, branch_a1, bob, settings
):
    """The ordered ids are kept exactly (grant_ids_ordered): a member renamed or a grant added shows at once."""
    rule = BenefitRule.objects.get(code="subsidy_poor")
    for name in ("乙", "丙"):
        member = make_member(branch_a1, born=dt.date(1960, 1, 1), hardship=True, name=name)
        services.grant_create(member=member, rule=rule, granted_on=TODAY, by=bob)
    login(client, bob)
    url = reverse("care:grants", args=[township_a.pk])

    def names():
        return [g.member.name for g in client.get(url).context["page"]]

    before = names()
    assert before == sorted(before) and len(before) == 2
    Member.objects.filter(name=before[0]).update(name="甲甲")  # a committed write moves the table's version
    assert names() == sorted([*before[1:], "甲甲"])
    extra = make_member(branch_a1, born=dt.date(1960, 1, 1), hardship=True, name="丁")
    services.grant_create(member=extra, rule=rule, granted_on=TODAY, by=bob)
    assert len(names()) == 3
