"""Figures as of a date (issue 9, item 5): a report for a past day reads "who was a member on D" through
members.selectors.living_on, so it gives the same output whether it runs now or after the roster changed
(a new member, a transfer, a death, a departure)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from branches.models import Organization
from members import services
from members.models import Member
from members.selectors import (
    COMMITTEE_MIN_FULL_MEMBERS,
    living_on,
    organization_on,
    organizations_with_counts,
)
from tests.care.factories import make_member

pytestmark = pytest.mark.django_db
D = dt.date
PAST = D(2025, 6, 30)
LAST_YEAR = PAST.year


@pytest.fixture
def roster(branch_a1, branch_a2, branch_b1):
    """branch_a1: exactly COMMITTEE_MIN_FULL_MEMBERS full members on PAST (it has a committee), some of them
    old or in hardship (benefits); branch_a2: a few members."""
    a1 = [
        make_member(branch_a1, born=D(1940 + i, 1, 1), admitted=D(1970, 1, 1), hardship=i == 1)
        for i in range(COMMITTEE_MIN_FULL_MEMBERS)
    ]
    a2 = [make_member(branch_a2, born=D(1944, 1, 1), admitted=D(1970, 1, 1)) for _ in range(2)]
    return {"a1": a1, "a2": a2}


def change_the_roster(roster, branch_a1, branch_a2, *, by):
    """What happens after PAST: one joins, one transfers, one dies, one departs (each dated today)."""
    today = timezone.localdate()
    make_member(branch_a1, born=D(1940, 1, 1), admitted=today, full=None)
    a1 = roster["a1"]
    services.member_transfer(member=a1[0], to_organization=branch_a2, on=today, by=by)
    services.member_record_death(member=a1[1], died_on=today, by=by)
    services.member_depart(member=a1[2], on=today, reason=Member.Departure.TRANSFERRED_OUT, by=by)
    services.member_depart(member=roster["a2"][0], on=today, reason=Member.Departure.LEFT, by=by)


def counts(*orgs):
    qs = organizations_with_counts(Organization.objects.filter(pk__in=[o.pk for o in orgs]), as_of=PAST)
    return sorted(qs.values_list("code", "member_count", "full_count", "has_committee"))


def test_branch_counts_and_committee_on_a_past_date_do_not_change(
    bob, roster, branch_a1, branch_a2, township_a
):
    before = counts(branch_a1, branch_a2)
    assert before == [("B-A1", 7, 7, True), ("B-A2", 2, 2, False)]
    members_before = {o.pk: set(living_on(on=PAST, org=o)) for o in (branch_a1, branch_a2, township_a)}
    change_the_roster(roster, branch_a1, branch_a2, by=bob)
    assert counts(branch_a1, branch_a2) == before
    assert {
        o.pk: set(living_on(on=PAST, org=o)) for o in (branch_a1, branch_a2, township_a)
    } == members_before
    # and today the roster says what happened
    today = timezone.localdate()
    today_counts = organizations_with_counts(Organization.objects.filter(pk=branch_a1.pk), as_of=today).get()
    assert (today_counts.member_count, today_counts.full_count, today_counts.has_committee) == (5, 4, False)


def test_a_member_transferred_twice_counts_where_they_were(bob, roster, branch_a1, branch_a2, branch_b1):
    mover = roster["a1"][0]
    services.member_transfer(member=mover, to_organization=branch_a2, on=D(2025, 9, 1), by=bob)
    services.member_transfer(member=mover, to_organization=branch_b1, on=D(2025, 10, 1), by=bob)
    assert mover in living_on(on=PAST, org=branch_a1)
    assert mover in living_on(on=D(2025, 9, 15), org=branch_a2)
    assert mover not in living_on(on=D(2025, 9, 15), org=branch_a1)
    assert mover in living_on(on=D(2025, 10, 1), org=branch_b1)
    assert dict(
        Member.objects.filter(pk=mover.pk).values_list("pk", organization_on(D(2025, 9, 15), "code"))
    ) == {mover.pk: "B-A2"}
    assert counts(branch_a1, branch_a2, branch_b1) == [
        ("B-A1", 7, 7, True),
        ("B-A2", 2, 2, False),
        ("B-B1", 0, 0, False),
    ]


def _report_benefits(*args) -> str:
    out = io.StringIO()
    call_command("report_benefits", "--as-of", PAST.isoformat(), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_report_benefits_of_a_past_date_does_not_change(bob, roster, branch_a1, branch_a2):
    county, township = _report_benefits(), _report_benefits("--org", "T-A")
    branch = _report_benefits("--org", "B-A1")
    assert len(county.splitlines()) == 1 + 9  # every member is 80 or more (rural: subsidy_80)
    assert branch.count("B-A1") == 7
    change_the_roster(roster, branch_a1, branch_a2, by=bob)
    assert _report_benefits() == county
    assert _report_benefits("--org", "T-A") == township
    assert _report_benefits("--org", "B-A1") == branch


def _report_compliance() -> str:
    out = io.StringIO()
    call_command(
        "report_compliance",
        "--year",
        str(LAST_YEAR),
        "--as-of",
        D(LAST_YEAR, 12, 31).isoformat(),
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_report_compliance_for_last_year_does_not_change(bob, roster, branch_a1, branch_a2):
    before = _report_compliance()
    assert "committee_meeting" in before  # branch_a1 has a committee in that year
    today = timezone.localdate()
    make_member(branch_a1, born=D(1960, 1, 1), admitted=today, full=None)
    services.member_transfer(member=roster["a2"][1], to_organization=branch_a1, on=today, by=bob)
    services.member_record_death(member=roster["a1"][1], died_on=today, by=bob)
    services.member_depart(member=roster["a1"][2], on=today, reason=Member.Departure.EXPELLED, by=bob)
    assert _report_compliance() == before


def test_dashboard_counts_of_a_past_date_leave_out_the_departed(bob, roster, township_a):
    from dashboard.selectors import organization_summaries

    services.member_depart(member=roster["a1"][2], on=D(2025, 1, 1), reason=Member.Departure.REMOVED, by=bob)
    [summary] = organization_summaries(orgs=[township_a], as_of=PAST)
    assert summary.members == 8
    [summary] = organization_summaries(orgs=[township_a], as_of=D(2024, 12, 31))
    assert summary.members == 9


def test_report_compliance_for_last_year_keeps_the_committee_after_a_transfer_crosses_seven(
    bob, roster, branch_a1, branch_a2
):
    """branch_a1 had exactly seven full members last year (a 支委会 was required); a transfer out today leaves
    six, and last year's report still measures the committee meetings it owed then."""
    before = _report_compliance()
    assert "committee_meeting" in before
    today = timezone.localdate()
    services.member_transfer(member=roster["a1"][0], to_organization=branch_a2, on=today, by=bob)
    assert _report_compliance() == before
