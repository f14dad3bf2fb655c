"""The township compliance page and the panels: the same number of queries for 5 and for 50 branches."""

import datetime as dt

import pytest
from django.urls import reverse

from branches.models import Organization
from branches.selectors import scope_for
from education.panels import member_panels, organization_panels
from tests.conftest import login
from tests.factories import MemberFactory, make_branch, make_org, make_party_group

from .conftest import full_members, held

pytestmark = pytest.mark.django_db


def add_branches(township, n, start=0):
    for i in range(start, start + n):
        b = make_branch(township, code=f"TB{i:03d}")
        full_members(b, 7 if i % 2 else 3)
        make_party_group(b, "一组")
        held(b, dt.date(2026, 1, 5), "themed_day", "general_meeting")


def test_township_page_query_count_does_not_grow(client, bob, township_a, django_assert_num_queries):
    login(client, bob)
    url = reverse("education:compliance") + f"?org={township_a.pk}&year=2026"
    add_branches(township_a, 5)
    client.get(url)
    with django_assert_num_queries(12) as five:
        r = client.get(url)
    assert r.context["units"] == 5
    add_branches(township_a, 45, start=5)
    with django_assert_num_queries(len(five.captured_queries)):
        r = client.get(url)
    assert r.context["units"] == 50
    assert r.context["behind"] == 50
    assert len(r.context["page"].object_list) == 50  # PAGE_SIZE 50


def test_branch_strip_and_panel(client, alice, branch_a1, today, django_assert_max_num_queries):
    held(branch_a1, today, "themed_day")
    scope = scope_for(alice)
    with django_assert_max_num_queries(7):  # the grid's seven (outside a transaction: the cached grid's one)
        panels = organization_panels(org=branch_a1, scope=scope, as_of=today)
    assert panels and panels[0].context["strip"]
    login(client, alice)
    assert "strip-ok" in client.get(reverse("education:compliance_org", args=[branch_a1.pk])).content.decode()


def test_a_closed_branch_shows_its_summary_not_a_strip(alice, branch_a1, today):
    """A closed branch is not measured: the branch panel asks, as before the strip came first."""
    branch_a1.is_active = False
    branch_a1.save()
    panels = organization_panels(org=branch_a1, scope=scope_for(alice), as_of=today)
    assert panels[0].context["strip"] is None and panels[0].context["units"] == 0


def test_a_general_branch_with_members_of_its_own_has_a_strip(dora, township_a, today):
    general = make_org(Organization.Kind.GENERAL_BRANCH, parent=township_a)
    full_members(general, 3)
    panels = organization_panels(org=general, scope=scope_for(dora), as_of=today)
    assert panels[0].context["strip"]
    without = make_org(Organization.Kind.GENERAL_BRANCH, parent=township_a)
    assert organization_panels(org=without, scope=scope_for(dora), as_of=today)[0].context["strip"] is None


def test_township_panel_lists_branches_behind(bob, township_a, branch_a1, branch_a2, today):
    held(branch_a1, today, "themed_day")
    panels = organization_panels(org=township_a, scope=scope_for(bob), as_of=today)
    assert panels[0].context["units"] == 2
    assert organization_panels(org=township_a, scope=scope_for(bob), as_of=today)[0].template.endswith(
        ".html"
    )


def test_panels_hidden_from_outsiders(charlie, branch_a1, today):
    member = MemberFactory(organization=branch_a1)
    assert organization_panels(org=branch_a1, scope=scope_for(charlie), as_of=today) == []
    assert member_panels(member=member, scope=scope_for(charlie), as_of=today) == []


def test_member_panel(alice, branch_a1, today, django_assert_max_num_queries):
    member = MemberFactory(organization=branch_a1)
    with django_assert_max_num_queries(5):
        panels = member_panels(member=member, scope=scope_for(alice), as_of=today)
    assert panels[0].context["stats"].absence_streak == 0


def test_org_members_page_bounded_queries(client, alice, branch_a1, today, django_assert_num_queries):
    login(client, alice)
    url = reverse("education:org_members", args=[branch_a1.pk])
    full_members(branch_a1, 3)
    client.get(url)
    with django_assert_num_queries(11) as few:
        client.get(url)
    full_members(branch_a1, 30)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_county_overview_and_organization_page_query_counts_do_not_grow(
    client, dora, county, township_a, township_b
):
    """The county's pages count every unit of the county (the cells as masks, no row per cell): the same
    queries for 4 branches and for 40 (outside a transaction the cells come from the cache: one query)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, dora)
    overview = reverse("education:compliance") + "?year=2026"
    organization = reverse("branches:detail", args=[county.pk])

    def counts() -> list[int]:
        out = []
        for url in (overview, organization):
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    add_branches(township_a, 2)
    add_branches(township_b, 2, start=2)
    few = counts()
    assert client.get(overview).context["units"] == 4
    add_branches(township_a, 18, start=4)
    add_branches(township_b, 18, start=22)
    assert counts() == few
    assert client.get(overview).context["units"] == 40
