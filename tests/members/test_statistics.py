"""党内统计 (issue 10, item 2): members.statistics.party_statistics and report_statistics, at the edges of
every band, against the roster."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from branches.models import Organization
from members.ages import years_between
from members.models import Member
from members.selectors import living_on
from members.services import member_depart, member_transfer
from members.statistics import party_statistics
from tests.factories import MemberFactory, make_org
from users.services import system_user

pytestmark = pytest.mark.django_db

D = dt.date(2025, 12, 31)  # the annual statistics' day

# Every row of the report in the issue's order.
EXPECTED_KEYS = [
    ("total", "all"),
    ("status", "full"),
    ("status", "probationary"),
    ("gender", "male"),
    ("gender", "female"),
    ("ethnicity", "han"),
    ("ethnicity", "minority"),
    ("age_band", "30_and_under"),
    ("age_band", "31_35"),
    ("age_band", "36_40"),
    ("age_band", "41_45"),
    ("age_band", "46_50"),
    ("age_band", "51_55"),
    ("age_band", "56_60"),
    ("age_band", "61_and_over"),
    ("admission_period", "before_1949_10"),
    ("admission_period", "1949_10_to_1978_12"),
    ("admission_period", "1979_01_to_2012_10"),
    ("admission_period", "2012_11_on"),
    ("education", "postgraduate"),
    ("education", "undergraduate"),
    ("education", "college"),
    ("education", "secondary"),
    ("education", "junior_or_below"),
    ("education", "unknown"),
    ("occupation", "worker"),
    ("occupation", "farmer"),
    ("occupation", "professional"),
    ("occupation", "manager"),
    ("occupation", "civil_servant"),
    ("occupation", "student"),
    ("occupation", "retired"),
    ("occupation", "other"),
    ("occupation", "unknown"),
    ("organizations", "township_committee"),
    ("organizations", "party_committee"),
    ("organizations", "general_branch"),
    ("organizations", "branch"),
]


def figures(org, as_of=D) -> dict[tuple[str, str], int]:
    return {(r.measure, r.category): r.count for r in party_statistics(org=org, as_of=as_of)}


def member(org, *, born=dt.date(1970, 5, 17), admitted=None, **kw) -> Member:
    admitted = admitted or born.replace(year=born.year + 25)
    kw.setdefault("full_member_on", admitted.replace(year=admitted.year + 1))
    return MemberFactory(organization=org, birth_date=born, admitted_on=admitted, **kw)


def test_every_category_is_a_row_zeros_included_in_the_issues_order(county, branch_a1):
    rows = party_statistics(org=branch_a1, as_of=D)
    assert [(r.measure, r.category) for r in rows] == EXPECTED_KEYS
    assert all(r.count == 0 for r in rows)


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (dt.date(1995, 12, 31), "30_and_under"),  # 30 on D
        (dt.date(1996, 1, 1), "30_and_under"),  # 29 on D
        (dt.date(1994, 12, 31), "31_35"),  # 31 on D
        (dt.date(1995, 1, 1), "30_and_under"),  # 30 on D (31 the day after)
        (dt.date(1990, 12, 31), "31_35"),  # 35
        (dt.date(1989, 12, 31), "36_40"),  # 36
        (dt.date(1965, 12, 31), "56_60"),  # 60 on D
        (dt.date(1966, 1, 1), "56_60"),  # 59
        (dt.date(1964, 12, 31), "61_and_over"),  # 61 on D
        (dt.date(1965, 1, 1), "56_60"),  # 60 on D (61 the day after)
    ],
)
def test_age_bands_at_their_edges(branch_a1, born, band):
    m = member(branch_a1, born=born, admitted=dt.date(2020, 1, 1))
    counts = figures(branch_a1)
    assert counts[("age_band", band)] == 1
    assert sum(v for (measure, _c), v in counts.items() if measure == "age_band") == 1
    assert (
        years_between(m.birth_date, D)
        in {
            "30_and_under": range(0, 31),
            "31_35": range(31, 36),
            "36_40": range(36, 41),
            "56_60": range(56, 61),
            "61_and_over": range(61, 200),
        }[band]
    )


def test_age_on_29_february_as_the_roster_counts_it(branch_a1):
    # Born 29 Feb 1964: 61 on 1 March 2025 (a common year), not on 28 February.
    member(branch_a1, born=dt.date(1964, 2, 29), admitted=dt.date(2000, 1, 1))
    assert figures(branch_a1, dt.date(2025, 2, 28))[("age_band", "56_60")] == 1
    assert figures(branch_a1, dt.date(2025, 3, 1))[("age_band", "61_and_over")] == 1


@pytest.mark.parametrize(
    ("admitted", "period"),
    [
        (dt.date(1949, 9, 30), "before_1949_10"),
        (dt.date(1949, 10, 1), "1949_10_to_1978_12"),
        (dt.date(1978, 12, 31), "1949_10_to_1978_12"),
        (dt.date(1979, 1, 1), "1979_01_to_2012_10"),
        (dt.date(2012, 10, 31), "1979_01_to_2012_10"),
        (dt.date(2012, 11, 1), "2012_11_on"),
    ],
)
def test_admission_periods_at_their_edges(branch_a1, admitted, period):
    member(branch_a1, born=dt.date(1925, 3, 1), admitted=admitted)
    counts = figures(branch_a1)
    assert counts[("admission_period", period)] == 1
    assert sum(v for (measure, _c), v in counts.items() if measure == "admission_period") == 1


def test_who_is_on_the_roll_on_the_day(branch_a1):
    member(branch_a1, name="在册")
    member(branch_a1, name="去世当天", died_on=D)
    member(branch_a1, name="次日去世", died_on=D + dt.timedelta(days=1))
    member(branch_a1, name="当天入党", admitted=D, full_member_on=None)
    member(branch_a1, name="次日入党", admitted=D + dt.timedelta(days=1), full_member_on=None)
    left_on_d = member(branch_a1, name="当天转出")
    left_later = member(branch_a1, name="次日退党")
    member_depart(member=left_on_d, on=D, reason=Member.Departure.TRANSFERRED_OUT, by=system_user())
    member_depart(
        member=left_later, on=D + dt.timedelta(days=1), reason=Member.Departure.LEFT, by=system_user()
    )
    counts = figures(branch_a1)
    assert counts[("total", "all")] == 4  # 在册, 次日去世, 当天入党, 次日退党
    assert counts[("status", "probationary")] == 1  # 当天入党
    assert counts[("total", "all")] == living_on(on=D, org=branch_a1).count()


def test_full_membership_on_the_day_counts_as_full(branch_a1):
    member(branch_a1, admitted=dt.date(2024, 12, 31), full_member_on=D)
    member(branch_a1, admitted=dt.date(2025, 1, 1), full_member_on=D + dt.timedelta(days=1))
    member(branch_a1, admitted=dt.date(2025, 3, 1), full_member_on=None)
    counts = figures(branch_a1)
    assert (counts[("status", "full")], counts[("status", "probationary")]) == (1, 2)


def test_a_transfer_after_the_day_is_undone(township_a, township_b, branch_a1, branch_b1):
    left = member(branch_a1, name="后来转走")
    came = member(branch_b1, name="后来转来")
    later = D + dt.timedelta(days=20)
    member_transfer(member=left, to_organization=branch_b1, on=later, by=system_user())
    member_transfer(member=came, to_organization=branch_a1, on=later, by=system_user())
    early = member(branch_b1, name="早已转来")
    member_transfer(member=early, to_organization=branch_a1, on=D, by=system_user())
    assert figures(township_a)[("total", "all")] == 2  # 后来转走 (still here on D), 早已转来
    assert figures(township_b)[("total", "all")] == 1  # 后来转来
    assert figures(branch_a1, later)[("total", "all")] == 2  # 后来转来, 早已转来


def test_gender_ethnicity_education_occupation(branch_a1):
    member(branch_a1, gender="female", ethnicity="回族", education_level="postgraduate", occupation="farmer")
    member(branch_a1, ethnicity="汉族", education_level="secondary", occupation="retired")
    member(branch_a1, ethnicity="", occupation="other")
    counts = figures(branch_a1)
    assert (counts[("gender", "male")], counts[("gender", "female")]) == (2, 1)
    assert (counts[("ethnicity", "han")], counts[("ethnicity", "minority")]) == (1, 1)  # blank: neither
    assert counts[("education", "postgraduate")] == 1
    assert counts[("education", "secondary")] == 1
    assert counts[("education", "unknown")] == 1
    assert counts[("education", "undergraduate")] == 0
    assert (counts[("occupation", "farmer")], counts[("occupation", "retired")]) == (1, 1)
    assert (counts[("occupation", "other")], counts[("occupation", "unknown")]) == (1, 0)


def test_organizations_under_the_report_by_kind(
    county, township_a, township_b, branch_a1, branch_a2, branch_b1
):
    committee = make_org(Organization.Kind.PARTY_COMMITTEE, parent=township_a)
    make_org(Organization.Kind.GENERAL_BRANCH, parent=committee)
    make_org(Organization.Kind.BRANCH, parent=township_b, code="OLD")
    Organization.objects.filter(code="OLD").update(is_active=False)
    make_org(Organization.Kind.BRANCH, parent=township_b, code="NEW")
    Organization.objects.filter(code="NEW").update(established_on=D + dt.timedelta(days=1))
    counts = figures(county)
    assert [
        counts[("organizations", k)]
        for k in ("township_committee", "party_committee", "general_branch", "branch")
    ] == [2, 1, 1, 3]
    counts = figures(township_a)
    assert [
        counts[("organizations", k)]
        for k in ("township_committee", "party_committee", "general_branch", "branch")
    ] == [0, 1, 1, 2]
    assert figures(branch_a1)[("organizations", "branch")] == 0  # itself excluded


def _roster_on(org, as_of) -> dict[tuple[str, str], int]:
    """The same figures counted member by member in Python from the roster (the members living_on gives)."""
    from collections import Counter

    counts: Counter = Counter()
    for m in living_on(on=as_of, org=org):
        age = years_between(m.birth_date, as_of)
        band = (
            "30_and_under"
            if age <= 30
            else "61_and_over"
            if age >= 61
            else f"{31 + (age - 31) // 5 * 5}_{35 + (age - 31) // 5 * 5}"
        )
        counts[("total", "all")] += 1
        counts[("status", "full" if m.full_member_on and m.full_member_on <= as_of else "probationary")] += 1
        counts[("gender", m.gender)] += 1
        counts[("age_band", band)] += 1
        counts[("education", m.education_level or "unknown")] += 1
        counts[("occupation", m.occupation or "unknown")] += 1
    return counts


def test_figures_agree_with_the_roster_member_by_member(county, township_a, branch_a1, branch_a2):
    educations = ["", *Member.Education.values]
    occupations = ["", *Member.Occupation.values]
    for i in range(40):
        born = dt.date(1940 + i, 1 + i % 12, 1 + i % 28)
        member(
            branch_a1 if i % 3 else branch_a2,
            born=born,
            admitted=born.replace(year=born.year + 20 + i % 7),
            full_member_on=None if i % 9 == 0 else born.replace(year=born.year + 21 + i % 7),
            gender="female" if i % 4 == 0 else "male",
            education_level=educations[i % len(educations)],
            occupation=occupations[i % len(occupations)],
            died_on=D if i % 11 == 0 else None,
        )
    counts = figures(township_a)
    expected = _roster_on(township_a, D)
    for key, value in counts.items():
        if key[0] in {"total", "status", "gender", "age_band", "education", "occupation"}:
            assert value == expected.get(key, 0), key
    for measure in ("status", "gender", "age_band", "admission_period", "education", "occupation"):
        assert sum(v for (m, _c), v in counts.items() if m == measure) == counts[("total", "all")], measure


def _dataset(county, scale: int) -> Organization:
    townships = [make_org(Organization.Kind.TOWNSHIP, parent=county) for _ in range(scale)]
    for t, township in enumerate(townships):
        branches = [make_org(parent=township) for _ in range(3)]
        for i, branch in enumerate(branches):
            for k in range(4):
                member(branch, born=dt.date(1950 + k * 10 + i, 3, 1 + t % 28), occupation="farmer")
        later = D + dt.timedelta(days=3)
        moving = member(branches[0], name=f"转{t}")
        member_transfer(member=moving, to_organization=branches[1], on=later, by=system_user())
    return county


@pytest.mark.parametrize("scale", [1, 10])
def test_two_queries_whatever_the_size(county, django_assert_num_queries, scale):
    _dataset(county, scale)
    with django_assert_num_queries(2):
        rows = party_statistics(org=county, as_of=D)
    counts = {(r.measure, r.category): r.count for r in rows}
    assert counts[("total", "all")] == scale * 13
    assert counts[("organizations", "branch")] == scale * 3


# -- report_statistics ----------------------------------------------------------------------------------


def report(*args) -> list[list[str]]:
    out = io.StringIO()
    call_command("report_statistics", *args, stdout=out, stderr=io.StringIO())
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_report_columns_and_the_county_by_default(county, branch_a1, branch_b1):
    member(branch_a1)
    member(branch_b1, gender="female")
    rows = report("--as-of", D.isoformat())
    assert rows[0] == ["org_code", "measure", "category", "count"]
    assert [tuple(r[1:3]) for r in rows[1:]] == EXPECTED_KEYS
    assert {r[0] for r in rows[1:]} == {"C001"}
    as_dict = {(r[1], r[2]): int(r[3]) for r in rows[1:]}
    assert as_dict[("total", "all")] == 2 and as_dict[("gender", "female")] == 1
    assert as_dict[("organizations", "township_committee")] == 2
    assert as_dict[("education", "postgraduate")] == 0  # zero rows are written


def test_report_for_one_organization(county, branch_a1, branch_b1):
    member(branch_a1)
    member(branch_b1)
    rows = report("--as-of", D.isoformat(), "--org", "T-A")
    assert {r[0] for r in rows[1:]} == {"T-A"}
    assert ["T-A", "total", "all", "1"] in rows
    assert ["T-A", "organizations", "branch", "1"] in rows


def test_report_as_xlsx_and_csv_file(tmp_path, county, branch_a1):
    from openpyxl import load_workbook

    member(branch_a1)
    out = tmp_path / "s.xlsx"
    call_command(
        "report_statistics",
        "--as-of",
        D.isoformat(),
        "--format",
        "xlsx",
        "--output",
        str(out),
        stderr=io.StringIO(),
    )
    sheet = load_workbook(out).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["org_code", "measure", "category", "count"]
    assert values[1] == ["C001", "total", "all", 1]
    assert len(values) == len(EXPECTED_KEYS) + 1
    out_csv = tmp_path / "s.csv"
    call_command(
        "report_statistics", "--as-of", D.isoformat(), "--output", str(out_csv), stderr=io.StringIO()
    )
    assert out_csv.read_text(encoding="utf-8").splitlines()[:2] == [
        "org_code,measure,category,count",
        "C001,total,all,1",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-13-01"], "--as-of must be a date"),
        (["--as-of", "1899-12-31"], "on or after 1900-01-01"),
        (["--as-of", "2025-12-31", "--org", "NOPE"], "No organization with code 'NOPE'"),
        (["--as-of", "2025-12-31", "--format", "xlsx"], "needs --output"),
    ],
)
def test_report_refuses_bad_options(county, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report_statistics", *args, stdout=io.StringIO(), stderr=io.StringIO())
