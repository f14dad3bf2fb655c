"""Members' parts of the organization page (members.panels: counts, committee, party groups), the committee
term pages (members:committee_create / committee_edit) and the committee rule, set-based."""

import datetime as dt

import pytest
from django.urls import reverse

from branches.models import Organization
from members import panels as member_panels
from members.models import CommitteeTerm
from members.selectors import officers_in_order, organizations_having_committee, organizations_with_counts
from members.services import committee_term_save
from tests.conftest import login
from tests.factories import MemberFactory, make_branch, make_party_group

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def only_member_panels(monkeypatch):
    """The organization page with members' panels only: other apps' panels are measured in tests/branches."""
    monkeypatch.setattr("common.panels.organization_panels", member_panels.organization_panels)


def _panel(response, template):
    (panel,) = [p for p in response.context["panels"] if p.template == template]
    return panel.context


def test_member_counts_and_committee_rule_on_the_organization_page(client, bob, township_a, branch_a1):
    MemberFactory.create_batch(2, organization=branch_a1)
    MemberFactory(organization=township_a)
    login(client, bob)
    client.cookies.load({"django_language": "en"})
    response = client.get(reverse("branches:detail", args=[township_a.pk]))
    org = _panel(response, "members/panels/organization.html")["org"]
    assert (org.total_members, org.member_count) == (3, 1)
    page = response.content.decode()
    assert "3 (3 full)" in page and "1 directly in this organization" in page
    response = client.get(reverse("branches:detail", args=[branch_a1.pk]))
    assert _panel(response, "members/panels/organization.html")["org"].has_committee is False
    assert "fewer than 7 full members" in response.content.decode()


def test_panels_count_by_themselves_outside_the_organization_page(bob, township_a, branch_a1):
    from branches.selectors import scope_for

    MemberFactory.create_batch(2, organization=branch_a1)
    org = Organization.objects.get(pk=township_a.pk)  # not counted by the page
    (panel,) = member_panels.organization_panels(org=org, scope=scope_for(bob), as_of=dt.date.today())
    assert (panel.context["org"].total_members, panel.context["org"].total_full) == (2, 2)


def test_outsider_gets_no_member_panels(charlie, branch_a1):
    from branches.selectors import scope_for

    assert (
        member_panels.organization_panels(org=branch_a1, scope=scope_for(charlie), as_of=dt.date.today())
        == []
    )


def test_party_groups_panel_counts_living_members(client, alice, branch_a1):
    group = make_party_group(branch_a1)
    MemberFactory.create_batch(2, organization=branch_a1, party_group=group)
    MemberFactory(organization=branch_a1, party_group=group, died_on=dt.date(2020, 1, 1))
    response = login(client, alice).get(reverse("branches:detail", args=[branch_a1.pk]))
    (shown,) = _panel(response, "members/panels/party_groups.html")["party_groups"]
    assert (shown, shown.member_count) == (group, 2)


@pytest.mark.parametrize("n", [3, 60])
def test_branch_detail_query_count_is_bounded(client, alice, branch_a1, n, django_assert_num_queries):
    members = MemberFactory.create_batch(n, organization=branch_a1)
    for i in range(min(n, 5)):
        make_party_group(branch_a1, f"组{i}")
    committee_term_save(
        organization=branch_a1,
        elected_on=dt.date(2023, 1, 1),
        officers=[
            (members[0], "secretary", ""),
            (members[1], "deputy", ""),
            (members[2], "committee_member", "组织委员"),
        ],
    )
    login(client, alice)
    client.get(reverse("branches:detail", args=[branch_a1.pk]))
    with django_assert_num_queries(10):
        response = client.get(reverse("branches:detail", args=[branch_a1.pk]))
    term = _panel(response, "members/panels/committee.html")["term"]
    assert term.officers.all()[0].member == members[0]


def test_outsider_gets_404_on_committee_pages(client, charlie, branch_a1):
    term = CommitteeTerm.objects.create(
        organization=branch_a1, elected_on=dt.date(2022, 1, 1), ends_on=dt.date(2027, 1, 1)
    )
    login(client, charlie)
    for url in [
        reverse("members:committee_create", args=[branch_a1.pk]),
        reverse("members:committee_edit", args=[term.pk]),
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, _committee_data([])).status_code == 404, url


def test_no_committee_page_for_a_township(client, bob, township_a):
    login(client, bob)
    assert client.get(reverse("members:committee_create", args=[township_a.pk])).status_code == 404


def _committee_data(members, **extra):
    data = {
        "elected_on": "2024-03-01",
        "ends_on": "",
        "officers-TOTAL_FORMS": "3",
        "officers-INITIAL_FORMS": "0",
        "officers-MIN_NUM_FORMS": "0",
        "officers-MAX_NUM_FORMS": "1000",
    }
    for i, (member, position) in enumerate(members):
        data[f"officers-{i}-member"] = member.pk
        data[f"officers-{i}-position"] = position
    data.update(extra)
    return data


def test_committee_term_defaults_and_officers(client, alice, branch_a1):
    a, b, c = MemberFactory.create_batch(3, organization=branch_a1)
    login(client, alice)
    response = client.post(
        reverse("members:committee_create", args=[branch_a1.pk]),
        _committee_data([(a, "secretary"), (b, "deputy"), (c, "committee_member")]),
    )
    assert response.status_code == 302
    term = CommitteeTerm.objects.get()
    assert term.ends_on == dt.date(2029, 3, 1)  # a village branch serves 5 years
    assert {(o.member, o.position) for o in term.officers.all()} == {
        (a, "secretary"),
        (b, "deputy"),
        (c, "committee_member"),
    }
    # Edit: the deputy leaves (DELETE ticked), the committee member becomes deputy.
    page = client.get(reverse("members:committee_edit", args=[term.pk]))
    assert page.context["formset"].initial_form_count() == 3
    officers = list(officers_in_order().filter(term=term))
    data = _committee_data(
        [(o.member, o.position) for o in officers],
        **{
            "officers-TOTAL_FORMS": "6",
            "officers-INITIAL_FORMS": "3",
            "officers-1-DELETE": "on",
            "officers-2-position": "deputy",
        },
    )
    response = client.post(reverse("members:committee_edit", args=[term.pk]), data)
    assert response.status_code == 302
    assert {(o.member, o.position) for o in term.officers.all()} == {(a, "secretary"), (c, "deputy")}


def test_committee_refuses_two_secretaries_and_outsiders(client, alice, branch_a1, branch_a2):
    a, b = MemberFactory.create_batch(2, organization=branch_a1)
    stranger = MemberFactory(organization=branch_a2)
    login(client, alice)
    response = client.post(
        reverse("members:committee_create", args=[branch_a1.pk]),
        _committee_data([(a, "secretary"), (b, "secretary")]),
    )
    assert response.status_code == 200 and response.context["formset"].non_form_errors()
    response = client.post(
        reverse("members:committee_create", args=[branch_a1.pk]), _committee_data([(stranger, "secretary")])
    )
    assert response.status_code == 200
    assert not CommitteeTerm.objects.exists()


# -- the committee rule, set-based -------------------------------------------------------------------------


def test_committee_rule_seven_full_members(township_a, django_assert_num_queries):
    small, big, edge = make_branch(township_a), make_branch(township_a), make_branch(township_a)
    MemberFactory.create_batch(6, organization=small)
    MemberFactory.create_batch(3, organization=small, probationary=True)
    MemberFactory.create_batch(8, organization=big)
    MemberFactory.create_batch(7, organization=edge)
    MemberFactory(organization=edge, died_on=dt.date(2020, 1, 1))
    today = dt.date.today()
    with django_assert_num_queries(1):
        having = set(organizations_having_committee(Organization.objects.filter(kind="branch"), as_of=today))
    assert having == {big, edge}
    counts = {
        o.pk: (o.member_count, o.full_count)
        for o in organizations_with_counts(Organization.objects.all(), as_of=today)
    }
    assert counts[small.pk] == (9, 6)
    # On a date before they became full members, nobody has a committee.
    assert not organizations_having_committee(
        Organization.objects.filter(kind="branch"), as_of=dt.date(1990, 1, 1)
    ).exists()


def test_a_departed_officer_is_not_listed_on_the_current_term(client, alice, branch_a1):
    """Issue 9 (left over): the committee panel lists the officers on the roll; the term keeps its record."""
    from django.utils import timezone

    from members.models import Member
    from members.selectors import committee_term_current
    from members.services import member_depart

    a, b = MemberFactory.create_batch(2, organization=branch_a1, admitted_on=dt.date(2000, 1, 1))
    login(client, alice)
    client.post(
        reverse("members:committee_create", args=[branch_a1.pk]),
        _committee_data([(a, "secretary"), (b, "deputy")]),
    )
    today = timezone.localdate()
    member_depart(member=b, on=today, reason=Member.Departure.TRANSFERRED_OUT, by=alice)
    term = committee_term_current(org=branch_a1, as_of=today)
    assert [o.member for o in term.officers.all()] == [a]
    assert term.officers.model.objects.filter(term=term).count() == 2  # the record stays
    yesterday = committee_term_current(org=branch_a1, as_of=today - dt.timedelta(days=1))
    assert {o.member for o in yesterday.officers.all()} == {a, b}
