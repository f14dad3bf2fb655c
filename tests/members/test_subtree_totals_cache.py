"""The members / full members of each subtree beside the organizations on the organization page and the tree
(members.selectors.subtree_member_totals) are cached under the versions of the tables they count
(SUBTREE_TOTALS_TABLES, common.table_versions): every way of writing what they count shows on the next request.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import Organization
from branches.tree import organization_children
from common.table_versions import table_versions
from members.models import Member
from members.selectors import SUBTREE_TOTALS_TABLES
from tests.conftest import login
from tests.factories import MemberFactory, make_branch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]


def member(org, **fields):
    fields.setdefault("admitted_on", dt.date(2000, 1, 1))
    fields.setdefault("full_member_on", dt.date(2001, 1, 1))
    return MemberFactory(organization=org, **fields)


@pytest.fixture
def world(county, township_a, township_b, branch_a1, branch_a2, branch_b1, dora):
    return {
        "county": county,
        "township": township_a,
        "tb": township_b,
        "a1": branch_a1,
        "a2": branch_a2,
        "b1": branch_b1,
        "dora": dora,
        "x": member(branch_a1),
        "y": member(branch_a2, full_member_on=None),
        "z": member(branch_b1),
    }


def totals(org) -> list:
    org = Organization.objects.get(pk=org.pk)
    children, _figures = organization_children(org=org, as_of=timezone.localdate())
    return [(org.total_members, org.total_full)] + [(c.pk, c.total_members, c.total_full) for c in children]


def fresh(org) -> list:
    with transaction.atomic():  # nothing is read from or kept in the cache inside a transaction
        return totals(org)


WRITES = {
    "a member admitted": lambda w: member(w["a1"]),
    "a member died": lambda w: Member.objects.filter(pk=w["x"].pk).update(died_on=dt.date(2026, 1, 1)),
    "a member departed": lambda w: Member.objects.filter(pk=w["x"].pk).update(
        departed_on=dt.date(2026, 1, 1), departure_reason=Member.Departure.TRANSFERRED_OUT
    ),
    "a member made full": lambda w: Member.objects.filter(pk=w["y"].pk).update(
        full_member_on=dt.date(2001, 1, 1)
    ),
    "a member moved to the other township": lambda w: Member.objects.filter(pk=w["x"].pk).update(
        organization=w["b1"]
    ),
    "a member deleted": lambda w: w["y"].delete(),
    "a branch founded with a member": lambda w: member(make_branch(w["tb"], code="B-NEW", name="新支部")),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_what_the_totals_count_is_seen_at_once(world, write):
    org = world["county"]
    before = totals(org)
    assert before == fresh(org)
    assert totals(org) == before  # from the cache now
    version = table_versions(SUBTREE_TOTALS_TABLES)
    WRITES[write](world)
    assert table_versions(SUBTREE_TOTALS_TABLES) != version
    after = totals(org)
    assert after == fresh(org)
    assert after != before


def test_a_township_and_its_branches_too(world):
    for root in ("county", "township", "tb", "a1"):
        assert totals(world[root]) == fresh(world[root])
    member(world["a2"])
    for root in ("county", "township", "tb", "a1"):
        assert totals(world[root]) == fresh(world[root])


def test_the_organization_page_shows_a_new_member_at_once(client, world):
    login(client, world["dora"])
    url = reverse("branches:detail", args=[world["county"].pk])
    client.get(url)
    first = {c.pk: c.total_members for c in client.get(url).context["children"]}
    member(world["a2"])
    after = {c.pk: c.total_members for c in client.get(url).context["children"]}
    assert after[world["township"].pk] == first[world["township"].pk] + 1
