"""/members/statistics/: 党内统计 as tables and charts, scoped, with the report's download."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization, RoleAssignment
from members.models import Member
from members.statistics import COLUMNS
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_org, make_role

pytestmark = pytest.mark.django_db

URL = reverse("members:statistics")
EXPORT = reverse("members:statistics_export")
D = dt.date(2025, 12, 31)


@pytest.fixture
def roster(branch_a1, branch_a2, branch_b1):
    MemberFactory(organization=branch_a1, education_level="undergraduate", occupation="farmer")
    MemberFactory(organization=branch_a1, gender="female", birth_date=dt.date(1990, 1, 1), probationary=True)
    MemberFactory(organization=branch_a2, ethnicity="回族")
    MemberFactory(organization=branch_b1, occupation="retired")


def section(response, measure) -> dict[str, int]:
    [found] = [s for s in response.context["sections"] if s.measure == measure]
    return {r.category: r.count for r in found.rows}


def test_county_sees_the_county_with_charts_and_tables(client, dora, roster):
    response = login(client, dora).get(URL)
    assert response.status_code == 200
    assert response.context["org"].code == "C001"
    assert response.context["as_of"] == timezone.localdate()
    assert response.context["total"] == 4
    assert section(response, "organizations") == {
        "township_committee": 2,
        "party_committee": 0,
        "general_branch": 0,
        "branch": 3,
    }
    assert section(response, "occupation")["unknown"] == 2
    html = response.content.decode()
    for measure in ("status", "gender", "age_band", "education", "occupation", "organizations"):
        assert f'data-chart="chart-{measure}"' in html
    assert "js/charts.js" in html and "vendor/echarts/echarts.min.js" in html
    assert f"{EXPORT}?org={response.context['org'].pk}" in html
    assert [c.code for c in response.context["children"]] == ["T-A", "T-B"]


def test_as_of_a_past_day(client, dora, branch_a1):
    MemberFactory(organization=branch_a1, admitted_on=D, full_member_on=None)
    MemberFactory(organization=branch_a1, died_on=D)
    response = login(client, dora).get(URL, {"as_of": D.isoformat()})
    assert response.context["as_of"] == D and response.context["total"] == 1
    assert section(response, "status") == {"full": 0, "probationary": 1}
    response = client.get(URL, {"as_of": (D - dt.timedelta(days=1)).isoformat()})
    assert response.context["total"] == 1  # the one who died on D was still on the roll the day before


@pytest.mark.parametrize(
    "as_of", ["garbage", "0001-01-01", "1899-12-31", "9999-12-31", "2025-02-30", "\u0661"]
)
def test_an_odd_date_is_today(client, dora, roster, as_of):
    response = login(client, dora).get(URL, {"as_of": as_of})
    assert response.status_code == 200 and response.context["as_of"] == timezone.localdate()


@pytest.mark.parametrize("org", ["abc", "-1", "0", "99999999999999999999", "1.5"])
def test_an_odd_org_is_404(client, dora, roster, org):
    assert login(client, dora).get(URL, {"org": org}).status_code == 404
    assert client.get(EXPORT, {"org": org}).status_code == 404


def test_township_secretary_sees_their_township(client, bob, roster, township_a, township_b, branch_a1):
    login(client, bob)
    response = client.get(URL)
    assert response.context["org"] == township_a and response.context["total"] == 3
    assert client.get(URL, {"org": branch_a1.pk}).context["total"] == 2
    assert client.get(URL, {"org": township_b.pk}).status_code == 404
    assert client.get(EXPORT, {"org": township_b.pk}).status_code == 404


def test_branch_secretary_sees_their_branch(client, alice, roster, branch_a1, branch_a2, township_a):
    login(client, alice)
    response = client.get(URL)
    assert response.context["org"] == branch_a1 and response.context["total"] == 2
    assert response.context["ancestors"] == []  # the township above is not theirs
    assert client.get(URL, {"org": township_a.pk}).status_code == 404
    assert client.get(URL, {"org": branch_a2.pk}).status_code == 404


def test_secretary_of_other_branch_gets_404(client, charlie, roster, branch_a1, township_a):
    login(client, charlie)
    for org in (branch_a1, township_a):
        assert client.get(URL, {"org": org.pk}).status_code == 404
        assert client.get(EXPORT, {"org": org.pk}).status_code == 404


def test_a_member_without_a_role_at_an_organization_gets_404(client, member_a1, branch_a1):
    user = UserFactory()
    make_role(user, branch_a1, RoleAssignment.Role.MEMBER)
    login(client, user)
    assert client.get(URL).status_code == 404
    assert client.get(EXPORT).status_code == 404


def test_download_in_the_reports_columns(client, bob, roster, township_a):
    from openpyxl import load_workbook

    login(client, bob)
    response = client.get(EXPORT, {"as_of": D.isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith(f'statistics-{township_a.pk}-20251231.xlsx"')
    values = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows()
    ]
    assert values[0] == COLUMNS
    assert values[1] == ["T-A", "total", "all", 3]
    assert ["T-A", "organizations", "branch", 2] in values
    assert ["T-A", "education", "postgraduate", 0] in values
    response = client.get(EXPORT, {"as_of": D.isoformat(), "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS and rows[1] == ["T-A", "total", "all", "3"]
    assert len(rows) == len(values)


def test_navigation_for_county_and_township_only(client, dora, bob, alice):
    for user, shown in ((dora, True), (bob, True), (alice, False)):
        client.force_login(user)
        html = client.get(reverse("members:list")).content.decode()
        assert (f'href="{URL}"' in html) is shown, user


def _grow(county, scale: int) -> None:
    for _ in range(scale):
        township = make_org(Organization.Kind.TOWNSHIP, parent=county)
        for _b in range(3):
            branch = make_org(parent=township)
            for k in range(3):
                MemberFactory(organization=branch, occupation=Member.Occupation.values[k])


@pytest.mark.parametrize("scale", [1, 10])
def test_query_count_does_not_grow(client, dora, county, django_assert_num_queries, scale):
    _grow(county, scale)
    login(client, dora)
    client.get(URL)  # the session and the scope
    # session, user, scope (2), organization, statistics (2), children (the county has no ancestors)
    with django_assert_num_queries(8):
        response = client.get(URL, {"org": county.pk})
    assert response.context["total"] == 9 * scale
    township = Organization.objects.filter(kind=Organization.Kind.TOWNSHIP).first()
    with django_assert_num_queries(9):  # and its ancestors
        response = client.get(URL, {"org": township.pk})
    assert response.context["total"] == 9
    with django_assert_num_queries(7):  # session, user, scope (2), organization, statistics (2)
        client.get(EXPORT, {"org": county.pk})
