"""members.selectors.living_on: the one definition of "who was a member on day D", at its edges, and the
counts built on it (organization counts, care's alive_member_q, education's living_on) agree with it."""

import datetime as dt

import pytest

from branches.models import Organization
from care.selectors import alive_member_q
from education.compliance import living_on as education_living_on
from members.models import Member
from members.selectors import full_members_on, living_on, living_on_q, organizations_with_counts
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

D = dt.date(2024, 6, 15)
DAY = dt.timedelta(days=1)


@pytest.fixture
def edge_members(branch_a1):
    def member(name, admitted_on, died_on=None, full_member_on=None, departed_on=None):
        return MemberFactory(
            name=name,
            organization=branch_a1,
            admitted_on=admitted_on,
            full_member_on=full_member_on,
            died_on=died_on,
            departed_on=departed_on,
            departure_reason=Member.Departure.LEFT if departed_on else "",
        )

    return {
        "admitted_on_d": member("admitted on D", D),
        "admitted_after_d": member("admitted the day after", D + DAY),
        "died_on_d": member("died on D", dt.date(2000, 1, 1), died_on=D),
        "died_after_d": member("died the day after", dt.date(2000, 1, 1), died_on=D + DAY),
        "died_before_d": member("died the day before", dt.date(2000, 1, 1), died_on=D - DAY),
        "full_on_d": member("full on D", D - 365 * DAY, full_member_on=D),
        "full_after_d": member("full the day after", D - 365 * DAY, full_member_on=D + DAY),
        "departed_on_d": member("departed on D", dt.date(2000, 1, 1), departed_on=D),
        "departed_after_d": member("departed the day after", dt.date(2000, 1, 1), departed_on=D + DAY),
        "departed_before_d": member("departed the day before", dt.date(2000, 1, 1), departed_on=D - DAY),
    }


EXPECTED_ON_D = {"admitted_on_d", "died_after_d", "full_on_d", "full_after_d", "departed_after_d"}


def test_who_was_a_member_on_d(edge_members):
    members_on_d = set(living_on(on=D))
    assert {key for key, m in edge_members.items() if m in members_on_d} == EXPECTED_ON_D


def test_full_members_on_d(edge_members):
    full = set(Member.objects.filter(full_members_on(D)))
    assert {key for key, m in edge_members.items() if m in full} == {"full_on_d"}


def test_org_is_a_subtree(edge_members, township_a, township_b, branch_a1):
    assert set(living_on(on=D, org=township_a)) == set(living_on(on=D, org=branch_a1)) == set(living_on(on=D))
    assert not living_on(on=D, org=township_b).exists()


def test_every_count_as_of_a_date_agrees(edge_members, branch_a1):
    expected = {edge_members[key].pk for key in EXPECTED_ON_D}
    assert set(Member.objects.filter(alive_member_q(as_of=D)).values_list("pk", flat=True)) == expected
    assert set(Member.objects.filter(education_living_on(D)).values_list("pk", flat=True)) == expected
    assert set(Member.objects.filter(living_on_q(D)).values_list("pk", flat=True)) == expected
    counted = organizations_with_counts(Organization.objects.filter(pk=branch_a1.pk), as_of=D).get()
    assert (counted.member_count, counted.full_count) == (len(expected), 1)


def test_living_in_and_status_counts_read_the_same_with_or_without_later_transfers(
    bob, edge_members, township_a, branch_a1, branch_a2, branch_b1
):
    """living_in and member_status_counts take a cheaper form when nobody moved after the day
    (transfers_after_exist): the same members and counts as living_on's, before and after a transfer."""
    from members import services
    from members.selectors import living_in, member_status_counts, transfers_after_exist

    county = township_a.parent
    mover = MemberFactory(organization=branch_a1, admitted_on=dt.date(2000, 1, 1))
    MemberFactory(organization=branch_b1, admitted_on=dt.date(2000, 1, 1))

    def read():
        return {
            org.pk: (
                set(living_in(on=D, org=org)),
                {
                    k: (c.members, c.full, c.probation_due)
                    for k, c in member_status_counts(on=D, org=org, depth=org.depth + 1).items()
                },
            )
            for org in (county, township_a, branch_a1, branch_a2)
        }

    assert not transfers_after_exist(D)
    before = read()
    assert before[branch_a1.pk][0] == set(living_on(on=D, org=branch_a1))
    assert mover in before[branch_a1.pk][0]
    services.member_transfer(member=mover, to_organization=branch_b1, on=D + DAY, by=bob)
    assert transfers_after_exist(D)
    assert read() == before  # where they were on D, the transfer undone
    assert mover in living_in(on=D + DAY, org=branch_b1)
