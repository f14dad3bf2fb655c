"""Every page: outsiders get 404, lists have bounded query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accountability import services
from accountability.models import Contract
from tests.accountability.conftest import TODAY, YEAR, evaluated, many_branches
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract_a1(bob, alice, township_a, branch_a1, library):
    return evaluated(township_a, branch_a1, by_parent=bob, by_child=alice, minus=Decimal("3"))


@pytest.fixture
def report_a1(alice, branch_a1):
    report = services.duty_report_save(
        organization=branch_a1, year=YEAR, by=alice, title="述职报告", text="一年来……"
    )
    services.duty_report_attach(
        report=report,
        by=alice,
        upload=SimpleUploadedFile("report.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    return report


def _object_urls(contract, report):
    att = report.attachments.first()
    return [
        reverse("accountability:contract_detail", args=[contract.pk]),
        reverse("accountability:contract_lines", args=[contract.pk]),
        reverse("accountability:contract_self_evaluation", args=[contract.pk]),
        reverse("accountability:contract_evaluation", args=[contract.pk]),
        reverse("accountability:duty_report_detail", args=[report.pk]),
        reverse("accountability:duty_report_edit", args=[report.pk]),
        reverse("accountability:duty_attachment_download", args=[att.pk]),
    ]


def test_outsider_gets_404_on_every_object_page(client, charlie, contract_a1, report_a1):
    login(client, charlie)
    for url in _object_urls(contract_a1, report_a1):
        assert client.get(url).status_code == 404, url
    for name in ("contract_issue", "contract_sign"):
        assert client.post(reverse(f"accountability:{name}", args=[contract_a1.pk])).status_code == 404
    for name in ("duty_report_submit", "duty_attachment_upload"):
        assert client.post(reverse(f"accountability:{name}", args=[report_a1.pk])).status_code == 404
    att = report_a1.attachments.first()
    assert client.post(reverse("accountability:duty_attachment_delete", args=[att.pk])).status_code == 404
    # a filtered list never shows another township's rows; a parent outside the scope is 404
    response = client.get(reverse("accountability:rankings"), {"year": YEAR, "parent": contract_a1.parent_id})
    assert response.status_code == 404
    assert list(client.get(reverse("accountability:contracts"), {"year": YEAR}).context["page"]) == []
    assert (
        client.get(reverse("accountability:signing"), {"year": YEAR}).status_code == 404
    )  # no issuer in scope
    assert client.get(reverse("accountability:contracts_issue_all")).status_code == 404
    assert client.post(reverse("accountability:library_copy", args=[YEAR + 1])).status_code == 404
    assert client.get(reverse("accountability:indicator_new", args=[YEAR])).status_code == 404


def test_user_without_role_gets_404_everywhere(client, contract_a1, report_a1):
    from tests.factories import UserFactory

    login(client, UserFactory())
    pages = [
        reverse("accountability:contracts"),
        reverse("accountability:rankings"),
        reverse("accountability:duty_reports"),
        reverse("accountability:library", args=[YEAR]),
        reverse("accountability:deadlines", args=[YEAR]),
        reverse("accountability:performance_export", args=["csv"]),
    ]
    for url in pages + _object_urls(contract_a1, report_a1):
        assert client.get(url).status_code == 404, url


def test_secretary_sees_own_contract_and_report(client, alice, contract_a1, report_a1):
    login(client, alice)
    for url in _object_urls(contract_a1, report_a1)[:1] + _object_urls(contract_a1, report_a1)[4:5]:
        assert client.get(url).status_code == 200
    response = client.get(_object_urls(contract_a1, report_a1)[-1])
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def _count(django_assert_max_num_queries, client, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name",
    [
        "accountability:rankings",
        "accountability:contracts",
        "accountability:signing",
        "accountability:duty_reports",
    ],
)
def test_list_pages_query_count_does_not_grow(
    client, bob, dora, township_a, library, name, django_assert_num_queries
):
    login(client, bob)
    many_branches(township_a, 5, secretary_of_township=bob)
    url = reverse(name)
    params = {"year": YEAR, "issuer": township_a.pk}
    client.get(url, params)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url, params).status_code == 200
    many_branches(township_a, 45, secretary_of_township=bob)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200


def test_contracts_list_shows_each_contracts_line_count(
    client, bob, township_a, branch_a1, branch_a2, library
):
    """The count is a subquery per row shown (after ORDER BY … LIMIT): a contract without lines shows 0."""
    full = services.contract_create(parent=township_a, organization=branch_a1, year=YEAR, by=bob)
    empty = services.contract_create(parent=township_a, organization=branch_a2, year=YEAR, by=bob)
    empty.lines.all().delete()
    login(client, bob)
    response = client.get(reverse("accountability:contracts"), {"year": YEAR})
    assert {c.pk: c.lines_n for c in response.context["page"]} == {full.pk: 4, empty.pk: 0}


def test_rankings_for_the_county_and_township(
    client, dora, bob, township_a, library, django_assert_num_queries
):
    many_branches(township_a, 5, secretary_of_township=bob)
    login(client, dora)
    response = client.get(reverse("accountability:rankings"), {"year": YEAR, "parent": township_a.pk})
    ranks = [c.rank_in_parent for c in response.context["page"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    login(client, bob)
    response = client.get(reverse("accountability:rankings"), {"year": YEAR})
    assert len(response.context["page"]) == 5


def test_county_rank_is_not_changed_by_the_viewers_scope(
    bob, dora, charlie, township_a, township_b, branch_b1, library
):
    """bob sees only his villages, but their county rank still counts township_b's village above them."""
    from branches.selectors import scope_for
    from tests.factories import UserFactory, make_role

    many_branches(township_a, 3, secretary_of_township=bob)
    sec_b = UserFactory()
    make_role(sec_b, township_b, "township_secretary")
    evaluated(township_b, branch_b1, by_parent=sec_b, by_child=charlie)  # 100: first in the county
    from accountability.selectors import contracts_ranked

    mine = list(contracts_ranked(scope=scope_for(bob), year=YEAR))
    assert len(mine) == 3
    assert min(c.rank_in_county for c in mine) == 2
    assert min(c.rank_in_parent for c in mine) == 1


def test_performance_export(client, bob, alice, contract_a1):
    login(client, bob)
    response = client.get(reverse("accountability:performance_export", args=["csv"]), {"year": YEAR})
    text = response.content.decode("utf-8-sig")
    header, *rows = text.strip().splitlines()
    assert header.startswith("secretary,email,role,org_code")
    assert any("alice@example.com" in r and "B-A1" in r and "好" in r for r in rows)
    response = client.get(reverse("accountability:performance_export", args=["xlsx"]), {"year": YEAR})
    assert response.content[:2] == b"PK"


def test_signing_overview_for_the_county(
    client, dora, bob, county, township_a, township_b, branch_a1, branch_a2, library
):
    services.contracts_issue_to_children(parent=county, year=YEAR, by=dora, on=TODAY)
    services.contract_sign(contract=Contract.objects.get(organization=township_a), by=bob, on=TODAY)
    services.contracts_issue_to_children(parent=township_a, year=YEAR, by=bob, on=TODAY)
    login(client, dora)
    response = client.get(reverse("accountability:signing"), {"year": YEAR, "unsigned": "1"})
    assert [o.code for o in response.context["page"]] == ["T-B"]
    response = client.get(reverse("accountability:signing"), {"year": YEAR})
    rows = {o.code: o for o in response.context["page"]}
    assert rows["T-A"].partners == 2 and not rows["T-A"].partners_signed
    login(client, bob)
    response = client.get(reverse("accountability:signing"), {"year": YEAR})
    assert response.context["issuer"] == township_a
    assert {o.code for o in response.context["page"]} == {"B-A1", "B-A2"}


def test_library_copy_forward_and_views(client, dora, charlie, library):
    login(client, dora)
    response = client.post(reverse("accountability:library_copy", args=[YEAR + 1]))
    assert response.status_code == 302
    from accountability.selectors import library_get

    lib = library_get(year=YEAR + 1)
    assert lib.is_complete and len(lib.groups) == 2
    # copying again is refused, nothing doubled
    client.post(reverse("accountability:library_copy", args=[YEAR + 1]))
    assert library_get(year=YEAR + 1).total == Decimal("100")
    assert client.get(reverse("accountability:library", args=[YEAR + 1])).status_code == 200
    login(client, charlie)  # everyone with a role reads the library; only the county edits it
    assert client.get(reverse("accountability:library", args=[YEAR])).status_code == 200
    assert client.post(reverse("accountability:deadlines", args=[YEAR]), {}).status_code == 404


def test_pages_render_in_chinese(client, bob):
    login(client, bob)
    body = client.get(reverse("accountability:contracts"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "党建工作目标责任书" in body and "一键下达" in body
    body = client.get(reverse("officers:coverage"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "“三员”覆盖情况" in body
