"""党内统计 is cached under the versions of the tables it is computed from (members.statistics.TABLES,
common.table_versions): every way of writing what it counts makes the next request count again, and nothing
else does.

These tests commit (transaction=True): a version is bumped by database triggers when a transaction that
wrote commits, and inside a transaction (every other test) nothing is cached."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from branches.models import Organization
from common.table_versions import table_versions
from members.models import Member, Transfer
from members.services import member_transfer
from members.statistics import TABLES, party_statistics
from tests.conftest import login
from tests.factories import MemberFactory, make_branch, make_org
from users.services import system_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

D = dt.date(2026, 6, 30)


def member(org, **fields):
    fields.setdefault("admitted_on", dt.date(2000, 1, 1))
    fields.setdefault("full_member_on", dt.date(2001, 1, 1))
    return MemberFactory(organization=org, **fields)


@pytest.fixture
def world(county, township_a, township_b, branch_a1, branch_a2, branch_b1, dora):
    return {
        "county": county,
        "township": township_a,
        "a1": branch_a1,
        "a2": branch_a2,
        "b1": branch_b1,
        "dora": dora,
        "x": member(branch_a1, gender="male"),
        "y": member(branch_a2, gender="female"),
        "z": member(branch_b1, gender="male"),
    }


def cached(org, as_of=D) -> list:
    return party_statistics(org=Organization.objects.get(pk=org.pk), as_of=as_of)


def fresh(org, as_of=D) -> list:
    with transaction.atomic():  # nothing is read from or kept in the cache inside a transaction
        return cached(org, as_of)


WRITES = {
    "a member admitted": lambda w: member(w["a1"]),
    "a member admitted after the day": lambda w: Member.objects.filter(pk=w["x"].pk).update(
        admitted_on=dt.date(2026, 7, 1), full_member_on=None
    ),
    "a member died": lambda w: Member.objects.filter(pk=w["y"].pk).update(died_on=dt.date(2026, 1, 5)),
    "a member departed": lambda w: Member.objects.filter(pk=w["x"].pk).update(
        departed_on=dt.date(2026, 2, 1), departure_reason=Member.Departure.TRANSFERRED_OUT
    ),
    "a member's gender": lambda w: Member.objects.filter(pk=w["x"].pk).update(gender="female"),
    "a member deleted": lambda w: w["y"].delete(),
    "a member transferred out of the township": lambda w: member_transfer(
        member=w["y"], to_organization=w["b1"], on=dt.date(2026, 3, 1), by=system_user()
    ),
    "a transfer after the day undone": lambda w: Transfer.objects.filter(member=w["moved"]).delete(),
    "a branch founded": lambda w: make_branch(
        w["township"], code="B-NEW", established_on=dt.date(2026, 1, 1)
    ),
    "a branch closed": lambda w: Organization.objects.filter(pk=w["a2"].pk).update(is_active=False),
    "a general branch founded": lambda w: make_org(Organization.Kind.GENERAL_BRANCH, parent=w["township"]),
}
# A transfer dated after the day counts the member where they were: only the township's figures move.
COUNTY_UNCHANGED = {"a transfer after the day undone", "a member transferred out of the township"}


@pytest.fixture
def moved(world):
    """z moved from b1 to a1 after the day: on the day z still counts in 乙镇."""
    member_transfer(member=world["z"], to_organization=world["a1"], on=dt.date(2026, 8, 1), by=system_user())
    world["moved"] = world["z"]
    return world


@pytest.mark.parametrize("root", ["county", "township"])
@pytest.mark.parametrize("write", WRITES)
def test_every_write_to_what_the_statistics_count_is_seen_at_once(moved, write, root):
    org = moved[root]
    before = cached(org)
    assert before == fresh(org)
    assert cached(org) == before  # from the cache now
    version = table_versions(TABLES)
    WRITES[write](moved)
    assert table_versions(TABLES) != version
    after = cached(org)
    assert after == fresh(org)
    if not (root == "county" and write in COUNTY_UNCHANGED):
        assert after != before


def test_a_second_request_is_served_from_the_cache(world, django_assert_num_queries):
    org = Organization.objects.get(pk=world["county"].pk)
    first = party_statistics(org=org, as_of=D)
    with django_assert_num_queries(1):  # the versions
        assert party_statistics(org=org, as_of=D) == first


def test_each_day_and_organization_has_its_own_figures(world):
    days = (D, dt.date(1999, 12, 31), dt.date(2026, 7, 1))
    roots = ("county", "township", "a1", "b1")
    seen = {(root, day): cached(world[root], day) for root in roots for day in days}
    for (root, day), rows in seen.items():
        assert rows == fresh(world[root], day) == cached(world[root], day)


def test_writes_to_other_tables_keep_the_cache(world, django_assert_num_queries):
    org = Organization.objects.get(pk=world["county"].pk)
    party_statistics(org=org, as_of=D)
    world["dora"].name = "Dora D."
    world["dora"].save()
    with django_assert_num_queries(1):
        party_statistics(org=org, as_of=D)


def test_the_page_shows_a_new_member_at_once(client, world):
    login(client, world["dora"])
    url = reverse("members:statistics") + f"?as_of={D.isoformat()}"
    client.get(url)
    first = client.get(url).context["total"]
    member(world["b1"])
    assert client.get(url).context["total"] == first + 1
