"""The roster's organization and party-group filters offer the organizations near the one chosen (the top
two levels, the chosen one with its parent and children) and the chosen organization's groups, not the whole
county; any organization or group in scope is still accepted."""

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import MemberFactory, make_party_group

pytestmark = pytest.mark.django_db


def _offered(response, field):
    return {
        str(value) for value, _label in response.context["filter"].form.fields[field].widget.choices if value
    }


def test_nothing_chosen_offers_the_top_two_levels_and_no_groups(client, dora, county, township_a, branch_a1):
    make_party_group(branch_a1, "一组")
    login(client, dora)
    r = client.get(reverse("members:list"))
    assert _offered(r, "organization") == {str(county.pk), str(township_a.pk)}
    assert _offered(r, "party_group") == set()
    assert "甲一村党支部" not in r.content.decode()


def test_choosing_a_township_offers_its_branches_and_a_branch_its_groups(
    client, dora, county, township_a, township_b, branch_a1, branch_a2, branch_b1
):
    group = make_party_group(branch_a1, "一组")
    make_party_group(branch_a2, "二组")
    login(client, dora)
    r = client.get(reverse("members:list"), {"organization": township_a.pk})
    offered = _offered(r, "organization")
    assert {str(branch_a1.pk), str(branch_a2.pk), str(township_a.pk), str(county.pk)} <= offered
    assert str(branch_b1.pk) not in offered
    r = client.get(reverse("members:list"), {"organization": branch_a1.pk})
    assert {str(branch_a1.pk), str(township_a.pk)} <= _offered(r, "organization")
    assert _offered(r, "party_group") == {str(group.pk)}


def test_an_organization_not_offered_is_still_accepted(client, dora, branch_a1, branch_b1):
    inside = MemberFactory(organization=branch_a1, name="甲一党员")
    MemberFactory(organization=branch_b1, name="乙一党员")
    group = make_party_group(branch_a1, "一组")
    grouped = MemberFactory(organization=branch_a1, party_group=group, name="组员")
    login(client, dora)
    r = client.get(reverse("members:list"), {"organization": branch_a1.pk})
    assert {m["pk"] for m in r.context["page"]} == {inside.pk, grouped.pk}
    r = client.get(reverse("members:list"), {"party_group": group.pk})
    assert [m["pk"] for m in r.context["page"]] == [grouped.pk]
    assert str(group.pk) in _offered(r, "party_group")


def test_outsiders_organization_is_refused(client, alice, branch_b1):
    login(client, alice)
    r = client.get(reverse("members:list"), {"organization": branch_b1.pk})
    assert r.status_code == 200
    assert str(branch_b1.pk) not in _offered(r, "organization")
    assert not list(r.context["page"])
