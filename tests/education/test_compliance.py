"""The compliance grid: period edges, the committee threshold, kinds, party groups, rule versions."""

import datetime as dt

import pytest

from branches.models import Organization
from education.compliance import compliance_grid
from education.models import Meeting, MeetingKind, MeetingRequirement
from education.selectors import compliance_counts
from education.services import requirement_change
from tests.factories import MemberFactory, make_org, make_party_group

from .conftest import full_members, held

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 27)


def grid(org, year=2026, as_of=AS_OF, kinds=None):
    rows = compliance_grid(Organization.objects.filter(pk=org.pk), year=year, as_of=as_of, kinds=kinds)
    return {(r.kind, r.party_group, r.period.label): (r.required, r.held, r.status) for r in rows}


def test_first_and_last_day_of_a_month_count_in_that_month(branch_a1):
    held(branch_a1, dt.date(2026, 3, 1), "themed_day")
    held(branch_a1, dt.date(2026, 4, 30), "themed_day")
    g = grid(branch_a1, kinds=["themed_day"])
    assert g[("themed_day", "", "2026-02")] == (1, 0, "missing")
    assert g[("themed_day", "", "2026-03")] == (1, 1, "ok")
    assert g[("themed_day", "", "2026-04")] == (1, 1, "ok")
    assert g[("themed_day", "", "2026-05")] == (1, 0, "missing")


def test_quarter_edges(branch_a1):
    held(branch_a1, dt.date(2026, 3, 31), "general_meeting")  # last day of Q1
    held(branch_a1, dt.date(2026, 7, 1), "general_meeting")  # first day of Q3
    g = grid(branch_a1, kinds=["general_meeting"])
    assert g[("general_meeting", "", "2026-Q1")] == (1, 1, "ok")
    assert g[("general_meeting", "", "2026-Q2")] == (1, 0, "missing")
    assert g[("general_meeting", "", "2026-Q3")] == (1, 1, "ok")
    assert g[("general_meeting", "", "2026-Q4")] == (1, 0, "due")
    assert ("general_meeting", "", "2026-03") not in g  # quarterly kinds have no month rows


def test_previous_year_meeting_does_not_count(branch_a1):
    held(branch_a1, dt.date(2025, 12, 31), "life_meeting", "member_review")
    g = grid(branch_a1, kinds=["life_meeting", "member_review"])
    assert g[("life_meeting", "", "2026")] == (1, 0, "due")
    assert grid(branch_a1, year=2025, kinds=["life_meeting"])[("life_meeting", "", "2025")] == (1, 1, "ok")


def test_status_due_on_the_last_day_missing_the_day_after(branch_a1):
    g = grid(branch_a1, as_of=dt.date(2026, 3, 31), kinds=["themed_day"])
    assert g[("themed_day", "", "2026-03")][2] == "due"
    assert g[("themed_day", "", "2026-04")][2] == "due"  # not begun yet
    g = grid(branch_a1, as_of=dt.date(2026, 4, 1), kinds=["themed_day"])
    assert g[("themed_day", "", "2026-03")][2] == "missing"


def test_a_meeting_of_two_kinds_counts_for_both(branch_a1):
    held(branch_a1, dt.date(2026, 5, 10), "general_meeting", "themed_day")
    g = grid(branch_a1, kinds=["general_meeting", "themed_day"])
    assert g[("general_meeting", "", "2026-Q2")] == (1, 1, "ok")
    assert g[("themed_day", "", "2026-05")] == (1, 1, "ok")


def test_planned_and_cancelled_meetings_do_not_count(branch_a1):
    m = held(branch_a1, dt.date(2026, 5, 10), "themed_day")
    Meeting.objects.filter(pk=m.pk).update(status=Meeting.Status.PLANNED)
    assert grid(branch_a1, kinds=["themed_day"])[("themed_day", "", "2026-05")][1] == 0


def test_committee_meeting_only_with_seven_full_members(branch_a1, branch_a2):
    full_members(branch_a1, 6)
    MemberFactory(organization=branch_a1, probationary=True)  # probationary: not counted
    MemberFactory(organization=branch_a1, died_on=dt.date(2025, 1, 1))  # dead: not counted
    full_members(branch_a2, 7)
    assert not [k for k in grid(branch_a1) if k[0] == "committee_meeting"]
    g = grid(branch_a2, kinds=["committee_meeting"])
    assert len(g) == 12
    assert g[("committee_meeting", "", "2026-01")] == (1, 0, "missing")


def test_committee_threshold_is_judged_at_each_period_end(branch_a1):
    full_members(branch_a1, 6)
    MemberFactory(
        organization=branch_a1, full_member_on=dt.date(2026, 6, 30), admitted_on=dt.date(2025, 6, 30)
    )
    g = grid(branch_a1, kinds=["committee_meeting"])
    assert ("committee_meeting", "", "2026-05") not in g
    assert g[("committee_meeting", "", "2026-06")] == (1, 0, "missing")  # 7th full member on the last day
    assert g[("committee_meeting", "", "2026-12")] == (1, 0, "due")  # judged on as_of for the current month


def test_group_meeting_for_each_party_group(branch_a1):
    g1 = make_party_group(branch_a1, "东村党小组")
    g2 = make_party_group(branch_a1, "西村党小组")
    held(branch_a1, dt.date(2026, 2, 3), "group_meeting", group=g1)
    g = grid(branch_a1, kinds=["group_meeting"])
    assert g[("group_meeting", "东村党小组", "2026-02")] == (1, 1, "ok")
    assert g[("group_meeting", "西村党小组", "2026-02")] == (1, 0, "missing")
    assert len(g) == 24
    held(branch_a1, dt.date(2026, 2, 4), "group_meeting", group=g2)
    assert grid(branch_a1, kinds=["group_meeting"])[("group_meeting", "西村党小组", "2026-02")][2] == "ok"


def test_branch_without_party_groups_has_no_group_requirement(branch_a1):
    assert not [k for k in grid(branch_a1) if k[0] == "group_meeting"]


def test_a_rule_change_applies_from_the_first_period_on_or_after_its_date(branch_a1, dora):
    kind = MeetingKind.objects.get(code="party_lecture")
    requirement_change(
        kind=kind, effective_from=dt.date(2026, 7, 1), period="month", minimum=1, applies_to="all", by=dora
    )
    g = grid(branch_a1, kinds=["party_lecture"])
    assert ("party_lecture", "", "2026-Q2") in g
    assert ("party_lecture", "", "2026-Q3") not in g
    assert ("party_lecture", "", "2026-06") not in g
    assert ("party_lecture", "", "2026-07") in g
    assert MeetingRequirement.objects.filter(kind=kind).count() == 2  # the history stays


def test_minimum_two_per_month(branch_a1, dora):
    kind = MeetingKind.objects.get(code="themed_day")
    requirement_change(
        by=dora, kind=kind, effective_from=dt.date(2026, 1, 1), period="month", minimum=2, applies_to="all"
    )
    held(branch_a1, dt.date(2026, 1, 5), "themed_day")
    assert grid(branch_a1, kinds=["themed_day"])[("themed_day", "", "2026-01")] == (2, 1, "missing")


def test_units_general_branch_only_with_direct_members(township_a):
    gb = make_org(Organization.Kind.GENERAL_BRANCH, parent=township_a, code="GB1")
    assert grid(gb) == {}
    MemberFactory(organization=gb)
    assert grid(gb) != {}
    assert grid(township_a) == {}


def test_periods_before_establishment_are_not_required(township_a):
    b = make_org(Organization.Kind.BRANCH, parent=township_a, code="NEW", established_on=dt.date(2026, 5, 15))
    g = grid(b, kinds=["themed_day"])
    assert ("themed_day", "", "2026-04") not in g
    assert ("themed_day", "", "2026-05") in g


def test_compliance_counts_for_many_orgs(branch_a1, branch_a2, township_a, django_assert_max_num_queries):
    held(branch_a1, dt.date(2026, 3, 31), "themed_day")
    ids = [branch_a1.pk, branch_a2.pk, township_a.pk]
    with django_assert_max_num_queries(7):
        counts = compliance_counts(organization_ids=ids, year=2026, as_of=AS_OF)
    assert counts[township_a.pk] == {"ok": 0, "missing": 0, "due": 0}
    # themed 12 + general 4 + lecture 4 + life 1 + review 1 = 22 cells; Nov, Dec, Q4 and the year are due
    assert sum(counts[branch_a1.pk].values()) == 22
    assert counts[branch_a1.pk]["ok"] == 1
    assert counts[branch_a1.pk]["due"] == 2 + 2 + 2  # Nov+Dec themed, Q4 x2, the year x2
    assert counts[branch_a2.pk]["ok"] == 0
