import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Organization, PartyGroup, RoleAssignment
from tests.conftest import login
from tests.factories import MemberFactory, UserFactory, make_branch, make_party_group, make_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_foreign_panels(monkeypatch):
    """Our own query counts: other apps' panels are measured by the 'does not grow' test."""
    monkeypatch.setattr("common.panels.organization_panels", lambda **kw: [])


def tree_orgs(response):
    def walk(nodes):
        for node in nodes:
            yield node.org
            yield from walk(node.children)

    return set(walk(response.context["roots"]))


def test_tree_is_scoped(
    client, alice, bob, dora, county, township_a, township_b, branch_a1, branch_a2, branch_b1
):
    assert tree_orgs(login(client, alice).get(reverse("branches:list"))) == {branch_a1}
    assert tree_orgs(login(client, bob).get(reverse("branches:list"))) == {township_a, branch_a1, branch_a2}
    # the page holds the tops and their children; a deeper level is fetched when it is opened
    assert tree_orgs(login(client, dora).get(reverse("branches:list"))) == {county, township_a, township_b}
    opened = client.get(reverse("branches:tree_children", args=[township_a.pk]))
    assert [n.org for n in opened.context["node"].children] == [branch_a1, branch_a2]
    assert login(client, bob).get(reverse("branches:tree_children", args=[township_b.pk])).status_code == 404


def test_tree_loads_only_what_it_shows(client, dora, county, township_a, branch_a1):
    """A level below the children is not loaded, but the child knows it can be opened (issue 14)."""
    response = login(client, dora).get(reverse("branches:list"))
    (root,) = response.context["roots"]
    township = next(n for n in root.children if n.org == township_a)
    assert township.children == [] and township.expandable
    assert f'hx-get="{reverse("branches:tree_children", args=[township_a.pk])}"' in response.content.decode()


def test_tree_counts_roll_up(client, bob, township_a, branch_a1, branch_a2):
    MemberFactory.create_batch(2, organization=branch_a1)
    MemberFactory(organization=branch_a1, probationary=True)
    MemberFactory(organization=branch_a2)
    MemberFactory(organization=branch_a2, died_on=dt.date(2020, 1, 1))
    response = login(client, bob).get(reverse("branches:list"))
    (root,) = response.context["roots"]
    assert (root.org.total_members, root.org.total_full) == (4, 3)
    counts = {n.org.code: (n.org.total_members, n.org.total_full) for n in root.children}
    assert counts == {"B-A1": (3, 2), "B-A2": (1, 1)}


def test_tree_search(client, dora, branch_a1, branch_b1):
    response = login(client, dora).get(reverse("branches:list"), {"q": "b-a1"})
    assert response.context["matches"] == [branch_a1]
    response = client.get(reverse("branches:list"), {"q": "乙一"})
    assert response.context["matches"] == [branch_b1]


@pytest.mark.parametrize("n", [3, 60])
def test_tree_query_count_is_bounded(client, dora, township_a, n, django_assert_num_queries):
    for _i in range(n):
        branch = make_branch(township_a)
        MemberFactory(organization=branch)
    login(client, dora)
    client.get(reverse("branches:list"))
    # the tree's one query and the subtree totals of the organizations whose children it does not load
    with django_assert_num_queries(6):
        assert client.get(reverse("branches:list")).status_code == 200


def test_detail(client, bob, township_a, branch_a1, branch_a2):
    MemberFactory.create_batch(2, organization=branch_a1)
    response = login(client, bob).get(reverse("branches:detail", args=[township_a.pk]))
    assert response.status_code == 200
    assert [c.pk for c in response.context["children"]] == [branch_a1.pk, branch_a2.pk]
    assert response.context["children"][0].total_members == 2
    assert response.context["org"].total_members == 2
    assert f'{branch_a1.name} <small class="text-muted">{branch_a1.get_kind_display()}</small>' in (
        response.content.decode()
    )
    ancestors = response.context["ancestors"]
    assert [(a.kind, visible) for a, visible in ancestors] == [("county", False)]


def test_outsider_gets_404_on_org_pages(client, charlie, branch_a1):
    group = make_party_group(branch_a1)
    login(client, charlie)
    for url in [
        reverse("branches:detail", args=[branch_a1.pk]),
        reverse("branches:edit", args=[branch_a1.pk]),
        reverse("branches:group_create", args=[branch_a1.pk]),
        reverse("branches:group_edit", args=[group.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("branches:group_delete", args=[group.pk])).status_code == 404
    assert PartyGroup.objects.exists()


def test_officer_reads_but_cannot_edit(client, branch_a1):
    officer = UserFactory()
    make_role(officer, branch_a1, RoleAssignment.Role.OFFICER)
    login(client, officer)
    assert client.get(reverse("branches:detail", args=[branch_a1.pk])).status_code == 200
    assert client.get(reverse("branches:edit", args=[branch_a1.pk])).status_code == 404
    assert client.get(reverse("branches:create")).status_code == 404


@pytest.mark.parametrize("n", [3, 60])
def test_detail_query_count_is_bounded(client, dora, township_a, n, django_assert_num_queries):
    for _i in range(n):
        MemberFactory(organization=make_branch(township_a))
    login(client, dora)
    client.get(reverse("branches:detail", args=[township_a.pk]))
    with django_assert_num_queries(7):
        assert client.get(reverse("branches:detail", args=[township_a.pk])).status_code == 200


def test_detail_with_other_apps_panels_does_not_grow(client, monkeypatch, dora, township_a):
    monkeypatch.undo()
    login(client, dora)
    counts = []
    for n in (3, 40):
        branch = make_branch(township_a)
        MemberFactory.create_batch(n, organization=branch)
        client.get(reverse("branches:detail", args=[branch.pk]))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("branches:detail", args=[branch.pk])).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


# -- create, edit, move ----------------------------------------------------------------------------------


def test_create_under_writable_org_only(client, bob, township_a, township_b):
    login(client, bob)
    data = {
        "parent": township_a.pk,
        "code": "B-A9",
        "name": "甲九村党支部",
        "kind": "branch",
        "sector": "rural",
        "is_active": "on",
    }
    response = client.post(reverse("branches:create"), data)
    assert response.status_code == 302
    new = Organization.objects.get(code="B-A9")
    assert new.path.startswith(township_a.path)
    response = client.post(reverse("branches:create"), {**data, "code": "B-B9", "parent": township_b.pk})
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not Organization.objects.filter(code="B-B9").exists()


def test_duplicate_code_is_refused_and_form_keeps_input(client, bob, township_a, branch_a1):
    login(client, bob)
    data = {"parent": township_a.pk, "code": "B-A1", "name": "重复", "kind": "branch", "sector": "rural"}
    response = client.post(reverse("branches:create"), data)
    assert "code" in response.context["form"].errors
    assert response.context["form"]["name"].value() == "重复"


def test_move_refuses_cycle(client, dora, county, township_a):
    from tests.factories import make_org

    general = make_org("general_branch", parent=township_a, code="G1")
    login(client, dora)
    data = {
        "parent": general.pk,
        "code": "T-A",
        "name": "甲镇",
        "kind": "township",
        "sector": "rural",
        "is_active": "on",
    }
    response = client.post(reverse("branches:edit", args=[township_a.pk]), data)
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    township_a.refresh_from_db()
    assert township_a.parent == county


def test_move_branch_between_townships(client, dora, branch_a1, township_b):
    MemberFactory(organization=branch_a1)
    login(client, dora)
    data = {
        "parent": township_b.pk,
        "code": "B-A1",
        "name": "甲一村党支部",
        "kind": "branch",
        "sector": "rural",
        "is_active": "on",
    }
    assert client.post(reverse("branches:edit", args=[branch_a1.pk]), data).status_code == 302
    branch_a1.refresh_from_db()
    assert branch_a1.parent == township_b and branch_a1.path.startswith(township_b.path)


def test_branch_secretary_cannot_move_own_branch(client, alice, branch_a1):
    login(client, alice)
    response = client.get(reverse("branches:edit", args=[branch_a1.pk]))
    assert "parent" not in response.context["form"].fields
    data = {"code": "B-A1", "name": "新名字", "kind": "branch", "sector": "rural", "is_active": "on"}
    assert client.post(reverse("branches:edit", args=[branch_a1.pk]), data).status_code == 302
    branch_a1.refresh_from_db()
    assert branch_a1.name == "新名字"


# -- party groups ----------------------------------------------------------------------------


def test_party_group_create_edit_delete(client, alice, branch_a1):
    login(client, alice)
    client.post(
        reverse("branches:group_create", args=[branch_a1.pk]), {"name": "东头", "central_household": "张家"}
    )
    group = PartyGroup.objects.get()
    response = client.post(reverse("branches:group_create", args=[branch_a1.pk]), {"name": "东头"})
    assert "name" in response.context["form"].errors
    client.post(reverse("branches:group_edit", args=[group.pk]), {"name": "西头"})
    group.refresh_from_db()
    assert group.name == "西头"
    member = MemberFactory(organization=branch_a1, party_group=group)
    client.post(reverse("branches:group_delete", args=[group.pk]))
    member.refresh_from_db()
    assert member.party_group is None and not PartyGroup.objects.exists()


def test_tree_page_renders_two_levels_and_fetches_deeper_ones_on_demand(
    client, dora, county, township_a, branch_a1, branch_b1
):
    page = login(client, dora).get(reverse("branches:list")).content.decode()
    assert township_a.name in page
    assert branch_a1.name not in page  # below level 1: fetched when the township is opened
    assert reverse("branches:tree_children", args=[township_a.pk]) in page
    part = client.get(reverse("branches:tree_children", args=[township_a.pk]), HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert branch_a1.name in part.content.decode() and branch_b1.name not in part.content.decode()


def test_tree_children_counts_roll_up(client, dora, county, township_a, township_b, branch_a1, branch_a2):
    MemberFactory.create_batch(2, organization=branch_a1)
    MemberFactory(organization=branch_a2)
    response = login(client, dora).get(reverse("branches:tree_children", args=[county.pk]))
    totals = {n.org: n.org.total_members for n in response.context["node"].children}
    assert totals == {township_a: 3, township_b: 0}


def test_tree_children_of_another_township_is_404(client, alice, charlie, township_a, branch_a1, branch_b1):
    assert (
        login(client, charlie).get(reverse("branches:tree_children", args=[township_a.pk])).status_code == 404
    )
    # a branch secretary opening the township above their branch: not theirs to read
    assert (
        login(client, alice).get(reverse("branches:tree_children", args=[township_a.pk])).status_code == 404
    )


@pytest.mark.parametrize("n", [3, 60])
def test_tree_children_query_count_is_bounded(client, dora, township_a, n, django_assert_num_queries):
    for _i in range(n):
        MemberFactory(organization=make_branch(township_a))
    login(client, dora)
    url = reverse("branches:tree_children", args=[township_a.pk])
    client.get(url)
    with django_assert_num_queries(6):  # session, user, scope (2), the organization, the subtree
        assert client.get(url).status_code == 200


def test_tree_totals_of_levels_not_loaded(client, dora, county, township_a, township_b, branch_a1, branch_b1):
    """The townships' totals come from their subtrees without loading them: the same figures as before."""
    MemberFactory.create_batch(2, organization=branch_a1)
    MemberFactory(organization=branch_a1, probationary=True)
    MemberFactory(organization=branch_a1, died_on=dt.date(2020, 1, 1))
    MemberFactory(organization=branch_b1)
    MemberFactory(organization=township_b)  # directly in the township
    MemberFactory(organization=county)
    response = login(client, dora).get(reverse("branches:list"))
    (root,) = response.context["roots"]
    counts = {n.org.code: (n.org.total_members, n.org.total_full) for n in root.children}
    assert counts == {"T-A": (3, 2), "T-B": (2, 2)}
    assert (root.org.total_members, root.org.total_full) == (6, 5)
    detail = client.get(reverse("branches:detail", args=[county.pk])).context
    assert {c.code: (c.total_members, c.total_full) for c in detail["children"]} == counts
    assert (detail["org"].total_members, detail["org"].member_count) == (6, 1)
