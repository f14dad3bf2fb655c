"""The county / township dashboard (issue 10, item 1): headline figures, league tables with drill-down
county → township → organization → member, the heat map of 三会一课 and its cells' missing meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.models import RoleAssignment
from tests.conftest import login
from tests.education.conftest import full_members, held
from tests.factories import MemberFactory, UserFactory, make_branch, make_role

Role = RoleAssignment.Role
HOME = reverse("dashboard:home")


def org_url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboard:org", args=[org.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def last_year():
    return timezone.localdate().year - 1


@pytest.fixture
def diana(township_b):
    """Township B's secretary: an outsider to township A."""
    user = UserFactory(email="diana@example.com", name="Diana")
    make_role(user, township_b, Role.TOWNSHIP_SECRETARY)
    return user


@pytest.fixture
def county_data(branch_a1, branch_a2, branch_b1, last_year):
    """branch_a1 holds every general meeting of last year, branch_a2 none, branch_b1 half of them."""
    for org in (branch_a1, branch_a2, branch_b1):
        full_members(org, 3)
    MemberFactory(organization=branch_a1, probationary=True, admitted_on=dt.date(last_year, 3, 1))
    for q in range(4):
        held(
            branch_a1, dt.date(last_year, 3 * q + 1, 10), "general_meeting", "party_lecture", "member_review"
        )
        held(branch_a1, dt.date(last_year, 3 * q + 1, 10), "life_meeting")
        if q < 2:
            held(branch_b1, dt.date(last_year, 3 * q + 1, 10), "general_meeting")
    return {"a1": branch_a1, "a2": branch_a2, "b1": branch_b1}


def test_county_office_sees_the_dashboard_with_its_townships(
    client, dora, county_data, township_a, last_year
):
    response = login(client, dora).get(HOME + f"?year={last_year}")
    assert response.status_code == 200
    d = response.context["d"]
    assert [c.code for c in d.children][:2] and {c.code for c in d.children} == {"T-A", "T-B"}
    assert d.total.members.members == 10 and d.total.members.probationary == 1


@pytest.fixture
def flow_data(branch_a1, branch_a2, branch_b1, last_year):
    """branch_a1 and branch_b1 hold every quarterly and yearly meeting of last year (no monthly 主题党日),
    branch_a2 holds nothing: township A is the worst, and branch_a2 the worst of it."""
    for org in (branch_a1, branch_a2, branch_b1):
        full_members(org, 3)
    MemberFactory(organization=branch_a1, probationary=True, admitted_on=dt.date(last_year, 3, 1))
    for org in (branch_a1, branch_b1):
        for q in range(4):
            held(org, dt.date(last_year, 3 * q + 1, 10), "general_meeting", "party_lecture")
        held(org, dt.date(last_year, 12, 1), "life_meeting", "member_review")
    return {"a1": branch_a1, "a2": branch_a2, "b1": branch_b1}


def _escaped(url: str) -> str:
    return url.replace("&", "&amp;")


def test_county_clicks_the_worst_township_then_a_red_cell_and_lands_on_the_missing_meetings(
    client, dora, flow_data, township_a, last_year
):
    login(client, dora)
    county = client.get(HOME + f"?year={last_year}")
    assert county.status_code == 200
    body = county.content.decode()
    assert 'data-chart="chart-compliance"' in body and 'data-chart="chart-heat"' in body
    assert "甲镇" in body and "乙镇" in body  # its townships
    assert "care" not in county.context["charts"]  # no benefit eligible anywhere: no empty chart
    worst, worst_url = county.context["children"][0]
    assert worst.code == "T-A" and _escaped(worst_url) in body

    township = client.get(worst_url)
    assert township.status_code == 200
    assert township.context["org"] == township_a
    assert [c.name for c in township.context["crumbs"]] == ["示范县委", "甲镇"]
    heat_row, cells = township.context["heat"][0]
    assert heat_row.code == "B-A2"  # held nothing: worst first
    month, cell, cell_url = cells[2]  # March: the month's 主题党日 and the first quarter's meetings
    assert month == 3 and cell.missing == 3 and cell.ok == 0
    page = township.content.decode()
    assert _escaped(cell_url) in page and "table-danger" in page

    missing = client.get(cell_url)
    assert missing.status_code == 200
    assert missing.context["org"] == flow_data["a2"]
    owed = {(r.kind, r.period.label, r.status) for r in missing.context["rows"]}
    assert owed == {
        ("themed_day", f"{last_year}-03", "missing"),
        ("general_meeting", f"{last_year}-Q1", "missing"),
        ("party_lecture", f"{last_year}-Q1", "missing"),
    }
    assert "支部党员大会" in missing.content.decode()


def test_drill_down_to_the_branch_lists_its_members_with_links(client, dora, flow_data, last_year):
    login(client, dora)
    response = client.get(org_url(flow_data["a1"], year=last_year, quarter=2))
    assert response.status_code == 200
    assert [c.code for c in response.context["crumbs"]] == ["C001", "T-A", "B-A1"]
    assert response.context["window"].quarter == 2
    members = list(response.context["members"])
    assert len(members) == 4
    body = response.content.decode()
    assert reverse("members:detail", args=[members[0]["pk"]]) in body
    # the state stays in the links: the breadcrumbs keep the year and the quarter
    assert _escaped(org_url(flow_data["a1"].parent, year=last_year, quarter=2)) in body


def test_quarter_window_counts_only_its_periods(client, dora, flow_data, last_year):
    d = login(client, dora).get(org_url(flow_data["a1"], year=last_year, quarter=1)).context["d"]
    # Q1: three months of 主题党日 missing, the quarter's general meeting and lecture held
    assert (d.total.compliance.ok, d.total.compliance.missing) == (2, 3)
    assert d.heat_months == [1, 2, 3]


def test_township_secretary_sees_the_township_only(client, bob, flow_data, township_a, township_b, last_year):
    login(client, bob)
    d = client.get(HOME + f"?year={last_year}").context["d"]
    assert d.org == township_a
    assert {c.code for c in d.children} == {"B-A1", "B-A2"}
    assert {h.code for h in d.heat} == {"B-A1", "B-A2"}
    assert d.total.members.members == 7
    assert client.get(org_url(township_b)).status_code == 404
    assert client.get(org_url(township_a.parent)).status_code == 404  # not the county either
    assert client.get(org_url(flow_data["b1"])).status_code == 404


@pytest.mark.parametrize("level", ["township", "branch", "missing"])
def test_other_townships_secretary_gets_404_at_every_level(client, diana, flow_data, township_a, level):
    login(client, diana)
    url = {
        "township": org_url(township_a),
        "branch": org_url(flow_data["a2"]),
        "missing": reverse("education:compliance_missing", args=[flow_data["a2"].pk]) + "?month=3",
    }[level]
    assert client.get(url).status_code == 404


def test_branch_secretary_of_another_township_gets_404_on_the_county(client, charlie, county, flow_data):
    login(client, charlie)
    assert client.get(org_url(county)).status_code == 404
    assert client.get(org_url(flow_data["a1"])).status_code == 404
    # charlie's own home stays the branch part
    assert "summaries" in client.get(HOME).context


def test_anonymous_is_sent_to_sign_in(client, county):
    response = client.get(org_url(county))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "params", ["?year=abc&quarter=9", "?year=1800", "?quarter=%D9%A3", "?page=x&year=2026"]
)
def test_odd_parameters_are_ignored(client, dora, county, params):
    assert login(client, dora).get(org_url(county) + params).status_code == 200


@pytest.mark.parametrize("month", ["", "13", "x", "٣"])
def test_missing_meetings_page_with_an_odd_month(client, alice, branch_a1, month):
    url = reverse("education:compliance_missing", args=[branch_a1.pk]) + f"?month={month}"
    assert login(client, alice).get(url).status_code == 200


def _populate(townships, n: int, year: int, officer) -> None:
    """n branches under each township, each with members (one of them 85: eligible for subsidy_80), a held
    meeting, a contract, an overdue care visit and an officer with a visit log: every grouped figure has rows."""
    from accountability.models import Contract
    from branches.models import OfficerAssignment
    from care.models import Visit
    from officers.models import VisitLog
    from tests.care.factories import make_member

    for township in townships:
        for _i in range(n):
            branch = make_branch(township)
            full_members(branch, 2)
            old = make_member(branch, born=dt.date(1930, 1, 1))
            held(branch, dt.date(year, 2, 10), "general_meeting", "themed_day")
            Contract.objects.create(parent=township, organization=branch, year=year, status="signed")
            Visit.objects.create(
                member=old,
                organization=branch,
                kind=Visit.Kind.HOME,
                planned_on=dt.date(year, 1, 1),
                due_on=dt.date(year, 2, 1),
            )
            assignment = OfficerAssignment.objects.create(
                officer=officer, organization=branch, kind="liaison", starts_on=dt.date(year - 1, 1, 1)
            )
            VisitLog.objects.create(
                assignment=assignment,
                organization=branch,
                officer=officer,
                visited_on=dt.date(year, 5, 5),
                purpose="指导",
            )


# session, user, scope (2), the organization, the subtree's organizations, members by status (and whether
# anyone moved since), the compliance grid (8), care rules (2) and counts, overdue visits, contracts, officers'
# coverage and visits, the study rule and the study progress (one each), grade bands, unread notifications
COUNTY_QUERIES = 26
TOWNSHIP_QUERIES = COUNTY_QUERIES + 1  # the breadcrumbs' ancestors (the county has none)
# the members level: whether anyone moved since, its count, its page and the page's study hours
BRANCH_QUERIES = TOWNSHIP_QUERIES + 4


@pytest.mark.parametrize("n", [1, 10])
def test_each_level_is_a_fixed_number_of_queries(
    client, dora, township_a, township_b, last_year, n, django_assert_num_queries
):
    _populate([township_a, township_b], n, last_year, UserFactory())
    login(client, dora)
    client.get(HOME)  # warm per-process caches (meeting kinds, rules) so both sizes are measured alike
    with django_assert_num_queries(COUNTY_QUERIES):
        response = client.get(org_url(township_a.parent, year=last_year))
    assert len(response.context["d"].heat) == 2 * n
    with django_assert_num_queries(TOWNSHIP_QUERIES):
        assert client.get(org_url(township_a, year=last_year, quarter=1)).status_code == 200
    branch = township_a.children.order_by("pk").first()
    with django_assert_num_queries(BRANCH_QUERIES):
        assert client.get(org_url(branch, year=last_year)).status_code == 200


def _report(command: str, *args: str) -> list[dict]:
    import csv
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return list(csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


@pytest.fixture
def contracts(county, township_a, township_b, branch_a1, branch_a2, dora, bob, diana, alice, last_year):
    """county → township A evaluated, → township B signed; township A → branch_a1 evaluated with a veto,
    → branch_a2 a draft."""
    from decimal import Decimal

    from accountability import services

    group = services.indicator_group_create(year=last_year, name="组织建设", position=1)
    services.indicator_save(group=group, name="三会一课", check_standard="按时开展", weight=Decimal("60"))
    services.indicator_save(group=group, name="党员学习", check_standard="32学时", weight=Decimal("40"))
    on = dt.date(last_year, 3, 1)

    def signed(parent, child, by_parent, by_child):
        contract = services.contract_create(parent=parent, organization=child, year=last_year, by=by_parent)
        services.contract_issue(contract=contract, by=by_parent, on=on)
        return services.contract_sign(contract=contract, by=by_child, on=on)

    def evaluate(contract, by, minus, vetoed=False):
        lines = list(contract.lines.order_by("position"))
        scores = {line.pk: (line.weight, "") for line in lines}
        scores[lines[0].pk] = (lines[0].weight - minus, "扣分")
        return services.contract_evaluate(
            contract=contract,
            by=by,
            on=dt.date(last_year, 12, 20),
            scores=scores,
            vetoed=vetoed,
            veto_reason="违纪" if vetoed else "",
        )

    evaluate(signed(county, township_a, dora, bob), dora, Decimal("5"))
    signed(county, township_b, dora, diana)
    evaluate(signed(township_a, branch_a1, bob, alice), bob, Decimal("30"), vetoed=True)
    services.contract_create(parent=township_a, organization=branch_a2, year=last_year, by=bob)


@pytest.fixture
def care_members(branch_a1, branch_a2, branch_b1, last_year):
    """Members eligible for care benefits on 31 December of last year, at the rules' edges."""
    from tests.care.factories import make_member

    end = dt.date(last_year, 12, 31)
    make_member(branch_a1, born=dt.date(last_year - 80, 12, 31))  # 80 on the day: subsidy_80
    make_member(branch_a1, born=dt.date(last_year - 80, 1, 1), hardship=True)  # 80 and poor
    make_member(branch_a2, born=dt.date(last_year - 79, 1, 1))  # 79: nothing
    make_member(branch_b1, born=dt.date(1930, 1, 1), admitted=dt.date(1948, 5, 1), full=dt.date(1949, 5, 1))
    make_member(branch_b1, born=dt.date(1935, 1, 1), hardship=True, died_on=end)  # died that day: none
    make_member(branch_a2, born=dt.date(1950, 1, 1), admitted=dt.date(1970, 1, 1), full=dt.date(1971, 1, 1))


def test_dashboard_agrees_with_the_reports(
    client, dora, flow_data, contracts, care_members, township_a, last_year
):
    login(client, dora)
    response = client.get(HOME + f"?year={last_year}")
    d = response.context["d"]
    township = {c.code: c for c in d.children}["T-A"]
    charts = response.context["charts"]
    assert {"compliance", "care", "evaluation", "grades", "heat", "members", "sectors"} <= set(charts)
    assert 'data-chart="chart-evaluation"' in response.content.decode()

    # report_compliance (judged today, like the dashboard): every row of the year
    for figures, args in ((d.total, []), (township, ["--org", "T-A"])):
        rows = _report("report_compliance", "--year", str(last_year), *args)
        assert rows
        ok = sum(r["status"] == "ok" for r in rows)
        missing = sum(r["status"] == "missing" for r in rows)
        assert (figures.compliance.ok, figures.compliance.missing) == (ok, missing)
        assert figures.compliance.rate == round(100 * ok / (ok + missing), 1)

    # report_benefits on the window's last day: eligible members per benefit
    end = dt.date(last_year, 12, 31).isoformat()
    codes = [r.code for r in d.rules]
    for figures, args in ((d.total, []), (township, ["--org", "T-A"])):
        rows = _report("report_benefits", "--as-of", end, *args)
        assert rows
        eligible = {code: sum(code in r["benefits"].split(";") for r in rows) for code in codes}
        assert {code: figures.care[code].eligible for code in codes} == eligible
    assert d.total.care["subsidy_80"].eligible == 3  # the two 80-year-olds and the one of 1930

    # report_evaluations: contracts by status, evaluated ones by grade
    for figures, args in ((d.total, []), (township, ["--org", "T-A"])):
        rows = _report("report_evaluations", "--year", str(last_year), *args)
        statuses: dict[str, int] = {}
        grades: dict[str, int] = {}
        for r in rows:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
            if r["status"] == "evaluated":
                grades[r["grade"]] = grades.get(r["grade"], 0) + 1
        assert figures.contracts.statuses == statuses
        assert figures.contracts.grades == grades
        assert figures.contracts.vetoed == sum(r["vetoed"] == "yes" for r in rows)
    assert (d.total.contracts.total, d.total.contracts.signed, d.total.contracts.evaluated) == (4, 3, 2)
    assert sum(n for _label, n in d.grades) == 2
