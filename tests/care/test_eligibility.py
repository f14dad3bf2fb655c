"""Every edge of the paper's five rules, evaluated in the database."""

import datetime as dt
import random

import pytest

from care import selectors, services
from care.models import BenefitRule, RuleCondition
from common import statements
from members.ages import years_between
from members.models import Member
from tests.care.factories import make_member

D = dt.date
AS_OF = D(2026, 6, 15)


def eligible_codes(member, as_of=AS_OF):
    return sorted(b.rule.code for b in selectors.member_eligibility(member=member, as_of=as_of))


def report(as_of=AS_OF):
    return {row[0]: row[3] for row in selectors.report_rows(members=Member.objects.all(), as_of=as_of)}


@pytest.fixture
def rural(branch_a1):
    return branch_a1


def test_five_rules_are_seeded_with_the_papers_thresholds(db):
    rules = {r.code: r for r in selectors.rules_in_force(as_of=AS_OF)}
    assert sorted(rules) == ["cup_50", "subsidy_80", "subsidy_poor", "subsidy_pre1949", "taxi_free"]

    def groups(code):
        return [sorted((c.kind, c.number, c.date) for c in g) for g in rules[code].groups]

    assert groups("cup_50") == [[("min_party_age", 50, None)]]
    assert groups("taxi_free") == [
        [("min_age", 65, None), ("veteran_cadre", None, None)],
        [("min_age", 60, None), ("min_party_age", 40, None)],
    ]
    assert groups("subsidy_pre1949") == [[("admitted_before", None, D(1949, 10, 1)), ("rural", None, None)]]
    assert groups("subsidy_poor") == [[("hardship", None, None), ("rural", None, None)]]
    assert groups("subsidy_80") == [[("min_age", 80, None), ("rural", None, None)]]
    assert rules["cup_50"].rule.kind == BenefitRule.Kind.ONCE


class TestCup50:
    def test_fifty_years_of_party_age_exactly_today(self, rural):
        m = make_member(rural, born=D(1950, 1, 1), admitted=D(1975, 6, 15), full=D(1976, 6, 15))
        assert "cup_50" in eligible_codes(m)
        assert "cup_50" not in eligible_codes(m, D(2026, 6, 14))

    def test_party_age_counts_from_full_membership_not_admission(self, rural):
        # admitted 51 years ago, but probation extended: full member only 49 years ago
        m = make_member(
            rural,
            born=D(1950, 1, 1),
            admitted=D(1975, 1, 10),
            full=D(1977, 3, 1),
            probation_ends_on=D(1977, 1, 10),
        )
        assert years_between(m.admitted_on, AS_OF) == 51
        assert "cup_50" not in eligible_codes(m)
        assert "cup_50" in eligible_codes(m, D(2027, 3, 1))

    def test_probationary_member_has_no_party_age(self, rural):
        m = make_member(rural, born=D(1950, 1, 1), admitted=D(1970, 1, 1), full=None)
        assert "cup_50" not in eligible_codes(m)

    def test_full_membership_on_29_february_completes_on_1_march_in_a_common_year(self, rural):
        m = make_member(rural, born=D(1950, 1, 1), admitted=D(1975, 2, 28), full=D(1976, 2, 29))
        assert "cup_50" not in eligible_codes(m, D(2026, 2, 28))
        assert "cup_50" in eligible_codes(m, D(2026, 3, 1))


class TestTaxi:
    def test_veteran_cadre_aged_65_today(self, organ_branch):
        m = make_member(organ_branch, born=D(1961, 6, 15), admitted=D(1995, 1, 1), veteran_cadre=True)
        assert eligible_codes(m) == ["taxi_free"]
        assert eligible_codes(m, D(2026, 6, 14)) == []

    def test_veteran_cadre_born_29_february(self, organ_branch):
        m = make_member(organ_branch, born=D(1960, 2, 29), admitted=D(1995, 1, 1), veteran_cadre=True)
        assert eligible_codes(m, D(2025, 2, 28)) == []
        assert eligible_codes(m, D(2025, 3, 1)) == ["taxi_free"]

    def test_not_a_veteran_cadre_needs_the_other_alternative(self, organ_branch):
        m = make_member(organ_branch, born=D(1950, 1, 1), admitted=D(1995, 1, 1))
        assert eligible_codes(m) == []

    def test_party_age_40_and_age_60_both_on_the_day(self, organ_branch):
        m = make_member(organ_branch, born=D(1966, 6, 15), admitted=D(1985, 6, 15), full=D(1986, 6, 15))
        assert eligible_codes(m) == ["taxi_free"]
        assert eligible_codes(m, D(2026, 6, 14)) == []

    def test_party_age_40_but_age_59(self, organ_branch):
        m = make_member(organ_branch, born=D(1966, 6, 16), admitted=D(1985, 1, 1), full=D(1986, 1, 1))
        assert eligible_codes(m) == []

    def test_age_60_but_party_age_39(self, organ_branch):
        m = make_member(organ_branch, born=D(1960, 1, 1), admitted=D(1985, 6, 16), full=D(1986, 6, 16))
        assert eligible_codes(m) == []

    def test_reasons_name_the_alternative_that_held(self, organ_branch):
        m = make_member(organ_branch, born=D(1950, 1, 1), admitted=D(1970, 1, 1), veteran_cadre=True)
        benefits = {b.rule.code: b for b in selectors.member_eligibility(member=m, as_of=AS_OF)}
        assert sorted(benefits) == ["cup_50", "taxi_free"]
        assert len(benefits["taxi_free"].reasons) == 2  # both alternatives hold: both are shown


class TestRuralSubsidies:
    def test_admitted_30_september_1949_counts_as_before_the_founding(self, rural):
        m = make_member(rural, born=D(1925, 3, 1), admitted=D(1949, 9, 30), full=D(1950, 9, 30))
        assert "subsidy_pre1949" in eligible_codes(m)

    def test_admitted_1_october_1949_does_not(self, rural):
        m = make_member(rural, born=D(1925, 3, 1), admitted=D(1949, 10, 1), full=D(1950, 10, 1))
        assert "subsidy_pre1949" not in eligible_codes(m)

    def test_pre1949_outside_the_rural_sector_does_not(self, organ_branch):
        m = make_member(organ_branch, born=D(1925, 3, 1), admitted=D(1949, 9, 30), full=D(1950, 9, 30))
        assert "subsidy_pre1949" not in eligible_codes(m)

    def test_hardship_rural(self, rural):
        m = make_member(rural, born=D(1980, 1, 1), hardship=True)
        assert eligible_codes(m) == ["subsidy_poor"]

    def test_hardship_outside_the_rural_sector_gets_nothing(self, organ_branch):
        m = make_member(organ_branch, born=D(1980, 1, 1), hardship=True)
        assert eligible_codes(m) == []

    def test_eighty_today(self, rural):
        m = make_member(rural, born=D(1946, 6, 15), admitted=D(1990, 1, 1))
        assert eligible_codes(m) == ["subsidy_80"]
        assert eligible_codes(m, D(2026, 6, 14)) == []

    def test_eighty_born_29_february_in_a_leap_year(self, rural):
        m = make_member(rural, born=D(1944, 2, 29), admitted=D(1990, 1, 1))
        assert "subsidy_80" not in eligible_codes(m, D(2024, 2, 28))
        assert "subsidy_80" in eligible_codes(m, D(2024, 2, 29))


class TestDeceased:
    def test_dead_before_gets_nothing(self, rural):
        m = make_member(
            rural, born=D(1930, 1, 1), admitted=D(1948, 1, 1), hardship=True, died_on=D(2026, 1, 1)
        )
        assert eligible_codes(m) == []
        assert m.id_number not in report()

    def test_died_on_the_as_of_day_gets_nothing(self, rural):
        m = make_member(rural, born=D(1930, 1, 1), admitted=D(1948, 1, 1), died_on=AS_OF)
        assert eligible_codes(m) == []

    def test_died_later_was_eligible_on_an_earlier_date(self, rural):
        m = make_member(rural, born=D(1930, 1, 1), admitted=D(1948, 1, 1), died_on=D(2026, 6, 16))
        assert "subsidy_80" in eligible_codes(m)

    def test_not_yet_admitted_on_the_as_of_date(self, rural):
        m = make_member(rural, born=D(1990, 1, 1), admitted=D(2026, 7, 1), full=None, hardship=True)
        assert eligible_codes(m) == []
        assert eligible_codes(m, D(2026, 7, 1)) == ["subsidy_poor"]


class TestRuleVersions:
    def test_change_applies_from_its_date_only(self, rural, dora):
        rule = BenefitRule.objects.get(code="subsidy_80")
        services.rule_version_create(
            rule=rule,
            effective_from=D(2027, 1, 1),
            groups=[[{"kind": "rural"}, {"kind": "min_age", "number": 75}]],
            amount=None,
            in_kind="慰问品",
            by=dora,
        )
        m = make_member(rural, born=D(1950, 1, 1), admitted=D(1990, 1, 1))
        assert "subsidy_80" not in eligible_codes(m, D(2026, 12, 31))
        assert "subsidy_80" in eligible_codes(m, D(2027, 1, 1))

    def test_rule_without_a_condition_is_refused(self, dora):
        from django.core.exceptions import ValidationError

        rule = BenefitRule.objects.get(code="subsidy_80")
        with pytest.raises(ValidationError, match="条件"):
            services.rule_version_create(
                rule=rule, effective_from=D(2027, 1, 1), groups=[[]], amount=100, by=dora
            )
        assert rule.versions.count() == 1

    def test_only_the_county_office_changes_rules(self, bob):
        from django.core.exceptions import PermissionDenied

        rule = BenefitRule.objects.get(code="subsidy_80")
        with pytest.raises(PermissionDenied):
            services.rule_version_create(
                rule=rule, effective_from=D(2027, 1, 1), groups=[[{"kind": "hardship"}]], amount=1, by=bob
            )

    def test_empty_group_never_means_everyone(self, rural):
        rule = selectors.rules_in_force(as_of=AS_OF, codes=["subsidy_80"])[0]
        assert selectors.group_q((), as_of=AS_OF) == selectors.NEVER
        assert (
            selectors.rule_q(
                selectors.RuleInForce(rule=rule.rule, version=rule.version, groups=(), as_of=AS_OF)
            )
            == selectors.NEVER
        )

    def test_condition_kinds_carry_their_values_in_the_database(self, db):
        from django.db import IntegrityError

        version = BenefitRule.objects.get(code="cup_50").versions.get()
        with pytest.raises(IntegrityError):
            RuleCondition.objects.create(version=version, kind="min_age")


def test_database_agrees_with_python_on_random_members(county, township_a, branch_a1, organ_branch):
    """The set-based evaluation gives the same answer as counting whole years in Python, for many dates."""
    rng = random.Random(7)
    members = []
    for _ in range(150):
        born = D(1920, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 70))
        admitted = born + dt.timedelta(days=rng.randrange(18 * 365, 40 * 365))
        full = None if rng.random() < 0.1 else admitted + dt.timedelta(days=rng.choice([365, 366, 500, 900]))
        members.append(
            make_member(
                rng.choice([branch_a1, organ_branch]),
                born=born,
                admitted=admitted,
                full=full,
                veteran_cadre=rng.random() < 0.3,
                hardship=rng.random() < 0.2,
                died_on=None
                if rng.random() < 0.85
                else D(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 3000)),
            )
        )
    for as_of in (D(2024, 2, 29), D(2025, 3, 1), AS_OF, D(2029, 10, 1)):
        expected = {}
        for m in members:
            if m.admitted_on > as_of or (m.died_on and m.died_on <= as_of):
                continue
            age = years_between(m.birth_date, as_of)
            pa = (
                years_between(m.full_member_on, as_of)
                if m.full_member_on and m.full_member_on <= as_of
                else -1
            )
            rural = m.organization.sector == "rural"
            codes = []
            if pa >= 50:
                codes.append("cup_50")
            if rural and age >= 80:
                codes.append("subsidy_80")
            if rural and m.hardship:
                codes.append("subsidy_poor")
            if rural and m.admitted_on < D(1949, 10, 1):
                codes.append("subsidy_pre1949")
            if (m.veteran_cadre and age >= 65) or (pa >= 40 and age >= 60):
                codes.append("taxi_free")
            if codes:
                expected[m.id_number] = ";".join(sorted(codes))
        assert report(as_of) == expected, as_of


def test_report_with_one_rule_in_force_or_none(rural):
    """The benefits column is built in the query (one CASE per rule, joined): with a single rule in force it is
    that rule's code; with none, the report is empty."""
    old_poor = make_member(rural, born=D(1940, 1, 1), hardship=True)
    BenefitRule.objects.exclude(code="subsidy_poor").update(valid_to=AS_OF - dt.timedelta(days=1))
    assert report() == {old_poor.id_number: "subsidy_poor"}
    BenefitRule.objects.update(valid_to=AS_OF - dt.timedelta(days=1))
    assert report() == {}


def test_one_query_for_the_whole_county(rural, django_assert_num_queries):
    for i in range(30):
        make_member(rural, born=D(1920 + i, 1, 1), admitted=D(1965, 1, 1), hardship=i % 2 == 0)
    rules = selectors.rules_in_force(as_of=AS_OF)
    with django_assert_num_queries(1):
        rows = list(selectors.annotate_eligibility(Member.objects.all(), rules=rules))
    assert len(rows) == 30


class TestReportCommand:
    @pytest.fixture
    def people(self, county, branch_a1, branch_b1, organ_branch):
        return {
            "old": make_member(
                branch_a1, born=D(1946, 6, 15), admitted=D(1949, 9, 30), full=D(1950, 9, 30), name="老甲"
            ),
            "young": make_member(branch_a1, born=D(1990, 1, 1), name="小乙"),
            "poor_b": make_member(branch_b1, born=D(1980, 1, 1), hardship=True, name="困丙"),
            "poor_organ": make_member(organ_branch, born=D(1980, 1, 1), hardship=True, name="机丁"),
            "dead": make_member(branch_a1, born=D(1930, 1, 1), admitted=D(1948, 1, 1), died_on=D(2026, 1, 1)),
        }

    def test_exact_rows_csv(self, people, tmp_path):
        from django.core.management import call_command

        out = tmp_path / "r.csv"
        call_command("report_benefits", "--as-of", "2026-06-15", "--output", str(out))
        lines = out.read_text(encoding="utf-8").splitlines()
        old, poor_b = people["old"], people["poor_b"]
        assert lines == [
            "id_number,name,org_code,benefits",
            f"{old.id_number},老甲,B-A1,cup_50;subsidy_80;subsidy_pre1949;taxi_free",
            f"{poor_b.id_number},困丙,B-B1,subsidy_poor",
        ]

    def test_org_filter_and_the_day_before(self, people, tmp_path):
        from django.core.management import call_command

        out = tmp_path / "r.csv"
        call_command("report_benefits", "--as-of", "2026-06-14", "--org", "T-A", "--output", str(out))
        lines = out.read_text(encoding="utf-8").splitlines()
        # a day before the 80th birthday: no subsidy_80
        assert lines == [
            "id_number,name,org_code,benefits",
            f"{people['old'].id_number},老甲,B-A1,cup_50;subsidy_pre1949;taxi_free",
        ]

    def test_xlsx(self, people, tmp_path):
        from django.core.management import call_command
        from openpyxl import load_workbook

        out = tmp_path / "r.xlsx"
        call_command("report_benefits", "--as-of", "2026-06-15", "--format", "xlsx", "--output", str(out))
        rows = list(load_workbook(out).active.iter_rows(values_only=True))
        assert rows[0] == ("id_number", "name", "org_code", "benefits")
        assert [r[3] for r in rows[1:]] == ["cup_50;subsidy_80;subsidy_pre1949;taxi_free", "subsidy_poor"]

    def test_bad_arguments(self, db):
        from django.core.management import CommandError, call_command

        with pytest.raises(CommandError):
            call_command("report_benefits", "--as-of", "2026-13-01")
        with pytest.raises(CommandError):
            call_command("report_benefits", "--as-of", "2026-01-01", "--org", "NOPE")


def _eligibility_statements() -> list:
    """member_eligibility's compiled statements (common.statements), each one that runs SQL."""
    return [
        s for (key, _alias), s in statements._built.items() if key[0] == "care.member_eligibility" and s.sql
    ]


class TestStatementBuiltOnce:
    """member_eligibility builds its SQL once per process for each set of conditions (issue 14)."""

    def test_same_statement_for_another_member_a_new_one_when_a_rule_changes(self, rural, dora):
        statements._built.clear()
        younger = make_member(rural, born=D(1950, 1, 1), admitted=D(1990, 1, 1))  # 76 on AS_OF
        older = make_member(rural, born=D(1940, 1, 1), admitted=D(1990, 1, 1))  # 86
        assert "subsidy_80" not in eligible_codes(younger)
        assert "subsidy_80" in eligible_codes(older)
        assert len(_eligibility_statements()) == 1  # the member is a parameter
        services.rule_version_create(
            rule=BenefitRule.objects.get(code="subsidy_80"),
            effective_from=D(2026, 6, 1),
            groups=[[{"kind": "rural"}, {"kind": "min_age", "number": 75}]],
            amount=None,
            in_kind="慰问品",
            by=dora,
        )
        # the statement is keyed by the conditions themselves: the new version's, not the old one's
        assert "subsidy_80" in eligible_codes(younger)
        assert len(_eligibility_statements()) == 2
        assert "subsidy_80" not in eligible_codes(younger, D(2026, 5, 31))  # the day is in the key too
        assert eligible_codes(Member(pk=-1)) == []  # nobody: no row
