"""The county's counts of 三会一课 (compliance_tally, the dashboard's masks) and report_compliance's records are
the grid's cells, counted or written without a row object per cell (issue 14): the same cells, statuses and
order as compliance_grid, under awkward rules (two a month, three a quarter, a rule changing mid-quarter, the
group meeting becoming a branch-wide one, a committee losing its seventh member, a branch founded in May)."""

import datetime as dt

import pytest

from branches.models import Organization
from common import periods
from education import compliance
from education.compliance import compliance_cells, compliance_grid, compliance_records, compliance_tally
from education.models import Meeting, MeetingKind
from education.services import requirement_change
from tests.factories import MemberFactory, make_branch, make_org, make_party_group

from .conftest import full_members, held

pytestmark = pytest.mark.django_db

AS_OF_DAYS = [dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 11, 27), dt.date(2027, 2, 1)]


def rules_changed(by):
    def change(code, effective_from, period, minimum, applies_to):
        requirement_change(
            kind=MeetingKind.objects.get(code=code),
            effective_from=effective_from,
            period=period,
            minimum=minimum,
            applies_to=applies_to,
            by=by,
        )

    change("themed_day", dt.date(2026, 1, 1), "month", 2, "all")  # two a month
    change("general_meeting", dt.date(2026, 1, 1), "quarter", 3, "all")  # three a quarter
    change("party_lecture", dt.date(2026, 5, 15), "month", 1, "all")  # Q2 measured, then June on its own
    change("group_meeting", dt.date(2026, 7, 1), "month", 1, "all")  # from July once for the branch


@pytest.fixture
def awkward(township_a, branch_a1, dora):
    """Branches, a 党总支 with direct members, party groups, members and meetings around the rules above."""
    rules_changed(dora)
    east, west = make_party_group(branch_a1, "东组"), make_party_group(branch_a1, "西组")
    full_members(branch_a1, 6)
    MemberFactory(organization=branch_a1, full_member_on=dt.date(2020, 1, 1), died_on=dt.date(2026, 8, 10))
    late = make_branch(township_a, code="B-LATE", established_on=dt.date(2026, 5, 15))
    full_members(late, 7)
    general = make_org(Organization.Kind.GENERAL_BRANCH, parent=township_a, code="GB-1")
    MemberFactory(organization=general)
    make_party_group(general, "一组")
    for month in range(1, 13):
        day = dt.date(2026, month, 10)
        held(branch_a1, day, "themed_day", "committee_meeting")
        if month % 2:
            held(branch_a1, day + dt.timedelta(days=5), "themed_day", group=east)  # a group on a plain kind
        held(branch_a1, day, "group_meeting", group=east if month % 3 else west)
        if month in (2, 3, 6, 9):
            held(branch_a1, day, "general_meeting", "party_lecture")
            held(branch_a1, day + dt.timedelta(days=1), "general_meeting")
        if month in (5, 6):
            held(late, day, "general_meeting", "themed_day", "party_lecture")
    held(branch_a1, dt.date(2026, 4, 2), "group_meeting")  # without a group: counts for nothing until July
    held(branch_a1, dt.date(2026, 8, 2), "group_meeting")  # branch-wide from July
    held(branch_a1, dt.date(2025, 12, 31), "themed_day", "life_meeting")  # last year
    planned = held(branch_a1, dt.date(2026, 3, 3), "themed_day")
    Meeting.objects.filter(pk=planned.pk).update(status=Meeting.Status.PLANNED)
    held(general, dt.date(2026, 3, 3), "member_review", "life_meeting")
    return Organization.objects.all()


def expected_tally(rows):
    out: dict[int, dict] = {}
    for r in rows:
        e = out.setdefault(r.organization_id, {"ok": 0, "missing": 0, "due": 0, "kinds": []})
        e[r.status] += 1
        if r.status == "missing" and r.kind_label not in e["kinds"]:
            e["kinds"].append(r.kind_label)
    return out


@pytest.fixture(params=["packed", "month by month"])
def counting(request, monkeypatch):
    """Both ways of counting the held meetings: packed per target and kind, and (when a target held more
    than the packed fields hold, here more than one a year) a row per month."""
    if request.param == "month by month":
        monkeypatch.setattr(compliance, "_MONTH_BITS", 1)
        monkeypatch.setattr(compliance, "_MONTH_MAX", 1)
    return request.param


@pytest.mark.parametrize("as_of", AS_OF_DAYS)
def test_tally_records_and_masks_are_the_grids_cells(awkward, counting, as_of):
    rows = compliance_grid(awkward, year=2026, as_of=as_of)
    assert {r.status for r in rows} == {"ok", "missing", "due"} or as_of.year == 2027
    assert any(r.required == 3 and r.held == 2 for r in rows)  # general meeting: two of three

    tallies = compliance_tally(awkward, year=2026, as_of=as_of)
    got = {
        t.organization_id: {"ok": t.ok, "missing": t.missing, "due": t.due, "kinds": t.missing_kinds}
        for t in tallies
    }
    assert got == expected_tally(rows)

    assert compliance_records(awkward, year=2026, as_of=as_of) == [
        (r.org_code, r.kind, r.party_group, r.period.label, r.required, r.held, r.status) for r in rows
    ]

    # the dashboard's counting: a quarter's periods, and the cells judged at each month's end
    cells = compliance_cells(awkward, year=2026, as_of=as_of)
    q2 = periods.quarter(2026, 2)

    def within(p):
        return q2.start <= p.start and p.end <= q2.end

    for unit in cells.units:
        mine = [r for r in rows if r.organization_id == unit.organization_id and within(r.period)]
        assert cells.counts(unit, cells.mask(within)) == tuple(
            sum(1 for r in mine if r.status == s) for s in ("ok", "missing", "due")
        )
        for month in (4, 5, 6):
            at_end = cells.mask(lambda p, m=month: within(p) and p.end.month == m)
            assert cells.counts(unit, at_end) == tuple(
                sum(1 for r in mine if r.period.end.month == month and r.status == s)
                for s in ("ok", "missing", "due")
            )


def test_the_awkward_rules_give_the_cells_the_regulations_ask(awkward, branch_a1):
    """A few cells worked out by hand, so that the comparisons above compare something that is right."""
    as_of = dt.date(2026, 11, 27)
    g = {
        (r.kind, r.party_group, r.period.label): (r.required, r.held, r.status)
        for r in compliance_grid(Organization.objects.filter(pk=branch_a1.pk), year=2026, as_of=as_of)
    }
    assert g[("themed_day", "", "2026-01")] == (2, 2, "ok")  # two themed days in January
    assert g[("themed_day", "", "2026-02")] == (2, 1, "missing")
    assert g[("general_meeting", "", "2026-Q1")] == (3, 4, "ok")
    assert g[("general_meeting", "", "2026-Q2")] == (3, 2, "missing")
    assert g[("party_lecture", "", "2026-Q2")] == (1, 1, "ok")  # June's lecture counts for Q2 and June
    assert g[("party_lecture", "", "2026-06")] == (1, 1, "ok")
    assert ("party_lecture", "", "2026-05") not in g and ("party_lecture", "", "2026-Q3") not in g
    assert g[("group_meeting", "东组", "2026-04")] == (1, 1, "ok")
    assert g[("group_meeting", "西组", "2026-04")] == (1, 0, "missing")
    assert ("group_meeting", "东组", "2026-07") not in g
    assert g[("committee_meeting", "", "2026-07")] == (1, 1, "ok")  # seven full members on July 31
    assert ("committee_meeting", "", "2026-08") not in g  # six after the death on August 10
