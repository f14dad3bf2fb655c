"""The issue's yardstick: the same number of queries for 10 and for 1,000 members on the roster's list and
detail pages, the branch page with every app's panels, and the pages of the remedies that list members."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member
from tests.conftest import login
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _bulk_members(org, n):
    Member.objects.bulk_create(MemberFactory.build_batch(n, organization=org), batch_size=500)
    return Member.objects.filter(organization=org).order_by("pk").first()


def _count(client, url):
    client.get(url)  # warm per-process caches (rules, kinds) so both sizes are measured alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


PAGES = [
    ("members:list", None),
    ("members:detail", "member"),
    ("branches:detail", "org"),
    ("education:org_members", "org"),
    ("care:eligible", "org"),
    ("care:org", "org"),
    ("care:grants", "org"),
    ("members:statistics", None),
    ("recruitment:pipeline", None),
]

# Pages without the organization in their path take it as ?org= (?organization= for the member list).
ORG_PARAM = {"members:list": "organization", "members:statistics": "org", "recruitment:pipeline": "org"}


@pytest.mark.parametrize(("name", "arg"), PAGES)
def test_same_query_count_for_10_and_1000_members(client, township_a, alice, name, arg):
    from branches.models import RoleAssignment
    from tests.factories import make_branch, make_role

    counts = []
    for n in (10, 1000):
        branch = make_branch(township_a)
        make_role(alice, branch, RoleAssignment.Role.BRANCH_SECRETARY)
        alice.__dict__.pop("_scope_cache", None)
        first = _bulk_members(branch, n)
        login(client, alice)
        args = {"member": [first.pk], "org": [branch.pk], None: None}[arg]
        url = reverse(name, args=args)
        if name in ORG_PARAM:
            url += f"?{ORG_PARAM[name]}={branch.pk}"
        counts.append(_count(client, url))
    assert counts[0] == counts[1], f"{name}: {counts[0]} queries for 10 members, {counts[1]} for 1,000"


def test_dues_totals_same_query_count_for_10_and_1000_members(client, county, township_a, dora):
    """The county's and a township's dues totals (summed in the database): the same queries for a branch of
    10 members with dues records and payments as for one of 1,000."""
    import datetime as dt
    from decimal import Decimal

    from dues.models import DuesRecord, Payment
    from tests.factories import make_branch
    from users.services import system_user

    by = system_user()
    login(client, dora)
    counts = []
    for n in (10, 1000):
        branch = make_branch(township_a)
        _bulk_members(branch, n)
        members = list(Member.objects.filter(organization=branch))
        DuesRecord.objects.bulk_create(
            DuesRecord(
                member=m,
                category="employed",
                base=Decimal("4000"),
                starts_month=dt.date(2026, 1, 1),
                created_by=by,
            )
            for m in members
        )
        Payment.objects.bulk_create(
            Payment(
                member=m,
                paid_on=dt.date(2026, 2, 1),
                first_month=dt.date(2026, 1, 1),
                last_month=dt.date(2026, 2, 1),
                amount=Decimal("81"),
                due=Decimal("80"),
                extra=Decimal("1"),
                recorded_by=by,
            )
            for m in members
        )
        counts.append(
            [
                _count(client, reverse("dues:totals", args=[org.pk]) + "?year=2026")
                for org in (county, township_a)
            ]
        )
    assert counts[0] == counts[1], f"dues totals: {counts[0]} queries for 10 members, {counts[1]} for 1,000"
