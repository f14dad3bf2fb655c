"""The organization page's panels that are cached under the versions of the tables they read (common.table_versions):
the committee and party groups (members), the recruitment stages, the latest democratic review (standing) and the
responsibility contracts (accountability). Every write to what a panel shows is seen on the next request, and a
second request reads the panels from the cache.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that wrote
commits, and inside a transaction (every other test) nothing is cached."""

import datetime as dt

import pytest
from django.db import transaction
from django.template.loader import render_to_string

from accountability.models import Contract
from branches.models import Organization, PartyGroup
from branches.selectors import scope_for
from common.panels import organization_panels
from members.models import BranchOfficer, CommitteeTerm, Member
from recruitment.models import Candidate
from standing.models import Review, ReviewEntry
from tests.factories import MemberFactory, make_party_group

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

D = dt.date
AS_OF = D(2026, 6, 15)
CACHED = {
    "members/panels/committee.html",
    "members/panels/party_groups.html",
    "recruitment/panels/organization.html",
    "standing/panels/organization.html",
    "accountability/panels/contract.html",
}


@pytest.fixture
def world(township_a, branch_a1, alice, bob):
    a, b = MemberFactory.create_batch(2, organization=branch_a1, admitted_on=D(2000, 1, 1))
    group = make_party_group(branch_a1)
    Member.objects.filter(pk=a.pk).update(party_group=group)
    term = CommitteeTerm.objects.create(
        organization=branch_a1, elected_on=D(2024, 1, 1), ends_on=D(2029, 1, 1)
    )
    BranchOfficer.objects.create(term=term, member=a, position=BranchOfficer.Position.SECRETARY)
    BranchOfficer.objects.create(term=term, member=b, position=BranchOfficer.Position.DEPUTY)
    candidate = Candidate.objects.create(
        name="申请人",
        gender="male",
        birth_date=D(1995, 5, 17),
        id_number="140303199505170011",
        organization=branch_a1,
        applied_on=D(2026, 1, 9),
    )
    review = Review.objects.create(organization=branch_a1, year=2025, held_on=D(2026, 1, 20))
    entry = ReviewEntry.objects.create(review=review, member=a)
    contract = Contract.objects.create(
        parent=township_a, organization=branch_a1, year=AS_OF.year, status=Contract.Status.ISSUED
    )
    return {
        "township": township_a,
        "branch": branch_a1,
        "alice": alice,
        "bob": bob,
        "a": a,
        "b": b,
        "group": group,
        "term": term,
        "candidate": candidate,
        "review": review,
        "entry": entry,
        "contract": contract,
    }


def shown(org, user) -> dict[str, str]:
    """The cached panels of the organization's page, as HTML."""
    org = Organization.objects.get(pk=org.pk)
    return {
        p.template: render_to_string(p.template, {"panel": p})
        for p in organization_panels(org=org, scope=scope_for(user), as_of=AS_OF)
        if p.template in CACHED
    }


def fresh(org, user) -> dict[str, str]:
    with transaction.atomic():  # nothing is read from or kept in the cache inside a transaction
        return shown(org, user)


WRITES = {
    "an officer renamed": lambda w: Member.objects.filter(pk=w["a"].pk).update(name="改名"),
    "an officer left the roll": lambda w: Member.objects.filter(pk=w["b"].pk).update(
        departed_on=D(2026, 3, 1), departure_reason=Member.Departure.TRANSFERRED_OUT
    ),
    "a new term elected": lambda w: CommitteeTerm.objects.create(
        organization=w["branch"], elected_on=D(2026, 5, 1), ends_on=D(2031, 5, 1)
    ),
    "an officer's duty": lambda w: BranchOfficer.objects.filter(member=w["b"]).update(duty="组织委员"),
    "a member joined the party group": lambda w: Member.objects.filter(pk=w["b"].pk).update(
        party_group=w["group"]
    ),
    "a party group renamed": lambda w: PartyGroup.objects.filter(pk=w["group"].pk).update(name="第二党小组"),
    "a candidate became an activist": lambda w: Candidate.objects.filter(pk=w["candidate"].pk).update(
        activist_on=D(2026, 3, 1)
    ),
    "a grade given": lambda w: ReviewEntry.objects.filter(pk=w["entry"].pk).update(grade="excellent"),
    "a review closed": lambda w: Review.objects.filter(pk=w["review"].pk).update(closed_on=D(2026, 2, 1)),
    "a contract signed": lambda w: Contract.objects.filter(pk=w["contract"].pk).update(
        status=Contract.Status.SIGNED
    ),
    "the issuer renamed": lambda w: Organization.objects.filter(pk=w["township"].pk).update(name="新乡镇"),
}
TOWNSHIP_UNCHANGED = {  # what the township's page does not show (the branch's committee, groups, review)
    "an officer renamed",
    "an officer left the roll",
    "a new term elected",
    "an officer's duty",
    "a member joined the party group",
    "a party group renamed",
    "a grade given",
    "a review closed",
    "the issuer renamed",
}


@pytest.mark.parametrize("root", ["branch", "township"])
@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_what_the_panels_show_is_seen_at_once(world, write, root):
    org, user = world[root], world["alice"] if root == "branch" else world["bob"]
    before = shown(org, user)
    assert before == fresh(org, user)
    assert shown(org, user) == before  # from the cache now
    WRITES[write](world)
    after = shown(org, user)
    assert after == fresh(org, user)
    if not (root == "township" and write in TOWNSHIP_UNCHANGED):
        assert after != before


def test_a_second_request_reads_the_panels_from_the_cache(world, django_assert_max_num_queries):
    org = Organization.objects.get(pk=world["branch"].pk)
    scope = scope_for(world["alice"])
    from accountability import selectors as accountability_selectors
    from members import selectors as members_selectors
    from recruitment import selectors as recruitment_selectors
    from standing import selectors as standing_selectors

    organization_panels(org=org, scope=scope, as_of=AS_OF)
    calls = [
        lambda: members_selectors.basic_organization_figures(org=org, as_of=AS_OF),
        lambda: recruitment_selectors.stage_counts(scope=scope, org=org, on=AS_OF),
        lambda: standing_selectors.review_latest(org=org),
        lambda: accountability_selectors.contract_panel_figures(org=org, year=AS_OF.year),
    ]
    for call in calls:
        with django_assert_max_num_queries(1):  # the versions
            call()
